// The spectrum of one chosen weight matrix, live: singular values, eigenvalues (square
// matrices), spectral radius, normalised SVD entropy and both effective ranks. Spectra cost
// the server O(n^3) each, so the panel is closed until asked for, and while the simulation
// runs it watches every N steps and at most MAX_HZ per second. When the simulation stops it
// watches afresh once, which measures at the step it stopped on: a paused simulation shows
// the spectrum of its current weights, whatever the cadence skipped. At a past step chosen with
// the step scrubber it shows what Measure gives there, drawn the same way. Below, the same
// matrix over time (spectrum-history.ts): a waterfall of singular values and the scalars' curves.

import { type Catalogue, type ParameterInfo, type Simulation, type SimulationState, type WatchFrame } from "@eiscope/client";
import { formatStep, h, replaceChildren } from "./dom";
import { CadencedWatch, fillCadences, newer, remember, remembered, type Sample } from "./cadenced-watch";
import { defaultTarget, findSpectralTargets } from "./spectral-targets";
import { EigenvaluePlot, SingularValuePlot } from "./spectrum-canvas";
import { SpectralHistory } from "./spectrum-history";
import { NUMBERS, SpectrumNumbers } from "./spectrum-numbers";
import { describeShown, fillSpectrumPicker, whyNoEigenvalues } from "./spectrum-picker";
import { PastMeasure, type StepView } from "./past-measure";

const SINGULAR_VALUES = "singular_values";
const EIGENVALUES = "eigenvalues";
const SPECTRAL = [SINGULAR_VALUES, EIGENVALUES, ...NUMBERS.map((n) => n.observable)];
const DEFAULT_CADENCE = 50;
const MAX_HZ = 1;
const OPEN_KEY = "eiscope.spectrum.open";

export class SpectrumPanel implements StepView {
  readonly el: HTMLElement;
  private readonly simId: string;
  private readonly offered: string[];
  private readonly shapes: Map<string, number[]>;
  private readonly parameterNames: string[];
  private readonly toggle = h("button", { type: "button", testid: "spectrum-toggle" });
  private readonly select = h("select", { testid: "spectrum-target", title: "Weight matrix or effective E/I matrix" });
  private readonly cadence = h("select", {
    testid: "spectrum-every",
    title: "While running, measure every this many steps (and at most once a second)",
  });
  private readonly logBox = h("input", { type: "checkbox", testid: "spectrum-log" });
  private readonly problem = h("span", { className: "warn small", testid: "spectrum-problem" });
  private readonly closedHint = h(
    "span",
    { className: "muted small" },
    "singular values, eigenvalues, NSE and effective ranks of a weight matrix, live",
  );
  private readonly body = h("div", { className: "spectrum-body" });
  private readonly info = h("span", { className: "muted small", testid: "spectrum-info" });
  private readonly numbers = new SpectrumNumbers();
  private readonly history: SpectralHistory;
  private readonly singular: SingularValuePlot;
  private readonly eigen: EigenvaluePlot;
  private searched = false;
  private stopSearch?: () => void;
  private readonly live: CadencedWatch;
  private readonly past: PastMeasure;
  private open = false;
  private frames = 0;
  private spectrum?: Sample<Float32Array>;
  private eigenvalues?: Sample<Float32Array>;
  private readonly scalars = new Map<string, Sample<number>>();

