// The page of one simulation: what it is (name, tags, notes: editable), its controls,
// learning curves drawn from the run record and continued live, a live weight histogram, its
// events, the spectrum of a weight matrix and, for recurrent networks, the dynamics of a
// cell; the intervention log as a table and as markers on the curves. One RecordedWatch feeds
// curves (run-curves.ts) and events; the other panels have their own watches.
// A step scrubber moves the histogram, spectrum and dynamics panels to a past step (the
// curves stay live, marked at that step) and forks from it.
// A run deleted elsewhere is shown as gone: greyed, "deleted", every control disabled; with a
// token that may not steer (the server refused it once), the steering controls say so.
// Steering beyond the quick row is in the Steer card; the panels that open on demand join
// RunAddress, so the address says which are open (a reload or a link restores them); Space
// and → play and step (run-keys.ts).

import { type Catalogue, type History, type RunEvent, type Simulation, SimulationState, type WatchFrame } from "@eiscope/client";
import type { PanelState } from "./panel-registry";
import { RunAddress } from "./run-address";
import { bindRunKeys } from "./run-keys";
import { SteerCard } from "./steer-card";
import { setStateBadge } from "./api";
import { Controls } from "./controls";
import { DynamicsPanel } from "./dynamics-panel";
import { formatStep, h } from "./dom";
import { EventsPanel } from "./events-panel";
import { ExportLinks } from "./export-links";
import { HistogramPanel } from "./histogram-panel";
import { InterventionLog } from "./intervention-log";
import { RecordedWatch } from "./recorded-watch";
import { HELD_OUT, RunCurves, SCALARS } from "./run-curves";
import { RunDetails } from "./run-details";
import { onSteerRefusal } from "./session";
import { SpectrumPanel } from "./spectrum-panel";
import { StepScrubber } from "./step-scrubber";
import { WeightPanels } from "./weight-panels";

export class SimulationView {
  readonly el: HTMLElement;
  private readonly badge = h("span", { testid: "sim-state" });
  private readonly stepText = h("span", { className: "big-number", testid: "sim-step" });
  private readonly recordedText = h("span", { testid: "sim-recorded-step" });
  private readonly mergedText = h("span", { testid: "sim-merged-samples" });
  private readonly status = h("p", { className: "status-message", testid: "status-message" });
  private readonly details: RunDetails;
  private readonly controls: Controls;
  private readonly curves = new RunCurves();
  private readonly interventions: InterventionLog;
  private readonly histogram: HistogramPanel;
  private readonly spectrum: SpectrumPanel;
  private readonly dynamics: DynamicsPanel;
  private readonly weights: WeightPanels;
  private readonly events = new EventsPanel();
  private readonly scrubber: StepScrubber;
  private readonly feed: RecordedWatch;
  private readonly unsubscribeRefusal: () => void;
  private readonly exports = new ExportLinks();
  private readonly steer: SteerCard;
  private readonly address: RunAddress;
  private readonly unbindKeys: () => void;
  private step = 0;
  private gone = false;
  private historyMaxPoints = 0;
  /** The last step of the record as loaded: events up to it are listed already. */
  private loadedStep = -1;
  /** "step|message" of the interventions listed from the record, which the watch may send again. */
  private loadedEvents = new Set<string>();

