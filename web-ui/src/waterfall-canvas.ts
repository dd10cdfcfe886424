// Singular values over time as a heatmap ("waterfall"): one row per measured step, oldest at the
// top and the most recent at the bottom, one column per index i of σᵢ (descending, as the API
// sends them), the colour log10 σ on viridis with its colour bar. Rows are equally tall whatever
// the steps between them (the row labels give the steps). Painted into an ImageData like the
// weight heatmap. Hovering a cell reports its step, index and value.

import { FrameThrottle } from "./frame-throttle";

export interface WaterfallRow {
  step: number;
  /** σ₁ ≥ σ₂ ≥ … */
  values: Float32Array;
}

const HEIGHT_PX = 260;
const MARGIN = { left: 64, right: 78, top: 18, bottom: 30 };
const VIRIDIS = ["#440154", "#482878", "#3e4989", "#31688e", "#26828e", "#1f9e89", "#35b779", "#6ece58", "#b5de2b", "#fde725"];
const ZERO = [40, 40, 40];
const LABEL = "#5b6472";
const AXIS = "#c9ced6";

const stops = VIRIDIS.map((hex) => [1, 3, 5].map((k) => parseInt(hex.slice(k, k + 2), 16)));

function viridis(f: number): number[] {
  const x = Math.min(1, Math.max(0, f)) * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(x));
  const w = x - i;
  return [0, 1, 2].map((c) => Math.round(stops[i][c] * (1 - w) + stops[i + 1][c] * w));
}

export class WaterfallCanvas {
  readonly canvas: HTMLCanvasElement;
  private readonly bitmap = document.createElement("canvas");
  private rows: WaterfallRow[] = [];
  private range = { lo: 0, hi: 1 };
  private readonly throttle = new FrameThrottle(() => this.draw(), 0);
  private readonly resize: ResizeObserver;
  private containerWidth = 0;

  /** @param hover the row (step), index (1-based) and σ under the pointer; undefined when none */
  constructor(
    private readonly container: HTMLElement,
    private readonly hover: (cell: { step: number; index: number; value: number } | undefined) => void,
  ) {
    this.canvas = document.createElement("canvas");
    this.canvas.dataset.testid = "waterfall-canvas";
    this.canvas.style.height = `${HEIGHT_PX}px`;
    this.canvas.style.width = "100%";
    this.canvas.style.display = "block";
    container.append(this.canvas);
    this.canvas.addEventListener("mousemove", (e) => this.hover(this.cellAt(e.offsetX, e.offsetY)));
    this.canvas.addEventListener("mouseleave", () => this.hover(undefined));
    // What is drawn, for the browser tests and the console.
    Object.defineProperty(this.canvas, "eiscopeData", {
      configurable: true,
      value: () => ({ steps: this.rows.map((r) => r.step), rows: this.rows.map((r) => [...r.values]), log10Range: this.range }),
    });
    // The width is kept from the observer: reading clientWidth at every draw or pointer move
    // would force a layout each time (the hover line and the footer change between draws).
    this.resize = new ResizeObserver((entries) => {
      this.containerWidth = entries[0]?.contentRect.width ?? this.container.clientWidth;
      this.throttle.request();
    });
    this.resize.observe(container);
  }

  /** `rows` in ascending step order (kept, not modified). */
  set(rows: WaterfallRow[]): void {
    this.rows = rows;
    let lo = Infinity;
    let hi = -Infinity;
    for (const r of rows) {
      for (const v of r.values) {
        if (!(v > 0)) continue;
        const l = Math.log10(v);
        if (l < lo) lo = l;
        if (l > hi) hi = l;
      }
    }
    this.range = hi >= lo ? { lo, hi: hi > lo ? hi : lo + 1 } : { lo: 0, hi: 1 };
    this.canvas.dataset.rows = String(rows.length);
    this.throttle.request();
  }

  /** The container's width in CSS pixels (read once until the observer reports it; 0 while hidden). */
  private widthPx(): number {
    if (this.containerWidth === 0) this.containerWidth = this.container.clientWidth;
    return this.containerWidth;
  }

  destroy(): void {
    this.throttle.cancel();
    this.resize.disconnect();
    this.canvas.remove();
  }

  private plot(): { x: number; y: number; width: number; height: number } {
    const width = Math.max(200, this.widthPx()) - MARGIN.left - MARGIN.right;
    return { x: MARGIN.left, y: MARGIN.top, width, height: HEIGHT_PX - MARGIN.top - MARGIN.bottom };
  }

  private columns(): number {
    return Math.max(0, ...this.rows.map((r) => r.values.length));
  }

