// The left column: "New simulation", a filter, and the runs by lineage (run-tree.ts), each with
// its state, step, model · rule · task, tags and, for a fork, the step it was forked at. A
// checkbox per run selects runs to compare: "Compare n" opens #/compare?runs=...; while a
// comparison is open, the checkboxes are its runs, and ticking one adds it to the chart.

import type { Simulation } from "@eiscope/client";
import { setStateBadge } from "./api";
import { formatStep, h, replaceChildren } from "./dom";
import { compareHash, parseRoute } from "./routes";
import { lineageRows, runKinds, runName } from "./run-tree";
import { store } from "./store";

export function mountSidebar(root: HTMLElement, selectedId: () => string | undefined): () => void {
  const newButton = h("button", { className: "primary wide", testid: "new-sim-button" }, "+ New simulation");
  newButton.addEventListener("click", () => (location.hash = "#/new"));
  const filter = h("input", {
    type: "search",
    className: "sim-filter",
    testid: "sim-filter",
    placeholder: "filter: name, model, rule, task, tag",
    title:
      "Shows the runs whose name, id, model, rule, task, preset or tags hold every word typed (and the runs they were forked from)",
  });
  const list = h("ul", { className: "sim-list", testid: "sim-list" });
  const empty = h("p", { className: "muted small", testid: "sim-list-empty" }, "No simulations yet.");
  const selection = new Set<string>();
  const count = h("span", { className: "small", testid: "selection-count" });
  const compare = h(
    "button",
    { type: "button", className: "primary", testid: "compare-button", title: "Overlay the selected runs' curves" },
    "Compare",
  );
  const clear = h("button", { type: "button", className: "subtle small-button", testid: "selection-clear" }, "clear");
  const bar = h(
    "div",
    { className: "selection-bar", testid: "selection-bar" },
    count,
    h("span", { className: "spacer" }),
    clear,
    compare,
  );
  replaceChildren(
    root,
    newButton,
    h("div", { className: "sidebar-heading" }, h("h2", { className: "section-title" }, "Simulations")),
    filter,
    bar,
    list,
    empty,
  );

  // Rows are kept per id and updated in place: replacing them every poll would swallow
  // clicks that straddle a refresh.
  const rows = new Map<string, Row>();
  const render = (sims: Simulation[]) => {
    const route = parseRoute();
    if (route.view === "compare") {
      selection.clear();
      for (const id of route.runs) selection.add(id);
    }
    const tree = lineageRows(sims, filter.value);
    empty.hidden = tree.length > 0;
    empty.textContent = sims.length === 0 ? "No simulations yet." : "No run matches the filter.";
    const open = selectedId();
    const seen = new Set<string>();
    tree.forEach((r, i) => {
      seen.add(r.sim.id);
      let row = rows.get(r.sim.id);
      if (!row) rows.set(r.sim.id, (row = new Row(r.sim.id, toggle)));
      row.update(r.sim, r.depth, r.matched, r.sim.id === open, selection.has(r.sim.id));
      if (list.children[i] !== row.li) list.insertBefore(row.li, list.children[i] ?? null);
    });
    for (const [id, row] of rows) {
      if (!seen.has(id)) {
        row.li.remove();
        rows.delete(id);
      }
    }
    // A run deleted elsewhere leaves the selection.
    const known = new Set(sims.map((s) => s.id));
    if (store.sims.length > 0) for (const id of selection) if (!known.has(id) && route.view !== "compare") selection.delete(id);
    count.textContent = selection.size === 1 ? "1 run selected" : `${selection.size} runs selected`;
    compare.textContent = route.view === "compare" ? "Comparing" : `Compare ${selection.size}`;
    compare.disabled = selection.size === 0 || route.view === "compare";
    bar.hidden = selection.size === 0;
  };
  const toggle = (id: string, on: boolean) => {
    if (on) selection.add(id);
    else selection.delete(id);
    const route = parseRoute();
    // In a comparison, the ticks are its runs: change them and the chart follows (the address holds them).
    if (route.view === "compare" && selection.size > 0) location.hash = compareHash([...selection], route.options);
    else render(store.sims);
  };
  compare.addEventListener("click", () => (location.hash = compareHash(orderedSelection())));
  clear.addEventListener("click", () => {
    selection.clear();
    if (parseRoute().view === "compare") location.hash = "#/";
    render(store.sims);
  });
  // In the list's order, so colours follow what the eye sees.
  const orderedSelection = () =>
    lineageRows(store.sims)
      .map((r) => r.sim.id)
      .filter((id) => selection.has(id));
  filter.addEventListener("input", () => render(store.sims));
  // Re-render on route changes too, to move the highlight and follow a comparison's runs.
  const onHash = () => render(store.sims);
  window.addEventListener("hashchange", onHash);
  const unsubscribe = store.subscribe((sims) => render(sims));
  return () => {
    unsubscribe();
    window.removeEventListener("hashchange", onHash);
  };
}

class Row {
  readonly li: HTMLLIElement;
  private readonly check = h("input", {
    type: "checkbox",
    className: "sim-check",
    testid: "sim-select",
    title: "Select to compare",
  });
  private readonly link: HTMLAnchorElement;
  private readonly name = h("span", { className: "sim-name", testid: "sim-item-name" });
  private readonly badge = h("span");
  private readonly kinds = h("div", { className: "sim-item-kinds mono", testid: "sim-item-kinds" });
  private readonly step = h("span", { className: "muted", testid: "sim-item-step" });
  private readonly fork = h("span", { className: "sim-item-fork", testid: "sim-item-fork" });
  private readonly tags = h("div", { className: "sim-item-tags", testid: "sim-item-tags" });

  constructor(id: string, toggle: (id: string, on: boolean) => void) {
    this.link = h(
      "a",
      { href: `#/sim/${encodeURIComponent(id)}`, className: "sim-item-link" },
      this.name,
      this.kinds,
      h("div", { className: "sim-item-bottom" }, this.fork, h("span", { className: "sim-item-state" }, this.badge, this.step)),
      this.tags,
    );
    this.li = h("li", { className: "sim-item", testid: "sim-item", "data-id": id }, this.check, this.link);
    this.check.addEventListener("change", () => toggle(id, this.check.checked));
  }

  update(s: Simulation, depth: number, matched: boolean, open: boolean, selected: boolean): void {
    this.li.classList.toggle("selected", open);
    this.li.classList.toggle("context", !matched); // shown only as the parent of a match
    this.li.dataset.depth = String(depth);
    this.li.dataset.parent = s.parentId;
    this.li.style.setProperty("--depth", String(depth));
    this.check.checked = selected;
    const name = runName(s);
    this.name.textContent = name;
    this.link.title = `${name}\n${s.id} · ${runKinds(s)}${s.preset ? ` · preset ${s.preset}` : ""}`;
    setStateBadge(this.badge, s.state);
    this.kinds.textContent = runKinds(s);
    this.step.textContent = `step ${formatStep(s.step)}`;
    this.fork.textContent = s.parentId
      ? `${depth > 0 ? "↳ fork" : `fork of ${s.parentId}`} @ step ${formatStep(s.forkStep)}`
      : "";
    this.fork.title = s.parentId ? `forked from ${s.parentId} at step ${formatStep(s.forkStep)}` : "";
    const tags = s.tags.join(" ");
    if (this.tags.dataset.tags !== tags) {
      this.tags.dataset.tags = tags;
      replaceChildren(this.tags, ...s.tags.map((t) => h("span", { className: "tag small" }, t)));
    }
    this.tags.hidden = s.tags.length === 0;
  }
}
