// Play, Pause, Step n, Reset and Delete for one simulation.

import { describeError, type Simulation, SimulationState } from "@eiscope/client";
import { client } from "./api";
import { h } from "./dom";
import { store } from "./store";

export class Controls {
  readonly el: HTMLElement;
  private readonly play = button("Play", "play-button", "primary");
  private readonly pause = button("Pause", "pause-button");
  private readonly stepButton = button("Step", "step-button");
  private readonly stepCount = h("input", {
    type: "number", min: 1, step: 1, value: 100, className: "step-count", testid: "step-count",
    title: "Number of learning-rule updates to run, then pause",
  });
  private readonly reset = button("Reset", "reset-button");
  private readonly remove = button("Delete", "delete-button", "danger subtle");
  private readonly error = h("div", { className: "error-banner", testid: "control-error", role: "alert" });

  constructor(id: string) {
    this.error.hidden = true;
    this.el = h(
      "div",
      { className: "controls" },
      h("div", { className: "control-row" },
        this.play, this.pause,
        h("span", { className: "step-group" }, this.stepCount, this.stepButton),
        this.reset,
        h("span", { className: "spacer" }),
        this.remove),
      this.error,
    );
    this.play.addEventListener("click", () => this.run(() => client.play(id)));
    this.pause.addEventListener("click", () => this.run(() => client.pause(id)));
    this.stepButton.addEventListener("click", () => this.run(() => client.step(id, this.steps())));
    this.stepCount.addEventListener("keydown", (e) => {
      if (e.key === "Enter") this.stepButton.click();
    });
    this.reset.addEventListener("click", () => this.run(() => client.reset(id)));
    this.remove.addEventListener("click", () => {
      if (!confirm(`Delete simulation ${id}? Its streams end and it is forgotten.`)) return;
      this.run(async () => {
        await client.delete(id);
        location.hash = "#/";
      });
    });
  }

  update(sim: Simulation): void {
    const running = sim.state === SimulationState.RUNNING;
    this.play.disabled = running;
    this.pause.disabled = !running;
  }

  private steps(): number {
    const n = Math.floor(Number(this.stepCount.value));
    return Number.isFinite(n) && n >= 1 ? n : 1;
  }

  private run(action: () => Promise<unknown>): void {
    this.error.hidden = true;
    action()
      .then((result) => {
        const sim = (result as { simulation?: Simulation } | undefined)?.simulation;
        if (sim) store.upsert(sim);
        void store.refresh();
      })
      .catch((e) => {
        this.error.textContent = describeError(e);
        this.error.hidden = false;
      });
  }
}

function button(label: string, testid: string, className = ""): HTMLButtonElement {
  return h("button", { className, testid, type: "button" }, label);
}
