// A line chart of one or more scalar observables against the step, drawn with uPlot: loaded
// from the run record, then appended to by live frames. Series stay bounded (see series.ts);
// the chart redraws through a FrameThrottle (≤ 10 per second). A dashed vertical marker can
// show the step the other panels are scrubbed to; intervention markers (chart-markers.ts) the
// steps where commands took effect.

import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import type { ChartPicture } from "./chart-export";
import { type ChartMarker, MarkerLayer } from "./chart-markers";
import { FrameThrottle } from "./frame-throttle";
import { Series } from "./series";
import { ema } from "./smoothing";

export interface CurveDef {
  /** The observable, e.g. "loss" or "test_loss". */
  observable: string;
  label: string;
  color: string;
  /** Sparse curves (held-out evaluations) show their points. */
  points?: boolean;
  /** Noisy per-minibatch curves: drawn faint, with an exponential moving average on top. */
  smooth?: boolean;
}

/** EMA weight of the smoothed line: about a 20-point window. */
const SMOOTHING = 0.95;

const HEIGHT_PX = 240;
const MARKER = "#7c3aed";

export class CurveChart {
  readonly series = new Map<string, Series>();
  private plot: uPlot;
  private logY = false;
  private marker?: number;
  private readonly interventions = new MarkerLayer("intervention-marker");
  private readonly throttle = new FrameThrottle(() => this.draw());
  private readonly resize: ResizeObserver;
  private readonly onDraw: () => void;

  /** `onDraw` runs after each redraw, e.g. to refresh the numbers beside the chart. */
  constructor(
    private readonly container: HTMLElement,
    private readonly defs: CurveDef[],
    onDraw: () => void = () => {},
  ) {
    this.onDraw = onDraw;
    for (const d of defs) this.series.set(d.observable, new Series());
    this.plot = new uPlot(this.options(), this.data(), container);
    this.resize = new ResizeObserver(() => this.fit());
    this.resize.observe(container);
    // What is drawn, by observable, for the browser test and the console:
    // document.querySelector('[data-testid="loss-chart"]').eiscopeCurves()
    Object.defineProperty(container, "eiscopeCurves", { configurable: true, value: () => this.drawn() });
    // Where a step is on the step axis, in CSS pixels from the plot area's left edge.
    Object.defineProperty(container, "eiscopeStepX", {
      configurable: true,
      value: (step: number) => this.plot.valToPos(step, "x"),
    });
  }

  /** What it draws, for its exports (chart-export.ts): each curve's points, not their moving averages. */
  picture(title: string): ChartPicture {
    return {
      title,
      xLabel: "step",
      yLabel: title,
      logY: this.logY,
      width: this.plot.width,
      height: HEIGHT_PX,
      formatX: (x) => x.toLocaleString("en-US"),
      canvas: this.plot.ctx.canvas,
      series: this.defs.map((d) => {
        const s = this.series.get(d.observable)!;
        return { label: d.observable, color: d.color, steps: s.steps, values: s.values };
      }),
    };
  }

  handles(observable: string): boolean {
    return this.series.has(observable);
  }

  /** The plot's width in CSS pixels (the record is fetched at about two points per pixel). */
  get widthPx(): number {
    return Math.max(200, Math.floor(this.container.clientWidth || this.plot.width));
  }

  /** Keeps each curve to at most `n` points (see Series). */
  setMaxPoints(n: number): void {
    for (const s of this.series.values()) s.setMaxPoints(n);
    this.throttle.request();
  }

  /** Replaces a curve with recorded points. */
  load(observable: string, steps: ArrayLike<number>, values: ArrayLike<number>, samples: number, downsampled: boolean): void {
    this.series.get(observable)?.load(steps, values, samples, downsampled);
    this.throttle.request();
  }

  push(observable: string, step: number, value: number, mergedCount: number): void {
    this.series.get(observable)?.push(step, value, mergedCount);
    this.throttle.request();
  }

  /** Loss curves often read better on a log axis; uPlot fixes the scale type at creation. */
  setLogScale(on: boolean): void {
    if (on === this.logY) return;
    this.logY = on;
    this.plot.destroy();
    this.plot = new uPlot(this.options(), this.data(), this.container);
  }

  /** Marks `step` with a vertical line (undefined: no marker). */
  setMarker(step: number | undefined): void {
    this.marker = step;
    if (step === undefined) delete this.container.dataset.marker;
    else this.container.dataset.marker = String(step);
    this.plot.redraw(false, false);
  }

