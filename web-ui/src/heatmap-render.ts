// Renders one frame of the weight heatmap on a 2D context: the page's own canvas, or an
// OffscreenCanvas that heatmap-worker.ts draws on off the page's main thread. The cells are one
// pixel per value painted into an ImageData (no per-cell fillRect), put on a bitmap of the
// matrix's own size and scaled onto the plot without smoothing; then the E/I lines, the axes and
// the colour bar (heatmap-decorations.ts).

import type { EiPartition } from "@eiscope/client";
import { paint } from "./diverging-scale";
import { type Ctx2D, drawAxes, drawColourBar, drawPartition, type Rect } from "./heatmap-decorations";

/** Everything one frame needs; plain data, so that it can be posted to a worker. */
export interface HeatmapFrame {
  /** The canvas in CSS pixels, and device pixels per CSS pixel. */
  width: number;
  height: number;
  dpr: number;
  plot: Rect;
  /** Drawn instead of cells when there are none. */
  message: string;
  /** shape[0] x shape[1] values, row-major, standing for a fullShape matrix; absent: the message. */
  data?: Float32Array;
  shape: number[];
  fullShape: number[];
  partition?: EiPartition;
  /** The colour scale is [-limit, limit]; `clipped`: values beyond it saturate (the bar says ≥ / ≤). */
  limit: number;
  clipped: boolean;
}

const AXIS = "#c9ced6";

export class HeatmapRenderer {
  private bitmap?: OffscreenCanvas;
  private image?: ImageData;
  private pixels?: Uint32Array;

  constructor(private readonly canvas: HTMLCanvasElement | OffscreenCanvas) {}

  /** Draws `f`; returns the time it took in ms. */
  render(f: HeatmapFrame): number {
    const t0 = performance.now();
    const w = Math.round(f.width * f.dpr);
    const h = Math.round(f.height * f.dpr);
    if (this.canvas.width !== w || this.canvas.height !== h) {
      this.canvas.width = w;
      this.canvas.height = h;
    }
    const g = this.canvas.getContext("2d") as Ctx2D;
    g.setTransform(f.dpr, 0, 0, f.dpr, 0, 0);
    g.clearRect(0, 0, f.width, f.height);
    g.font = "11px system-ui, sans-serif";
    if (!f.data || f.data.length === 0) {
      g.fillStyle = "#8a93a0";
      g.textAlign = "center";
      g.fillText(f.message, f.width / 2, f.height / 2);
      return performance.now() - t0;
    }
    this.drawCells(g, f.data, f.shape, f.limit, f.plot);
    drawPartition(g, f.fullShape, f.partition, f.plot);
    drawAxes(g, f.fullShape, f.plot);
    drawColourBar(g, f.plot, f.limit, f.clipped);
    return performance.now() - t0;
  }

  private drawCells(g: Ctx2D, data: Float32Array, [rows, cols]: number[], limit: number, p: Rect): void {
    if (!this.image || !this.bitmap || this.image.width !== cols || this.image.height !== rows) {
      this.image = new ImageData(cols, rows);
      this.pixels = new Uint32Array(this.image.data.buffer);
      this.bitmap = new OffscreenCanvas(cols, rows);
    }
    paint(data, limit, this.pixels!);
    this.bitmap.getContext("2d")!.putImageData(this.image, 0, 0);
    g.imageSmoothingEnabled = false;
    g.drawImage(this.bitmap, p.x, p.y, p.width, p.height);
    g.strokeStyle = AXIS;
    g.lineWidth = 1;
    g.strokeRect(p.x - 0.5, p.y - 0.5, p.width + 1, p.height + 1);
  }
}
