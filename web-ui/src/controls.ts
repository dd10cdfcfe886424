// Play, Pause, Step n, Run until, Reset and Delete for one simulation, the quick steering row
// (learning rate, prune, fork: steer-quick.ts) and the line where the server's refusals are
// said. The step count and the run-until step are checked in the browser first, each message
// under its box; nothing is sent until it is right. Space and → (run-keys.ts) call
// togglePlay() and stepFromField().

import { type Catalogue, Code, ConnectError, commands, describeError, type Simulation, SimulationState } from "@eiscope/client";
import { client } from "./api";
import { checkNumber } from "./checks";
import { h } from "./dom";
import { FieldError } from "./field-error";
import { noteRefusal } from "./session";
import { button, checked, SteerQuick, withError } from "./steer-quick";
import { store } from "./store";

export class Controls {
  readonly el: HTMLElement;
  private readonly play = button("Play", "play-button", "primary");
  private readonly pause = button("Pause", "pause-button");
  private readonly stepButton = button("Step", "step-button");
  private readonly stepCount = h("input", {
    type: "text",
    inputmode: "numeric",
    value: 100,
    className: "step-count",
    testid: "step-count",
    title: "Number of learning-rule updates to run, then pause (→ runs them too)",
  });
  private readonly stepCountError = new FieldError(this.stepCount, "step-count-error");
  private readonly untilStep = h("input", {
    type: "text",
    inputmode: "numeric",
    className: "step-count",
    testid: "run-until-step",
    placeholder: "step",
    title: "Play until this step, then pause (a step after the current one)",
  });
  private readonly untilError = new FieldError(this.untilStep, "run-until-step-error");
  private readonly runUntil = button("Run until", "run-until-button");
  private readonly reset = button("Reset", "reset-button");
  private readonly remove = button("Delete", "delete-button", "danger subtle");
  private readonly error = h("div", { className: "error-banner", testid: "control-error", role: "alert" });
  private readonly quick: SteerQuick;
  /** Why this token may not steer (the server's PERMISSION_DENIED message), once it said so. */
  private refusal?: string;
  private running = false;
  private step = 0;

  /** `gone` runs when the server answers that the simulation does not exist (NOT_FOUND). */
  constructor(
    private readonly id: string,
    catalogue: Catalogue,
    private readonly gone: () => void,
  ) {
    this.error.hidden = true;
    this.quick = new SteerQuick(id, catalogue, (action) => this.run(action));
    this.el = h(
      "div",
      { className: "controls" },
      h(
        "div",
        { className: "control-row" },
        this.play,
        this.pause,
        withError(h("span", { className: "step-group" }, this.stepCount, this.stepButton), this.stepCountError),
        withError(h("span", { className: "step-group" }, this.untilStep, this.runUntil), this.untilError),
        this.reset,
        h(
          "span",
          { className: "muted small keys-hint", testid: "keys-hint", title: "Keyboard: ? lists the keys" },
          "Space play/pause · → step · ? keys",
        ),
        h("span", { className: "spacer" }),
        this.remove,
      ),
      this.quick.el,
      this.error,
    );
    this.play.addEventListener("click", () => this.run(() => client.play(id)));
    this.pause.addEventListener("click", () => this.run(() => client.pause(id)));
    this.stepButton.addEventListener("click", () => this.stepFromField());
    this.stepCount.addEventListener("keydown", (e) => {
      if (e.key === "Enter") this.stepButton.click();
    });
    this.runUntil.addEventListener("click", () => {
      const n = checked(
        this.untilError,
        checkNumber(this.untilStep.value, { integer: true, min: this.step + 1, max: Number.MAX_SAFE_INTEGER }),
      );
      if (n !== undefined) this.run(() => client.apply(id, commands.runUntil(n)));
    });
    this.untilStep.addEventListener("keydown", (e) => {
      if (e.key === "Enter") this.runUntil.click();
    });
    this.reset.addEventListener("click", () => this.run(() => client.reset(id)));
    this.remove.addEventListener("click", () => {
      if (!confirm(`Delete simulation ${id}? Its streams end and it is forgotten.`)) return;
      this.run(async () => {
        await client.delete(id);
        store.remove(id); // so that "#/" opens another run, not this one again
        location.hash = "#/";
      });
    });
  }

  update(sim: Simulation): void {
    // A queued run is under way too: Pause takes it out of the queue.
    this.running = sim.state === SimulationState.RUNNING || sim.state === SimulationState.QUEUED;
    this.step = Number(sim.step);
    this.play.disabled = this.running || this.refusal !== undefined;
    this.pause.disabled = !this.running || this.refusal !== undefined;
    this.quick.update(sim);
  }

  /** Space: pause a running run, else play it (what the enabled button of the two would do). */
  togglePlay(): void {
    const b = this.running ? this.pause : this.play;
    if (!b.disabled) b.click();
  }

  /** → and Step: the step field's count (checked, its message under it), or `one` step. */
  stepFromField(one = false): void {
    if (this.stepButton.disabled) return;
    const n = one
      ? 1
      : checked(this.stepCountError, checkNumber(this.stepCount.value, { integer: true, min: 1, max: Number.MAX_SAFE_INTEGER }));
    if (n !== undefined) this.run(() => client.step(this.id, n));
  }

  /** The token may watch but not steer: every control is disabled, and the server's message says why. */
  readOnly(message: string): void {
    this.refusal = message;
    for (const c of this.el.querySelectorAll<HTMLButtonElement | HTMLInputElement | HTMLSelectElement>("button, input, select")) {
      c.disabled = true;
      c.title = `This token may not steer runs: ${message}`;
    }
    this.error.textContent = `This token may watch runs but not steer them: ${message}`;
    this.error.hidden = false;
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
        if (e instanceof ConnectError && e.code === Code.NotFound) {
          this.gone();
          return;
        }
        if (noteRefusal(e)) return; // the view makes every run's controls read-only (readOnly)
        this.error.textContent = describeError(e);
        this.error.hidden = false;
      });
  }
}
