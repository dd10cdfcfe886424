// The page of one simulation: what it is, its controls, live learning curves, a live weight
// histogram, its events, the spectrum of a weight matrix and, for recurrent networks, the
// dynamics of a cell. One Watch feeds curves and events; the other panels have their own.

import { type Catalogue, type Simulation, SimulationState, type WatchFrame } from "@eiscope/client";
import { setStateBadge } from "./api";
import { Controls } from "./controls";
import { CurveChart } from "./curve-chart";
import { DynamicsPanel } from "./dynamics-panel";
import { formatScalar, formatStep, h } from "./dom";
import { EventsPanel } from "./events-panel";
import { HistogramPanel } from "./histogram-panel";
import { liveWatch } from "./live-watch";
import { SpectrumPanel } from "./spectrum-panel";

const SCALARS = ["loss", "accuracy", "test_loss", "test_accuracy"];
const TRAIN = "#2563eb";
const TEST = "#e08a1e";

export class SimulationView {
  readonly el: HTMLElement;
  private readonly badge = h("span", { testid: "sim-state" });
  private readonly stepText = h("span", { className: "big-number", testid: "sim-step" });
  private readonly status = h("p", { className: "status-message", testid: "status-message" });
  private readonly streamProblem = h("span", { className: "warn small", testid: "stream-problem" });
  private readonly stats = new Map<string, { value: HTMLElement; count: HTMLElement; unit: HTMLElement }>();
  private readonly controls: Controls;
  private readonly charts: CurveChart[];
  private readonly histogram: HistogramPanel;
  private readonly spectrum: SpectrumPanel;
  private readonly dynamics: DynamicsPanel;
  private readonly events = new EventsPanel();
  private readonly stopWatch: () => void;
  private step = 0;

  constructor(private sim: Simulation, catalogue: Catalogue) {
    this.controls = new Controls(sim.id);
    const lossBody = h("div", { className: "chart-body", testid: "loss-chart" });
    const accBody = h("div", { className: "chart-body", testid: "accuracy-chart" });
    this.histogram = new HistogramPanel(sim.id, sim.parameters);
    this.spectrum = new SpectrumPanel(sim, catalogue);
    this.dynamics = new DynamicsPanel(sim, catalogue);
    const logBox = h("input", { type: "checkbox", testid: "loss-log" });
    const logToggle = h("label", { className: "toggle small muted", title: "Logarithmic loss axis" }, logBox, "log scale");
    this.el = h(
      "div",
      { className: "sim-view", testid: "sim-view", "data-id": sim.id },
      this.header(),
      this.controls.el,
      h("div", { className: "stats" }, ...SCALARS.map((o) => this.statCard(o))),
      h("div", { className: "grid-2" },
        h("section", { className: "card" }, h("header", { className: "card-header" }, h("h3", {}, "Loss"), h("span", { className: "spacer" }), this.streamProblem, logToggle), lossBody),
        h("section", { className: "card" }, h("header", { className: "card-header" }, h("h3", {}, "Accuracy")), accBody)),
      h("div", { className: "grid-2" }, this.histogram.el, this.events.el),
      this.spectrum.el,
      this.dynamics.el,
    );
    const refresh = () => this.refreshStats();
    this.charts = [
      new CurveChart(lossBody, [
        { observable: "loss", label: "train", color: TRAIN, smooth: true },
        { observable: "test_loss", label: "test", color: TEST, points: true },
      ], refresh),
      new CurveChart(accBody, [
        { observable: "accuracy", label: "train", color: TRAIN, smooth: true },
        { observable: "test_accuracy", label: "test", color: TEST, points: true },
      ], refresh),
    ];
    logBox.addEventListener("change", () => this.charts[0].setLogScale(logBox.checked));
    this.update(sim);
    this.stopWatch = liveWatch(sim.id, { observables: watchedObservables(catalogue) }, {
      frame: (f) => this.onFrame(f),
      status: (p) => (this.streamProblem.textContent = p ?? ""),
    });
  }

  get id(): string {
    return this.sim.id;
  }

