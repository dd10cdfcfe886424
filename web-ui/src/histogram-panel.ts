// The weight histogram of one chosen parameter: live, choosing a parameter opens a watch on
// `weight_histogram` restricted to it, at most 5 frames a second; at a past step chosen with
// the step scrubber, Measure gives it once, drawn the same way.

import type { ParameterInfo, WatchFrame } from "@eiscope/client";
import { formatStep, h } from "./dom";
import { HistogramCanvas } from "./histogram-canvas";
import { liveWatch } from "./live-watch";
import { PastMeasure, type StepView } from "./past-measure";

const OBSERVABLE = "weight_histogram";
const MAX_HZ = 5;

export class HistogramPanel implements StepView {
  readonly el: HTMLElement;
  private readonly select: HTMLSelectElement;
  private readonly info = h("span", { className: "muted small", testid: "histogram-info" }, "");
  private readonly problem = h("span", { className: "warn small", testid: "histogram-problem" });
  private readonly canvas: HistogramCanvas;
  private readonly past: PastMeasure;
  private stopWatch?: () => void;
  private frames = 0;

  constructor(
    private readonly simId: string,
    parameters: ParameterInfo[],
  ) {
    this.select = h("select", { testid: "param-select", title: "Parameter whose weights are histogrammed" });
    for (const p of parameters) {
      this.select.append(h("option", { value: p.name }, `${p.name}  [${p.shape.join(" × ")}]`));
    }
    this.past = new PastMeasure(simId, this.problem, "histogram-past");
    const body = h("div", { className: "chart-body" });
    this.el = h(
      "section",
      { className: "card", testid: "histogram-panel" },
      h(
        "header",
        { className: "card-header" },
        h("h3", {}, "Weight histogram"),
        this.past.badge,
        h("span", { className: "spacer" }),
        this.problem,
        this.select,
      ),
      body,
      h("footer", { className: "card-footer" }, this.info),
    );
    this.canvas = new HistogramCanvas(body);
    // A failed measurement is said on the problem line; nothing else waits for it.
    this.select.addEventListener("change", () => void this.watch(this.select.value).catch(() => {}));
    // Weight matrices are what one usually wants to see: start on the first one.
    const first = parameters.find((p) => p.shape.length === 2) ?? parameters[0];
    if (first) {
      this.select.value = first.name;
      void this.watch(first.name);
    }
  }

  /** Watches the chosen parameter afresh (after a reset: its current value is new). */
  restart(): void {
    if (this.select.value && !this.past.isFrozen) void this.watch(this.select.value);
  }

  freeze(): void {
    this.past.freeze();
    this.past.cancel();
    this.stopLive();
  }

  showStep(step: number, signal: AbortSignal): Promise<void> {
    this.past.pin(step);
    return this.select.value ? this.watch(this.select.value, signal) : Promise.resolve();
  }

  goLive(): void {
    if (!this.past.isFrozen) return;
    this.past.unpin();
    this.restart();
  }

  /** Ends its watch, keeping what it shows (the simulation is gone). */
  stop(): void {
    this.stopLive();
    this.past.cancel();
    this.problem.textContent = "";
  }

  destroy(): void {
    this.stop();
    this.canvas.destroy();
  }

  /** Live: opens the watch of `name`. At a past step: measures it there (rejects with the error shown). */
  private watch(name: string, signal?: AbortSignal): Promise<void> {
    this.stopLive();
    if (this.past.isFrozen) {
      return this.past.measure(
        [OBSERVABLE],
        name,
        (frames) => {
          this.clear();
          for (const f of frames) this.onFrame(name, f);
        },
        () => this.clear(),
        signal,
      );
    }
    this.clear();
    this.stopWatch = liveWatch(
      this.simId,
      { observables: [OBSERVABLE], layers: [name], maxHz: MAX_HZ },
      {
        // A frame already on its way when the scrubber froze the panel is not shown.
        frame: (f) => this.past.isFrozen || this.onFrame(name, f),
        status: (p) => (this.problem.textContent = p ?? ""),
      },
    );
    return Promise.resolve();
  }

  private stopLive(): void {
    this.stopWatch?.();
    this.stopWatch = undefined;
  }

  private onFrame(name: string, f: WatchFrame): void {
    if (f.observable !== OBSERVABLE || f.layer !== name || f.payload.kind !== "histogram") return;
    this.frames += 1;
    this.el.dataset.frames = String(this.frames);
    this.el.dataset.step = String(f.step);
    const { edges, counts } = f.payload;
    this.canvas.set({ edges, counts });
    const n = counts.reduce((a, b) => a + b, 0);
    this.info.textContent = `step ${formatStep(f.step)} · ${n.toLocaleString("en-US")} weights`;
  }

  private clear(): void {
    this.frames = 0;
    this.el.dataset.frames = "0";
    this.el.dataset.step = "-1";
    this.canvas.set(undefined);
    this.info.textContent = "";
  }
}
