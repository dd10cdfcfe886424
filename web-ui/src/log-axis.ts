// A log-scale y axis without a log scale: the comparison chart draws log10 of the values on a
// linear uPlot scale in log mode, because uPlot fixes a scale's kind when a plot is made, and
// making a new plot for each toggle held the main thread 58-87 ms (a redraw: ~15 ms). These
// put the ticks where a log axis has them, labelled with the values (not their logs).

/** Tick positions, in log10 units, for [min, max] in log10 units: decades, 1-2-5 over a couple of decades, else round values. */
export function logSplits(min: number, max: number): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max) || max < min) return [];
  const lo = Math.floor(min);
  const hi = Math.ceil(max);
  const every = Math.max(1, Math.ceil((hi - lo) / 6)); // at most about six decades labelled
  const mults = hi - lo <= 2 ? [1, 2, 5] : [1];
  const out: number[] = [];
  for (let d = lo; d <= hi; d += every) {
    for (const m of mults) {
      const t = d + Math.log10(m);
      if (t >= min - 1e-9 && t <= max + 1e-9) out.push(t);
    }
  }
  return out.length >= 2 ? out : roundValues(10 ** min, 10 ** max).map(Math.log10);
}

/** About five round values in [a, b] (a > 0): steps of 1, 2 or 5 times a power of ten. */
function roundValues(a: number, b: number): number[] {
  const raw = (b - a) / 4;
  if (!(raw > 0)) return [a];
  const p = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw) ?? 10 * p;
  const out: number[] = [];
  for (let v = Math.ceil(a / step) * step; v <= b * (1 + 1e-12); v += step) if (v > 0) out.push(v);
  return out;
}

/** The label of a tick at log10 value `t`: the value, to three significant digits. */
export function logTickLabel(t: number): string {
  const v = Number((10 ** t).toPrecision(3));
  return v !== 0 && (Math.abs(v) < 1e-3 || Math.abs(v) >= 1e5) ? v.toExponential() : String(v);
}

/** A facet on a log axis: log10 of the positive values; the others cannot be drawn and are left out (the line spans them). */
export function logFacet(xs: number[], ys: number[]): [number[], number[]] {
  const lx: number[] = [];
  const ly: number[] = [];
  for (let i = 0; i < ys.length; i++) {
    if (ys[i] > 0) {
      lx.push(xs[i]);
      ly.push(Math.log10(ys[i]));
    }
  }
  return [lx, ly];
}