  /** A fresher Simulation from the poll or a control response. */
  update(sim: Simulation): void {
    this.sim = sim;
    setStateBadge(this.badge, sim.state);
    // While running, frames run ahead of the once-a-second poll: keep the larger step. When
    // not running the poll is the truth (it is how a reset made elsewhere shows up).
    const polled = Number(sim.step);
    this.setStep(sim.state === SimulationState.RUNNING ? Math.max(polled, this.step) : polled);
    this.status.textContent = sim.statusMessage;
    // Only a run that went wrong says so in red; "playing" and the like are just information.
    this.status.classList.toggle("bad", sim.state === SimulationState.DIVERGED || sim.state === SimulationState.FAILED);
    this.status.hidden = sim.statusMessage === "";
    this.controls.update(sim);
  }

  destroy(): void {
    this.stopWatch();
    for (const c of this.charts) c.destroy();
    this.histogram.destroy();
    this.spectrum.destroy();
    this.dynamics.destroy();
  }

  private onFrame(f: WatchFrame): void {
    if (f.payload.kind === "event") {
      this.events.add(f);
      setStateBadge(this.badge, f.payload.state);
      // A reset's event comes after every frame of the run it ends (one ordered stream), so
      // it is the moment to drop the old curves, and to fetch the reset weights' histogram.
      const reset = f.observable === "state" && f.step < this.lastCurveStep();
      if (reset) {
        this.clearCurves();
        this.histogram.restart();
      }
      if (f.observable === "state") {
        this.spectrum.onState(f.payload.state, f.step, reset);
        this.dynamics.onState(f.payload.state, f.step, reset);
      }
    } else if (f.payload.kind === "scalar") {
      this.onScalar(f.observable, f.step, f.payload.value, f.payload.mergedCount);
    }
  }

  private onScalar(observable: string, step: number, value: number, merged: number): void {
    const chart = this.charts.find((c) => c.handles(observable));
    if (!chart) return;
    const last = chart.series.get(observable)!.lastStep;
    if (step < last) this.clearCurves(); // the simulation was reset (here or elsewhere)
    else if (step === last) return; // the same sample again, e.g. after a reconnect
    chart.push(observable, step, value, merged);
    if (step > this.step) this.setStep(step);
  }

  private lastCurveStep(): number {
    return Math.max(-1, ...this.charts.flatMap((c) => [...c.series.values()].map((s) => s.lastStep)));
  }

  private clearCurves(): void {
    for (const c of this.charts) c.clear();
    this.step = 0;
  }

  private setStep(step: number): void {
    this.step = step;
    this.stepText.textContent = formatStep(step);
  }

  private refreshStats(): void {
    for (const c of this.charts) {
      for (const [name, s] of c.series) {
        const stat = this.stats.get(name)!;
        stat.value.textContent = formatScalar(s.lastValue);
        stat.count.textContent = String(s.frames);
        stat.unit.textContent = s.frames === 1 ? " point" : " points";
      }
    }
  }

  private header(): HTMLElement {
    const spec = this.sim.spec;
    const what = spec
      ? `${spec.model?.kind ?? "?"} · ${spec.learningRule?.kind ?? "?"} · ${spec.task?.kind ?? "?"} · batch ${spec.batchSize} · seed ${spec.seed}`
      : "";
    return h(
      "header",
      { className: "sim-header" },
      h("div", {},
        h("h1", { testid: "sim-title" }, spec?.name || this.sim.id),
        h("p", { className: "muted" }, h("span", { className: "mono" }, this.sim.id), ` · ${what}`)),
      h("div", { className: "sim-header-right" },
        this.badge,
        h("div", { className: "step-box" }, h("span", { className: "muted small" }, "step"), this.stepText)),
      this.status,
    );
  }

  private statCard(observable: string): HTMLElement {
    const value = h("span", { className: "stat-value", testid: `${observable}-last` }, "–");
    const count = h("span", { testid: `${observable}-points` }, "0");
    const unit = h("span", {}, " points");
    this.stats.set(observable, { value, count, unit });
    return h("div", { className: "stat", title: `latest ${observable}; number of samples plotted since this page opened` },
      h("span", { className: "stat-label" }, observable.replace("_", " ")),
      value,
      h("span", { className: "muted small" }, count, unit));
  }
}

/** The curves' observables that this server offers, plus its state and steering events. */
function watchedObservables(catalogue: Catalogue): string[] {
  const offered = new Set(catalogue.observables.map((o) => o.name));
  return [...SCALARS, "state", "intervention"].filter((o) => offered.has(o));
}
