// The page's addresses (hash routes), so that a link or a reload opens the same view:
//   #/new                                    the "New simulation" form
//   #/sim/<id>?panels=spectrum,steer&histogram=layer0.W&spectrum=rnn0&steer=units
//                                            one run, live, with those panels open on those choices
//   #/compare?runs=a,b,c&y=loss&smooth=0.6&log=1   several runs overlaid on one chart
//   #/compare?runs=a,b&y=nse&layer=layer0.W&x=time a per-layer scalar, against wall time
//   #/sweep/<id>                             a sweep: its progress, controls and results

import type { PanelState } from "./panel-registry";

export type Route =
  | { view: "new" }
  | { view: "sim"; id: string; panels?: PanelState }
  | { view: "compare"; runs: string[]; options: CompareOptions }
  | { view: "sweep"; id: string }
  | { view: "home" };

/** What a comparison shows besides its runs; each is optional in the address. */
export interface CompareOptions {
  /** The scalar overlaid, e.g. "loss" or "test_accuracy". */
  y?: string;
  /** EMA weight in [0, 1): 0 draws the raw curves. */
  smooth?: number;
  log?: boolean;
  /** The layer or parameter of a per-layer scalar. */
  layer?: string;
  /** The x axis: steps (default) or wall time since each run's first point. */
  x?: "step" | "time";
}

export function parseRoute(hash: string = location.hash): Route {
  if (hash === "#/new") return { view: "new" };
  const sim = /^#\/sim\/([^?]+)(?:\?(.*))?$/.exec(hash);
  if (sim) return { view: "sim", id: decodeURIComponent(sim[1]), panels: sim[2] === undefined ? undefined : panelState(sim[2]) };
  const sweep = /^#\/sweep\/([^?]+)$/.exec(hash);
  if (sweep) return { view: "sweep", id: decodeURIComponent(sweep[1]) };
  const compare = /^#\/compare(?:\?(.*))?$/.exec(hash);
  if (compare) {
    const q = new URLSearchParams(compare[1] ?? "");
    const runs = (q.get("runs") ?? "")
      .split(",")
      .map((s) => s.trim())
      .filter((s) => s !== "");
    const smooth = q.has("smooth") ? Number(q.get("smooth")) : undefined;
    return {
      view: "compare",
      runs: [...new Set(runs)],
      options: {
        y: q.get("y") || undefined,
        smooth: smooth !== undefined && smooth >= 0 && smooth < 1 ? smooth : undefined,
        log: q.has("log") ? q.get("log") === "1" : undefined,
        layer: q.get("layer") || undefined,
        x: q.get("x") === "time" ? "time" : q.get("x") === "step" ? "step" : undefined,
      },
    };
  }
  return { view: "home" };
}

/** `panels=a,b` and one `<panel>=<choice>` per choice (a panel named "panels" could not be told apart). */
function panelState(query: string): PanelState {
  const q = new URLSearchParams(query);
  const choices: Record<string, string> = {};
  for (const [k, v] of q) if (k !== "panels" && v !== "") choices[k] = v;
  const panels = (q.get("panels") ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  return { panels: [...new Set(panels)], choices };
}

/** A run's address; with `panels`, the panels open and what each shows. */
export function simHash(id: string, panels?: PanelState): string {
  const base = `#/sim/${encodeURIComponent(id)}`;
  if (!panels) return base;
  const parts = [`panels=${panels.panels.map(encodeURIComponent).join(",")}`];
  for (const [k, v] of Object.entries(panels.choices)) parts.push(`${encodeURIComponent(k)}=${encodeURIComponent(v)}`);
  return `${base}?${parts.join("&")}`;
}

export function sweepHash(id: string): string {
  return `#/sweep/${encodeURIComponent(id)}`;
}

export function compareHash(runs: string[], options: CompareOptions = {}): string {
  // Commas stay readable: run ids never hold one.
  const parts = [`runs=${runs.map(encodeURIComponent).join(",")}`];
  if (options.y) parts.push(`y=${encodeURIComponent(options.y)}`);
  if (options.smooth !== undefined) parts.push(`smooth=${options.smooth}`);
  if (options.log) parts.push("log=1");
  if (options.layer) parts.push(`layer=${encodeURIComponent(options.layer)}`);
  if (options.x === "time") parts.push("x=time");
  return `#/compare?${parts.join("&")}`;
}