  /** Marks the steps where commands took effect, each with its description. */
  setInterventions(markers: ChartMarker[]): void {
    this.interventions.set(markers);
    this.container.dataset.interventions = String(markers.length);
    this.plot.redraw(false, false);
  }

  clear(): void {
    for (const s of this.series.values()) s.clear();
    this.throttle.request();
  }

  destroy(): void {
    this.throttle.cancel();
    this.resize.disconnect();
    this.plot.destroy();
  }

  private drawn(): Record<string, { steps: number[]; values: number[]; samples: number; downsampled: boolean }> {
    const out: ReturnType<CurveChart["drawn"]> = {};
    for (const [name, s] of this.series)
      out[name] = { steps: [...s.steps], values: [...s.values], samples: s.samples, downsampled: s.downsampled };
    return out;
  }

  private draw(): void {
    this.plot.setData(this.data());
    this.container.dataset.points = String(Math.max(0, ...[...this.series.values()].map((s) => s.steps.length)));
    this.onDraw();
  }

  /** The marker, if any, over the plot area (uPlot's canvas and bbox are in device pixels). */
  private drawMarker(u: uPlot): void {
    if (this.marker === undefined) return;
    const x = Math.round(u.valToPos(this.marker, "x", true));
    const { left, top, width, height } = u.bbox;
    if (x < left || x > left + width) return;
    const g = u.ctx;
    const dpr = window.devicePixelRatio || 1;
    g.save();
    g.strokeStyle = MARKER;
    g.lineWidth = 1.5 * dpr;
    g.setLineDash([4 * dpr, 3 * dpr]);
    g.beginPath();
    g.moveTo(x + 0.5, top);
    g.lineTo(x + 0.5, top + height);
    g.stroke();
    g.fillStyle = MARKER;
    g.font = `${11 * dpr}px system-ui, sans-serif`;
    g.textAlign = x > left + width / 2 ? "right" : "left";
    g.textBaseline = "top";
    g.fillText(`step ${this.marker.toLocaleString("en-US")}`, x + (g.textAlign === "right" ? -4 : 4) * dpr, top + 2 * dpr);
    g.restore();
  }

  private fit(): void {
    const width = Math.max(200, Math.floor(this.container.clientWidth));
    if (width !== this.plot.width) this.plot.setSize({ width, height: HEIGHT_PX });
  }

  /** One shared step axis; a curve without a sample at some step has a gap there (null). */
  private data(): uPlot.AlignedData {
    const tables = this.defs.map((d) => {
      const s = this.series.get(d.observable)!;
      return (d.smooth ? [s.steps, s.values, ema(s.values, SMOOTHING)] : [s.steps, s.values]) as uPlot.AlignedData;
    });
    return uPlot.join(tables);
  }

  private options(): uPlot.Options {
    const axis: uPlot.Axis = {
      stroke: "#5b6472",
      grid: { stroke: "#eef0f3", width: 1 },
      ticks: { stroke: "#e3e6ea", width: 1 },
      font: "11px system-ui, sans-serif",
    };
    return {
      width: Math.max(200, this.container.clientWidth || 480),
      height: HEIGHT_PX,
      scales: { x: { time: false }, y: this.logY ? { distr: 3 } : {} },
      cursor: { sync: { key: "eiscope-curves" }, drag: { x: true, y: false } },
      legend: { live: true },
      hooks: { ready: this.interventions.hooks().ready, draw: [(u) => this.drawMarker(u), ...this.interventions.hooks().draw!] },
      axes: [
        { ...axis, label: "step", labelFont: "11px system-ui, sans-serif", labelSize: 18 },
        { ...axis, size: 56 },
      ],
      series: [
        { label: "step" },
        ...this.defs.flatMap((d): uPlot.Series[] => {
          const line: uPlot.Series = {
            label: d.label,
            stroke: d.smooth ? fade(d.color) : d.color,
            width: d.smooth ? 1 : 1.5,
            spanGaps: true,
            points: { show: d.points ?? false, size: 5, fill: d.color },
            value: (_u, v) => (v == null ? "–" : v.toPrecision(4)),
          };
          if (!d.smooth) return [line];
          return [line, { ...line, label: `${d.label} (EMA)`, stroke: d.color, width: 2 }];
        }),
      ],
    };
  }
}

/** The color at 35 % opacity, for the raw line under a smoothed one. */
function fade(hex: string): string {
  return `${hex}59`;
}
