// The "New simulation" page: a paper's preset (presets-section.ts), or a spec built from the
// catalogue: model, learning rule and task with their parameters, and the training fields.
// Every field is checked in the browser before anything is sent (checks.ts: the catalogue's
// types and ranges, the API's rules for the rest), each message under its field, the first
// wrong field focused; what only the server can refuse is shown beside the Create button.

import { type Catalogue, describeError, type Simulation } from "@eiscope/client";
import { client } from "./api";
import { checkBigInt, type Checked, checkNumber } from "./checks";
import { ComponentPicker } from "./component-picker";
import { h } from "./dom";
import { FieldError } from "./field-error";
import { presetsSection } from "./presets-section";
import { sweepPresetsSection } from "./sweep-presets-section";
import { simHash } from "./routes";
import { store } from "./store";

export function newSimulationView(catalogue: Catalogue): HTMLElement {
  return h(
    "div",
    { className: "new-sim", testid: "new-sim" },
    h("h1", {}, "New simulation"),
    catalogue.presets.length ? presetsSection(catalogue.presets) : null,
    sweepPresetsSection(),
    customSection(catalogue),
  );
}

function customSection(cat: Catalogue): HTMLElement {
  const model = new ComponentPicker("model", "Model", cat.models, "mlp");
  const rule = new ComponentPicker("rule", "Learning rule", cat.learningRules, "sgd");
  const task = new ComponentPicker("task", "Task", cat.tasks, "fashion_mnist");
  const name = field("sim-name", "name", "", "Free text shown in the list", (t) => ({ ok: true, value: t.trim() }));
  const batch = field("batch-size", "batch size", "32", "Minibatch size, at least 1", (t) =>
    checkNumber(t, { integer: true, min: 1, max: 2 ** 31 - 1 }),
  );
  const seed = field("seed", "seed", "1", "Seed of every random stream: same spec + seed ⇒ same run", (t) => checkBigInt(t));
  const evalEvery = field("eval-every", "evaluate every", "500", "Steps between held-out evaluations (0: never)", (t) =>
    checkNumber(t, { integer: true, min: 0, max: 2 ** 31 - 1 }),
  );
  const budget = field("step-budget", "step budget", "0", "Stop after this many steps (0: no budget)", (t) => checkBigInt(t));
  const create = h("button", { className: "primary", type: "submit", testid: "create-button" }, "Create simulation");
  const error = h("span", { className: "action-error", testid: "create-error", role: "alert" });
  error.hidden = true;

  const form = h(
    "form",
    { className: "custom-form", novalidate: true },
    h("div", { className: "grid-3" }, model.el, rule.el, task.el),
    h(
      "fieldset",
      { className: "card" },
      h("legend", {}, "Training"),
      h("div", { className: "fields row" }, name.el, batch.el, seed.el, evalEvery.el, budget.el),
    ),
    h("div", { className: "form-actions action-row" }, error, create),
  );
  form.addEventListener("submit", (submit) => {
    submit.preventDefault();
    error.hidden = true;
    // Every field is checked (all messages at once), then the first wrong one gets the focus.
    const parts = {
      model: model.check(),
      learningRule: rule.check(),
      task: task.check(),
      name: name.check(),
      batchSize: batch.check(),
      seed: seed.check(),
      evalEverySteps: evalEvery.check(),
      stepBudget: budget.check(),
    };
    const { model: m, learningRule: r, task: t, name: n, batchSize: b, seed: sd, evalEverySteps: ev, stepBudget: bu } = parts;
    if (!m || !r || !t || n === undefined || b === undefined || sd === undefined || ev === undefined || bu === undefined) {
      const first = form.querySelector<HTMLElement>("[aria-invalid]");
      first?.focus();
      first?.scrollIntoView({ block: "center" });
      return;
    }
    create.disabled = true;
    client
      .create({ model: m, learningRule: r, task: t, name: n, batchSize: b, seed: sd, evalEverySteps: ev, stepBudget: bu })
      .then(
        (sim: Simulation) => {
          store.upsert(sim);
          location.hash = simHash(sim.id);
        },
        (e) => {
          error.textContent = describeError(e);
          error.hidden = false;
        },
      )
      .finally(() => (create.disabled = false));
  });
  return h("section", {}, h("h2", { className: "section-title" }, "Or build your own"), form);
}

/** A training field: its box, its label and the message under it; check() gives the value or shows why not. */
function field<T>(testid: string, label: string, value: string, title: string, parse: (text: string) => Checked<T>) {
  const input = h("input", {
    id: testid,
    testid,
    type: "text",
    value,
    title,
    inputmode: testid === "sim-name" ? undefined : "numeric",
  });
  const error = new FieldError(input, `${testid}-error`);
  return {
    el: h("div", { className: "field", title }, h("label", { for: testid }, label), input, error.el),
    check(): T | undefined {
      const c = parse(input.value);
      error.show(c.ok ? undefined : c.error);
      return c.ok ? c.value : undefined;
    },
  };
}
