// The "Weights" tab of the steering card: Gaussian noise on the weights (all, a layer or one
// parameter) and on every training input, freezing a layer or parameter (its values held after
// every update) or releasing it, and setting one element of a parameter. Indices are checked
// against the parameter's shape (post × pre), standard deviations against the API's rules.

import { commands, type Simulation } from "@eiscope/client";
import { checkNumber, checkPositive } from "./checks";
import { h } from "./dom";
import { checkAll, indexRule, selectField, type SteerContext, SteerForm, textField } from "./steer-form";

/** float32's largest finite value: what a parameter element can hold. */
const FLOAT32_MAX = 3.4028234663852886e38;

export class SteerWeights {
  readonly el: HTMLElement;
  private readonly noiseTarget;
  private readonly freezeTarget;
  private readonly setParameter;
  private readonly row;
  private readonly col;

  constructor(private readonly ctx: SteerContext) {
    const sim = ctx.sim();
    this.noiseTarget = selectField(
      "steer-noise-target",
      "on",
      [["", "every parameter"], ...targets(sim)],
      "Where the noise is added",
    );
    const noiseStd = textField("steer-noise-std", "σ", "0.01", "Standard deviation of the noise, > 0", (t) => checkPositive(t));
    const noise = new SteerForm(
      ctx,
      "steer-noise",
      "Weight noise",
      "Add N(0, σ²) from the run's seeded noise stream to the weights, once.",
      [this.noiseTarget.el, noiseStd.el],
      "Add noise",
      () => {
        const v = checkAll<[string, number]>([this.noiseTarget, noiseStd]);
        return v && commands.addWeightNoise(v[1], v[0]);
      },
    );

    const inputStd = textField("steer-input-noise-std", "σ", "0", "Standard deviation; 0 turns input noise off", (t) =>
      checkNumber(t, { min: 0, max: FLOAT32_MAX }),
    );
    const input = new SteerForm(
      ctx,
      "steer-input-noise",
      "Input noise",
      "Add N(0, σ²) to every training input from now on (0: off); held-out evaluations stay clean.",
      [inputStd.el],
      "Set",
      () => {
        const v = checkAll<[number]>([inputStd]);
        return v && commands.inputNoise(v[0]);
      },
    );

    this.freezeTarget = selectField("steer-freeze-target", "target", targets(sim), "The layer or parameter held fixed");
    const freezeMode = selectField(
      "steer-freeze-mode",
      "action",
      [
        ["freeze", "freeze"],
        ["release", "release"],
      ],
      "Freeze: its values are put back after every update; release: it learns again",
    );
    const freeze = new SteerForm(
      ctx,
      "steer-freeze",
      "Freeze",
      "Hold a layer's or parameter's values fixed after every update, or release them.",
      [this.freezeTarget.el, freezeMode.el],
      "Apply",
      () => {
        const v = checkAll<[string, string]>([this.freezeTarget, freezeMode]);
        return v && commands.freeze(v[0], v[1] === "freeze");
      },
    );

    this.setParameter = selectField(
      "steer-set-weight-parameter",
      "parameter",
      sim.parameters.map((p): [string, string] => [p.name, `${p.name} [${p.shape.join(" × ")}]`]),
      "The parameter whose element is set",
    );
    this.row = textField(
      "steer-set-weight-row",
      "row (post)",
      "0",
      "Row: the post-synaptic unit",
      (t) => checkNumber(t, indexRule(this.shape()[0])),
      "numeric",
    );
    this.col = textField(
      "steer-set-weight-col",
      "column (pre)",
      "0",
      "Column: the pre-synaptic unit or input",
      (t) => checkNumber(t, indexRule(this.shape()[1])),
      "numeric",
    );
    const value = textField("steer-set-weight-value", "value", "0", "The new value (float32)", (t) =>
      checkNumber(t, { min: -FLOAT32_MAX, max: FLOAT32_MAX }),
    );
    const set = new SteerForm(
      ctx,
      "steer-set-weight",
      "Set a weight",
      "Set one element of a parameter (weight matrices are post × pre).",
      [this.setParameter.el, this.row.el, this.col.el, value.el],
      "Set",
      () => {
        const v = checkAll<[string, number, number, number]>([this.setParameter, this.row, this.col, value]);
        return v && commands.setWeight(v[0], v[1], v[2], v[3]);
      },
    );
    this.el = h("div", { className: "steer-tab-body" }, noise.el, input.el, freeze.el, set.el);
  }

  update(sim: Simulation): void {
    this.noiseTarget.setOptions([["", "every parameter"], ...targets(sim)]);
    this.freezeTarget.setOptions(targets(sim));
  }

  /** [rows, cols] of the chosen parameter (a vector is one row). */
  private shape(): [number | undefined, number | undefined] {
    const p = this.ctx.sim().parameters.find((q) => q.name === this.setParameter.control.value);
    return p ? [p.shape.length === 2 ? p.shape[0] : 1, p.shape[p.shape.length - 1]] : [undefined, undefined];
  }
}

/** The run's layers, then its parameters: what freeze and weight noise may name. */
function targets(sim: Simulation): [string, string][] {
  return [
    ...sim.layers.map((l): [string, string] => [l, `${l} (layer)`]),
    ...sim.parameters.map((p): [string, string] => [p.name, `${p.name} [${p.shape.join(" × ")}]`]),
  ];
}
