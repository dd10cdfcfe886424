// The dynamics of one recurrent cell, live: a heatmap of its hidden states on one trial of the
// probe batch (time on x, units on y), and how lazy its learning is (Liu et al. 2024): kernel
// and representation alignment, relative change of the recurrent matrix, fraction of active
// units, each with the step it was measured at. Shown only for networks with recurrent cells
// (parameters "rnnK.*"); closed until asked for, like the spectrum panel: the kernel alignment
// costs the server a BPTT per output. While running it watches every N steps and at most
// MAX_HZ per second; when the simulation stops it watches afresh once, which measures at the
// step it stopped on. At a past step chosen with the step scrubber it shows what Measure gives
// there, drawn the same way.

import { type Catalogue, type ParameterInfo, type Simulation, type SimulationState, type WatchFrame } from "@eiscope/client";
import { formatScalar, formatStep, h, replaceChildren } from "./dom";
import { HiddenStateHeatmap } from "./hidden-heatmap";
import { CadencedWatch, fillCadences, newer, remember, remembered, type Sample } from "./cadenced-watch";
import { PastMeasure, type StepView } from "./past-measure";

const HIDDEN = "hidden_states";
const NUMBERS: { observable: string; label: string; title: string }[] = [
  {
    observable: "kernel_alignment",
    label: "kernel alignment",
    title:
      "Tangent-kernel alignment with the initial kernel, on the probe trials: closer to 1 = lazier (computed off the training thread, so it may lag)",
  },
  {
    observable: "representation_alignment",
    label: "representation alignment",
    title: "Alignment of the probe trials' representation kernel H Hᵀ (last step) with the initial one: closer to 1 = lazier",
  },
  {
    observable: "relative_weight_change",
    label: "relative weight change",
    title: "‖W − W₀‖ / ‖W₀‖ of the recurrent matrix (the effective signed matrix for E/I cells): larger = richer",
  },
  {
    observable: "activation_fraction_active",
    label: "fraction active",
    title: "Fraction of the cell's activity values on the probe batch that are > 0",
  },
];
const OBSERVABLES = [HIDDEN, ...NUMBERS.map((n) => n.observable)];
const DEFAULT_CADENCE = 20;
const MAX_HZ = 1;
const OPEN_KEY = "eiscope.dynamics.open";

/** A [time, trial, unit] hidden-states tensor. */
interface HiddenStates {
  shape: number[];
  data: Float32Array;
}

export class DynamicsPanel implements StepView {
  readonly el: HTMLElement;
  private readonly simId: string;
  private readonly offered: string[];
  private readonly toggle = h("button", { type: "button", testid: "dynamics-toggle" });
  private readonly select = h("select", { testid: "dynamics-cell", title: "Recurrent cell" });
  private readonly cadence = h("select", {
    testid: "dynamics-every",
    title: "While running, measure every this many steps (and at most once a second)",
  });
  private readonly trialRange = h("input", {
    type: "range",
    min: 0,
    max: 31,
    value: 0,
    testid: "dynamics-trial",
    title: "Probe trial shown",
  });
  private readonly trialNumber = h("input", {
    type: "number",
    min: 0,
    max: 31,
    value: 0,
    className: "trial-number",
    testid: "dynamics-trial-number",
  });
  private readonly problem = h("span", { className: "warn small", testid: "dynamics-problem" });
  private readonly closedHint = h(
    "span",
    { className: "muted small" },
    "hidden states of a recurrent cell and how lazy its learning is, live",
  );
  private readonly body = h("div", { className: "dynamics-body" });
  private readonly info = h("span", { className: "muted small", testid: "dynamics-info" });
  private readonly max = h("span", { className: "stat-value", testid: "dynamics-max" }, "–");
  private readonly numbers = new Map<string, { value: HTMLElement; step: HTMLElement }>();
  private readonly heatmap: HiddenStateHeatmap;
  private readonly live: CadencedWatch;
  private readonly past: PastMeasure;
  private open = false;
  private frames = 0;
  private hidden?: Sample<HiddenStates>;
  private readonly scalars = new Map<string, Sample<number>>();

