// A matrix as a heatmap on the page: one pixel per value painted into an ImageData, beside a
// colour bar with its numbers (diverging, symmetric about 0), lines between the excitatory and
// inhibitory rows and columns of E/I matrices (heatmap-render.ts draws all that). The reading
// and the drawing happen in a worker, on the canvas handed over to it (OffscreenCanvas): the
// worker fetches and decodes each matrix (load(): ~1 MB for 500 x 500, which took up to 100 ms
// of the main thread), paints, scales and rasterises it, so the page's main thread only receives
// the values (transferred); where a browser cannot hand a canvas over, both happen here. The
// page keeps the values, for the hover: a cell under the pointer is outlined and reported.

import type { EiPartition } from "@eiscope/client";
import { client } from "./api";
import { percentileLimit, symmetricLimit } from "./diverging-scale";
import { FrameThrottle } from "./frame-throttle";
import type { FromWorker, ToWorker } from "./heatmap-protocol";
import { WorkerReads, type WorkerRead } from "./heatmap-reads";
import { type HeatmapFrame, HeatmapRenderer } from "./heatmap-render";
import type { MatrixRead, MatrixValues } from "./matrix-read";

/** A matrix to draw: `data` is shape[0] x shape[1], row-major, standing for a fullShape matrix. */
export interface HeatmapData {
  name: string;
  step: number;
  shape: number[];
  fullShape: number[];
  data: Float32Array;
  partition?: EiPartition;
  /** Read by the worker (load()): it holds these values and computed the scale's limit. */
  read?: Pick<WorkerRead, "ref" | "limit" | "clipped">;
}

/** A matrix as load() read it: by the worker (`read` set), or here. */
export type LoadedMatrix = MatrixValues & Pick<HeatmapData, "read">;

/** The plot's height in CSS pixels: a row per pixel for matrices of 240 to 520 rows, then pooled. */
const MIN_PLOT_PX = 240;
const MAX_PLOT_PX = 520;
const MARGIN = { left: 62, right: 86, top: 22, bottom: 26 };

export class HeatmapCanvas {
  readonly canvas: HTMLCanvasElement;
  private readonly outline: HTMLElement;
  /** Draws off the main thread (undefined: `renderer` draws here). */
  private worker?: Worker;
  private reads?: WorkerReads;
  private renderer?: HeatmapRenderer;
  /** The worker's read whose values it draws (undefined: the page posts them with each frame). */
  private held?: number;
  /** A frame posted to the worker and not drawn yet; another asked for meanwhile waits for it. */
  private drawing = false;
  private redrawAfter = false;
  private data?: HeatmapData;
  private limit = 1;
  private clipped = false;
  private message = "waiting for values…";
  private hovered?: [number, number];
  private plotHeight = 332;
  private readonly throttle = new FrameThrottle(() => this.draw(), 0);
  private readonly resize: ResizeObserver;
  private containerWidth = 0;
  /** Draw times in ms, for the benchmark (the last 1,000). */
  readonly drawMs: number[] = [];

  /** @param hover called with the cell under the pointer (row, column of the drawn matrix), undefined when none */
  constructor(
    private readonly container: HTMLElement,
    private readonly hover: (cell: [number, number] | undefined) => void,
  ) {
    container.style.position = "relative";
    this.canvas = document.createElement("canvas");
    this.canvas.dataset.testid = "heatmap-canvas";
    this.canvas.style.height = `${this.height}px`;
    this.canvas.style.width = "100%";
    this.canvas.style.display = "block";
    this.outline = document.createElement("div");
    this.outline.className = "heatmap-outline";
    this.outline.hidden = true;
    container.append(this.canvas, this.outline);
    this.canvas.addEventListener("mousemove", (e) => this.onPointer(e.offsetX, e.offsetY));
    this.canvas.addEventListener("mouseleave", () => this.setHovered(undefined));
    // What is drawn, and where a cell is, for the browser tests and the console.
    Object.defineProperty(this.canvas, "eiscopeData", {
      configurable: true,
      value: () => (this.data ? { ...this.data, data: [...this.data.data], limit: this.limit } : null),
    });
    Object.defineProperty(this.canvas, "eiscopeDrawMs", { configurable: true, value: () => [...this.drawMs] });
    Object.defineProperty(this.canvas, "eiscopeCellCentre", {
      configurable: true,
      value: (i: number, j: number) => this.cellCentre(i, j),
    });
    // The width is kept from the observer: reading clientWidth at every draw or pointer move
    // would force a layout each time (the hover line and the footer change between draws).
    this.resize = new ResizeObserver((entries) => {
      this.containerWidth = entries[0]?.contentRect.width ?? this.container.clientWidth;
      this.throttle.request();
    });
    this.resize.observe(container);
    this.startRenderer();
  }

