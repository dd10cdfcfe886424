// The runs as the sidebar lists them: by lineage (each fork right under its parent, indented,
// forks in the order of their fork step), roots newest first; and the filter typed above the
// list, which keeps a run when it or one of its forks matches (so a match keeps its context).
// Optionally grouped by the preset group of each root (the comparisons the papers make), forks
// staying under their parent whatever their own preset.

import type { Simulation } from "@eiscope/client";

export interface TreeRow {
  sim: Simulation;
  /** 0 for a root; a fork of a fork is 2. */
  depth: number;
  /** True when the run matched the filter itself (not only through a fork of it). */
  matched: boolean;
}

/** What a run is, in words the filter searches and the row shows: "mlp · sgd · fashion_mnist". */
export function runKinds(sim: Simulation): string {
  const spec = sim.spec;
  // The rule in force: a run may have switched rules since it was created.
  const rule = sim.learningRule?.kind || spec?.learningRule?.kind;
  return [spec?.model?.kind, rule, spec?.task?.kind].filter(Boolean).join(" · ");
}

export function runName(sim: Simulation): string {
  return sim.spec?.name || sim.id;
}

/** Whether every word of `query` is in the run's name, id, kinds, tags or preset (case-insensitive). */
export function matches(sim: Simulation, query: string): boolean {
  const words = query
    .toLowerCase()
    .split(/\s+/)
    .filter((w) => w !== "");
  if (words.length === 0) return true;
  const text = [runName(sim), sim.id, runKinds(sim), sim.preset, ...sim.tags].join(" ").toLowerCase();
  return words.every((w) => text.includes(w));
}

/** `sims` (newest first) in lineage order, keeping what `query` matches and the ancestors of matches. */
export function lineageRows(sims: Simulation[], query = ""): TreeRow[] {
  const byId = new Map(sims.map((s) => [s.id, s]));
  const children = new Map<string, Simulation[]>();
  const roots: Simulation[] = [];
  for (const s of sims) {
    // A fork whose parent is gone (deleted) stands on its own; its row still says what it forked from.
    if (s.parentId && byId.has(s.parentId) && s.parentId !== s.id) {
      children.set(s.parentId, [...(children.get(s.parentId) ?? []), s]);
    } else {
      roots.push(s);
    }
  }
  for (const list of children.values()) {
    list.sort((a, b) => Number(a.forkStep - b.forkStep) || Number(a.createdUnixMillis - b.createdUnixMillis));
  }
  const out: TreeRow[] = [];
  const visit = (s: Simulation, depth: number, seen: Set<string>): boolean => {
    if (seen.has(s.id)) return false; // a cycle cannot happen, but must not hang the page
    seen.add(s.id);
    const at = out.length;
    const self = matches(s, query);
    out.push({ sim: s, depth, matched: self });
    let any = self;
    for (const c of children.get(s.id) ?? []) any = visit(c, depth + 1, seen) || any;
    if (!any) out.length = at; // neither it nor a fork of it matched
    return any;
  };
  const seen = new Set<string>();
  for (const r of roots) visit(r, 0, seen);
  return out;
}

/** The runs of one preset group, in lineage order; `group` "" holds the runs of no group. */
export interface GroupOfRows {
  group: string;
  rows: TreeRow[];
}

/**
 * lineageRows() cut by the preset group of each root (`groupOf(preset)`; undefined or "": none),
 * groups in `order` (the catalogue's), the runs of no group last.
 */
export function groupedRows(
  sims: Simulation[],
  query: string,
  groupOf: (preset: string) => string | undefined,
  order: string[],
): GroupOfRows[] {
  const byGroup = new Map<string, TreeRow[]>();
  let current = "";
  for (const r of lineageRows(sims, query)) {
    if (r.depth === 0) current = (r.sim.preset && groupOf(r.sim.preset)) || "";
    byGroup.set(current, [...(byGroup.get(current) ?? []), r]);
  }
  const rank = (g: string) => (g === "" ? Infinity : order.indexOf(g) < 0 ? order.length : order.indexOf(g));
  return [...byGroup].sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b)).map(([group, rows]) => ({ group, rows }));
}