  constructor(sim: Simulation, catalogue: Catalogue) {
    this.simId = sim.id;
    const offered = new Set(catalogue.observables.map((o) => o.name));
    this.offered = OBSERVABLES.filter((o) => offered.has(o));
    const cells = recurrentCells(sim.parameters);
    for (const c of cells) this.select.append(h("option", { value: c }, c));
    fillCadences(this.cadence, DEFAULT_CADENCE);
    const plot = h("div", { className: "dynamics-plot" });
    replaceChildren(
      this.body,
      h(
        "div",
        { className: "dynamics-controls" },
        h("label", { className: "small muted" }, "probe trial ", this.trialRange, this.trialNumber),
        h(
          "div",
          {
            className: "spectrum-number",
            title: "Largest hidden activity of the trial shown (the top of the colour scale for non-negative activity)",
          },
          h("span", { className: "stat-label" }, "max activity (this trial)"),
          this.max,
        ),
      ),
      plot,
      this.table(),
      h("footer", { className: "card-footer" }, this.info),
    );
    this.heatmap = new HiddenStateHeatmap(plot);
    this.past = new PastMeasure(this.simId, this.problem, "dynamics-past");
    this.el = h(
      "section",
      { className: "card dynamics", testid: "dynamics-panel" },
      h(
        "header",
        { className: "card-header" },
        h("h3", {}, "Dynamics"),
        this.past.badge,
        this.closedHint,
        h("span", { className: "spacer" }),
        this.problem,
        this.cadence,
        this.select,
        this.toggle,
      ),
      this.body,
    );
    this.live = new CadencedWatch(this.simId, sim.state, this.el, this.cadence, this.problem, MAX_HZ);
    this.toggle.addEventListener("click", () => this.setOpen(!this.open));
    this.select.addEventListener("change", () => this.choose());
    this.cadence.addEventListener("change", () => this.live.isRunning && !this.past.isFrozen && this.rewatch());
    this.trialRange.addEventListener("input", () => this.setTrial(Number(this.trialRange.value)));
    this.trialNumber.addEventListener("change", () => this.setTrial(Number(this.trialNumber.value)));
    if (cells.length === 0 || !this.offered.includes(HIDDEN)) {
      this.el.hidden = true; // a feed-forward network, or a server without hidden states
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

  /** Ends its watch, keeping what it shows (the simulation is gone). */
  stop(): void {
    this.live.end();
    this.past.cancel();
  }

  destroy(): void {
    this.stop();
    this.heatmap.destroy();
  }

  private setOpen(open: boolean): void {
    this.open = open;
    remember(OPEN_KEY, open);
    this.toggle.textContent = open ? "Hide" : "Show";
    this.toggle.title = open
      ? "Stop watching the cell's dynamics"
      : "Watch hidden states and laziness measures (the kernel alignment costs the server a BPTT per output)";
    for (const el of [this.body, this.select, this.cadence]) el.hidden = !open;
    this.closedHint.hidden = open;
    this.el.dataset.open = String(open);
    if (open) {
      this.rewatch();
    } else {
      this.live.end();
      this.past.cancel();
    }
  }

  private choose(): void {
    this.clear();
    this.rewatch();
  }

  /** watch() for callers that do not wait: a failed measurement is said on the problem line. */
  private rewatch(): void {
    this.watch().catch(() => {});
  }

  /**
   * Live: (re)opens the watch of the chosen cell (see CadencedWatch.start). At a past step:
   * measures it there; resolves once shown, at once when there is nothing to show (closed).
   */
  private watch(signal?: AbortSignal): Promise<void> {
    const cell = this.select.value;
    this.live.end(false);
    if (!this.open || !cell) {
      this.past.cancel();
      return Promise.resolve();
    }
    if (this.past.isFrozen) {
      return this.past.measure(
        this.offered,
        cell,
        (frames) => {
          this.clear();
          for (const f of frames) this.onFrame(cell, f);
        },
        () => this.clear(),
        signal,
      );
    }
    // A frame already on its way when the scrubber froze the panel is not shown.
    this.live.start(this.offered, cell, (f) => this.past.isFrozen || this.onFrame(cell, f));
    return Promise.resolve();
  }

  private onFrame(cell: string, f: WatchFrame): void {
    // The cell selector also picks its parameters ("rnn0" picks "rnn0.W"): keep the cell's own.
    if (f.layer !== cell) return;
    const p = f.payload;
    if (p.kind === "tensor" && f.observable === HIDDEN && p.tensor.shape.length === 3) {
      if (!newer(this.hidden, f.step)) return;
      this.hidden = { step: f.step, value: p.tensor };
      const trials = p.tensor.shape[1];
      for (const input of [this.trialRange, this.trialNumber]) input.max = String(Math.max(0, trials - 1));
      if (Number(this.trialRange.value) >= trials) this.setTrial(trials - 1);
      this.showHidden();
    } else if (p.kind === "scalar" && this.numbers.has(f.observable)) {
      if (!newer(this.scalars.get(f.observable), f.step)) return;
      this.scalars.set(f.observable, { step: f.step, value: p.value });
      this.showNumbers();
    } else {
      return;
    }
    this.frames += 1;
    this.el.dataset.frames = String(this.frames);
    this.el.dataset.step = String(this.shownStep());
  }

  private setTrial(trial: number): void {
    const last = Number(this.trialRange.max);
    const t = Math.min(last, Math.max(0, Math.round(Number.isFinite(trial) ? trial : 0)));
    this.trialRange.value = String(t);
    this.trialNumber.value = String(t);
    this.showHidden();
  }

  /** Draws the chosen trial of the newest hidden states, and says its max and shape. */
  private showHidden(): void {
    const s = this.hidden;
    if (!s) {
      this.heatmap.set(undefined);
      this.max.textContent = "–";
      for (const k of ["value", "step", "trial"]) delete this.max.dataset[k];
      this.info.textContent = "";
      return;
    }
    const [steps, trials, units] = s.value.shape;
    const trial = Math.min(trials - 1, Number(this.trialRange.value));
    const values = new Float32Array(steps * units);
    for (let t = 0; t < steps; t++) {
      values.set(s.value.data.subarray((t * trials + trial) * units, (t * trials + trial + 1) * units), t * units);
    }
    this.heatmap.set({ steps, units, values });
    const max = values.reduce((a, b) => Math.max(a, b), -Infinity);
    this.max.textContent = formatScalar(max);
    Object.assign(this.max.dataset, { value: String(max), step: String(s.step), trial: String(trial) });
    this.max.title = `trial ${trial} at step ${formatStep(s.step)}`;
    this.info.textContent = `step ${formatStep(s.step)} · trial ${trial} of ${trials} probe trials · ${steps} steps × ${units} units`;
  }

  private showNumbers(): void {
    for (const [observable, cells] of this.numbers) {
      const s = this.scalars.get(observable);
      cells.value.textContent = formatScalar(s?.value);
      cells.value.dataset.value = s ? String(s.value) : "";
      cells.value.dataset.step = s ? String(s.step) : "";
      cells.step.textContent = s ? formatStep(s.step) : "–";
    }
  }

  /** The oldest step among what is shown (-1: nothing yet). */
  private shownStep(): number {
    const steps = [this.hidden, ...this.scalars.values()].filter((s) => s !== undefined).map((s) => s.step);
    return steps.length ? Math.min(...steps) : -1;
  }

  private clear(): void {
    this.hidden = undefined;
    this.scalars.clear();
    this.frames = 0;
    this.el.dataset.frames = "0";
    this.el.dataset.step = "-1";
    this.showHidden();
    this.showNumbers();
  }

  private table(): HTMLElement {
    const rows = NUMBERS.filter((n) => this.offered.includes(n.observable)).map((n) => {
      const value = h("td", { className: "num", testid: `dynamics-${n.observable}` }, "–");
      const step = h("td", { className: "num muted", testid: `dynamics-${n.observable}-step` }, "–");
      this.numbers.set(n.observable, { value, step });
      return h("tr", { title: n.title }, h("th", { scope: "row" }, n.label), value, step);
    });
    return h(
      "table",
      { className: "dynamics-table" },
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          h("th", {}, "laziness (this cell)"),
          h("th", { className: "num" }, "value"),
          h("th", { className: "num" }, "at step"),
        ),
      ),
      h("tbody", {}, ...rows),
    );
  }
}

/** The recurrent cells of a model, from its parameter names ("rnn0.W" -> "rnn0"), in order. */
export function recurrentCells(parameters: ParameterInfo[]): string[] {
  const cells = new Set<string>();
  for (const p of parameters) {
    const m = /^(rnn\d+)\./.exec(p.name);
    if (m) cells.add(m[1]);
  }
  return [...cells].sort((a, b) => a.localeCompare(b, "en", { numeric: true }));
}
