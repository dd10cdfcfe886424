// Several runs' curves of one scalar on one uPlot chart: a colour per run, a shared x axis (steps,
// or seconds of wall time since each curve's first point),
// a log-scale option, and smoothing as TensorBoard's slider does it (the raw curve faint, its
// exponential moving average on top). A fork's inherited part (its parent's curve up to the
// fork step) is dashed and joins its own at the fork step. Commands are marked at their step in
// the run's colour (chart-markers.ts). uPlot keeps the scales, axes, grid and cursor; the
// lines are drawn by line-layer.ts in slices of a few milliseconds, one frame each (one stroke
// of 20 noisy lines held the main thread 10-34 ms in software raster); redraws are throttled. Toggling the log scale or the x axis redraws the same
// plot (log10 of the values on a linear scale, log-axis.ts; axis titles read at each draw):
// a new plot each time held the main thread 58-87 ms. Every line is a one-pixel hairline: in
// software raster (no GPU) noisy lines 1.5-2 px wide cost 3-9 times as much to stroke (smooth
// ones about the same). The plot is in uPlot's "mode 2", each series with its
// own x values: runs are recorded (and downsampled) at different steps, and joining them on one
// x column made a table of every run's steps with nulls elsewhere, so each of 20 lines walked
// 13,000 rows for 1,300 points (10 runs × 100,000 steps: 12 ms to join, 2-4 × slower to draw).

import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import type { ChartPicture } from "./chart-export";
import { type ChartMarker, MarkerLayer } from "./chart-markers";
import { FrameThrottle } from "./frame-throttle";
import { type LayerLine, LineLayer } from "./line-layer";
import { logFacet, logSplits, logTickLabel } from "./log-axis";
import { ema } from "./smoothing";

/** Tableau 10: distinct for the usual forms of colour blindness, in the order runs are added. */
export const PALETTE = [
  "#4e79a7",
  "#f28e2b",
  "#e15759",
  "#76b7b2",
  "#59a14f",
  "#edc948",
  "#b07aa1",
  "#ff9da7",
  "#9c755f",
  "#bab0ac",
];

export interface OverlayRun {
  id: string;
  label: string;
  color: string;
  /** Ascending steps; the first `inherited` points come from ancestors. */
  steps: number[];
  /** Where each point is drawn: its step, or its time (ascending too). */
  xs: number[];
  values: number[];
  inherited: number;
  markers: ChartMarker[];
}

export interface OverlayState {
  runs: OverlayRun[];
  /** EMA weight in [0, 1): 0 draws the raw curves only. */
  smoothing: number;
  log: boolean;
  /** The scalar, for the axis. */
  label: string;
  x: "step" | "time";
}

const HEIGHT_PX = 360;
/** uPlot draws no line: the line layer does, in slices (line-layer.ts); uPlot keeps scales, axes, grid and cursor. */
const NO_PATHS: uPlot.Series.PathBuilder = () => null;
/** Every series shares the x and y scales. */
const FACETS: uPlot.Series.Facet[] = [
  { scale: "x", auto: true },
  { scale: "y", auto: true },
];
const INHERITED_DASH = [5, 4];
/** Durations of the last redraws kept for the benchmark: a bounded ring, whatever the session's length. */
const DRAW_TIMES_KEPT = 500;

export class OverlayChart {
  private plot?: uPlot;
  private shape = "";
  private drawnRuns: (OverlayRun & { smoothed: number[] })[] = [];
  private drawnState?: OverlayState;
  private readonly drawMs: number[] = [];
  private drawStart?: number;
  private readonly markers = new MarkerLayer("compare-marker");
  private readonly layer = new LineLayer();
  /** The lines of the last data given to uPlot, in the order of its series. */
  private lines: LayerLine[] = [];
  private readonly throttle = new FrameThrottle(() => this.draw());
  private readonly resize: ResizeObserver;
  private observedWidth = 0;
  /** The y axis's own ticks and labels (linear), kept while log mode replaces them. */
  private linearY?: Pick<uPlot.Axis, "splits" | "values">;

  /** `state` is read at each redraw; `onCursor` gets the step under the pointer (undefined: none). */
  constructor(
    private readonly container: HTMLElement,
    private readonly state: () => OverlayState,
    private readonly onCursor: (step: number | undefined) => void = () => {},
  ) {
    this.resize = new ResizeObserver((entries) => {
      this.observedWidth = entries.at(-1)?.contentRect.width ?? 0;
      this.fit();
    });
    this.resize.observe(container);
    // What is drawn, by run id, for the browser test and the console.
    Object.defineProperty(container, "eiscopeCurves", { configurable: true, value: () => this.drawn() });
    Object.defineProperty(container, "eiscopeStepX", {
      configurable: true,
      value: (step: number) => this.plot?.valToPos(step, "x"),
    });
    // The y axis's ticks (label, CSS pixels from the plot's top) and where a value is drawn, for the browser test.
    Object.defineProperty(container, "eiscopeYTicks", { configurable: true, value: () => this.yTicks() });
    Object.defineProperty(container, "eiscopeYPos", {
      configurable: true,
      value: (v: number) => this.plot?.valToPos(this.drawnState?.log ? Math.log10(v) : v, "y"),
    });
    // How long the last redraws held the main thread (ms), for the benchmark (bench/compare-frames.mjs).
    Object.defineProperty(container, "eiscopeDrawMs", { configurable: true, value: () => [...this.drawMs] });
  }

