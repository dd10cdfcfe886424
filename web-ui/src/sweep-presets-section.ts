// "A paper's grid": the catalogue's sweep presets (GetCatalogue's sweep_presets) as cards under
// the presets. A card says what the grid varies and how many runs it makes; its seeds and steps
// a run may be cut down for a first look (the run count follows), and Start makes the sweep
// (createSweepFromPreset) and opens its view (#/sweep/<id>). Fields are checked before anything
// is sent; a refusal is shown beside the button.

import { describeError, type SweepPreset } from "@eiscope/client";
import { client } from "./api";
import { h } from "./dom";
import { sweepHash } from "./routes";

/** The section, filled once the server's grids are read ("" when it offers none). */
export function sweepPresetsSection(): HTMLElement {
  const section = h("section", { testid: "sweep-presets" });
  section.hidden = true;
  client.sweepPresets().then(
    (presets) => {
      if (presets.length === 0) return;
      section.append(
        h("h2", { className: "section-title" }, "A paper's grid, as a sweep"),
        h(
          "p",
          { className: "muted small" },
          "Every run of a sweep is an ordinary run (watch, steer or fork it); the server plays a few at a time.",
        ),
        h("div", { className: "preset-grid" }, ...presets.map(card)),
      );
      section.hidden = false;
    },
    (e) => {
      section.append(h("p", { className: "action-error" }, `Cannot read the papers' grids: ${describeError(e)}`));
      section.hidden = false;
    },
  );
  return section;
}

/** The grid's own seeds ([] when it does not vary them). */
function gridSeeds(p: SweepPreset): bigint[] {
  const axis = p.spec?.axes.find((a) => a.field === "seed");
  return (axis?.values ?? []).flatMap((v) => (v.kind.case === "integer" ? [v.kind.value] : []));
}

/** Seeds typed as "1, 2, 3": whole numbers >= 0, at least one; or why not. */
export function parseSeeds(text: string): bigint[] | string {
  const parts = text.split(/[\s,]+/).filter((s) => s !== "");
  if (parts.length === 0) return "give at least one seed, e.g. 1, 2, 3";
  const bad = parts.find((s) => !/^\d+$/.test(s));
  if (bad !== undefined) return `seeds are whole numbers >= 0 separated by commas; "${bad}" is not one`;
  return [...new Set(parts.map((s) => BigInt(s)))];
}

/** Steps a run: empty for each preset's own budget, else a whole number >= 1; or why not. */
export function parseSteps(text: string): bigint | undefined | string {
  const t = text.trim();
  if (t === "") return undefined;
  if (!/^\d+$/.test(t) || BigInt(t) < 1n)
    return `steps a run is a whole number >= 1 (empty: each preset's own); "${t}" is not one`;
  return BigInt(t);
}

function card(p: SweepPreset): HTMLElement {
  const own = gridSeeds(p);
  const perSeed = own.length > 0 ? p.runs / own.length : p.runs;
  const seeds = h("input", { type: "text", value: own.join(", "), testid: `sweep-preset-seeds-${p.name}`, size: 12 });
  seeds.disabled = own.length === 0;
  const steps = h("input", { type: "text", placeholder: "preset's", testid: `sweep-preset-steps-${p.name}`, size: 8 });
  const runs = h("span", { className: "mono small", testid: `sweep-preset-runs-${p.name}` });
  const button = h("button", { className: "primary", type: "button", testid: `sweep-preset-start-${p.name}` }, "Start sweep");
  const error = h("span", { className: "action-error", testid: `sweep-preset-error-${p.name}`, role: "alert" });
  error.hidden = true;
  const count = () => {
    const s = own.length > 0 ? parseSeeds(seeds.value) : [];
    runs.textContent = typeof s === "string" ? "? runs" : `${own.length > 0 ? perSeed * s.length : p.runs} runs`;
  };
  seeds.addEventListener("input", count);
  count();
  button.addEventListener("click", () => {
    const s = own.length > 0 ? parseSeeds(seeds.value) : undefined;
    const budget = parseSteps(steps.value);
    const problem = typeof s === "string" ? s : typeof budget === "string" ? budget : undefined;
    if (problem !== undefined) {
      error.textContent = problem;
      error.hidden = false;
      return;
    }
    button.disabled = true;
    error.hidden = true;
    client
      .createSweepFromPreset(p.name, { seeds: s as bigint[] | undefined, stepBudget: budget as bigint | undefined })
      .then(
        (sweep) => (location.hash = sweepHash(sweep.id)),
        (e) => {
          error.textContent = describeError(e);
          error.hidden = false;
        },
      )
      .finally(() => (button.disabled = false));
  });
  return h(
    "div",
    { className: "card preset", testid: "sweep-preset" },
    h("h3", {}, p.title || p.name),
    h("p", { className: "small" }, p.doc),
    p.citation ? h("p", { className: "muted small citation" }, p.citation) : null,
    h("p", { className: "small muted" }, `read by ${p.metrics.join(", ")}`),
    h(
      "div",
      { className: "sweep-preset-fields" },
      h("label", { className: "small" }, "seeds ", seeds),
      h("label", { className: "small" }, "steps a run ", steps),
    ),
    h("div", { className: "preset-footer" }, h("span", { className: "mono muted small" }, p.name, " · ", runs), button),
    error,
  );
}
