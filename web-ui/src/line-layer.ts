// The lines of a uPlot chart, drawn in slices of a few milliseconds, one animation frame each,
// into a canvas over the plot: uPlot keeps the scales, axes, grid and cursor, and draws no line
// itself. Without a GPU (the headless benchmark's --disable-gpu), stroking 20 noisy lines of ~700
// points took one 10-34 ms task, more than a frame; sliced, our part of a frame stays near
// BUDGET_MS, leaving the browser's layout, paint and commit room in the same 16.7 ms.
//
// A picture is drawn into an offscreen canvas at the scales of the moment it starts, and shown
// all at once when its last line is drawn: a redraw never shows half its lines, and the previous
// picture stays until then. A redraw asked for while one is drawing waits for it and then draws
// the newest data (only the newest: those in between are skipped), so a chart fed ten times a
// second still shows pictures. Like uPlot's own linear paths, each pixel column's points become
// one vertical stroke from their lowest to their highest, so a line costs its pixels, not its
// points.

import type uPlot from "uplot";

/** One line: its points in the plot's scales ("x", "y"), its colour and, for inherited parts, its dash. */
export interface LayerLine {
  xs: ArrayLike<number>;
  ys: ArrayLike<number>;
  color: string;
  dash?: number[];
}

/** Main-thread milliseconds a frame's slice may take before it yields to the next frame. */
const BUDGET_MS = 4;

/** Where values land on the plotting area, in its device pixels, fixed when a picture starts. */
interface Frame {
  width: number;
  height: number;
  x0: number;
  xk: number;
  y0: number;
  yk: number;
}

interface Request {
  u: uPlot;
  lines: LayerLine[];
  taskStart: number;
  done: (mainThreadMs: number) => void;
}

export class LineLayer {
  private readonly shown = document.createElement("canvas");
  private readonly drawing = document.createElement("canvas");
  private busy = false;
  private pending?: Request;
  private destroyed = false;
  private lineCount = 0;
  private raf?: number;

  constructor() {
    this.shown.dataset.testid = "line-layer";
    this.shown.style.cssText = "position:absolute;left:0;top:0;pointer-events:none";
  }

  /**
   * Draws `lines` on `u`'s plotting area: the first slice now (`taskStart`: when the calling task
   * began, so uPlot's own drawing counts against it), or after the picture being drawn. `done` is
   * told, once the picture is shown, how much main-thread time its slices took (ms).
   */
  render(u: uPlot, lines: LayerLine[], taskStart = performance.now(), done: (mainThreadMs: number) => void = () => {}): void {
    if (this.destroyed) return;
    if (this.shown.parentElement !== u.over) u.over.prepend(this.shown);
    this.pending = { u, lines, taskStart, done };
    if (!this.busy) this.start();
  }

  /** uPlot's canvas with these lines on it, for a PNG of the chart. */
  composite(u: uPlot): HTMLCanvasElement {
    const c = document.createElement("canvas");
    c.width = u.ctx.canvas.width;
    c.height = u.ctx.canvas.height;
    const ctx = c.getContext("2d")!;
    ctx.fillStyle = "#fff";
    ctx.fillRect(0, 0, c.width, c.height);
    ctx.drawImage(u.ctx.canvas, 0, 0);
    if (this.shown.width > 0 && this.shown.height > 0) ctx.drawImage(this.shown, u.bbox.left, u.bbox.top);
    return c;
  }

  destroy(): void {
    this.destroyed = true;
    this.pending = undefined;
    if (this.raf !== undefined) cancelAnimationFrame(this.raf);
    this.shown.remove();
  }