  /** A worker that draws on the canvas handed over to it, if the browser can; else a renderer here. */
  private startRenderer(): void {
    let worker: Worker | undefined;
    try {
      worker = new Worker(new URL("./heatmap-worker.ts", import.meta.url), { type: "module" });
      const offscreen = this.canvas.transferControlToOffscreen(); // after the worker: a failure leaves the canvas here
      const reads = new WorkerReads((m: ToWorker) => worker!.postMessage(m));
      worker.onmessage = (e: MessageEvent<FromWorker>) => {
        if ("drawMs" in e.data) this.drawn(e.data.drawMs);
        else reads.answer(e.data);
      };
      worker.onerror = (e) => reads.failAll(new Error(`the heatmap's worker failed: ${e.message}`));
      worker.postMessage({ canvas: offscreen } satisfies ToWorker, [offscreen]);
      this.worker = worker;
      this.reads = reads;
    } catch {
      worker?.terminate();
      this.renderer = new HeatmapRenderer(this.canvas);
    }
  }

  private drawn(ms: number): void {
    this.drawMs.push(ms);
    if (this.drawMs.length > 1000) this.drawMs.shift();
    this.drawing = false;
    if (this.redrawAfter) {
      this.redrawAfter = false;
      this.throttle.request();
    }
  }

  /** Sizes the plot for a matrix of `rows` rows (before its values come: the first read is asked at that size). */
  fitRows(rows: number): void {
    this.plotHeight = Math.min(MAX_PLOT_PX, Math.max(MIN_PLOT_PX, rows));
    this.canvas.style.height = `${this.height}px`;
  }

  private get height(): number {
    return this.plotHeight + MARGIN.top + MARGIN.bottom;
  }

  /** The plot area in device pixels: the most rows and columns worth asking the server for. */
  plotPixels(): { rows: number; cols: number } {
    const dpr = window.devicePixelRatio || 1;
    const { width, height } = this.plotRect();
    return { rows: Math.max(1, Math.round(height * dpr)), cols: Math.max(1, Math.round(width * dpr)) };
  }

  /**
   * Reads matrix `name` of run `id` for set(): in the worker when there is one (the fetch, the
   * decode and the scale's limit off the main thread), else here.
   */
  load(id: string, name: string, read: MatrixRead, signal: AbortSignal): Promise<LoadedMatrix> {
    if (this.reads) return this.reads.read(id, name, read, this.clipped, signal).then((r) => ({ ...r, read: r }));
    return client.matrixAt(id, name, read, signal);
  }

  /** Draws `data` (kept, not modified) on the next frame; undefined shows `message` instead. */
  set(data: HeatmapData | undefined, message = "waiting for values…"): void {
    this.data = data;
    this.message = message;
    // What the worker read it draws from what it holds, to the limit it computed (unless the clip changed since).
    const held = data?.read && data.read.clipped === this.clipped ? data.read : undefined;
    this.held = this.worker ? held?.ref : undefined;
    if (held) this.limit = held.limit;
    else this.limit = !data ? 1 : this.clipped ? percentileLimit(data.data) : symmetricLimit(data.data);
    this.throttle.request();
  }

