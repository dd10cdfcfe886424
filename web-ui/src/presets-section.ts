// "From a preset": the catalogue's presets as cards, grouped as the papers compare them. A
// card's Create makes that run and opens it; a group's "Create all" makes every run of the
// group and opens them as one comparison (#/compare?runs=...). A refusal is shown beside the
// button that asked.

import { describeError, type Preset, type Simulation } from "@eiscope/client";
import { client } from "./api";
import { h } from "./dom";
import { compareHash, simHash } from "./routes";
import { store } from "./store";

export function presetsSection(presets: Preset[]): HTMLElement {
  // Presets that share a group are one comparison from a paper: shown together, with a
  // button that creates every member so they can run side by side.
  const groups = new Map<string, Preset[]>();
  for (const p of presets) groups.set(p.group, [...(groups.get(p.group) ?? []), p]);
  const sections = [...groups.entries()].map(([group, members]) => {
    // A group's shared citation is shown once, above its cards.
    const citation = members.every((p) => p.citation === members[0].citation) ? members[0].citation : "";
    const grid = h("div", { className: "preset-grid" }, ...members.map((p) => presetCard(p, group !== "" && citation !== "")));
    if (!group) return grid;
    return h(
      "div",
      { className: "preset-group", testid: "preset-group" },
      h("div", { className: "preset-group-header" }, h("h3", {}, group), createAll(members)),
      citation ? h("p", { className: "muted small citation" }, citation) : null,
      grid,
    );
  });
  return h("section", {}, h("h2", { className: "section-title" }, "From a preset"), ...sections);
}

/** "Create all n": every member, then their comparison; those that failed are named beside the button. */
function createAll(members: Preset[]): HTMLElement {
  const button = h("button", { type: "button", testid: "preset-create-group" }, `Create all ${members.length} and compare`);
  const error = h("span", { className: "action-error", testid: "preset-group-error", role: "alert" });
  error.hidden = true;
  button.addEventListener("click", async () => {
    button.disabled = true;
    error.hidden = true;
    const results = await Promise.allSettled(members.map((p) => client.create({ preset: p.name })));
    button.disabled = false;
    const created = results.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []));
    created.forEach((sim) => store.upsert(sim));
    const failed = results.flatMap((r, i) => (r.status === "rejected" ? [`${members[i].name}: ${describeError(r.reason)}`] : []));
    if (failed.length === 0) {
      location.hash = compareHash(created.map((s) => s.id));
      return;
    }
    // Stay, and say what happened; the runs that were made are in the list.
    error.replaceChildren(`${failed.length} of ${members.length} could not be created: ${failed.join("; ")}`);
    if (created.length > 0) {
      error.append(
        " · ",
        h(
          "a",
          { href: compareHash(created.map((s) => s.id)), testid: "preset-group-compare" },
          `compare the ${created.length} created`,
        ),
      );
    }
    error.hidden = false;
  });
  return h("div", { className: "action-row" }, error, button);
}

function presetCard(p: Preset, citedAbove: boolean): HTMLElement {
  const button = h("button", { className: "primary", type: "button", testid: `preset-create-${p.name}` }, "Create");
  const error = h("span", { className: "action-error", testid: `preset-error-${p.name}`, role: "alert" });
  error.hidden = true;
  button.addEventListener("click", () => {
    button.disabled = true;
    error.hidden = true;
    client
      .create({ preset: p.name })
      .then(open, (e) => {
        error.textContent = describeError(e);
        error.hidden = false;
      })
      .finally(() => (button.disabled = false));
  });
  return h(
    "div",
    { className: "card preset", testid: "preset" },
    h("h3", {}, p.title || p.name),
    h("p", { className: "small" }, p.doc),
    p.citation && !citedAbove ? h("p", { className: "muted small citation" }, p.citation) : null,
    h("div", { className: "preset-footer" }, h("span", { className: "mono muted small" }, p.name), button),
    error,
  );
}

function open(sim: Simulation): void {
  store.upsert(sim);
  location.hash = simHash(sim.id);
}