  private start(): void {
    const request = this.pending;
    this.pending = undefined;
    if (!request || this.destroyed) return;
    this.busy = true;
    const { u, lines, done } = request;
    const frame = frameOf(u);
    this.drawing.width = frame.width;
    this.drawing.height = frame.height;
    const ctx = this.drawing.getContext("2d")!;
    ctx.lineWidth = 1; // hairlines (device pixels): see overlay-chart.ts
    ctx.lineJoin = "round";
    let next = 0;
    let spent = 0;
    /** Draws lines until the budget, counted from `budgetFrom`, is spent; each later slice draws at least one. */
    const slice = (budgetFrom: number, first: boolean) => {
      if (this.destroyed) return;
      const t0 = performance.now();
      let drawn = 0;
      while (next < lines.length && ((!first && drawn === 0) || performance.now() - budgetFrom < BUDGET_MS)) {
        stroke(frame, ctx, lines[next++]);
        drawn++;
      }
      if (next === lines.length) {
        this.lineCount = lines.length;
        this.show(frame);
      }
      spent += performance.now() - t0;
      if (next < lines.length) {
        this.raf = requestAnimationFrame(() => slice(performance.now(), false));
        return;
      }
      this.raf = undefined;
      this.busy = false;
      done(spent);
      // A newer picture asked for meanwhile starts in the next frame.
      if (this.pending) this.raf = requestAnimationFrame(() => this.start());
    };
    slice(request.taskStart, true);
  }

  private show(frame: Frame): void {
    const { width, height } = frame;
    if (this.shown.width !== width || this.shown.height !== height) {
      this.shown.width = width;
      this.shown.height = height;
    }
    const ratio = window.devicePixelRatio || 1; // uPlot sizes its canvas by it
    this.shown.style.width = `${width / ratio}px`;
    this.shown.style.height = `${height / ratio}px`;
    const ctx = this.shown.getContext("2d")!;
    ctx.clearRect(0, 0, width, height);
    ctx.drawImage(this.drawing, 0, 0);
    // For the browser test: how many pictures were shown, and of how many lines the last.
    this.shown.dataset.pictures = String(Number(this.shown.dataset.pictures ?? 0) + 1);
    this.shown.dataset.lines = String(this.lineCount);
  }
}

/** The plot's linear x and y scales now (log mode draws log10 values on a linear scale), as uPlot's valToPos maps them. */
function frameOf(u: uPlot): Frame {
  const { width, height } = u.bbox;
  const x = u.scales.x;
  const y = u.scales.y;
  const span = (min: number | undefined, max: number | undefined) => (min != null && max != null && max > min ? max - min : 1);
  return {
    width,
    height,
    x0: x.min ?? 0,
    xk: width / span(x.min, x.max),
    y0: y.min ?? 0,
    yk: height / span(y.min, y.max),
  };
}

/** One line, each pixel column's points as one vertical stroke; a non-finite value breaks the line. */
function stroke(f: Frame, ctx: CanvasRenderingContext2D, line: LayerLine): void {
  const path = new Path2D();
  let column = NaN; // the pixel column being gathered
  let lo = 0;
  let hi = 0;
  let last = 0;
  let open = false;
  const flush = () => {
    if (open && lo !== hi) {
      path.lineTo(column, lo);
      path.lineTo(column, hi);
      path.lineTo(column, last);
    }
  };
  for (let i = 0; i < line.xs.length; i++) {
    const v = line.ys[i];
    if (!Number.isFinite(v)) {
      flush();
      open = false;
      column = NaN;
      continue;
    }
    const x = Math.round((line.xs[i] - f.x0) * f.xk) + 0.5;
    const y = f.height - (v - f.y0) * f.yk;
    if (open && x === column) {
      if (y < lo) lo = y;
      if (y > hi) hi = y;
      last = y;
      continue;
    }
    flush();
    if (open) path.lineTo(x, y);
    else path.moveTo(x, y);
    open = true;
    column = x;
    lo = hi = last = y;
  }
  flush();
  ctx.strokeStyle = line.color;
  const ratio = window.devicePixelRatio || 1;
  ctx.setLineDash(line.dash ? line.dash.map((d) => d * ratio) : []);
  ctx.stroke(path);
}
