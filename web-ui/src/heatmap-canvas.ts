// Draws a matrix as a heatmap: one pixel per value painted into an ImageData (no per-cell DOM,
// no per-cell fillRect), put on a bitmap of the matrix's own size and scaled onto the plot
// without smoothing, so a 500 x 500 frame costs about a millisecond. Beside it a colour bar with
// its numbers (diverging, symmetric about 0); lines between the excitatory and inhibitory
// rows and columns of E/I matrices, labelled E and I. Hovering a cell outlines it and reports it.

import type { EiPartition } from "@eiscope/client";
import { paint, percentileLimit, symmetricLimit } from "./diverging-scale";
import { drawAxes, drawColourBar, drawPartition } from "./heatmap-decorations";
import { FrameThrottle } from "./frame-throttle";

/** A matrix to draw: `data` is shape[0] x shape[1], row-major, standing for a fullShape matrix. */
export interface HeatmapData {
  name: string;
  step: number;
  shape: number[];
  fullShape: number[];
  data: Float32Array;
  partition?: EiPartition;
}

/** The plot's height in CSS pixels: a row per pixel for matrices of 240 to 520 rows, then pooled. */
const MIN_PLOT_PX = 240;
const MAX_PLOT_PX = 520;
const MARGIN = { left: 62, right: 86, top: 22, bottom: 26 };
const AXIS = "#c9ced6";

export class HeatmapCanvas {
  readonly canvas: HTMLCanvasElement;
  private readonly outline: HTMLElement;
  private readonly bitmap = document.createElement("canvas");
  private image?: ImageData;
  private pixels?: Uint32Array;
  private data?: HeatmapData;
  private limit = 1;
  private clipped = false;
  private message = "waiting for values…";
  private hovered?: [number, number];
  private plotHeight = 332;
  private readonly throttle = new FrameThrottle(() => this.draw(), 0);
  private readonly resize: ResizeObserver;
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
    this.resize = new ResizeObserver(() => this.throttle.request());
    this.resize.observe(container);
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

  /** Draws `data` (kept, not modified) on the next frame; undefined shows `message` instead. */
  set(data: HeatmapData | undefined, message = "waiting for values…"): void {
    this.data = data;
    this.message = message;
    this.limit = !data ? 1 : this.clipped ? percentileLimit(data.data) : symmetricLimit(data.data);
    this.throttle.request();
  }

  /** Scales the next set() to the 99th percentile of |w| (larger values saturate) instead of the largest. */
  setClipped(on: boolean): void {
    this.clipped = on;
  }

  get limitShown(): number {
    return this.limit;
  }

  destroy(): void {
    this.throttle.cancel();
    this.resize.disconnect();
    this.canvas.remove();
    this.outline.remove();
  }

  private plotRect(): { x: number; y: number; width: number; height: number } {
    const width = Math.max(200, this.container.clientWidth) - MARGIN.left - MARGIN.right;
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
    const t0 = performance.now();
    const dpr = window.devicePixelRatio || 1;
    const width = Math.max(200, this.container.clientWidth);
    const w = Math.round(width * dpr);
    const hgt = Math.round(this.height * dpr);
    if (this.canvas.width !== w || this.canvas.height !== hgt) {
      this.canvas.width = w;
      this.canvas.height = hgt;
    }
    const g = this.canvas.getContext("2d")!;
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    g.clearRect(0, 0, width, this.height);
    g.font = "11px system-ui, sans-serif";
    const d = this.data;
    if (!d || d.data.length === 0) {
      this.canvas.dataset.message = this.message;
      g.fillStyle = "#8a93a0";
      g.textAlign = "center";
      g.fillText(this.message, width / 2, this.height / 2);
      this.outline.hidden = true;
      return;
    }
    delete this.canvas.dataset.message;
    const p = this.plotRect();
    this.drawCells(g, d, p);
    drawPartition(g, d, p);
    drawAxes(g, d, p);
    drawColourBar(g, p, this.limit, this.clipped);
    this.placeOutline();
    this.hover(this.hovered); // the value under a still pointer has changed
    this.drawMs.push(performance.now() - t0);
    if (this.drawMs.length > 1000) this.drawMs.shift();
  }

  private drawCells(
    g: CanvasRenderingContext2D,
    d: HeatmapData,
    p: { x: number; y: number; width: number; height: number },
  ): void {
    const [rows, cols] = d.shape;
    if (!this.image || this.image.width !== cols || this.image.height !== rows) {
      this.image = new ImageData(cols, rows);
      this.pixels = new Uint32Array(this.image.data.buffer);
      this.bitmap.width = cols;
      this.bitmap.height = rows;
    }
    paint(d.data, this.limit, this.pixels!);
    this.bitmap.getContext("2d")!.putImageData(this.image, 0, 0);
    g.imageSmoothingEnabled = false;
    g.drawImage(this.bitmap, p.x, p.y, p.width, p.height);
    g.strokeStyle = AXIS;
    g.lineWidth = 1;
    g.strokeRect(p.x - 0.5, p.y - 0.5, p.width + 1, p.height + 1);
  }
}