  /** `early`: GetSimulation of this run made as the page started, for the first read of its record. */
  constructor(
    private sim: Simulation,
    catalogue: Catalogue,
    early?: Promise<Simulation>,
  ) {
    this.details = new RunDetails(sim.id);
    this.controls = new Controls(sim.id, catalogue, () => this.markGone());
    this.steer = new SteerCard({ id: sim.id, catalogue, sim: () => this.sim, gone: () => this.markGone() });
    this.curves.fileBase = sim.id;
    this.interventions = new InterventionLog(sim.id, (markers) => this.curves.setInterventions(markers));
    this.histogram = new HistogramPanel(sim.id, sim.parameters);
    this.spectrum = new SpectrumPanel(sim, catalogue);
    this.dynamics = new DynamicsPanel(sim, catalogue);
    this.weights = new WeightPanels(sim, catalogue);
    this.scrubber = new StepScrubber(sim.id, [this.histogram, this.spectrum, this.dynamics, ...this.weights.views], (step) => {
      this.curves.setMarker(step);
      this.exports.setStep(step);
    });
    this.el = h(
      "div",
      { className: "sim-view", testid: "sim-view", "data-id": sim.id },
      this.header(),
      this.controls.el,
      this.steer.el,
      this.scrubber.el,
      this.curves.stats,
      this.curves.charts,
      h("div", { className: "grid-2" }, this.histogram.el, this.events.el),
      this.interventions.el,
      this.weights.el,
      this.spectrum.el,
      this.dynamics.el,
    );
    this.update(sim);
    const offered = new Set(catalogue.observables.map((o) => o.name));
    const scalars = SCALARS.filter((o) => offered.has(o));
    this.feed = new RecordedWatch(
      sim.id,
      scalars,
      [...scalars, "state", "intervention"].filter((o) => offered.has(o)),
      () => this.maxPoints(),
      {
        loaded: (s, history, events) => this.onLoaded(s, history, events),
        frame: (f) => this.onFrame(f),
        status: (p) => this.curves.setProblem(p),
        gone: () => this.markGone(),
      },
      early,
    );
    this.unsubscribeRefusal = onSteerRefusal((message) => this.readOnly(message));
    this.unbindKeys = bindRunKeys(this.controls);
    this.address = new RunAddress(sim.id, this.el, [this.steer.linked]);
  }

  /** The panels an address names (undefined: as they were), on open and when a link to this run is followed. */
  applyLink(panels: PanelState | undefined): void {
    this.address.apply(panels);
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
    setStateBadge(this.badge, sim.state, sim.queuePosition);
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
    this.steer.update(sim);
    this.details.update(sim);
    this.exports.update(sim);
  }

  /** The token may watch but not steer (the server refused it, with `message`): the steering controls say so. */
  private readOnly(message: string): void {
    this.el.dataset.readOnly = "true";
    this.controls.readOnly(message);
    this.steer.readOnly(message);
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
    this.curves.setProblem(undefined);
    this.interventions.stop();
    this.details.disable();
    this.histogram.stop();
    this.spectrum.stop();
    this.dynamics.stop();
    this.weights.stop();
    for (const c of this.el.querySelectorAll<HTMLButtonElement | HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>(
      "button, input, select, textarea",
    )) {
      c.disabled = true;
    }
  }

  destroy(): void {
    this.unsubscribeRefusal();
    this.unbindKeys();
    this.address.destroy();
    this.feed.stop();
    this.scrubber.stop();
    this.interventions.stop();
    this.curves.destroy();
    this.histogram.destroy();
    this.spectrum.destroy();
    this.dynamics.destroy();
    this.weights.destroy();
  }

  /** About two points per pixel of the chart, so a million-step run comes as a few thousand points. */
  private maxPoints(): number {
    this.historyMaxPoints = this.curves.maxPoints();
    return this.historyMaxPoints;
  }

  /**
   * The record up to `history.lastStep`: the curves and events start over from it. Returns the
   * step to watch from: after the record, or from just after the last held-out evaluation
   * recorded when one that is due by then is not in yet (evaluations run off the training
   * thread, so they can be recorded after later steps).
   */
  private onLoaded(sim: Simulation, history: History, events: RunEvent[]): number {
    this.clearCurves();
    this.curves.load(history);
    this.events.load(events);
    this.loadedEvents = new Set(events.map((e) => `${e.kind}|${e.step}|${e.message}`));
    void this.interventions.reload();
    this.el.dataset.historyStep = String(history.lastStep);
    this.el.dataset.historyMaxPoints = String(this.historyMaxPoints);
    this.loadedStep = history.lastStep;
    this.update(sim);
    this.setStep(Math.max(this.step, history.lastStep));
    const every = sim.spec?.evalEverySteps ?? 0;
    const due = every > 0 ? Math.floor(history.lastStep / every) * every : 0;
    const evaluated = Math.min(...HELD_OUT.map((o) => Math.max(0, this.curves.lastStepOf(o))));
    const from = evaluated < due ? Math.max(0, evaluated) + 1 : history.lastStep + 1;
    this.el.dataset.watchFrom = String(from);
    return from;
  }