  /** Scales the next set() to the 99th percentile of |w| (larger values saturate) instead of the largest. */
  setClipped(on: boolean): void {
    this.clipped = on;
  }

  get limitShown(): number {
    return this.limit;
  }

  /** The container's width in CSS pixels (read once until the observer reports it; 0 while hidden). */
  private widthPx(): number {
    if (this.containerWidth === 0) this.containerWidth = this.container.clientWidth;
    return this.containerWidth;
  }

  destroy(): void {
    this.worker?.terminate();
    this.throttle.cancel();
    this.resize.disconnect();
    this.canvas.remove();
    this.outline.remove();
  }

  private plotRect(): { x: number; y: number; width: number; height: number } {
    const width = Math.max(200, this.widthPx()) - MARGIN.left - MARGIN.right;
    return { x: MARGIN.left, y: MARGIN.top, width, height: this.plotHeight };
  }

  private cellAt(x: number, y: number): [number, number] | undefined {
    const d = this.data;
    const p = this.plotRect();
    if (!d || x < p.x || y < p.y || x >= p.x + p.width || y >= p.y + p.height) return undefined;
    return [Math.floor(((y - p.y) / p.height) * d.shape[0]), Math.floor(((x - p.x) / p.width) * d.shape[1])];
  }

  /** The centre of cell (i, j) in CSS pixels from the canvas's top left corner. */
  private cellCentre(i: number, j: number): { x: number; y: number } | null {
    const d = this.data;
    if (!d) return null;
    const p = this.plotRect();
    return { x: p.x + ((j + 0.5) / d.shape[1]) * p.width, y: p.y + ((i + 0.5) / d.shape[0]) * p.height };
  }

  private onPointer(x: number, y: number): void {
    this.setHovered(this.cellAt(x, y));
  }

  private setHovered(cell: [number, number] | undefined): void {
    this.hovered = cell;
    this.placeOutline();
    this.hover(cell);
  }

  private placeOutline(): void {
    const d = this.data;
    const c = this.hovered;
    if (!d || !c || c[0] >= d.shape[0] || c[1] >= d.shape[1]) {
      this.outline.hidden = true;
      return;
    }
    const p = this.plotRect();
    const w = p.width / d.shape[1];
    const h = p.height / d.shape[0];
    Object.assign(this.outline.style, {
      left: `${p.x + c[1] * w - 1}px`,
      top: `${p.y + c[0] * h - 1}px`,
      width: `${Math.max(3, w) + 2}px`,
      height: `${Math.max(3, h) + 2}px`,
    });
    this.outline.hidden = false;
  }

  private draw(): void {
    // At most one frame in the worker: one asked for meanwhile is drawn after it, with the latest values.
    if (this.drawing) {
      this.redrawAfter = true;
      return;
    }
    const d = this.data;
    const frame: HeatmapFrame = {
      width: Math.max(200, this.widthPx()),
      height: this.height,
      dpr: window.devicePixelRatio || 1,
      plot: this.plotRect(),
      message: this.message,
      data: d && d.data.length ? d.data : undefined,
      shape: d?.shape ?? [0, 0],
      fullShape: d?.fullShape ?? [0, 0],
      partition: d?.partition,
      limit: this.limit,
      clipped: this.clipped,
    };
    if (frame.data) delete this.canvas.dataset.message;
    else this.canvas.dataset.message = this.message;
    if (this.worker) {
      this.drawing = true;
      // Values the worker read are drawn from its own copy; others are copied to it (the page keeps its own for the hover).
      if (this.held !== undefined && frame.data)
        this.worker.postMessage({ frame: { ...frame, data: undefined }, use: this.held });
      else this.worker.postMessage({ frame } satisfies ToWorker);
    } else {
      this.drawn(this.renderer!.render(frame));
    }
    this.placeOutline();
    if (frame.data) this.hover(this.hovered); // the value under a still pointer has changed
  }
}
