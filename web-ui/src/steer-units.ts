// The "Units" tab of the steering card: lesion a unit (its incoming and outgoing weights zeroed
// and kept zero) and clamp a unit's output at a value, or release it. The layer is one of the
// run's layers; the unit index is checked against the layer's size where the parameters say it
// (unitCount), and the server judges the rest (e.g. inhibitory units of a layer without any),
// its message shown beside the button.

import { commands, type Simulation } from "@eiscope/client";
import { checkNumber, type Checked } from "./checks";
import { h } from "./dom";
import { checkAll, indexRule, selectField, type SteerContext, SteerForm, textField } from "./steer-form";

/**
 * How many units `population` of `layer` has, from the parameters' shapes: the rows of the
 * layer's first parameter for its excitatory (or only) units, which the server lists first
 * (W, Wex, W_pos, U, Uex, U_pos, w: post × pre), and the rows of `<layer>.Wix` for its
 * inhibitory units. Undefined when the parameters do not say (the server then checks the index).
 * tests/steer.test.mjs checks these counts against the server for every model of the catalogue.
 */
export function unitCount(sim: Simulation, layer: string, inhibitory: boolean): number | undefined {
  const own = sim.parameters.filter((p) => p.name.startsWith(`${layer}.`) && p.shape.length === 2);
  const p = inhibitory ? own.find((q) => q.name === `${layer}.Wix`) : own[0];
  return p?.shape[0];
}

export class SteerUnits {
  readonly el: HTMLElement;
  private readonly lesionLayer;
  private readonly population;
  private readonly lesionUnit;
  private readonly clampLayer;
  private readonly clampUnit;
  private readonly clampValue;
  private readonly clampMode;

  constructor(private readonly ctx: SteerContext) {
    const layers = () => ctx.sim().layers.map((l): [string, string] => [l, l]);
    this.lesionLayer = selectField("steer-lesion-layer", "layer", layers(), "The layer whose unit is lesioned");
    this.population = selectField(
      "steer-lesion-population",
      "population",
      [
        ["excitatory", "excitatory (or plain)"],
        ["inhibitory", "inhibitory"],
      ],
      "Excitatory units, or the units of a layer without E/I populations; inhibitory: a DANN layer's interneurons",
    );
    this.lesionUnit = textField(
      "steer-lesion-unit",
      "unit",
      "0",
      "Index of the unit in its population",
      (t) => this.checkUnit(t, this.lesionLayer.control.value, this.population.control.value === "inhibitory"),
      "numeric",
    );
    const lesion = new SteerForm(
      ctx,
      "steer-lesion",
      "Lesion",
      "Zero a unit's incoming and outgoing weights and keep them zero through all later learning.",
      [this.lesionLayer.el, this.population.el, this.lesionUnit.el],
      "Lesion",
      () => {
        const v = checkAll<[string, string, number]>([this.lesionLayer, this.population, this.lesionUnit]);
        return v && commands.lesion(v[0], v[2], v[1] === "inhibitory");
      },
    );

    this.clampLayer = selectField("steer-clamp-layer", "layer", layers(), "The layer whose unit's output is held");
    this.clampUnit = textField(
      "steer-clamp-unit",
      "unit",
      "0",
      "Index into the layer's outputs",
      (t) => this.checkUnit(t, this.clampLayer.control.value, false),
      "numeric",
    );
    this.clampMode = selectField(
      "steer-clamp-mode",
      "action",
      [
        ["clamp", "clamp at value"],
        ["release", "release"],
      ],
      "Hold the unit's output at the value in every later forward pass (its gradient is zero), or release it",
    );
    this.clampValue = textField("steer-clamp-value", "value", "0", "The output the unit is held at", (t) =>
      this.clampMode.control.value === "release" ? { ok: true, value: 0 } : checkNumber(t, { min: -3.4e38, max: 3.4e38 }),
    );
    this.clampMode.control.addEventListener("change", () => {
      this.clampValue.control.disabled = this.clampMode.control.value === "release";
    });
    const clamp = new SteerForm(
      ctx,
      "steer-clamp",
      "Clamp",
      "Hold one unit's output at a value from now on, or release it.",
      [this.clampLayer.el, this.clampUnit.el, this.clampMode.el, this.clampValue.el],
      "Apply",
      () => {
        const v = checkAll<[string, number, string, number]>([this.clampLayer, this.clampUnit, this.clampMode, this.clampValue]);
        return v && commands.clampUnit(v[0], v[1], v[3], v[2] === "clamp");
      },
    );
    for (const f of [this.lesionLayer, this.population]) f.control.addEventListener("change", () => this.hints());
    this.clampLayer.control.addEventListener("change", () => this.hints());
    this.el = h("div", { className: "steer-tab-body" }, lesion.el, clamp.el);
    this.hints();
  }

  /** Layers can only change with a new run, but the run passed in may be a fresher copy. */
  update(sim: Simulation): void {
    const layers = sim.layers.map((l): [string, string] => [l, l]);
    this.lesionLayer.setOptions(layers);
    this.clampLayer.setOptions(layers);
    this.hints();
  }

  /** The index range of the chosen layer, shown as the unit field's placeholder and title. */
  private hints(): void {
    const sim = this.ctx.sim();
    const say = (input: HTMLInputElement | HTMLSelectElement, n: number | undefined) => {
      input.dataset.units = n === undefined ? "" : String(n);
      input.title = n === undefined ? "Index of the unit (the server checks the range)" : `Index of the unit, 0 to ${n - 1}`;
    };
    say(this.lesionUnit.control, unitCount(sim, this.lesionLayer.control.value, this.population.control.value === "inhibitory"));
    say(this.clampUnit.control, unitCount(sim, this.clampLayer.control.value, false));
  }

  private checkUnit(text: string, layer: string, inhibitory: boolean): Checked<number> {
    return checkNumber(text, indexRule(unitCount(this.ctx.sim(), layer, inhibitory)));
  }
}
