// Draws a weight histogram on a canvas: bins left of zero (inhibitory weights in E/I
// networks) in red, the others in blue, with the range and the tallest bin labelled.

import { FrameThrottle } from "./frame-throttle";

export interface HistogramData {
  /** Ascending, one more than counts. */
  edges: number[];
  counts: number[];
}

const HEIGHT_PX = 220;
const MARGIN = { left: 48, right: 12, top: 12, bottom: 26 };
const NEGATIVE = "#dc6b5f";
const POSITIVE = "#4a7fd6";

export class HistogramCanvas {
  readonly canvas: HTMLCanvasElement;
  private data?: HistogramData;
  private readonly throttle = new FrameThrottle(() => this.draw());
  private readonly resize: ResizeObserver;

  constructor(private readonly container: HTMLElement) {
    this.canvas = document.createElement("canvas");
    this.canvas.dataset.testid = "histogram-canvas";
    this.canvas.style.height = `${HEIGHT_PX}px`;
    this.canvas.style.width = "100%";
    container.append(this.canvas);
    // What is drawn, for the browser test and the console:
    // document.querySelector('[data-testid="histogram-canvas"]').eiscopeData()
    Object.defineProperty(this.canvas, "eiscopeData", {
      configurable: true,
      value: () => (this.data ? { edges: [...this.data.edges], counts: [...this.data.counts] } : null),
    });
    this.resize = new ResizeObserver(() => this.throttle.request());
    this.resize.observe(container);
  }

  set(data: HistogramData | undefined): void {
    this.data = data;
    this.throttle.request();
  }

  destroy(): void {
    this.throttle.cancel();
    this.resize.disconnect();
    this.canvas.remove();
  }

  private draw(): void {
    const dpr = window.devicePixelRatio || 1;
    const width = Math.max(200, this.container.clientWidth);
    this.canvas.width = Math.round(width * dpr);
    this.canvas.height = Math.round(HEIGHT_PX * dpr);
    const g = this.canvas.getContext("2d")!;
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    g.clearRect(0, 0, width, HEIGHT_PX);
    g.font = "11px system-ui, sans-serif";
    g.fillStyle = "#8a93a0";
    const d = this.data;
    if (!d || d.counts.length === 0 || d.edges.length !== d.counts.length + 1) {
      g.textAlign = "center";
      g.fillText("waiting for a histogram…", width / 2, HEIGHT_PX / 2);
      return;
    }
    this.drawBars(g, d, width);
  }

  private drawBars(g: CanvasRenderingContext2D, d: HistogramData, width: number): void {
    const lo = d.edges[0];
    const hi = d.edges[d.edges.length - 1];
    const maxCount = Math.max(1, ...d.counts);
    const plotW = width - MARGIN.left - MARGIN.right;
    const plotH = HEIGHT_PX - MARGIN.top - MARGIN.bottom;
    const x = (v: number) => MARGIN.left + (hi > lo ? ((v - lo) / (hi - lo)) * plotW : plotW / 2);
    const y = (c: number) => MARGIN.top + plotH * (1 - c / maxCount);

    for (let i = 0; i < d.counts.length; i++) {
      const x0 = x(d.edges[i]);
      const x1 = x(d.edges[i + 1]);
      g.fillStyle = (d.edges[i] + d.edges[i + 1]) / 2 < 0 ? NEGATIVE : POSITIVE;
      // A hair of space between bars keeps them distinct; never less than one pixel wide.
      g.fillRect(x0, y(d.counts[i]), Math.max(1, x1 - x0 - 0.5), y(0) - y(d.counts[i]));
    }
    // Axes: baseline, zero line, labels.
    g.strokeStyle = "#c9ced6";
    g.lineWidth = 1;
    g.beginPath();
    g.moveTo(MARGIN.left, y(0) + 0.5);
    g.lineTo(width - MARGIN.right, y(0) + 0.5);
    if (lo < 0 && hi > 0) {
      g.moveTo(Math.round(x(0)) + 0.5, MARGIN.top);
      g.lineTo(Math.round(x(0)) + 0.5, y(0));
    }
    g.stroke();
    g.fillStyle = "#5b6472";
    g.textBaseline = "top";
    g.textAlign = "left";
    g.fillText(fmt(lo), MARGIN.left, y(0) + 6);
    g.textAlign = "right";
    g.fillText(fmt(hi), width - MARGIN.right, y(0) + 6);
    if (lo < 0 && hi > 0) {
      g.textAlign = "center";
      g.fillText("0", x(0), y(0) + 6);
    }
    g.textBaseline = "middle";
    g.textAlign = "right";
    g.fillText(maxCount.toLocaleString("en-US"), MARGIN.left - 6, MARGIN.top);
    g.fillText("0", MARGIN.left - 6, y(0));
  }
}

function fmt(v: number): string {
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e4) ? v.toExponential(2) : v.toPrecision(3);
}