  /**
   * The width in CSS pixels (the record is read at about two points per pixel): as last observed,
   * since reading clientWidth after the table changed forced a layout at every read.
   */
  get widthPx(): number {
    return Math.max(300, Math.floor(this.observedWidth || this.container.clientWidth || 800));
  }

  /** Redraws soon (at most about ten times a second). */
  request(): void {
    this.throttle.request();
  }

  destroy(): void {
    this.throttle.cancel();
    this.resize.disconnect();
    this.layer.destroy();
    this.plot?.destroy();
  }

  private draw(): void {
    // Timed to the end of uPlot's paint (its draw hook): setData paints in a microtask after this returns.
    this.drawStart = performance.now();
    this.drawSeries();
  }

  /**
   * uPlot painted its axes and grid (its draw hook): the lines follow in slices. A redraw's time is
   * uPlot's part plus the slices' (main-thread time, not the frames it spans).
   */
  private painted(u: uPlot): void {
    const now = performance.now();
    const start = this.drawStart;
    this.drawStart = undefined;
    this.layer.render(u, this.lines, start ?? now, (slices) => {
      if (start === undefined) return; // a resize or zoom: not a timed redraw
      if (this.drawMs.push(now - start + slices) > DRAW_TIMES_KEPT) this.drawMs.shift();
    });
  }

  private drawSeries(): void {
    const s = this.state();
    this.drawnState = s;
    this.drawnRuns = s.runs.map((r) => ({ ...r, smoothed: s.smoothing > 0 ? ema(r.values, s.smoothing) : [] }));
    this.markers.set(s.runs.flatMap((r) => r.markers));
    // uPlot fixes its series at creation: a new plot when they change, else new data (the
    // log scale, the x axis and the titles are the same plot's: see setLog and the axes' labels).
    const shape = JSON.stringify([s.runs.map((r) => [r.id, r.color, r.label, r.inherited > 0]), s.smoothing > 0]);
    if (shape !== this.shape || !this.plot) {
      this.shape = shape;
      this.plot?.destroy();
      this.linearY = undefined;
      // It paints in a microtask: the axis is set for log mode before that.
      this.plot = new uPlot(this.options(s), this.data(s.smoothing > 0, s.log), this.container);
      this.setLog(this.plot, s.log);
    } else {
      this.setLog(this.plot, s.log);
      this.plot.setData(this.data(s.smoothing > 0, s.log));
    }
    this.container.dataset.runs = String(s.runs.length);
    this.container.dataset.log = String(s.log);
    this.container.dataset.points = String(s.runs.reduce((n, r) => n + r.xs.length, 0));
    this.container.dataset.x = s.x;
  }

  /** What it draws, for its exports: each run's raw values (not their smoothing), against its x. */
  picture(): ChartPicture {
    const s = this.drawnState ?? this.state();
    return {
      title: s.label,
      xLabel: xLabel(s.x),
      yLabel: s.label,
      logY: s.log,
      width: this.plot?.width ?? this.widthPx,
      height: HEIGHT_PX,
      formatX: (x) => (s.x === "time" ? `${Number(x.toPrecision(6))} s` : x.toLocaleString("en-US")),
      canvas: this.plot ? this.layer.composite(this.plot) : undefined,
      // The CSV aligns by step whatever the axis: a step is what two runs share.
      series: this.drawnRuns.map((r) => ({
        label: `${r.label} (${r.id})`,
        color: r.color,
        steps: r.steps,
        xs: r.xs,
        values: r.values,
      })),
    };
  }

  private drawn(): Record<
    string,
    { steps: number[]; xs: number[]; values: number[]; smoothed: number[]; inherited: number; color: string }
  > {
    return Object.fromEntries(
      this.drawnRuns.map((r) => [
        r.id,
        { steps: r.steps, xs: r.xs, values: r.values, smoothed: r.smoothed, inherited: r.inherited, color: r.color },
      ]),
    );
  }

