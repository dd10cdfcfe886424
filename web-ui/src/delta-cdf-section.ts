// The mirror-descent geometry test of Pogodin et al. 2024 over time, for one parameter: for each
// candidate potential φ (the catalogue's dual_change_delta_cdf_<φ> observables: 2-norm, 3-norm,
// 1.5-norm, negative entropy), the ΔCDF of the standardised dual change ∇φ(w) − ∇φ(w0) against
// N(0, 1). The potential that trained the run gives the most Gaussian change: the lowest curve.
// These are recorded scalars: the curves start from the run record (GetHistory, so a page opened
// late shows what was measured before), then grow with a watch every N steps while open.

import { describeError, type Catalogue, type SimulationState } from "@eiscope/client";
import { client } from "./api";
import { CadencedWatch, fillCadences } from "./cadenced-watch";
import { h } from "./dom";
import { StepLines } from "./step-lines";

const PREFIX = "dual_change_delta_cdf_";
const COLOURS = ["#2563eb", "#e08a1e", "#16a34a", "#9333ea", "#dc2626", "#0891b2"];
/** About 2 million weights measured per second at most (4 potentials, O(n log n) each), 1 to 20 times a second. */
const WEIGHTS_PER_SECOND = 2e6;

/** "1p5_norm" → "1.5-norm", "negative_entropy" → "negative entropy". */
export function potentialLabel(observable: string): string {
  return observable
    .slice(PREFIX.length)
    .replace(/^(\d+)p(\d+)/, "$1.$2")
    .replace("_norm", "-norm")
    .replace(/_/g, " ");
}

export class DeltaCdfSection {
  readonly el: HTMLElement;
  readonly observables: string[];
  private readonly cadence = h("select", { testid: "dcdf-every", title: "While running, measure every this many steps" });
  private readonly problem = h("span", { className: "warn small", testid: "dcdf-problem" });
  private readonly chart?: StepLines;
  private readonly live: CadencedWatch;
  private target = "";
  private load?: AbortController;
  private lastStep = -1;

  constructor(
    private readonly simId: string,
    catalogue: Catalogue,
    state: SimulationState,
    private readonly sizes: Map<string, number>,
  ) {
    this.observables = catalogue.observables.map((o) => o.name).filter((n) => n.startsWith(PREFIX));
    fillCadences(this.cadence, 10);
    const plot = h("div", { className: "dcdf-plot", testid: "dcdf-chart" });
    this.el = h(
      "div",
      { className: "dcdf", testid: "dcdf-section" },
      h(
        "div",
        { className: "card-header" },
        h(
          "h4",
          { title: "Pogodin et al. 2024: only the potential that trained the weights gives Gaussian dual-space changes" },
          "Geometry test: ΔCDF of the dual change ∇φ(w) − ∇φ(w₀) against N(0, 1), per potential φ (lowest: the run's geometry)",
        ),
        h("span", { className: "spacer" }),
        this.problem,
        this.cadence,
      ),
      plot,
    );
    this.live = new CadencedWatch(simId, state, this.el, this.cadence, this.problem, () => this.maxHz());
    if (this.observables.length === 0) {
      this.el.hidden = true;
      return;
    }
    this.chart = new StepLines(
      plot,
      this.observables.map((o, i) => ({ key: o, label: potentialLabel(o), color: COLOURS[i % COLOURS.length] })),
      { left: "ΔCDF" },
    );
    this.cadence.addEventListener("change", () => this.target && this.watch());
  }

  /** Shows `target` (a parameter: the observables are per parameter) from its record on; "" stops. */
  show(target: string): void {
    this.stop();
    this.target = target;
    this.chart?.clear();
    this.el.hidden = !target || !this.chart;
    if (this.el.hidden) return;
    void this.loadRecord(target).then(() => this.target === target && this.watch());
  }

  /** A state event at `step`: the watch measures every N steps while running, once at the step it stops on. */
  onState(state: SimulationState, step: number, reset: boolean): void {
    const rewatch = this.live.onState(state, step, this.lastStep);
    if (reset) this.chart?.clear();
    if (this.target && (reset || rewatch)) this.watch();
  }

  stop(): void {
    this.load?.abort();
    this.live.end();
  }

  destroy(): void {
    this.stop();
    this.chart?.destroy();
  }

  private async loadRecord(target: string): Promise<void> {
    const load = (this.load = new AbortController());
    try {
      const history = await client.history(this.simId, { observables: this.observables, layers: [target] });
      if (load.signal.aborted) return;
      for (const s of history.series) {
        if (s.layer === target) this.chart?.add(s.observable, s.steps, s.values);
        this.lastStep = Math.max(this.lastStep, s.steps.at(-1) ?? -1);
      }
    } catch (e) {
      if (!load.signal.aborted) this.problem.textContent = `record: ${describeError(e)}`;
    }
  }

  /** Measurements a second: cheap for a point neuron's 1,000 weights, bounded for a 784 x 500 matrix. */
  private maxHz(): number {
    return Math.min(20, Math.max(1, WEIGHTS_PER_SECOND / (this.sizes.get(this.target) ?? 1)));
  }

  private watch(): void {
    this.live.start(this.observables, this.target, (f) => {
      if (f.layer !== this.target || f.payload.kind !== "scalar") return;
      this.chart?.add(f.observable, [f.step], [f.payload.value]);
      this.lastStep = Math.max(this.lastStep, f.step);
    });
  }
}
