// The left column: "New simulation", a filter, and the runs by lineage (run-tree.ts), each with
// its state, step, model · rule · task, tags and, for a fork, the step it was forked at. A
// checkbox per run selects runs to compare: "Compare n" opens #/compare?runs=...; while a
// comparison is open, the checkboxes are its runs, and ticking one adds it to the chart.
// "by preset group" lists the runs under the comparison of the papers each was created from
// (the catalogue's preset groups; forks stay under their parent), each group with "compare".

import type { Catalogue, Simulation } from "@eiscope/client";
import { setStateBadge } from "./api";
import { formatStep, h, replaceChildren } from "./dom";
import { compareHash, parseRoute } from "./routes";
import { groupedRows, lineageRows, runKinds, runName, type TreeRow } from "./run-tree";
import { store } from "./store";

const GROUPED_KEY = "eiscope.list.grouped";

/** `catalogue` is read at each render (the preset groups; undefined until it is loaded). */
export function mountSidebar(
  root: HTMLElement,
  selectedId: () => string | undefined,
  catalogue: () => Catalogue | undefined = () => undefined,
): () => void {
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
  const grouped = h("input", { type: "checkbox", testid: "sim-group-toggle" });
  grouped.checked = localStorage.getItem(GROUPED_KEY) === "true";
  const groupToggle = h(
    "label",
    {
      className: "toggle small muted",
      title: "List the runs under the preset group (a paper's comparison) each was created from",
    },
    grouped,
    "by preset group",
  );
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
    h("div", { className: "sidebar-heading" }, h("h2", { className: "section-title" }, "Simulations"), groupToggle),
    filter,
    bar,
    list,
    empty,
  );

  // Rows are kept per id and updated in place: replacing them every poll would swallow
  // clicks that straddle a refresh.
  const rows = new Map<string, Row>();
  const headings = new Map<string, GroupHeading>();
  const render = (sims: Simulation[]) => {
    const route = parseRoute();
    if (route.view === "compare") {
      selection.clear();
      for (const id of route.runs) selection.add(id);
    }
    const cat = grouped.checked ? catalogue() : undefined;
    const groups = cat
      ? groupedRows(
          sims,
          filter.value,
          (preset) => cat.presets.find((p) => p.name === preset)?.group,
          cat.presets.map((p) => p.group),
        )
      : [{ group: undefined, rows: lineageRows(sims, filter.value) }];
    const tree = groups.flatMap((g) => g.rows);
    empty.hidden = tree.length > 0;
    empty.textContent = sims.length === 0 ? "No simulations yet." : "No run matches the filter.";
    const open = selectedId();
    const seen = new Set<string>();
    const items: HTMLLIElement[] = [];
    for (const g of groups) {
      if (g.group !== undefined) {
        let heading = headings.get(g.group);
        if (!heading) headings.set(g.group, (heading = new GroupHeading(g.group)));
        heading.update(g.rows);
        items.push(heading.li);
      }
      for (const r of g.rows) {
        seen.add(r.sim.id);
        let row = rows.get(r.sim.id);
        if (!row) rows.set(r.sim.id, (row = new Row(r.sim.id, toggle)));
        row.update(r.sim, r.depth, r.matched, r.sim.id === open, selection.has(r.sim.id));
        items.push(row.li);
      }
    }
    items.forEach((li, i) => {
      if (list.children[i] !== li) list.insertBefore(li, list.children[i] ?? null);
    });
    for (const [id, row] of rows) {
      if (!seen.has(id)) {
        row.li.remove();
        rows.delete(id);
      }
    }
    for (const [group, heading] of headings) {
      if (!groups.some((g) => g.group === group)) {
        heading.li.remove();
        headings.delete(group);
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
  grouped.addEventListener("change", () => {
    localStorage.setItem(GROUPED_KEY, String(grouped.checked));
    render(store.sims);
  });
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
    setStateBadge(this.badge, s.state, s.queuePosition);
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

/** A preset group's heading in the list: its name, how many runs, and "compare" (its runs that match the filter). */
class GroupHeading {
  readonly li: HTMLLIElement;
  private readonly count = h("span", { className: "muted small" });
  private readonly compare = h(
    "button",
    { type: "button", className: "subtle small-button", testid: "sim-group-compare", title: "Overlay this group's runs" },
    "compare",
  );
  private ids: string[] = [];

  constructor(group: string) {
    this.li = h(
      "li",
      { className: "sim-group", testid: "sim-group", "data-group": group },
      h("span", { className: "sim-group-name" }, group || "Other runs"),
      this.count,
      this.compare,
    );
    this.compare.addEventListener("click", () => (location.hash = compareHash(this.ids)));
  }

  update(rows: TreeRow[]): void {
    this.ids = rows.filter((r) => r.matched).map((r) => r.sim.id);
    this.count.textContent = ` · ${this.ids.length}`;
    this.compare.disabled = this.ids.length === 0;
  }
}
