// "New simulation": start from a preset of the papers, or build one from the catalogue.
// Client-side parsing errors and the server's validation errors are shown as they are.

import { type Catalogue, describeError, type Preset, type Simulation } from "@eiscope/client";
import { client } from "./api";
import { ComponentPicker } from "./component-picker";
import { h } from "./dom";
import { store } from "./store";

export function newSimulationView(catalogue: Catalogue): HTMLElement {
  const error = h("div", { className: "error-banner", testid: "form-error", role: "alert" });
  error.hidden = true;
  const done = (sim: Simulation) => {
    store.upsert(sim);
    location.hash = `#/sim/${encodeURIComponent(sim.id)}`;
  };
  const fail = (e: unknown) => {
    error.textContent = describeError(e);
    error.hidden = false;
    error.scrollIntoView({ block: "nearest" });
  };
  return h("div", { className: "new-sim", testid: "new-sim" },
    h("h1", {}, "New simulation"),
    error,
    catalogue.presets.length ? presetsSection(catalogue.presets, done, fail) : null,
    customSection(catalogue, done, fail, () => {
      error.hidden = true;
      error.textContent = "";
    }));
}

type Done = (sim: Simulation) => void;
type Fail = (e: unknown) => void;

function presetsSection(presets: Preset[], done: Done, fail: Fail): HTMLElement {
  // Presets that share a group are one comparison from a paper: shown together, with a
  // button that creates every member so they can run side by side.
  const groups = new Map<string, Preset[]>();
  for (const p of presets) groups.set(p.group, [...(groups.get(p.group) ?? []), p]);
  const sections = [...groups.entries()].map(([group, members]) => {
    // A group's shared citation is shown once, above its cards.
    const citation = members.every((p) => p.citation === members[0].citation) ? members[0].citation : "";
    const grid = h("div", { className: "preset-grid" },
      ...members.map((p) => presetCard(p, done, fail, group !== "" && citation !== "")));
    if (!group) return grid;
    const all = h("button", { type: "button", testid: "preset-create-group" }, `Create all ${members.length}`);
    all.addEventListener("click", () => {
      all.disabled = true;
      Promise.all(members.map((p) => client.create({ preset: p.name })))
        .then((sims) => {
          sims.forEach((sim) => store.upsert(sim));
          done(sims[0]);
        }, fail)
        .finally(() => (all.disabled = false));
    });
    return h("div", { className: "preset-group", testid: "preset-group" },
      h("div", { className: "preset-group-header" }, h("h3", {}, group), all),
      citation ? h("p", { className: "muted small citation" }, citation) : null, grid);
  });
  return h("section", {}, h("h2", { className: "section-title" }, "From a preset"), ...sections);
}

function presetCard(p: Preset, done: Done, fail: Fail, citedAbove: boolean): HTMLElement {
  const button = h("button", { className: "primary", type: "button", testid: `preset-create-${p.name}` }, "Create");
  button.addEventListener("click", () => {
    button.disabled = true;
    client.create({ preset: p.name }).then(done, fail).finally(() => (button.disabled = false));
  });
  return h("div", { className: "card preset", testid: "preset" },
    h("h3", {}, p.title || p.name),
    h("p", { className: "small" }, p.doc),
    p.citation && !citedAbove ? h("p", { className: "muted small citation" }, p.citation) : null,
    h("div", { className: "preset-footer" }, h("span", { className: "mono muted small" }, p.name), button));
}

function customSection(cat: Catalogue, done: Done, fail: Fail, clearError: () => void): HTMLElement {
  const model = new ComponentPicker("model", "Model", cat.models, "mlp");
  const rule = new ComponentPicker("rule", "Learning rule", cat.learningRules, "sgd");
  const task = new ComponentPicker("task", "Task", cat.tasks, "fashion_mnist");
  const name = input("sim-name", "name", "text", "", "Free text shown in the list");
  const batch = input("batch-size", "batch size", "number", "32", "Minibatch size, at least 1");
  const seed = input("seed", "seed", "number", "1", "Seed of every random stream: same spec + seed ⇒ same run");
  const evalEvery = input("eval-every", "evaluate every", "number", "500", "Steps between held-out evaluations (0: never)");
  const budget = input("step-budget", "step budget", "number", "0", "Stop after this many steps (0: no budget)");
  const create = h("button", { className: "primary", type: "submit", testid: "create-button" }, "Create simulation");

  const form = h("form", { className: "custom-form", novalidate: true },
    h("div", { className: "grid-3" }, model.el, rule.el, task.el),
    h("fieldset", { className: "card" }, h("legend", {}, "Training"),
      h("div", { className: "fields row" }, name.el, batch.el, seed.el, evalEvery.el, budget.el)),
    h("div", { className: "form-actions" }, create));
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    clearError();
    let spec;
    try {
      spec = {
        name: name.input.value.trim(),
        model: model.spec(),
        learningRule: rule.spec(),
        task: task.spec(),
        batchSize: Number(batch.input.value),
        seed: BigInt(seed.input.value || "0"),
        evalEverySteps: Number(evalEvery.input.value || "0"),
        stepBudget: BigInt(budget.input.value || "0"),
      };
    } catch (e) {
      fail(e);
      return;
    }
    create.disabled = true;
    client.create(spec).then(done, fail).finally(() => (create.disabled = false));
  });
  return h("section", {}, h("h2", { className: "section-title" }, "Or build your own"), form);
}

function input(testid: string, label: string, type: string, value: string, title: string) {
  const el = h("input", { id: testid, testid, type, value, title, ...(type === "number" ? { min: 0, step: 1 } : {}) });
  return { input: el, el: h("div", { className: "field", title }, h("label", { for: testid }, label), el) };
}
