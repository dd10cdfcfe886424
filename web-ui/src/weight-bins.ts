// The numbers of the distributions panel, computed from a matrix's values: histograms of w and of
// log|w| (64 bins each over the range of the values counted), split into two groups drawn in
// their own colours, and the log-normal fit of the magnitudes (Cornford et al. 2024 §3.4: the
// mean and standard deviation of log|w| over the non-zero weights, as the server's lognormal_mu
// and lognormal_sigma). The groups are excitatory and inhibitory columns (pre-synaptic units:
// Dale's law gives each column one sign) when the matrix has both, else w ≥ 0 and w < 0.
// A pruned weight is exactly 0: "exclude zeros" leaves them out of the histogram of w (log|w|
// never has them), so that a 90 %-pruned matrix is not one spike at 0.
// Large matrices are processed in slices with a pause between them, so the page keeps drawing.

import type { EiPartition } from "@eiscope/client";

export const BINS = 64;
/** Values per slice between pauses: a few milliseconds of work. */
const SLICE = 1 << 18;

/** Counts of the two groups in the same bins: edges ascending, one more than each counts array. */
export interface Binned {
  edges: number[];
  counts: [number[], number[]];
}

export interface WeightSummary {
  /** Names of the two groups, in colour order: ["E columns", "I columns"] or ["w ≥ 0", "w < 0"]. */
  groups: [string, string];
  byColumns: boolean;
  /** Values in all, exact zeros among them, non-finite ones (never counted). */
  total: number;
  zeros: number;
  nonFinite: number;
  signed: Binned;
  logAbs: Binned;
  /** Mean and population standard deviation of log|w| over the finite non-zero weights. */
  fit?: { mu: number; sigma: number; n: number };
}

/** Whether value k of a rows x cols matrix is in the second group (I column, or negative). */
function secondGroup(p: EiPartition | undefined, cols: number): ((k: number, v: number) => boolean) | undefined {
  if (p && p.excitatoryCols > 0 && p.inhibitoryCols > 0 && p.excitatoryCols + p.inhibitoryCols === cols) {
    return (k) => k % cols >= p.excitatoryCols;
  }
  return undefined;
}

const pause = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/** Runs `work(start, end)` over [0, n) in slices, pausing between them (aborting when `signal` is). */
async function sliced(n: number, work: (start: number, end: number) => void, signal?: AbortSignal): Promise<void> {
  for (let start = 0; start < n; start += SLICE) {
    if (start > 0) await pause();
    if (signal?.aborted) throw signal.reason;
    work(start, Math.min(n, start + SLICE));
  }
}

/** 64 equal bins over [lo, hi] (a unit-wide range around lo when they are equal). */
export function binEdges(lo: number, hi: number, bins = BINS): number[] {
  if (!(hi > lo)) [lo, hi] = [lo - 0.5, lo + 0.5];
  return Array.from({ length: bins + 1 }, (_, i) => (i === bins ? hi : lo + ((hi - lo) * i) / bins));
}

/** The bin of v: edges[b] <= v < edges[b + 1], the last bin closed (the arithmetic guess is checked against the edges). */
export function binOf(v: number, edges: number[]): number {
  const bins = edges.length - 1;
  const lo = edges[0];
  const hi = edges[bins];
  let b = Math.min(bins - 1, Math.max(0, Math.floor(((v - lo) / (hi - lo)) * bins)));
  while (b > 0 && v < edges[b]) b--;
  while (b < bins - 1 && v >= edges[b + 1]) b++;
  return b;
}

/**
 * The histograms and fit of `data` (rows x cols, row-major). `partition` (the matrix's E/I split,
 * if any) picks the groups; `excludeZeros` leaves exact zeros out of the histogram of w.
 */
export async function summarise(
  data: Float32Array,
  cols: number,
  partition: EiPartition | undefined,
  excludeZeros: boolean,
  signal?: AbortSignal,
): Promise<WeightSummary> {
  const inSecond = secondGroup(partition, cols);
  const second = inSecond ?? ((_k: number, v: number) => v < 0);
  let zeros = 0;
  let nonFinite = 0;
  let wLo = Infinity;
  let wHi = -Infinity;
  let lLo = Infinity;
  let lHi = -Infinity;
  let n = 0;
  let sum = 0;
  // Pass 1: ranges and the mean of log|w|.
  await sliced(
    data.length,
    (start, end) => {
      for (let k = start; k < end; k++) {
        const v = data[k];
        if (!Number.isFinite(v)) {
          nonFinite++;
          continue;
        }
        if (v === 0) {
          zeros++;
          if (excludeZeros) continue;
        } else {
          const l = Math.log(Math.abs(v));
          if (l < lLo) lLo = l;
          if (l > lHi) lHi = l;
          n++;
          sum += l;
        }
        if (v < wLo) wLo = v;
        if (v > wHi) wHi = v;
      }
    },
    signal,
  );
  const mu = n > 0 ? sum / n : NaN;
  const signed: Binned = { edges: binEdges(wLo, wHi), counts: [new Array(BINS).fill(0), new Array(BINS).fill(0)] };
  const logAbs: Binned = { edges: binEdges(lLo, lHi), counts: [new Array(BINS).fill(0), new Array(BINS).fill(0)] };
  let squares = 0;
  // Pass 2: the bins, and the spread of log|w| about its mean.
  await sliced(
    data.length,
    (start, end) => {
      for (let k = start; k < end; k++) {
        const v = data[k];
        if (!Number.isFinite(v) || (v === 0 && excludeZeros)) continue;
        const g = second(k, v) ? 1 : 0;
        signed.counts[g][binOf(v, signed.edges)]++;
        if (v === 0) continue;
        const l = Math.log(Math.abs(v));
        logAbs.counts[g][binOf(l, logAbs.edges)]++;
        squares += (l - mu) * (l - mu);
      }
    },
    signal,
  );
  const empty = (b: Binned) => (wHi < wLo ? { edges: [], counts: [[], []] as [number[], number[]] } : b);
  return {
    groups: inSecond ? ["E columns", "I columns"] : ["w ≥ 0", "w < 0"],
    byColumns: inSecond !== undefined,
    total: data.length,
    zeros,
    nonFinite,
    signed: empty(signed),
    logAbs: n > 0 ? logAbs : { edges: [], counts: [[], []] },
    fit: n > 0 ? { mu, sigma: Math.sqrt(squares / n), n } : undefined,
  };
}
