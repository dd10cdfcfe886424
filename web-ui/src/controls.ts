// Play, Pause, Step n, Reset and Delete for one simulation, and live steering: the learning
// rate, pruning and fork (applied by the server at the next step boundary, and logged). The
// step count, the rate (within the current rule's bounds in the catalogue) and the prune
// percentage are checked in the browser first, each message under its box; nothing is sent
// until it is right.

import { type Catalogue, Code, ConnectError, commands, describeError, type Simulation, SimulationState } from "@eiscope/client";
import { client } from "./api";
import { type Checked, checkNumber } from "./checks";
import { h } from "./dom";
import { FieldError } from "./field-error";
import { noteRefusal } from "./session";
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
    title: "Number of learning-rule updates to run, then pause",
  });
  private readonly stepCountError = new FieldError(this.stepCount, "step-count-error");
  private readonly reset = button("Reset", "reset-button");
  private readonly remove = button("Delete", "delete-button", "danger subtle");
  private readonly error = h("div", { className: "error-banner", testid: "control-error", role: "alert" });
  private readonly learningRate = h("input", {
    type: "text",
    inputmode: "decimal",
    className: "steer-input",
    testid: "steer-lr",
    title: "The current learning rule's learning rate; Set applies it at the next step boundary",
  });
  private readonly learningRateError = new FieldError(this.learningRate, "steer-lr-error");
  private readonly setRate = button("Set", "steer-lr-button");
  /** The learning-rate box holds a value typed but not yet Set: polls leave it alone. */
  private rateEdited = false;
  private readonly pruneFraction = h("input", {
    type: "text",
    inputmode: "decimal",
    value: 50,
    className: "steer-input",
    testid: "steer-prune",
    title: "Percent of the weights to have pruned (smallest magnitude first, all layers together); pruned weights stay zero",
  });
  private readonly pruneError = new FieldError(this.pruneFraction, "steer-prune-error");
  private readonly prune = button("Prune", "steer-prune-button");
  private readonly fork = button("Fork", "fork-button");
  /** Why this token may not steer (the server's PERMISSION_DENIED message), once it said so. */
  private refusal?: string;
  /** The rule in force, whose catalogue entry bounds the learning rate. */
  private ruleKind = "";

  /** `gone` runs when the server answers that the simulation does not exist (NOT_FOUND). */
  constructor(
    id: string,
    private readonly catalogue: Catalogue,
    private readonly gone: () => void,
  ) {
    this.error.hidden = true;
    this.el = h(
      "div",
      { className: "controls" },
      h(
        "div",
        { className: "control-row" },
        this.play,
        this.pause,
        h(
          "span",
          { className: "field-with-error" },
          h("span", { className: "step-group" }, this.stepCount, this.stepButton),
          this.stepCountError.el,
        ),
        this.reset,
        h("span", { className: "spacer" }),
        this.remove,
      ),
      h(
        "div",
        { className: "control-row steer-row" },
        withError(
          h("label", { className: "steer-label" }, "learning rate", this.learningRate, this.setRate),
          this.learningRateError,
        ),
        withError(h("label", { className: "steer-label" }, "prune %", this.pruneFraction, this.prune), this.pruneError),
        h("span", { className: "spacer" }),
        this.fork,
      ),
      this.error,
    );
    this.learningRate.addEventListener("input", () => (this.rateEdited = true));
    this.setRate.addEventListener("click", () => {
      const rate = this.checked(this.learningRateError, checkNumber(this.learningRate.value, this.rateRule()));
      if (rate === undefined) return;
      this.rateEdited = false;
      this.run(() => client.apply(id, commands.setRuleParams({ learning_rate: rate })));
    });
    this.prune.addEventListener("click", () => {
      const percent = this.checked(this.pruneError, checkNumber(this.pruneFraction.value, { min: 0, max: 100, unit: " %" }));
      if (percent !== undefined) this.run(() => client.apply(id, commands.prune(percent / 100)));
    });
    this.fork.addEventListener("click", () =>
      this.run(async () => {
        const child = await client.fork(id);
        store.upsert(child);
        location.hash = `#/sim/${encodeURIComponent(child.id)}`;
      }),
    );
    this.play.addEventListener("click", () => this.run(() => client.play(id)));
    this.pause.addEventListener("click", () => this.run(() => client.pause(id)));
    this.stepButton.addEventListener("click", () => {
      const n = this.checked(
        this.stepCountError,
        checkNumber(this.stepCount.value, { integer: true, min: 1, max: Number.MAX_SAFE_INTEGER }),
      );
      if (n !== undefined) this.run(() => client.step(id, n));
    });
    this.stepCount.addEventListener("keydown", (e) => {
      if (e.key === "Enter") this.stepButton.click();
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
    const running = sim.state === SimulationState.RUNNING;
    this.play.disabled = running || this.refusal !== undefined;
    this.pause.disabled = !running || this.refusal !== undefined;
    this.ruleKind = sim.learningRule?.kind ?? sim.spec?.learningRule?.kind ?? "";
    const rate = sim.learningRule?.params?.learning_rate?.kind;
    // Focus alone is not enough: pressing Set blurs the box before the click, and a poll in
    // between would put the old rate back and Set would send it.
    if (!this.rateEdited && document.activeElement !== this.learningRate && rate?.case === "number") {
      this.learningRate.value = String(rate.value);
    }
  }

  /** The token may watch but not steer: every control is disabled, and the server's message says why. */
  readOnly(message: string): void {
    this.refusal = message;
    for (const c of this.el.querySelectorAll<HTMLButtonElement | HTMLInputElement>("button, input")) {
      c.disabled = true;
      c.title = `This token may not steer runs: ${message}`;
    }
    this.error.textContent = `This token may watch runs but not steer them: ${message}`;
    this.error.hidden = false;
  }

  /** The learning rate's bounds in the catalogue entry of the rule in force (> 0 if it is unknown). */
  private rateRule() {
    const info = this.catalogue.learningRules
      .find((r) => r.kind === this.ruleKind)
      ?.params.find((p) => p.name === "learning_rate");
    return info && info.max > info.min ? { min: info.min, max: info.max } : { min: Number.MIN_VALUE };
  }

  /** The value, or undefined after showing why not in `error`. */
  private checked<T>(error: FieldError, c: Checked<T>): T | undefined {
    error.show(c.ok ? undefined : c.error);
    return c.ok ? c.value : undefined;
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

function withError(control: HTMLElement, error: FieldError): HTMLElement {
  return h("span", { className: "field-with-error" }, control, error.el);
}

function button(label: string, testid: string, className = ""): HTMLButtonElement {
  return h("button", { className, testid, type: "button" }, label);
}
