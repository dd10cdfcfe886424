// The quick steering row of a run, always in view: the learning rate (within the bounds of the
// rule in force in the catalogue), pruning (a percentage, by magnitude or at random, over all
// layers or per layer) and Fork. The rest of steering is in the Steer card (steer-card.ts).
// Values are checked in the browser first, each message under its box; nothing is sent until
// it is right; what the server says goes to `run` (the controls' message line).

import { type Catalogue, commands, type Simulation } from "@eiscope/client";
import { client } from "./api";
import { type Checked, checkNumber } from "./checks";
import { h } from "./dom";
import { FieldError } from "./field-error";
import { store } from "./store";

export class SteerQuick {
  readonly el: HTMLElement;
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
    title: "Percent of the weights to have pruned, counting earlier pruning; pruned weights stay zero",
  });
  private readonly pruneError = new FieldError(this.pruneFraction, "steer-prune-error");
  private readonly pruneMethod = h(
    "select",
    { testid: "steer-prune-method", title: "Which weights go first" },
    h("option", { value: "magnitude" }, "smallest |w|"),
    h("option", { value: "random" }, "at random"),
  );
  private readonly pruneScope = h(
    "select",
    {
      testid: "steer-prune-scope",
      title: "Whether all weight matrices compete together or each layer is pruned to the percentage",
    },
    h("option", { value: "global" }, "all layers"),
    h("option", { value: "per_layer" }, "per layer"),
  );
  private readonly prune = button("Prune", "steer-prune-button");
  private readonly fork = button("Fork", "fork-button");
  /** The rule in force, whose catalogue entry bounds the learning rate. */
  private ruleKind = "";

  /** `run` sends a call and shows what the server says (Controls.run). */
  constructor(
    id: string,
    private readonly catalogue: Catalogue,
    run: (action: () => Promise<unknown>) => void,
  ) {
    this.el = h(
      "div",
      { className: "control-row steer-row" },
      withError(
        h("label", { className: "steer-label" }, "learning rate", this.learningRate, this.setRate),
        this.learningRateError,
      ),
      withError(
        h("label", { className: "steer-label" }, "prune %", this.pruneFraction, this.pruneMethod, this.pruneScope, this.prune),
        this.pruneError,
      ),
      h("span", { className: "spacer" }),
      this.fork,
    );
    this.learningRate.addEventListener("input", () => (this.rateEdited = true));
    this.setRate.addEventListener("click", () => {
      const rate = checked(this.learningRateError, checkNumber(this.learningRate.value, this.rateRule()));
      if (rate === undefined) return;
      this.rateEdited = false;
      run(() => client.apply(id, commands.setRuleParams({ learning_rate: rate })));
    });
    this.prune.addEventListener("click", () => {
      const percent = checked(this.pruneError, checkNumber(this.pruneFraction.value, { min: 0, max: 100, unit: " %" }));
      if (percent === undefined) return;
      const method = this.pruneMethod.value as "magnitude" | "random";
      const scope = this.pruneScope.value as "global" | "per_layer";
      run(() => client.apply(id, commands.prune(percent / 100, method, scope)));
    });
    this.fork.addEventListener("click", () =>
      run(async () => {
        const child = await client.fork(id);
        store.upsert(child);
        location.hash = `#/sim/${encodeURIComponent(child.id)}`;
      }),
    );
  }

  update(sim: Simulation): void {
    this.ruleKind = sim.learningRule?.kind ?? sim.spec?.learningRule?.kind ?? "";
    const rate = sim.learningRule?.params?.learning_rate?.kind;
    // Focus alone is not enough: pressing Set blurs the box before the click, and a poll in
    // between would put the old rate back and Set would send it.
    if (!this.rateEdited && document.activeElement !== this.learningRate && rate?.case === "number") {
      this.learningRate.value = String(rate.value);
    }
  }

  /** The learning rate's bounds in the catalogue entry of the rule in force (> 0 if it is unknown). */
  private rateRule() {
    const info = this.catalogue.learningRules
      .find((r) => r.kind === this.ruleKind)
      ?.params.find((p) => p.name === "learning_rate");
    return info && info.max > info.min ? { min: info.min, max: info.max } : { min: Number.MIN_VALUE };
  }
}

/** The value, or undefined after showing why not in `error`. */
export function checked<T>(error: FieldError, c: Checked<T>): T | undefined {
  error.show(c.ok ? undefined : c.error);
  return c.ok ? c.value : undefined;
}

export function withError(control: HTMLElement, error: FieldError): HTMLElement {
  return h("span", { className: "field-with-error" }, control, error.el);
}

export function button(label: string, testid: string, className = ""): HTMLButtonElement {
  return h("button", { className, testid, type: "button" }, label);
}
