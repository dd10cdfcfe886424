// The page of one simulation: what it is (name, tags, notes: editable), its controls,
// learning curves drawn from the run record and continued live, a live weight histogram, its
// events, the spectrum of a weight matrix and, for recurrent networks, the dynamics of a
// cell. One RecordedWatch feeds curves and events; the other panels have their own watches.
// A step scrubber moves the histogram, spectrum and dynamics panels to a past step (the
// curves stay live, marked at that step) and forks from it.
// A run deleted elsewhere is shown as gone: greyed, "deleted", every control disabled; with a
// token that may not steer (the server refused it once), the steering controls say so.

import { type Catalogue, type History, type RunEvent, type Simulation, SimulationState, type WatchFrame } from "@eiscope/client";
import { setStateBadge } from "./api";
import { Controls } from "./controls";
import { CurveChart } from "./curve-chart";
import { DynamicsPanel } from "./dynamics-panel";
import { formatScalar, formatStep, h } from "./dom";
import { EventsPanel } from "./events-panel";
import { ExportLinks } from "./export-links";
import { HistogramPanel } from "./histogram-panel";
import { RecordedWatch } from "./recorded-watch";
import { RunDetails } from "./run-details";
import { onSteerRefusal } from "./session";
import { SpectrumPanel } from "./spectrum-panel";
import { StepScrubber } from "./step-scrubber";

const SCALARS = ["loss", "accuracy", "test_loss", "test_accuracy"];
const HELD_OUT = ["test_loss", "test_accuracy"];
const TRAIN = "#2563eb";
const TEST = "#e08a1e";
/** Points per series asked of the record, per pixel of chart width. */
const POINTS_PER_PIXEL = 2;

export class SimulationView {
  readonly el: HTMLElement;
  private readonly badge = h("span", { testid: "sim-state" });
  private readonly stepText = h("span", { className: "big-number", testid: "sim-step" });
  private readonly recordedText = h("span", { testid: "sim-recorded-step" });
  private readonly mergedText = h("span", { testid: "sim-merged-samples" });
  private readonly status = h("p", { className: "status-message", testid: "status-message" });
  private readonly streamProblem = h("span", { className: "warn small", testid: "stream-problem" });
  private readonly downsampledNote = h("span", {
    className: "muted small", testid: "curve-downsampled",
    title: "More points than pixels: each drawn point stands for a bucket of steps, whose first, smallest, largest and last values are kept",
  }, "downsampled");
  private readonly stats = new Map<string, { value: HTMLElement; count: HTMLElement; unit: HTMLElement }>();
  private readonly details: RunDetails;
  private readonly controls: Controls;
  private readonly charts: CurveChart[];
  private readonly histogram: HistogramPanel;
  private readonly spectrum: SpectrumPanel;
  private readonly dynamics: DynamicsPanel;
  private readonly events = new EventsPanel();
  private readonly scrubber: StepScrubber;
  private readonly feed: RecordedWatch;
  private readonly unsubscribeRefusal: () => void;
  private readonly exports = new ExportLinks();
  private step = 0;
  private gone = false;
  private historyMaxPoints = 0;
  /** The last step of the record as loaded: events up to it are listed already. */
  private loadedStep = -1;

