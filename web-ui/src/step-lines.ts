// A small uPlot chart of per-layer scalars over steps (a panel's ΔCDF per potential, NSE and
// spectral radius, effective ranks): points come from the run record (GetHistory) and then from
// live frames, one value per step per series, drawn with their points.

import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { FrameThrottle } from "./frame-throttle";

export interface LineDef {
  key: string;
  label: string;
  color: string;
}

const HEIGHT_PX = 220;

export class StepLines {
  private readonly points = new Map<string, Map<number, number>>();
  private plot: uPlot;
  private readonly throttle = new FrameThrottle(() => this.draw());
  private readonly resize: ResizeObserver;

  constructor(
    private readonly container: HTMLElement,
    private readonly defs: LineDef[],
    private readonly labels: { left: string },
    private readonly heightPx = HEIGHT_PX,
  ) {
    for (const d of defs) this.points.set(d.key, new Map());
    this.plot = new uPlot(this.options(), this.data(), container);
    this.resize = new ResizeObserver(() => this.fit());
    this.resize.observe(container);
    // What is drawn, by series, for the browser tests and the console.
    Object.defineProperty(container, "eiscopeCurves", { configurable: true, value: () => this.drawn() });
  }

  /** Adds recorded or measured points to series `key` (a later value at a step replaces the earlier). */
  add(key: string, steps: ArrayLike<number>, values: ArrayLike<number>): void {
    const p = this.points.get(key);
    if (!p) return;
    for (let i = 0; i < steps.length; i++) p.set(steps[i], values[i]);
    this.throttle.request();
  }

  clear(): void {
    for (const p of this.points.values()) p.clear();
    this.throttle.request();
  }

  destroy(): void {
    this.throttle.cancel();
    this.resize.disconnect();
    this.plot.destroy();
  }

  private drawn(): Record<string, { steps: number[]; values: number[] }> {
    const out: Record<string, { steps: number[]; values: number[] }> = {};
    for (const [key, p] of this.points) {
      const steps = [...p.keys()].sort((a, b) => a - b);
      out[key] = { steps, values: steps.map((s) => p.get(s)!) };
    }
    return out;
  }

  private draw(): void {
    this.plot.setData(this.data());
    this.container.dataset.points = String([...this.points.values()].reduce((n, p) => n + p.size, 0));
  }

  private fit(): void {
    const width = Math.max(200, Math.floor(this.container.clientWidth));
    if (width !== this.plot.width) this.plot.setSize({ width, height: this.heightPx });
  }

  /** One shared step axis; a series without a value at a step has a gap there. Non-finite values are gaps too. */
  private data(): uPlot.AlignedData {
    const steps = [...new Set([...this.points.values()].flatMap((p) => [...p.keys()]))].sort((a, b) => a - b);
    return [
      steps,
      ...this.defs.map((d) => {
        const p = this.points.get(d.key)!;
        return steps.map((s) => {
          const v = p.get(s);
          return v !== undefined && Number.isFinite(v) ? v : null;
        });
      }),
    ];
  }

  private options(): uPlot.Options {
    const axis: uPlot.Axis = {
      stroke: "#5b6472",
      grid: { stroke: "#eef0f3", width: 1 },
      ticks: { stroke: "#e3e6ea", width: 1 },
      font: "11px system-ui, sans-serif",
      labelFont: "11px system-ui, sans-serif",
      labelSize: 16,
    };
    const axes: uPlot.Axis[] = [
      { ...axis, label: "step" },
      { ...axis, label: this.labels.left, size: 52 },
    ];
    return {
      width: Math.max(200, this.container.clientWidth || 480),
      height: this.heightPx,
      scales: { x: { time: false } },
      legend: { live: true },
      axes,
      series: [
        { label: "step" },
        ...this.defs.map((d): uPlot.Series => ({
          label: d.label,
          stroke: d.color,
          width: 1.5,
          spanGaps: true,
          points: { show: true, size: 4 },
        })),
      ],
    };
  }
}
