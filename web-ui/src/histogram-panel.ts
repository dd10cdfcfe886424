// The weight histogram of one chosen parameter, live: choosing a parameter opens a watch on
// `weight_histogram` restricted to it, at most 5 frames a second.

import type { ParameterInfo } from "@eiscope/client";
import { formatStep, h } from "./dom";
import { HistogramCanvas } from "./histogram-canvas";
import { liveWatch } from "./live-watch";

const OBSERVABLE = "weight_histogram";
const MAX_HZ = 5;

export class HistogramPanel {
  readonly el: HTMLElement;
  private readonly select: HTMLSelectElement;
  private readonly info = h("span", { className: "muted small", testid: "histogram-info" }, "");
  private readonly problem = h("span", { className: "warn small" });
  private readonly canvas: HistogramCanvas;
  private stopWatch?: () => void;
  private frames = 0;

  constructor(private readonly simId: string, parameters: ParameterInfo[]) {
    this.select = h("select", { testid: "param-select", title: "Parameter whose weights are histogrammed" });
    for (const p of parameters) {
      this.select.append(h("option", { value: p.name }, `${p.name}  [${p.shape.join(" × ")}]`));
    }
    const body = h("div", { className: "chart-body" });
    this.el = h(
      "section",
      { className: "card", testid: "histogram-panel" },
      h("header", { className: "card-header" },
        h("h3", {}, "Weight histogram"), h("span", { className: "spacer" }), this.problem, this.select),
      body,
      h("footer", { className: "card-footer" }, this.info),
    );
    this.canvas = new HistogramCanvas(body);
    this.select.addEventListener("change", () => this.watch(this.select.value));
    // Weight matrices are what one usually wants to see: start on the first one.
    const first = parameters.find((p) => p.shape.length === 2) ?? parameters[0];
    if (first) {
      this.select.value = first.name;
      this.watch(first.name);
    }
  }

  /** Watches the chosen parameter afresh (after a reset: its current value is new). */
  restart(): void {
    if (this.select.value) this.watch(this.select.value);
  }

  /** Ends its watch, keeping what it shows (the simulation is gone). */
  stop(): void {
    this.stopWatch?.();
    this.stopWatch = undefined;
    this.problem.textContent = "";
  }

  destroy(): void {
    this.stop();
    this.canvas.destroy();
  }

  private watch(name: string): void {
    this.stopWatch?.();
    this.frames = 0;
    this.el.dataset.frames = "0";
    this.canvas.set(undefined);
    this.info.textContent = "";
    this.stopWatch = liveWatch(this.simId, { observables: [OBSERVABLE], layers: [name], maxHz: MAX_HZ }, {
      frame: (f) => {
        if (f.observable !== OBSERVABLE || f.layer !== name || f.payload.kind !== "histogram") return;
        this.frames += 1;
        this.el.dataset.frames = String(this.frames);
        const { edges, counts } = f.payload;
        this.canvas.set({ edges, counts });
        const n = counts.reduce((a, b) => a + b, 0);
        this.info.textContent = `step ${formatStep(f.step)} · ${n.toLocaleString("en-US")} weights`;
      },
      status: (p) => (this.problem.textContent = p ?? ""),
    });
  }
}