  constructor(private sim: Simulation, catalogue: Catalogue) {
    this.details = new RunDetails(sim.id);
    this.controls = new Controls(sim.id, catalogue, () => this.markGone());
    const lossBody = h("div", { className: "chart-body", testid: "loss-chart" });
    const accBody = h("div", { className: "chart-body", testid: "accuracy-chart" });
    this.histogram = new HistogramPanel(sim.id, sim.parameters);
    this.spectrum = new SpectrumPanel(sim, catalogue);
    this.dynamics = new DynamicsPanel(sim, catalogue);
    this.scrubber = new StepScrubber(sim.id, [this.histogram, this.spectrum, this.dynamics],
      (step) => this.charts.forEach((c) => c.setMarker(step)));
    const logBox = h("input", { type: "checkbox", testid: "loss-log" });
    const logToggle = h("label", { className: "toggle small muted", title: "Logarithmic loss axis" }, logBox, "log scale");
    this.downsampledNote.hidden = true;
    this.el = h(
      "div",
      { className: "sim-view", testid: "sim-view", "data-id": sim.id },
      this.header(),
      this.controls.el,
      this.scrubber.el,
      h("div", { className: "stats" }, ...SCALARS.map((o) => this.statCard(o))),
      h("div", { className: "grid-2" },
        h("section", { className: "card" },
          h("header", { className: "card-header" },
            h("h3", {}, "Loss"), h("span", { className: "spacer" }), this.streamProblem, this.downsampledNote, logToggle),
          lossBody),
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
    const offered = new Set(catalogue.observables.map((o) => o.name));
    const scalars = SCALARS.filter((o) => offered.has(o));
    this.feed = new RecordedWatch(sim.id, scalars, [...scalars, "state", "intervention"].filter((o) => offered.has(o)),
      () => this.maxPoints(), {
        loaded: (s, history, events) => this.onLoaded(s, history, events),
        frame: (f) => this.onFrame(f),
        status: (p) => (this.streamProblem.textContent = p ?? ""),
        gone: () => this.markGone(),
      });
    this.unsubscribeRefusal = onSteerRefusal((message) => this.readOnly(message));
  }

  get id(): string {
    return this.sim.id;
  }

  get isGone(): boolean {
    return this.gone;
  }

  /** A fresher Simulation from the poll or a control response. */
  update(sim: Simulation): void {
    if (this.gone) return;
    this.sim = sim;
    setStateBadge(this.badge, sim.state);
    // While running, frames run ahead of the once-a-second poll: keep the larger step. When
    // not running the poll is the truth (it is how a reset made elsewhere shows up).
    const polled = Number(sim.step);
    const running = sim.state === SimulationState.RUNNING;
    this.setStep(running ? Math.max(polled, this.step) : polled);
    // A stopped run behind its own curve was reset while our stream was not looking (between
    // reading the record and opening the watch): draw it again from the record.
    if (!running && polled < this.lastCurveStep()) this.onMissedReset(sim);
    this.status.textContent = sim.statusMessage;
    // Only a run that went wrong says so in red; "playing" and the like are just information.
    this.status.classList.toggle("bad", sim.state === SimulationState.DIVERGED || sim.state === SimulationState.FAILED);
    this.status.hidden = sim.statusMessage === "";
    this.recordedText.textContent = `recorded to step ${formatStep(sim.recordedStep)}`;
    const merged = Number(sim.mergedSamples);
    this.mergedText.textContent = merged === 0 ? "" : ` · ${formatStep(merged)} samples merged`;
    this.mergedText.title = merged === 0 ? "" : "The disk fell behind: these samples were averaged into later ones, and counted";
    this.controls.update(sim);
    this.details.update(sim);
    this.exports.update(sim);
  }

  /** The token may watch but not steer (the server refused it, with `message`): the steering controls say so. */
  private readOnly(message: string): void {
    this.el.dataset.readOnly = "true";
    this.controls.readOnly(message);
    this.details.disable(`This token may not edit runs: ${message}`);
    this.scrubber.readOnly(message);
  }

  /**
   * The run no longer exists (deleted here or elsewhere): say so, grey out what was drawn,
   * stop every stream and disable every control.
   */
  markGone(): void {
    if (this.gone) return;
    this.gone = true;
    this.feed.stop();
    this.scrubber.stop();
    this.el.classList.add("gone");
    this.el.dataset.gone = "true";
    this.badge.className = "badge state-deleted";
    this.badge.textContent = "deleted";
    this.status.textContent = "This run no longer exists on the server (deleted). What is shown is what this page had drawn.";
    this.status.classList.add("bad");
    this.status.hidden = false;
    this.streamProblem.textContent = "";
    this.details.disable();
    this.histogram.stop();
    this.spectrum.stop();
    this.dynamics.stop();
    for (const c of this.el.querySelectorAll<HTMLButtonElement | HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>(
      "button, input, select, textarea")) {
      c.disabled = true;
    }
  }

  destroy(): void {
    this.unsubscribeRefusal();
    this.feed.stop();
    this.scrubber.stop();
    for (const c of this.charts) c.destroy();
    this.histogram.destroy();
    this.spectrum.destroy();
    this.dynamics.destroy();
  }

  /** About two points per pixel of the chart, so a million-step run comes as a few thousand points. */
  private maxPoints(): number {
    const n = POINTS_PER_PIXEL * this.charts[0].widthPx;
    // Live samples may double a curve before it is downsampled again (see Series).
    for (const c of this.charts) c.setMaxPoints(2 * n);
    this.historyMaxPoints = n;
    return n;
  }

  /**
   * The record up to `history.lastStep`: the curves and events start over from it. Returns the
   * step to watch from: after the record, or from just after the last held-out evaluation
   * recorded when one that is due by then is not in yet (evaluations run off the training
   * thread, so they can be recorded after later steps).
   */
  private onLoaded(sim: Simulation, history: History, events: RunEvent[]): number {
    this.clearCurves();
    for (const s of history.series) {
      if (s.layer !== "") continue;
      const chart = this.charts.find((c) => c.handles(s.observable));
      chart?.load(s.observable, s.steps, s.values, s.downsampled ? s.recordedPoints : s.steps.length, s.downsampled);
    }
    this.events.load(events);
    this.el.dataset.historyStep = String(history.lastStep);
    this.el.dataset.historyMaxPoints = String(this.historyMaxPoints);
    this.loadedStep = history.lastStep;
    this.update(sim);
    this.setStep(Math.max(this.step, history.lastStep));
    const every = sim.spec?.evalEverySteps ?? 0;
    const due = every > 0 ? Math.floor(history.lastStep / every) * every : 0;
    const evaluated = Math.min(...HELD_OUT.map((o) => this.charts.find((c) => c.handles(o))?.series.get(o)?.lastStep ?? 0));
    const from = evaluated < due ? Math.max(0, evaluated) + 1 : history.lastStep + 1;
    this.el.dataset.watchFrom = String(from);
    return from;
  }

  private onFrame(f: WatchFrame): void {
    if (f.payload.kind === "event") {
      // Listed from the record already: the watch may start before its end (never at step 0,
      // where a reset's event is).
      if (f.step > 0 && f.step <= this.loadedStep) return;
      this.events.add({ step: f.step, wallTimeMillis: f.wallTimeMillis, state: f.payload.state, message: f.payload.message });
      setStateBadge(this.badge, f.payload.state);
      // Only a reset brings a run with a curve back to step 0. Its event comes after every
      // frame of the run it ends (one ordered stream), so it is the moment to drop the old
      // curves, and to fetch the reset weights' histogram.
      const reset = f.observable === "state" && f.step === 0 && this.lastCurveStep() > 0;
      if (reset) {
        // The steps the scrubber could show are gone with the old run: back to live.
        this.scrubber.goLive();
        this.clearCurves();
        this.histogram.restart();
      }
      if (f.observable === "state") {
        this.spectrum.onState(f.payload.state, f.step, reset);
        this.dynamics.onState(f.payload.state, f.step, reset);
      }
    } else if (f.payload.kind === "scalar" && f.layer === "") {
      this.onScalar(f.observable, f.step, f.payload.value, f.payload.mergedCount);
    }
  }

  private onScalar(observable: string, step: number, value: number, merged: number): void {
    const chart = this.charts.find((c) => c.handles(observable));
    if (!chart) return;
    // Drawn already: the watch may send the record again from before its end. (A reset shows
    // as its state event, or, if no stream saw it, as a stopped run behind its curve: update().)
    if (step <= chart.series.get(observable)!.lastStep) return;
    chart.push(observable, step, value, merged);
    if (step > this.step) this.setStep(step);
  }

  private onMissedReset(sim: Simulation): void {
    if (!this.feed.resync()) return;
    this.scrubber.goLive();
    this.histogram.restart();
    this.spectrum.onState(sim.state, Number(sim.step), true);
    this.dynamics.onState(sim.state, Number(sim.step), true);
  }

  private lastCurveStep(): number {
    return Math.max(-1, ...this.charts.flatMap((c) => [...c.series.values()].map((s) => s.lastStep)));
  }

  private clearCurves(): void {
    for (const c of this.charts) c.clear();
    this.step = 0;
    this.loadedStep = -1;
  }

  private setStep(step: number): void {
    this.step = step;
    this.stepText.textContent = formatStep(step);
    this.scrubber.setRunStep(step);
  }

  private refreshStats(): void {
    let downsampled = false;
    for (const c of this.charts) {
      for (const [name, s] of c.series) {
        const stat = this.stats.get(name)!;
        stat.value.textContent = formatScalar(s.lastValue);
        stat.count.textContent = String(s.samples);
        stat.unit.textContent = s.samples === 1 ? " sample" : " samples";
        downsampled ||= s.downsampled;
      }
    }
    this.downsampledNote.hidden = !downsampled;
  }

  private header(): HTMLElement {
    const spec = this.sim.spec;
    const what = spec
      ? `${spec.model?.kind ?? "?"} · ${spec.learningRule?.kind ?? "?"} · ${spec.task?.kind ?? "?"} · batch ${spec.batchSize} · seed ${spec.seed}`
      : "";
    const lineage = [
      this.sim.preset ? `preset ${this.sim.preset}` : "",
      this.sim.parentId ? `forked from ${this.sim.parentId} at step ${formatStep(this.sim.forkStep)}` : "",
    ].filter((s) => s !== "").map((s) => ` · ${s}`).join("");
    return h(
      "header",
      { className: "sim-header" },
      h("div", { className: "sim-header-left" },
        this.details.name,
        h("p", { className: "muted" }, h("span", { className: "mono" }, this.sim.id), ` · ${what}${lineage} · `,
          this.exports.el),
        this.details.tags,
        this.details.notes),
      h("div", { className: "sim-header-right" },
        this.badge,
        h("div", { className: "step-box" },
          h("span", { className: "muted small" }, "step"),
          this.stepText,
          h("span", { className: "muted small", title: "The last step whose scalars are in the run record" }, this.recordedText, this.mergedText))),
      this.status,
    );
  }

  private statCard(observable: string): HTMLElement {
    const value = h("span", { className: "stat-value", testid: `${observable}-last` }, "–");
    const count = h("span", { testid: `${observable}-points` }, "0");
    const unit = h("span", {}, " samples");
    this.stats.set(observable, { value, count, unit });
    return h("div", { className: "stat", title: `latest ${observable}; samples the curve stands for (the run record, then live)` },
      h("span", { className: "stat-label" }, observable.replace("_", " ")),
      value,
      h("span", { className: "muted small" }, count, unit));
  }
}
