// The panels of a run's weights, mounted together by the run's view: a heatmap of one matrix
// and the distributions of its values. Each is closed until opened and follows the step scrubber.

import type { Catalogue, Simulation, SimulationState } from "@eiscope/client";
import { DistributionsPanel } from "./distributions-panel";
import { h } from "./dom";
import { HeatmapPanel } from "./heatmap-panel";
import type { StepView } from "./past-measure";
import "./weight-panels.css";

export class WeightPanels {
  readonly el: HTMLElement;
  private readonly heatmap: HeatmapPanel;
  private readonly distributions: DistributionsPanel;

  constructor(sim: Simulation, catalogue: Catalogue) {
    this.heatmap = new HeatmapPanel(sim);
    this.distributions = new DistributionsPanel(sim, catalogue);
    this.el = h("div", { className: "weight-panels" }, this.heatmap.el, this.distributions.el);
  }

  /** What the step scrubber moves. */
  get views(): StepView[] {
    return [this.heatmap, this.distributions];
  }

  /** A state event at `step` from the view's stream; `reset`: the run went back to step 0. */
  onState(state: SimulationState, step: number, reset = false): void {
    this.heatmap.onState(state, step, reset);
    this.distributions.onState(state, step, reset);
  }

  /** A command took effect: the weights may have changed (a prune, noise, a set weight), even on a paused run. */
  onIntervention(): void {
    this.heatmap.reread();
    this.distributions.reread();
  }

  /** Ends every read, keeping what is shown (the run is gone). */
  stop(): void {
    this.heatmap.stop();
    this.distributions.stop();
  }

  destroy(): void {
    this.heatmap.destroy();
    this.distributions.destroy();
  }
}
