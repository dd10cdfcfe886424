// Hidden activity of one probe trial as a heatmap: time steps on x, units on y (unit 1 at the
// top), with a colour bar. Non-negative activity (ReLU cells) uses viridis from 0 to the
// trial's max; activity with negative values (tanh) a blue-white-red scale symmetric about 0.

import { CanvasPlot } from "./spectrum-canvas";

/** One trial's activity: `values[s * units + u]` is unit u at time step s. */
export interface TrialActivity {
  steps: number;
  units: number;
  values: Float32Array;
}

const VIRIDIS = ["#440154", "#3b528b", "#21918c", "#5ec962", "#fde725"].map(rgb);
const DIVERGING = ["#2166ac", "#92c5de", "#f7f7f7", "#f4a582", "#b2182b"].map(rgb);
const AXIS = "#c9ced6";

export class HiddenStateHeatmap extends CanvasPlot {
  private trial?: TrialActivity;
  private message = "waiting for hidden states…";

  constructor(container: HTMLElement) {
    super(container, "dynamics-heatmap");
    // What is drawn, for the browser test and the console:
    // document.querySelector('[data-testid="dynamics-heatmap"]').eiscopeData()
    Object.defineProperty(this.canvas, "eiscopeData", {
      configurable: true,
      value: () => (this.trial ? { steps: this.trial.steps, units: this.trial.units, values: [...this.trial.values] } : null),
    });
  }

  /** Draws `trial` (not modified, kept until the next call); undefined shows `message` instead. */
  set(trial: TrialActivity | undefined, message = "waiting for hidden states…"): void {
    this.trial = trial;
    this.message = message;
    this.redraw();
  }

  protected draw(g: CanvasRenderingContext2D, width: number, height: number): void {
    const t = this.trial;
    if (!t || t.steps === 0 || t.units === 0) return this.waiting(g, width, height, this.message);
    const m = { left: 44, right: 72, top: 10, bottom: 30 };
    const plotW = width - m.left - m.right;
    const plotH = height - m.top - m.bottom;
    const { lo, hi } = colourRange(t.values);
    const palette = lo < 0 ? DIVERGING : VIRIDIS;
    const colour = (v: number) => css(interpolate(palette, hi > lo ? (v - lo) / (hi - lo) : 0));
    // Integer cell edges, so neighbouring cells neither overlap nor leave hairline gaps.
    const xs = edges(m.left, plotW, t.steps);
    const ys = edges(m.top, plotH, t.units);
    for (let s = 0; s < t.steps; s++) {
      for (let u = 0; u < t.units; u++) {
        g.fillStyle = colour(t.values[s * t.units + u]);
        g.fillRect(xs[s], ys[u], xs[s + 1] - xs[s], ys[u + 1] - ys[u]);
      }
    }
    g.strokeStyle = AXIS;
    g.strokeRect(m.left - 0.5, m.top - 0.5, plotW + 1, plotH + 1);

    // Colour bar: hi at the top, lo at the bottom.
    const barX = width - m.right + 12;
    const gradient = g.createLinearGradient(0, m.top + plotH, 0, m.top);
    palette.forEach((c, i) => gradient.addColorStop(i / (palette.length - 1), css(c)));
    g.fillStyle = gradient;
    g.fillRect(barX, m.top, 12, plotH);
    g.fillStyle = "#5b6472";
    g.textAlign = "left";
    g.textBaseline = "top";
    g.fillText(fmt(hi), barX + 16, m.top);
    g.textBaseline = "bottom";
    g.fillText(fmt(lo), barX + 16, m.top + plotH);

    g.textAlign = "right";
    g.textBaseline = "top";
    g.fillText("1", m.left - 6, m.top);
    g.textBaseline = "bottom";
    g.fillText(String(t.units), m.left - 6, m.top + plotH);
    g.textBaseline = "middle";
    g.fillText("unit", m.left - 6, m.top + plotH / 2);
    g.textBaseline = "top";
    g.textAlign = "left";
    g.fillText("1", m.left, m.top + plotH + 6);
    g.textAlign = "right";
    g.fillText(String(t.steps), m.left + plotW, m.top + plotH + 6);
    g.textAlign = "center";
    g.fillText("time step", m.left + plotW / 2, m.top + plotH + 6);
  }
}

/** The range the colours span: [0, max] for non-negative values, else [-a, a] with a = max |v|. */
export function colourRange(values: Float32Array): { lo: number; hi: number } {
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (!(max >= min)) return { lo: 0, hi: 1 }; // empty or all NaN
  if (min >= 0) return { lo: 0, hi: max > 0 ? max : 1 };
  const a = Math.max(-min, max);
  return { lo: -a, hi: a };
}

function edges(start: number, length: number, n: number): number[] {
  return Array.from({ length: n + 1 }, (_, i) => Math.round(start + (i * length) / n));
}

type Rgb = [number, number, number];

function rgb(hex: string): Rgb {
  const n = parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

/** The colour at `f` in [0, 1] (clamped; NaN gives the first) along evenly spaced `stops`. */
function interpolate(stops: Rgb[], f: number): Rgb {
  const x = Math.min(1, Math.max(0, Number.isNaN(f) ? 0 : f)) * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(x));
  const w = x - i;
  return [0, 1, 2].map((k) => Math.round(stops[i][k] * (1 - w) + stops[i + 1][k] * w)) as Rgb;
}

function css([r, g, b]: Rgb): string {
  return `rgb(${r},${g},${b})`;
}

function fmt(v: number): string {
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e4) ? v.toExponential(2) : v.toPrecision(3);
}
