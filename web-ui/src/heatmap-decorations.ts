// What the weight heatmap draws around its cells: the lines between excitatory and inhibitory
// rows and columns with their E / I labels, the axes, and the colour bar with its numbers.

import type { EiPartition } from "@eiscope/client";
import { colourAt, css } from "./diverging-scale";

/** The page's canvas or an OffscreenCanvas in a worker: the same drawing calls. */
export type Ctx2D = CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D;

/** The plot area in CSS pixels. */
export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

const AXIS = "#c9ced6";
const LABEL = "#5b6472";
const SEPARATOR = "#111827";

/** Lines between E and I rows and columns, and E / I labels on each band. */
export function drawPartition(g: Ctx2D, fullShape: number[], part: EiPartition | undefined, p: Rect): void {
  if (!part) return;
  const [rows, cols] = fullShape;
  g.fillStyle = LABEL;
  g.font = "bold 11px system-ui, sans-serif";
  const yAt = (r: number) => p.y + (r / rows) * p.height;
  const xAt = (c: number) => p.x + (c / cols) * p.width;
  g.textAlign = "right";
  g.textBaseline = "middle";
  for (const [label, a, b] of [
    ["E", 0, part.excitatoryRows],
    ["I", part.excitatoryRows, part.excitatoryRows + part.inhibitoryRows],
  ] as const) {
    if (b > a) g.fillText(label, p.x - 6, (yAt(a) + yAt(b)) / 2);
  }
  g.textAlign = "center";
  g.textBaseline = "bottom";
  for (const [label, a, b] of [
    ["E", 0, part.excitatoryCols],
    ["I", part.excitatoryCols, part.excitatoryCols + part.inhibitoryCols],
  ] as const) {
    if (b > a) g.fillText(label, (xAt(a) + xAt(b)) / 2, p.y - 4);
  }
  g.font = "11px system-ui, sans-serif";
  g.strokeStyle = SEPARATOR;
  g.lineWidth = 1.5;
  g.setLineDash([5, 3]);
  g.beginPath();
  if (part.excitatoryRows > 0 && part.inhibitoryRows > 0) {
    g.moveTo(p.x, yAt(part.excitatoryRows));
    g.lineTo(p.x + p.width, yAt(part.excitatoryRows));
  }
  if (part.excitatoryCols > 0 && part.inhibitoryCols > 0) {
    g.moveTo(xAt(part.excitatoryCols), p.y);
    g.lineTo(xAt(part.excitatoryCols), p.y + p.height);
  }
  g.stroke();
  g.setLineDash([]);
}

export function drawAxes(g: Ctx2D, fullShape: number[], p: Rect): void {
  const [rows, cols] = fullShape;
  g.fillStyle = LABEL;
  g.textAlign = "right";
  g.textBaseline = "top";
  g.fillText("0", p.x - 18, p.y);
  g.textBaseline = "bottom";
  g.fillText(String(rows - 1), p.x - 18, p.y + p.height);
  g.save();
  g.translate(12, p.y + p.height / 2);
  g.rotate(-Math.PI / 2);
  g.textAlign = "center";
  g.textBaseline = "middle";
  g.fillText("row: post-synaptic unit", 0, 0);
  g.restore();
  g.textBaseline = "top";
  g.textAlign = "left";
  g.fillText("0", p.x, p.y + p.height + 6);
  g.textAlign = "right";
  g.fillText(String(cols - 1), p.x + p.width, p.y + p.height + 6);
  g.textAlign = "center";
  g.fillText("column: pre-synaptic unit or input", p.x + p.width / 2, p.y + p.height + 6);
}

/** The scale: +a at the top, 0 in the middle, -a at the bottom, with its numbers. */
export function drawColourBar(g: Ctx2D, p: Rect, limit: number, clipped: boolean): void {
  const x = p.x + p.width + 14;
  const gradient = g.createLinearGradient(0, p.y + p.height, 0, p.y);
  for (let k = 0; k <= 10; k++) gradient.addColorStop(k / 10, css(colourAt(k / 10)));
  g.fillStyle = gradient;
  g.fillRect(x, p.y, 12, p.height);
  g.strokeStyle = AXIS;
  g.strokeRect(x - 0.5, p.y - 0.5, 13, p.height + 1);
  g.fillStyle = LABEL;
  g.textAlign = "left";
  g.textBaseline = "middle";
  for (const f of [1, 0.5, 0, -0.5, -1]) {
    const y = p.y + ((1 - f) / 2) * p.height;
    g.fillRect(x + 12, Math.round(y), 3, 1);
    // Clipped, the ends stand for everything beyond them.
    const beyond = clipped && f === 1 ? "≥ " : clipped && f === -1 ? "≤ " : "";
    g.fillText(f === 0 ? "0" : `${beyond}${fmt(f * limit)}`, x + 18, y);
  }
}

function fmt(v: number): string {
  const a = Math.abs(v);
  const s = a !== 0 && (a < 1e-3 || a >= 1e4) ? a.toExponential(2) : a.toPrecision(3);
  return `${v < 0 ? "−" : "+"}${s}`;
}
