// Which part of a matrix a heatmap cell stands for. The server pools a matrix of R x C into at
// most r x c near-equal blocks (GetParameters max_rows / max_cols): row block i covers the rows
// [⌊i·R/r⌋, ⌊(i+1)·R/r⌋), and shows the value of largest magnitude there, sign kept. Rows and
// columns of E/I matrices are excitatory units first, then inhibitory (EiPartition).

import type { EiPartition } from "@eiscope/client";

/** The full rows (or columns) [start, end) that pooled index `i` of `pooled` stands for, out of `full`. */
export function blockOf(i: number, pooled: number, full: number): [number, number] {
  return [Math.floor((i * full) / pooled), Math.floor(((i + 1) * full) / pooled)];
}

/** "E", "I" or "E and I" for the units [start, end) when the first `excitatory` are excitatory; "" without a partition. */
export function unitKind(start: number, end: number, excitatory: number | undefined): string {
  if (excitatory === undefined) return "";
  if (end <= excitatory) return "E";
  if (start >= excitatory) return "I";
  return "E and I";
}

/** One heatmap cell, for the hover readout and the tests: what it stands for and its value. */
export interface CellInfo {
  row: [number, number];
  col: [number, number];
  rowKind: string;
  colKind: string;
  value: number;
}

export function cellInfo(
  i: number,
  j: number,
  shape: number[],
  fullShape: number[],
  data: Float32Array,
  partition: EiPartition | undefined,
): CellInfo {
  return {
    row: blockOf(i, shape[0], fullShape[0]),
    col: blockOf(j, shape[1], fullShape[1]),
    rowKind: unitKind(...blockOf(i, shape[0], fullShape[0]), partition?.excitatoryRows),
    colKind: unitKind(...blockOf(j, shape[1], fullShape[1]), partition?.excitatoryCols),
    value: data[i * shape[1] + j],
  };
}

/** "12" or "24–25": a range of indices, 0-based as in numpy (the end is inclusive here, for reading). */
export function indices([start, end]: [number, number]): string {
  return end - start <= 1 ? String(start) : `${start}–${end - 1}`;
}

/** The hover text: "layer0[12, 340] = −0.0123 · row 12 (E), column 340 (I)"; a pooled cell says which block it stands for. */
export function describeCell(name: string, c: CellInfo, format: (v: number) => string): string {
  const kind = (k: string) => (k === "" ? "" : ` (${k})`);
  const rows = c.row[1] - c.row[0];
  const cols = c.col[1] - c.col[0];
  const at = `${name}[${indices(c.row)}, ${indices(c.col)}]`;
  const where = `row${rows > 1 ? "s" : ""} ${indices(c.row)}${kind(c.rowKind)}, column${cols > 1 ? "s" : ""} ${indices(c.col)}${kind(c.colKind)}`;
  if (rows * cols <= 1) return `${at} = ${format(c.value)} · ${where}`;
  return `${at}: largest |w| of this ${rows} × ${cols} block = ${format(c.value)} · ${where}`;
}
