// Spectra drawn on canvases: singular values against their index (descending, on a linear or
// log axis), and eigenvalues in the complex plane with the unit circle and a circle at the
// spectral radius. Like HistogramCanvas: `set` stores the data, a FrameThrottle redraws.

import { FrameThrottle } from "./frame-throttle";

const HEIGHT_PX = 240;
const AXIS = "#c9ced6";
const LABEL = "#5b6472";
const WAITING = "#8a93a0";
const SINGULAR = "#2563eb";
const EIGEN = "#4a7fd6";
const RADIUS = "#e08a1e";
/** Dots on the singular-value line only while they stay apart. */
const MAX_DOTS = 128;

/** A canvas that fills its container's width, redrawn (throttled) on new data and on resize. */
export abstract class CanvasPlot {
  readonly canvas: HTMLCanvasElement;
  private readonly throttle = new FrameThrottle(() => this.paint());
  private readonly resize: ResizeObserver;

  constructor(
    private readonly container: HTMLElement,
    testid: string,
  ) {
    this.canvas = document.createElement("canvas");
    this.canvas.dataset.testid = testid;
    this.canvas.style.height = `${HEIGHT_PX}px`;
    this.canvas.style.width = "100%";
    container.append(this.canvas);
    this.resize = new ResizeObserver(() => this.throttle.request());
    this.resize.observe(container);
  }

  destroy(): void {
    this.throttle.cancel();
    this.resize.disconnect();
    this.canvas.remove();
  }

  protected redraw(): void {
    this.throttle.request();
  }

  /** The text drawn instead of data, also for screen readers and tests (data-message); undefined: data is drawn. */
  protected say(message: string | undefined): void {
    if (message === undefined) {
      delete this.canvas.dataset.message;
      this.canvas.removeAttribute("aria-label");
    } else {
      this.canvas.dataset.message = message;
      this.canvas.setAttribute("aria-label", message);
    }
  }

  /** Draws in CSS pixels on a cleared canvas, labels in the default font and color. */
  protected abstract draw(g: CanvasRenderingContext2D, width: number, height: number): void;

  protected waiting(g: CanvasRenderingContext2D, width: number, height: number, text: string): void {
    g.fillStyle = WAITING;
    g.textAlign = "center";
    g.textBaseline = "middle";
    // Word-wrapped to the canvas (a message can be longer than a narrow plot is wide).
    const lines: string[] = [];
    for (const word of text.split(" ")) {
      const last = lines.length - 1;
      if (last >= 0 && g.measureText(`${lines[last]} ${word}`).width <= width - 24) lines[last] += ` ${word}`;
      else lines.push(word);
    }
    const lineHeight = 15;
    lines.forEach((line, i) => g.fillText(line, width / 2, height / 2 + (i - (lines.length - 1) / 2) * lineHeight));
  }

  private paint(): void {
    const dpr = window.devicePixelRatio || 1;
    const width = Math.max(200, this.container.clientWidth);
    this.canvas.width = Math.round(width * dpr);
    this.canvas.height = Math.round(HEIGHT_PX * dpr);
    const g = this.canvas.getContext("2d")!;
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    g.clearRect(0, 0, width, HEIGHT_PX);
    g.font = "11px system-ui, sans-serif";
    g.fillStyle = LABEL;
    this.draw(g, width, HEIGHT_PX);
  }
}

/** Singular values σ_1 ≥ … ≥ σ_k as a line over i = 1..k. */
export class SingularValuePlot extends CanvasPlot {
  private values?: Float32Array;
  private logY = false;
  private message = "waiting for singular values…";

  constructor(container: HTMLElement) {
    super(container, "spectrum-sv-canvas");
    // What is drawn, for the browser test and the console.
    Object.defineProperty(this.canvas, "eiscopeData", {
      configurable: true,
      value: () => (this.values ? [...this.values] : null),
    });
  }

  /** `values` descending (the API's contract); undefined shows `message` instead. */
  set(values: Float32Array | undefined, message = "waiting for singular values…"): void {
    this.values = values;
    this.message = message;
    this.say(values ? undefined : message);
    this.redraw();
  }

  setLogScale(on: boolean): void {
    this.logY = on;
    this.redraw();
  }

