// Draws a matrix as a heatmap: one pixel per value painted into an ImageData (no per-cell DOM,
// no per-cell fillRect), put on a bitmap of the matrix's own size and scaled onto the plot
// without smoothing, so a 500 x 500 frame costs about a millisecond. Beside it a colour bar with
// its numbers (diverging, symmetric about 0); lines between the excitatory and inhibitory
// rows and columns of E/I matrices, labelled E and I. Hovering a cell outlines it and reports it.

import type { EiPartition } from "@eiscope/client";
import { css, colourAt, paint, symmetricLimit } from "./diverging-scale";
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
const LABEL = "#5b6472";
const SEPARATOR = "#111827";

export class HeatmapCanvas {
  readonly canvas: HTMLCanvasElement;
  private readonly outline: HTMLElement;
  private readonly bitmap = document.createElement("canvas");
  private image?: ImageData;
  private data?: HeatmapData;
  private limit = 1;
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
    this.limit = data ? symmetricLimit(data.data) : 1;
    this.throttle.request();
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
    this.drawPartition(g, d, p);
    this.drawAxes(g, d, p);
    this.drawColourBar(g, p);
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
      this.bitmap.width = cols;
      this.bitmap.height = rows;
    }
    paint(d.data, this.limit, new Uint32Array(this.image.data.buffer));
    this.bitmap.getContext("2d")!.putImageData(this.image, 0, 0);
    g.imageSmoothingEnabled = false;
    g.drawImage(this.bitmap, p.x, p.y, p.width, p.height);
    g.strokeStyle = AXIS;
    g.lineWidth = 1;
    g.strokeRect(p.x - 0.5, p.y - 0.5, p.width + 1, p.height + 1);
  }

  /** Lines between E and I rows and columns, and E / I labels on each band. */
  private drawPartition(
    g: CanvasRenderingContext2D,
    d: HeatmapData,
    p: { x: number; y: number; width: number; height: number },
  ): void {
    const part = d.partition;
    if (!part) return;
    const [rows, cols] = d.fullShape;
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

  private drawAxes(
    g: CanvasRenderingContext2D,
    d: HeatmapData,
    p: { x: number; y: number; width: number; height: number },
  ): void {
    const [rows, cols] = d.fullShape;
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
  private drawColourBar(g: CanvasRenderingContext2D, p: { x: number; y: number; width: number; height: number }): void {
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
      g.fillText(f === 0 ? "0" : fmt(f * this.limit), x + 18, y);
    }
  }
}

function fmt(v: number): string {
  const a = Math.abs(v);
  const s = a !== 0 && (a < 1e-3 || a >= 1e4) ? a.toExponential(2) : a.toPrecision(3);
  return `${v < 0 ? "−" : "+"}${s}`;
}
