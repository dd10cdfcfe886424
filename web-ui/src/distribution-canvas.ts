// One histogram of the distributions panel on a canvas: the two groups (E and I columns, or
// w ≥ 0 and w < 0) stacked in their own colours over shared bins (a bar's height is the bin's
// count), a linear or log count axis, and optionally a curve over it (the log-normal fit).

import { CanvasPlot } from "./spectrum-canvas";
import type { Binned } from "./weight-bins";

/** Excitatory / positive: red; inhibitory / negative: blue, as on the heatmap's scale. */
export const GROUP_COLOURS = ["#d6604d", "#4393c3"];
const FIT = "#111827";
const AXIS = "#c9ced6";
const LABEL = "#5b6472";

/** A curve over the bins: expected count per bin at x. */
export type Curve = (x: number) => number;

export class DistributionPlot extends CanvasPlot {
  private data?: Binned;
  private curve?: Curve;
  private logCount = false;
  private message = "waiting for values…";

  constructor(
    container: HTMLElement,
    testid: string,
    private readonly xLabel: string,
  ) {
    super(container, testid);
    // What is drawn, for the browser tests and the console.
    Object.defineProperty(this.canvas, "eiscopeData", {
      configurable: true,
      value: () => (this.data ? { edges: [...this.data.edges], counts: this.data.counts.map((c) => [...c]) } : null),
    });
  }

  /** Draws `data` (kept, not modified) with `curve` over it; undefined shows `message`. */
  set(data: Binned | undefined, curve?: Curve, message = "waiting for values…"): void {
    this.data = data;
    this.curve = curve;
    this.message = message;
    this.say(data && data.edges.length ? undefined : message);
    this.redraw();
  }

  setLogCount(on: boolean): void {
    this.logCount = on;
    this.canvas.dataset.logCount = String(on);
    this.redraw();
  }

  protected draw(g: CanvasRenderingContext2D, width: number, height: number): void {
    const d = this.data;
    if (!d || d.edges.length < 2) return this.waiting(g, width, height, this.message);
    const m = { left: 52, right: 12, top: 12, bottom: 30 };
    const plotW = width - m.left - m.right;
    const plotH = height - m.top - m.bottom;
    const lo = d.edges[0];
    const hi = d.edges[d.edges.length - 1];
    const maxCount = Math.max(1, ...d.counts[0].map((c, i) => c + d.counts[1][i]));
    // The log axis is log10(1 + count): empty bins stay on the baseline.
    const scale = (c: number) => (this.logCount ? Math.log10(1 + Math.max(0, c)) : c);
    const top = scale(maxCount);
    const x = (v: number) => m.left + ((v - lo) / (hi - lo)) * plotW;
    const y = (c: number) => m.top + plotH * (1 - scale(c) / top);
    // Stacked: the first group from the baseline, the second on top, so a bar's height is the bin's count.
    d.counts[0].forEach((c0, i) => {
      const x0 = x(d.edges[i]);
      const w = Math.max(1, x(d.edges[i + 1]) - x0 - 0.5);
      const c1 = d.counts[1][i];
      g.fillStyle = GROUP_COLOURS[0];
      if (c0 > 0) g.fillRect(x0, y(c0), w, y(0) - y(c0));
      g.fillStyle = GROUP_COLOURS[1];
      if (c1 > 0) g.fillRect(x0, y(c0 + c1), w, y(c0) - y(c0 + c1));
    });
    if (this.curve) this.drawCurve(g, this.curve, lo, hi, x, y);
    g.strokeStyle = AXIS;
    g.lineWidth = 1;
    g.beginPath();
    g.moveTo(m.left, y(0) + 0.5);
    g.lineTo(width - m.right, y(0) + 0.5);
    if (lo < 0 && hi > 0) {
      g.moveTo(Math.round(x(0)) + 0.5, m.top);
      g.lineTo(Math.round(x(0)) + 0.5, y(0));
    }
    g.stroke();
    g.fillStyle = LABEL;
    g.textBaseline = "top";
    g.textAlign = "left";
    g.fillText(fmt(lo), m.left, y(0) + 6);
    g.textAlign = "right";
    g.fillText(fmt(hi), width - m.right, y(0) + 6);
    g.textAlign = "center";
    g.fillText(this.xLabel, m.left + plotW / 2, y(0) + 6);
    g.textBaseline = "middle";
    g.textAlign = "right";
    const ticks = this.logCount ? logTicks(maxCount) : [maxCount];
    for (const t of ticks) g.fillText(t.toLocaleString("en-US"), m.left - 6, y(t));
    g.fillText("0", m.left - 6, y(0));
    g.save();
    g.translate(10, m.top + plotH / 2);
    g.rotate(-Math.PI / 2);
    g.textAlign = "center";
    g.fillText(this.logCount ? "count (log)" : "count", 0, 0);
    g.restore();
  }

  private drawCurve(
    g: CanvasRenderingContext2D,
    curve: Curve,
    lo: number,
    hi: number,
    x: (v: number) => number,
    y: (c: number) => number,
  ): void {
    g.strokeStyle = FIT;
    g.lineWidth = 1.5;
    g.beginPath();
    for (let k = 0; k <= 200; k++) {
      const v = lo + ((hi - lo) * k) / 200;
      if (k === 0) g.moveTo(x(v), y(curve(v)));
      else g.lineTo(x(v), y(curve(v)));
    }
    g.stroke();
  }
}

/** 1, 10, 100, … up to `max`. */
function logTicks(max: number): number[] {
  const out: number[] = [];
  for (let t = 1; t <= max; t *= 10) out.push(t);
  return out;
}

function fmt(v: number): string {
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e4) ? v.toExponential(2) : v.toPrecision(3);
}