  protected draw(g: CanvasRenderingContext2D, width: number, height: number): void {
    const s = this.values;
    if (!s || s.length === 0) return this.waiting(g, width, height, this.message);
    const m = { left: 56, right: 12, top: 12, bottom: 30 };
    const plotW = width - m.left - m.right;
    const plotH = height - m.top - m.bottom;
    const hi = Math.max(...s);
    // A log axis cannot show zeros (pruned or rank-deficient matrices): they sit on its floor.
    const positive = s.filter((v) => v > 0);
    const lo = this.logY ? Math.min(...positive, hi) : 0;
    const scale = this.logY ? (v: number) => Math.log10(Math.max(v, lo)) : (v: number) => v;
    const [a, b] = [scale(lo), scale(hi)];
    const x = (i: number) => m.left + (s.length > 1 ? (i / (s.length - 1)) * plotW : plotW / 2);
    const y = (v: number) => m.top + (b > a ? plotH * (1 - (scale(v) - a) / (b - a)) : plotH / 2);

    g.strokeStyle = AXIS;
    g.lineWidth = 1;
    g.beginPath();
    g.moveTo(m.left - 0.5, m.top);
    g.lineTo(m.left - 0.5, m.top + plotH + 0.5);
    g.lineTo(width - m.right, m.top + plotH + 0.5);
    g.stroke();

    g.strokeStyle = SINGULAR;
    g.lineWidth = 1.5;
    g.beginPath();
    s.forEach((v, i) => (i === 0 ? g.moveTo(x(i), y(v)) : g.lineTo(x(i), y(v))));
    g.stroke();
    if (s.length <= MAX_DOTS) {
      g.fillStyle = SINGULAR;
      s.forEach((v, i) => {
        g.beginPath();
        g.arc(x(i), y(v), 2, 0, 2 * Math.PI);
        g.fill();
      });
    }

    g.fillStyle = LABEL;
    g.textAlign = "right";
    g.textBaseline = "middle";
    g.fillText(fmt(hi), m.left - 6, y(hi));
    g.fillText(this.logY ? fmt(lo) : "0", m.left - 6, m.top + plotH);
    g.textBaseline = "top";
    g.textAlign = "left";
    g.fillText("1", m.left, m.top + plotH + 6);
    g.textAlign = "right";
    g.fillText(String(s.length), width - m.right, m.top + plotH + 6);
    g.textAlign = "center";
    g.fillText("i", m.left + plotW / 2, m.top + plotH + 6);
    // Descending values leave the top-right corner free.
    g.textAlign = "right";
    g.fillText(this.logY ? "σᵢ (log axis)" : "σᵢ", width - m.right, m.top);
  }
}

/** Eigenvalues λ = re + i·im as dots in the complex plane, on a square, origin-centred plot. */
export class EigenvaluePlot extends CanvasPlot {
  private points?: Float32Array;
  private message = "waiting for eigenvalues…";

  constructor(container: HTMLElement) {
    super(container, "spectrum-eig-canvas");
  }

  /** `points`: n pairs (re, im) row-major, as the API's [n, 2] tensor; undefined shows `message`. */
  set(points: Float32Array | undefined, message = "waiting for eigenvalues…"): void {
    this.points = points;
    this.message = message;
    this.say(points ? undefined : message);
    this.redraw();
  }

  protected draw(g: CanvasRenderingContext2D, width: number, height: number): void {
    const p = this.points;
    if (!p || p.length < 2) return this.waiting(g, width, height, this.message);
    // The circle goes through the outermost dot: the spectral radius of the drawn spectrum.
    let radius = 0;
    for (let i = 0; i + 1 < p.length; i += 2) radius = Math.max(radius, Math.hypot(p[i], p[i + 1]));
    const extent = 1.1 * Math.max(1, radius);
    const side = Math.min(width - 24, height - 24);
    const cx = width / 2;
    const cy = height / 2;
    const px = side / 2 / extent;
    const x = (re: number) => cx + re * px;
    const y = (im: number) => cy - im * px;

    g.strokeStyle = AXIS;
    g.lineWidth = 1;
    g.beginPath();
    g.moveTo(x(-extent), Math.round(cy) + 0.5);
    g.lineTo(x(extent), Math.round(cy) + 0.5);
    g.moveTo(Math.round(cx) + 0.5, y(extent));
    g.lineTo(Math.round(cx) + 0.5, y(-extent));
    g.stroke();
    g.setLineDash([4, 3]);
    g.beginPath();
    g.arc(cx, cy, px, 0, 2 * Math.PI);
    g.stroke();
    g.setLineDash([]);
    g.strokeStyle = RADIUS;
    g.lineWidth = 1.5;
    g.beginPath();
    g.arc(cx, cy, radius * px, 0, 2 * Math.PI);
    g.stroke();

    g.fillStyle = EIGEN;
    g.globalAlpha = 0.75;
    for (let i = 0; i + 1 < p.length; i += 2) {
      g.beginPath();
      g.arc(x(p[i]), y(p[i + 1]), 2.5, 0, 2 * Math.PI);
      g.fill();
    }
    g.globalAlpha = 1;

    g.fillStyle = LABEL;
    g.textBaseline = "top";
    g.textAlign = "left";
    g.fillText("Re", x(extent) + 4, cy + 2);
    g.fillText("Im", cx + 4, y(extent));
    g.fillText(`|λ| = 1`, x(0.71) + 2, y(-0.71) + 2);
    g.fillStyle = RADIUS;
    g.textAlign = "right";
    g.textBaseline = "bottom";
    g.fillText(`ρ = ${fmt(radius)}`, x(-0.71 * radius) - 2, y(0.71 * radius) - 2);
  }
}

function fmt(v: number): string {
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e4) ? v.toExponential(2) : v.toPrecision(3);
}