  /**
   * Per run, the inherited part (up to and including the fork step, so that the lines join) and
   * its own part, raw and, when smoothing, smoothed: each an [xs, ys] facet of its own, in the
   * order of the series (options()).
   */
  private data(smooth: boolean, log: boolean): uPlot.AlignedData {
    const facets: [number[], number[]][] = [];
    const lines: LayerLine[] = [];
    const push = (xs: number[], ys: number[], color: string, dash: number[] | undefined) => {
      const facet: [number[], number[]] = log ? logFacet(xs, ys) : [xs, ys];
      facets.push(facet);
      lines.push({ xs: facet[0], ys: facet[1], color, dash });
    };
    for (const r of this.drawnRuns) {
      const cut = r.inherited;
      const parts =
        cut > 0
          ? [
              [0, cut],
              [cut - 1, r.xs.length],
            ]
          : [[0, r.xs.length]];
      for (const [a, b] of parts) {
        const xs = r.xs.slice(a, b);
        const dash = cut > 0 && a === 0 ? INHERITED_DASH : undefined;
        push(xs, r.values.slice(a, b), smooth ? `${r.color}4d` : r.color, dash);
        if (smooth) push(xs, r.smoothed.slice(a, b), r.color, dash);
      }
    }
    this.lines = lines;
    return [null, ...facets] as unknown as uPlot.AlignedData;
  }

  private options(s: OverlayState): uPlot.Options {
    const axis: uPlot.Axis = {
      stroke: "#5b6472",
      grid: { stroke: "#eef0f3", width: 1 },
      ticks: { stroke: "#e3e6ea", width: 1 },
      font: "11px system-ui, sans-serif",
      labelFont: "11px system-ui, sans-serif",
    };
    const smooth = s.smoothing > 0;
    const series: uPlot.Series[] = [{ label: "step" }];
    for (const r of s.runs) {
      const parts = r.inherited > 0 ? [true, false] : [false];
      for (const inherited of parts) {
        const line = (smoothed: boolean): uPlot.Series => ({
          label: `${r.label}${inherited ? " (inherited)" : ""}${smoothed ? " (smoothed)" : ""}`,
          stroke: smooth && !smoothed ? `${r.color}4d` : r.color,
          width: 1, // hairlines: see the top of this file
          dash: inherited ? INHERITED_DASH : undefined,
          paths: NO_PATHS,
          facets: FACETS,
          points: { show: false },
        });
        series.push(line(false));
        if (smooth) series.push(line(true));
      }
    }
    return {
      width: this.widthPx,
      height: HEIGHT_PX,
      // A single x value (every run at one step, as right after they start) makes a zero-width x range, on which
      // uPlot's mode 2 throws "Invalid array length" while laying out the axis: widen it around the point.
      scales: { x: { time: false, range: xRange }, y: {} },
      legend: { show: false }, // the table of runs is the legend
      mode: 2,
      // Points under the cursor would be searched in every series at each move: the table says the values.
      cursor: { drag: { x: true, y: false }, points: { show: false } },
      hooks: {
        ready: this.markers.hooks().ready,
        draw: [...this.markers.hooks().draw!, (u) => this.painted(u)],
        setCursor: [
          (u) => this.onCursor(u.cursor.left == null || u.cursor.left < 0 ? undefined : u.posToVal(u.cursor.left, "x")),
        ],
      },
      axes: [
        // Read at each draw: a new x axis or scalar redraws this plot.
        { ...axis, label: () => xLabel(this.drawnState?.x ?? "step"), labelSize: 18 },
        { ...axis, size: 60, label: () => this.drawnState?.label ?? "", labelSize: 18 },
      ],
      series,
    };
  }

  private yTicks(): { label: string; y: number }[] {
    const u = this.plot;
    // uPlot keeps the last drawn axis's tick positions and labels on the axis (not in its types).
    const axis = u?.axes[1] as (uPlot.Axis & { _splits?: number[]; _values?: string[] }) | undefined;
    if (!u || !axis?._splits || !axis._values) return [];
    return axis._splits.map((v, i) => ({ label: String(axis._values![i]), y: u.valToPos(v, "y") }));
  }

  /** Log mode: the data are log10 of the values (data()), ticked and labelled as a log axis. */
  private setLog(plot: uPlot, log: boolean): void {
    const y = plot.axes[1];
    this.linearY ??= { splits: y.splits, values: y.values };
    y.splits = log ? (_u, _i, min, max) => logSplits(min, max) : this.linearY.splits;
    y.values = log ? (_u, splits) => splits.map(logTickLabel) : this.linearY.values;
  }

  private fit(): void {
    if (this.plot && this.widthPx !== this.plot.width) this.plot.setSize({ width: this.widthPx, height: HEIGHT_PX });
  }
}

function xLabel(x: "step" | "time"): string {
  return x === "time" ? "wall time since the curve's first point (s)" : "step";
}

/** The x scale's range: the data's, or one unit around it when it is a single value. */
function xRange(_u: uPlot, min: number | null, max: number | null): uPlot.Range.MinMax {
  if (min == null || max == null) return [min, max];
  return min === max ? [min - 1, max + 1] : [min, max];
}