  private onFrame(f: WatchFrame): void {
    if (f.payload.kind === "event") {
      // A command took effect (possibly at the step the record was read to, on a paused run):
      // read the log again for the table and the markers.
      if (f.observable === "intervention") {
        void this.interventions.reload();
        // A command may have changed the weights (prune, noise, set weight) of a paused run too.
        this.weights.onIntervention();
        this.spectrum.onIntervention();
      }
      this.steer.onEvent(); // a watchpoint set, removed or fired
      // Listed from the record already: the watch may start before its end. An event at the
      // step the record was read to may be new (a command applied to a paused run, Play on it),
      // so it counts as listed only if the record holds that very event. A state event at step
      // 0 is a reset's, always new (an earlier reset's may be listed with the same words).
      const key = `${f.observable}|${f.step}|${f.payload.message}`;
      const listed =
        f.observable === "intervention"
          ? this.loadedEvents.delete(key)
          : f.step > 0 && f.step <= this.loadedStep && this.loadedEvents.delete(key);
      if (listed) return;
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
        void this.interventions.reload();
      }
      if (f.observable === "state") {
        this.spectrum.onState(f.payload.state, f.step, reset);
        this.dynamics.onState(f.payload.state, f.step, reset);
        this.weights.onState(f.payload.state, f.step, reset);
      }
    } else if (f.payload.kind === "scalar" && f.layer === "") {
      this.onScalar(f.observable, f.step, f.payload.value, f.payload.mergedCount);
    }
  }

  private onScalar(observable: string, step: number, value: number, merged: number): void {
    // Not drawn when it was already: the watch may send the record again from before its end.
    // (A reset shows as its state event, or, if no stream saw it, as a stopped run behind its
    // curve: update().)
    if (this.curves.push(observable, step, value, merged) && step > this.step) this.setStep(step);
  }

  private onMissedReset(sim: Simulation): void {
    if (!this.feed.resync()) return;
    this.scrubber.goLive();
    this.histogram.restart();
    void this.interventions.reload();
    this.spectrum.onState(sim.state, Number(sim.step), true);
    this.dynamics.onState(sim.state, Number(sim.step), true);
    this.weights.onState(sim.state, Number(sim.step), true);
  }

  private lastCurveStep(): number {
    return this.curves.lastStep();
  }

  private clearCurves(): void {
    this.curves.clear();
    this.step = 0;
    this.loadedStep = -1;
  }

  private setStep(step: number): void {
    this.step = step;
    this.stepText.textContent = formatStep(step);
    this.scrubber.setRunStep(step);
  }

  private header(): HTMLElement {
    const spec = this.sim.spec;
    const what = spec
      ? `${spec.model?.kind ?? "?"} · ${spec.learningRule?.kind ?? "?"} · ${spec.task?.kind ?? "?"} · batch ${spec.batchSize} · seed ${spec.seed}`
      : "";
    const lineage = [
      this.sim.preset ? `preset ${this.sim.preset}` : "",
      this.sim.parentId ? `forked from ${this.sim.parentId} at step ${formatStep(this.sim.forkStep)}` : "",
    ]
      .filter((s) => s !== "")
      .map((s) => ` · ${s}`)
      .join("");
    return h(
      "header",
      { className: "sim-header" },
      h(
        "div",
        { className: "sim-header-left" },
        this.details.name,
        h("p", { className: "muted" }, h("span", { className: "mono" }, this.sim.id), ` · ${what}${lineage} · `, this.exports.el),
        this.details.tags,
        this.details.notes,
      ),
      h(
        "div",
        { className: "sim-header-right" },
        this.badge,
        h(
          "div",
          { className: "step-box" },
          h("span", { className: "muted small" }, "step"),
          this.stepText,
          h(
            "span",
            { className: "muted small", title: "The last step whose scalars are in the run record" },
            this.recordedText,
            this.mergedText,
          ),
        ),
      ),
      this.status,
    );
  }
}