  constructor(sim: Simulation, catalogue: Catalogue) {
    this.simId = sim.id;
    const offered = new Set(catalogue.observables.map((o) => o.name));
    this.offered = SPECTRAL.filter((o) => offered.has(o));
    // Effective matrices have their own shapes when the server says them (Simulation.effective_matrices).
    this.parameterNames = sim.parameters.map((p) => p.name);
    this.shapes = new Map([...sim.parameters, ...sim.effectiveMatrices].map((p: ParameterInfo) => [p.name, p.shape]));
    fillCadences(this.cadence, DEFAULT_CADENCE);
    const svBody = h("div", { className: "spectrum-plot" });
    const eigBody = h("div", { className: "spectrum-plot" });
    this.history = new SpectralHistory(sim.id, this.offered);
    replaceChildren(
      this.body,
      this.numbers.el,
      h("div", { className: "spectrum-plots" }, svBody, eigBody),
      h("footer", { className: "card-footer" }, this.info),
      this.history.el,
    );
    this.singular = new SingularValuePlot(svBody);
    this.eigen = new EigenvaluePlot(eigBody);
    this.past = new PastMeasure(this.simId, this.problem, "spectrum-past");
    this.el = h(
      "section",
      { className: "card spectrum", testid: "spectrum-panel" },
      h(
        "header",
        { className: "card-header" },
        h("h3", {}, "Spectrum"),
        this.past.badge,
        this.closedHint,
        h("span", { className: "spacer" }),
        this.problem,
        h("label", { className: "toggle small muted", title: "Logarithmic singular-value axis" }, this.logBox, "log σ"),
        this.cadence,
        this.select,
        this.toggle,
      ),
      this.body,
    );
    this.live = new CadencedWatch(this.simId, sim.state, this.el, this.cadence, this.problem, MAX_HZ);
    this.toggle.addEventListener("click", () => this.setOpen(!this.open));
    this.select.addEventListener("change", () => this.choose(this.select.value));
    this.cadence.addEventListener("change", () => this.live.isRunning && !this.past.isFrozen && this.rewatch());
    this.logBox.addEventListener("change", () => this.singular.setLogScale(this.logBox.checked));
    if (this.offered.length === 0) {
      this.el.hidden = true; // a server without spectra
      return;
    }
    this.setOpen(remembered(OPEN_KEY));
  }

  /** A state event at `step` from the view's stream; `reset`: the simulation went back to the start. */
  onState(state: SimulationState, step: number, reset = false): void {
    const rewatch = this.live.onState(state, step, this.shownStep());
    if (this.past.isFrozen) return; // showing a past step: the state of the run does not change it
    if (reset) this.clear();
    if (reset || rewatch) this.rewatch();
  }

  /** A command took effect: a paused run's weights may have changed, so measure them again (live only). */
  onIntervention(): void {
    if (!this.past.isFrozen && !this.live.isRunning) this.rewatch();
  }

  freeze(): void {
    this.past.freeze();
    this.past.cancel();
    this.live.end(false);
  }

  showStep(step: number, signal: AbortSignal): Promise<void> {
    this.past.pin(step);
    return this.watch(signal);
  }

  goLive(): void {
    if (!this.past.isFrozen) return;
    this.past.unpin();
    this.clear();
    this.rewatch();
  }

  /** Ends its watches, keeping what it shows (the simulation is gone). */
  stop(): void {
    this.stopSearch?.();
    this.stopSearch = undefined;
    this.live.end();
    this.past.cancel();
    this.history.stop();
  }

  destroy(): void {
    this.stop();
    this.singular.destroy();
    this.eigen.destroy();
    this.history.destroy();
  }

  private setOpen(open: boolean): void {
    this.open = open;
    remember(OPEN_KEY, open);
    this.toggle.textContent = open ? "Hide" : "Show";
    this.toggle.title = open ? "Stop watching spectra" : "Watch spectra (each costs the server one SVD or eigendecomposition)";
    for (const el of [this.body, this.select, this.cadence, this.logBox.parentElement!]) el.hidden = !open;
    this.closedHint.hidden = open;
    this.el.dataset.open = String(open);
    if (!open) {
      this.stopSearch?.();
      this.stopSearch = undefined;
      this.live.end();
      this.past.cancel();
      this.history.show("");
    } else if (this.searched) {
      this.rewatch();
    } else {
      this.search();
    }
  }

  private search(): void {
    this.info.textContent = "finding the weight matrices…";
    this.select.disabled = true;
    this.stopSearch = findSpectralTargets(
      this.simId,
      new Set(this.offered),
      (targets) => fillSpectrumPicker(this.select, targets, this.shapes, this.parameterNames),
      (targets) => {
        this.searched = true;
        this.stopSearch = undefined;
        this.select.disabled = false;
        fillSpectrumPicker(this.select, targets, this.shapes, this.parameterNames);
        const listed = [...this.select.options].map((o) => o.value);
        const first = defaultTarget(listed, this.shapes);
        if (first) this.choose(first);
        else this.info.textContent = "no weight matrices to analyse";
      },
    );
  }

