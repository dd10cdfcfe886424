// The left column: "New simulation" and the list of simulations with state, step and tags.

import type { Simulation } from "@eiscope/client";
import { setStateBadge } from "./api";
import { formatStep, h, replaceChildren } from "./dom";
import { store } from "./store";

export function mountSidebar(root: HTMLElement, selectedId: () => string | undefined): () => void {
  const newButton = h("button", { className: "primary wide", testid: "new-sim-button" }, "+ New simulation");
  newButton.addEventListener("click", () => (location.hash = "#/new"));
  const list = h("ul", { className: "sim-list", testid: "sim-list" });
  const empty = h("p", { className: "muted small" }, "No simulations yet.");
  replaceChildren(root, newButton, h("h2", { className: "section-title" }, "Simulations"), list, empty);

  // Rows are kept per id and updated in place: replacing them every poll would swallow
  // clicks that straddle a refresh.
  const rows = new Map<string, Row>();
  const render = (sims: Simulation[]) => {
    empty.hidden = sims.length > 0;
    const selected = selectedId();
    const seen = new Set<string>();
    sims.forEach((s, i) => {
      seen.add(s.id);
      let row = rows.get(s.id);
      if (!row) rows.set(s.id, (row = new Row(s.id)));
      row.update(s, s.id === selected);
      if (list.children[i] !== row.li) list.insertBefore(row.li, list.children[i] ?? null);
    });
    for (const [id, row] of rows) {
      if (!seen.has(id)) {
        row.li.remove();
        rows.delete(id);
      }
    }
  };
  // Re-render on route changes too, to move the highlight.
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
  private readonly name = h("span", { className: "sim-name" });
  private readonly badge = h("span");
  private readonly step = h("span", { className: "muted", testid: "sim-item-step" });
  private readonly tags = h("div", { className: "sim-item-tags", testid: "sim-item-tags" });

  constructor(id: string) {
    this.li = h(
      "li",
      { className: "sim-item", testid: "sim-item", "data-id": id },
      h(
        "a",
        { href: `#/sim/${encodeURIComponent(id)}` },
        h("div", { className: "sim-item-top" }, this.name, this.badge),
        h("div", { className: "sim-item-bottom" }, h("span", { className: "mono muted" }, id), this.step),
        this.tags,
      ),
    );
  }

  update(s: Simulation, selected: boolean): void {
    this.li.classList.toggle("selected", selected);
    this.name.textContent = s.spec?.name || s.id;
    setStateBadge(this.badge, s.state);
    this.step.textContent = `step ${formatStep(s.step)}`;
    const tags = s.tags.join(" ");
    if (this.tags.dataset.tags !== tags) {
      this.tags.dataset.tags = tags;
      replaceChildren(this.tags, ...s.tags.map((t) => h("span", { className: "tag small" }, t)));
    }
    this.tags.hidden = s.tags.length === 0;
  }
}
