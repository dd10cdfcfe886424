// The "Rule" tab of the steering card: every hyper-parameter of the learning rule in force (its
// catalogue entry's fields, showing the values in force; "Set" sends the ones changed, in one
// SetRuleParams), and "Switch rule": any rule of the catalogue with its fields at their defaults
// (SwitchRule, fresh optimiser state; only values that differ from the defaults are sent, so the
// log reads "switch the learning rule to adam (learning_rate 0.01)"). Values are typed and
// bounded by the catalogue (param-field.ts, checks.ts) before anything is sent.

import {
  type ComponentInfo,
  commands,
  fromValue,
  type PlainValue,
  type Simulation,
  toTypedValue,
  type Value,
} from "@eiscope/client";
import { h, replaceChildren } from "./dom";
import { type ParamField, paramField } from "./param-field";
import { type SteerContext, SteerForm } from "./steer-form";

export class SteerRule {
  readonly el: HTMLElement;
  private readonly setForm: SteerForm;
  private readonly setFields = h("div", { className: "steer-param-grid", testid: "steer-set-fields" });
  private readonly setTitle = h("span", { testid: "steer-set-rule" });
  private fields: ParamField[] = [];
  /** kind + params of the rule the fields show, to refill them when it changes elsewhere. */
  private shown = "";
  /** A value was typed and not yet sent: polls leave the fields alone. */
  private edited = false;
  private readonly switchForm: SteerForm;
  private readonly kind: HTMLSelectElement;
  private readonly switchFields = h("div", { className: "steer-param-grid", testid: "steer-switch-fields" });
  private switchParams: ParamField[] = [];

  constructor(private readonly ctx: SteerContext) {
    this.setForm = new SteerForm(
      ctx,
      "steer-set",
      "Hyper-parameters",
      "The rule in force, with its values; Set sends those you changed (optimiser state is kept where it fits).",
      [h("p", { className: "small" }, "rule in force: ", this.setTitle), this.setFields],
      "Set",
      () => this.changedParams(),
    );
    this.setFields.addEventListener("input", () => (this.edited = true));
    this.setFields.addEventListener("change", () => (this.edited = true));

    this.kind = h("select", { testid: "steer-switch-kind", id: "steer-switch-kind", title: "The learning rule to switch to" });
    for (const r of ctx.catalogue.learningRules)
      this.kind.append(h("option", { value: r.kind }, r.title ? `${r.title} (${r.kind})` : r.kind));
    this.kind.addEventListener("change", () => this.buildSwitchFields());
    this.switchForm = new SteerForm(
      ctx,
      "steer-switch",
      "Switch rule",
      "Replace the learning rule (fresh optimiser state). Fields start at the catalogue's defaults.",
      [
        h("div", { className: "field steer-field" }, h("label", { for: "steer-switch-kind" }, "rule"), this.kind),
        this.switchFields,
      ],
      "Switch",
      () => this.switchCommand(),
    );
    this.buildSwitchFields();
    this.el = h("div", { className: "steer-tab-body steer-rule" }, this.setForm.el, this.switchForm.el);
  }

  /** A fresher copy of the run: the fields follow the rule in force unless a value is being typed. */
  update(sim: Simulation): void {
    const rule = sim.learningRule ?? sim.spec?.learningRule;
    const kind = rule?.kind ?? "";
    const key = `${kind}|${JSON.stringify(
      Object.entries(rule?.params ?? {})
        .map(([k, v]) => [k, String(fromValue(v))])
        .sort(),
    )}`;
    if (key === this.shown || (this.edited && kind === this.shown.split("|")[0])) return;
    this.shown = key;
    this.edited = false;
    const entry = this.entry(kind);
    this.setTitle.textContent = entry?.title ? `${entry.title} (${kind})` : kind;
    this.fields = (entry?.params ?? []).map((p) => paramField("steer-set", p, fromValue(rule?.params[p.name])));
    replaceChildren(this.setFields, ...this.fields.map((f) => f.el));
  }

  private entry(kind: string): ComponentInfo | undefined {
    return this.ctx.catalogue.learningRules.find((r) => r.kind === kind);
  }

  /** SetRuleParams of the fields whose value differs from the rule in force; undefined if none or one is wrong. */
  private changedParams() {
    const rule = this.ctx.sim().learningRule ?? this.ctx.sim().spec?.learningRule;
    const entry = this.entry(rule?.kind ?? "");
    // A parameter the rule does not list is at its default, as its field shows.
    const inForce = (name: string) => rule?.params[name] ?? entry?.params.find((p) => p.name === name)?.defaultValue;
    const changed = this.typed(this.fields, inForce);
    if (changed === undefined) return undefined;
    if (Object.keys(changed).length === 0) {
      this.setForm.say("nothing changed: edit a value first", false);
      return undefined;
    }
    this.edited = false;
    return commands.setRuleParams(changed);
  }

  private switchCommand() {
    const entry = this.entry(this.kind.value);
    if (!entry) return undefined;
    const params = this.typed(this.switchParams, (name) => entry.params.find((p) => p.name === name)?.defaultValue);
    return params === undefined ? undefined : commands.switchRule(entry.kind, params);
  }

  /**
   * The fields' values that differ from `against(name)`, typed as the catalogue says; undefined
   * when a field is wrong (every wrong field says why, the first one is focused).
   */
  private typed(fields: ParamField[], against: (name: string) => Value | undefined): Record<string, Value> | undefined {
    const values = fields.map((f) => [f, f.check()] as const);
    const wrong = values.find(([, v]) => v === undefined);
    if (wrong) {
      wrong[0].el.querySelector<HTMLElement>("input, select")?.focus();
      return undefined;
    }
    const out: Record<string, Value> = {};
    for (const [f, v] of values) {
      if (!same(v!, fromValue(against(f.info.name)))) out[f.info.name] = toTypedValue(f.info, v!);
    }
    return out;
  }

  private buildSwitchFields(): void {
    const entry = this.entry(this.kind.value);
    this.switchParams = (entry?.params ?? []).map((p) => paramField("steer-switch", p));
    replaceChildren(this.switchFields, ...this.switchParams.map((f) => f.el));
  }
}

function same(a: PlainValue, b: PlainValue | undefined): boolean {
  if (b === undefined) return false;
  if (Array.isArray(a) || Array.isArray(b)) return String(a) === String(b);
  return typeof a === "number" || typeof b === "number" ? Number(a) === Number(b) : a === b;
}