  private choose(name: string): void {
    this.select.value = name;
    this.clear();
    this.history.show(name);
    this.rewatch();
  }

  /** watch() for callers that do not wait: a failed measurement is said on the problem line. */
  private rewatch(): void {
    this.watch().catch(() => {});
  }

  /**
   * Live: (re)opens the watch of the chosen target (see CadencedWatch.start). At a past step:
   * measures it there; resolves once shown, at once when there is nothing to show (closed).
   */
  private watch(signal?: AbortSignal): Promise<void> {
    const target = this.select.value;
    this.live.end(false);
    if (!this.open || !this.searched || !target) {
      this.past.cancel();
      return Promise.resolve();
    }
    if (this.past.isFrozen) {
      return this.past.measure(
        this.offered,
        target,
        (frames) => {
          this.clear();
          for (const f of frames) this.onFrame(target, f);
        },
        () => this.clear(),
        signal,
      );
    }
    // A frame already on its way when the scrubber froze the panel is not shown.
    this.live.start(this.offered, target, (f, every) => this.past.isFrozen || this.onFrame(target, f, every));
    return Promise.resolve();
  }

  /** `everySteps`: the cadence of the live watch that brought `f` (undefined: measured once). */
  private onFrame(target: string, f: WatchFrame, everySteps?: number): void {
    // A layer selector also picks that layer's parameters ("rnn0" picks "rnn0.W"): keep the target's own.
    if (f.layer !== target) return;
    this.history.onFrame(f, everySteps);
    const p = f.payload;
    if (p.kind === "tensor" && f.observable === SINGULAR_VALUES) {
      if (!newer(this.spectrum, f.step)) return;
      this.spectrum = { step: f.step, value: p.tensor.data };
      this.singular.set(p.tensor.data);
      // A matrix of unknown shape whose singular values came without eigenvalues: say so rather than wait.
      if (!this.eigenvalues && !whyNoEigenvalues(target, this.shapes)) {
        this.eigen.set(
          undefined,
          `no eigenvalues for ${target} at step ${formatStep(f.step)}: the server sends them for square matrices only`,
        );
      }
    } else if (p.kind === "tensor" && f.observable === EIGENVALUES) {
      if (!newer(this.eigenvalues, f.step)) return;
      this.eigenvalues = { step: f.step, value: p.tensor.data };
      this.eigen.set(p.tensor.data);
    } else if (p.kind === "scalar" && this.numbers.has(f.observable)) {
      if (!newer(this.scalars.get(f.observable), f.step)) return;
      this.scalars.set(f.observable, { step: f.step, value: p.value });
    } else {
      return;
    }
    this.frames += 1;
    this.showNumbers();
  }

  private showNumbers(): void {
    this.numbers.show(this.scalars, this.spectrum);
    const sv = this.spectrum;
    this.el.dataset.frames = String(this.frames);
    this.el.dataset.step = String(this.shownStep());
    this.info.textContent = describeShown(this.select.value, sv, this.eigenvalues, this.shapes, this.parameterNames);
  }

  /** The oldest step among what is shown (-1: nothing yet). */
  private shownStep(): number {
    const steps = [this.spectrum, this.eigenvalues, ...this.scalars.values()].filter((s) => s !== undefined).map((s) => s.step);
    return steps.length ? Math.min(...steps) : -1;
  }

  private clear(): void {
    this.spectrum = undefined;
    this.eigenvalues = undefined;
    this.scalars.clear();
    this.frames = 0;
    this.singular.set(undefined);
    this.eigen.set(
      undefined,
      whyNoEigenvalues(this.select.value, this.shapes) ?? "waiting for eigenvalues (square matrices only)…",
    );
    this.showNumbers();
  }
}