  private cellAt(x: number, y: number): { step: number; index: number; value: number } | undefined {
    const p = this.plot();
    const k = this.columns();
    if (!this.rows.length || !k || x < p.x || y < p.y || x >= p.x + p.width || y >= p.y + p.height) return undefined;
    const row = this.rows[Math.floor(((y - p.y) / p.height) * this.rows.length)];
    const i = Math.floor(((x - p.x) / p.width) * k);
    return i < row.values.length ? { step: row.step, index: i + 1, value: row.values[i] } : undefined;
  }

  private draw(): void {
    const dpr = window.devicePixelRatio || 1;
    const width = Math.max(200, this.widthPx());
    if (this.canvas.width !== Math.round(width * dpr)) this.canvas.width = Math.round(width * dpr);
    this.canvas.height = Math.round(HEIGHT_PX * dpr);
    const g = this.canvas.getContext("2d")!;
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    g.font = "11px system-ui, sans-serif";
    g.fillStyle = LABEL;
    const p = this.plot();
    const k = this.columns();
    if (!this.rows.length || !k) {
      g.textAlign = "center";
      g.fillText("waiting for singular values at more than one step…", width / 2, HEIGHT_PX / 2);
      return;
    }
    const image = new ImageData(k, this.rows.length);
    const { lo, hi } = this.range;
    this.rows.forEach((r, y) => {
      for (let i = 0; i < k; i++) {
        const v = r.values[i];
        const c = i >= r.values.length ? [255, 255, 255] : v > 0 ? viridis((Math.log10(v) - lo) / (hi - lo)) : ZERO;
        image.data.set([c[0], c[1], c[2], 255], 4 * (y * k + i));
      }
    });
    this.bitmap.width = k;
    this.bitmap.height = this.rows.length;
    this.bitmap.getContext("2d")!.putImageData(image, 0, 0);
    g.imageSmoothingEnabled = false;
    g.drawImage(this.bitmap, p.x, p.y, p.width, p.height);
    g.strokeStyle = AXIS;
    g.strokeRect(p.x - 0.5, p.y - 0.5, p.width + 1, p.height + 1);
    this.drawLabels(g, p, k);
    this.drawColourBar(g, p);
  }

  private drawLabels(g: CanvasRenderingContext2D, p: { x: number; y: number; width: number; height: number }, k: number): void {
    g.fillStyle = LABEL;
    g.textAlign = "right";
    g.textBaseline = "middle";
    const n = this.rows.length;
    // A few row labels, spread out: the first, the last and some between.
    const every = Math.max(1, Math.ceil(n / Math.max(1, Math.floor(p.height / 16))));
    for (let r = 0; r < n; r += every)
      g.fillText(`step ${this.rows[r].step.toLocaleString("en-US")}`, p.x - 4, p.y + ((r + 0.5) / n) * p.height);
    if ((n - 1) % every !== 0)
      g.fillText(`step ${this.rows[n - 1].step.toLocaleString("en-US")}`, p.x - 4, p.y + ((n - 0.5) / n) * p.height);
    g.textBaseline = "top";
    g.textAlign = "left";
    g.fillText("1", p.x, p.y + p.height + 6);
    g.textAlign = "right";
    g.fillText(String(k), p.x + p.width, p.y + p.height + 6);
    g.textAlign = "center";
    g.fillText(
      "index i of σᵢ (largest first) · rows: measured steps, newest at the bottom",
      p.x + p.width / 2,
      p.y + p.height + 6,
    );
  }

  private drawColourBar(g: CanvasRenderingContext2D, p: { x: number; y: number; width: number; height: number }): void {
    const x = p.x + p.width + 12;
    const gradient = g.createLinearGradient(0, p.y + p.height, 0, p.y);
    VIRIDIS.forEach((c, i) => gradient.addColorStop(i / (VIRIDIS.length - 1), c));
    g.fillStyle = gradient;
    g.fillRect(x, p.y, 12, p.height);
    g.fillStyle = LABEL;
    g.textAlign = "left";
    const { lo, hi } = this.range;
    g.textBaseline = "top";
    g.fillText(fmt(10 ** hi), x + 16, p.y);
    g.textBaseline = "middle";
    g.fillText(fmt(10 ** ((lo + hi) / 2)), x + 16, p.y + p.height / 2);
    g.textBaseline = "bottom";
    g.fillText(fmt(10 ** lo), x + 16, p.y + p.height);
    g.fillText("σ (log scale)", x - 4, p.y - 3);
  }
}

function fmt(v: number): string {
  return v !== 0 && (v < 1e-3 || v >= 1e4) ? v.toExponential(1) : v.toPrecision(3);
}
