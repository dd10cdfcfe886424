// The legend of a comparison, as a table of its runs: colour, name (a link to the run), what it
// is, lineage, state, step, and of the scalar shown: the last value, the best (lowest for a
// loss, highest otherwise) with its step, and the value under the chart's cursor. × takes a run
// out of the comparison.

import { setStateBadge } from "./api";
import { formatScalar, formatStep, h } from "./dom";
import type { RunCurve } from "./run-curve";
import { runKinds, runName } from "./run-tree";
import { simHash } from "./routes";

export interface TableRun {
  curve: RunCurve;
  color: string;
}

export class CompareTable {
  readonly el: HTMLElement;
  private readonly body = h("tbody");
  private readonly valueHeads: HTMLElement[];
  // Rows are kept per run and updated in place: rebuilt at each live frame, they would swallow clicks.
  private readonly rows = new Map<string, Row>();

  /** `remove` takes a run out of the comparison. */
  constructor(private readonly remove: (id: string) => void) {
    this.valueHeads = ["last", "best", "at cursor"].map((t) => h("th", { className: "num" }, t));
    this.el = h(
      "table",
      { className: "log-table compare-table", testid: "compare-runs" },
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          h("th", {}, ""),
          h("th", {}, "run"),
          h("th", {}, "state"),
          h("th", { className: "num" }, "step"),
          ...this.valueHeads,
          h("th", {}, ""),
        ),
      ),
      this.body,
    );
  }

  /** Updates every row; `cursor` is the x under the chart's pointer: a step, or seconds on a time axis. */
  update(runs: TableRun[], observable: string, cursor: number | undefined, x: "step" | "time" = "step"): void {
    this.valueHeads[0].textContent = `last ${observable}`;
    this.valueHeads[1].textContent = `best ${observable}`;
    const lowerIsBetter = /loss/.test(observable);
    const ids = new Set(runs.map((r) => r.curve.id));
    for (const [id, row] of this.rows) {
      if (!ids.has(id)) {
        row.tr.remove();
        this.rows.delete(id);
      }
    }
    runs.forEach((r, i) => {
      let row = this.rows.get(r.curve.id);
      if (!row) this.rows.set(r.curve.id, (row = new Row(r.curve.id, this.remove)));
      row.update(r, lowerIsBetter, cursor, x);
      if (this.body.children[i] !== row.tr) this.body.insertBefore(row.tr, this.body.children[i] ?? null);
    });
  }
}

class Row {
  readonly tr: HTMLTableRowElement;
  private readonly swatch = h("span", { className: "swatch" });
  private readonly name: HTMLAnchorElement;
  private readonly about = h("div", { className: "muted small mono" });
  private readonly problem = h("div", { className: "warn small", testid: "compare-run-problem" });
  private readonly badge = h("span");
  private readonly step = h("td", { className: "num" });
  private readonly last = h("td", { className: "num", testid: "compare-last" });
  private readonly best = h("td", { className: "num", testid: "compare-best" });
  private readonly cursor = h("td", { className: "num", testid: "compare-cursor" });

  constructor(
    private readonly id: string,
    remove: (id: string) => void,
  ) {
    this.name = h("a", { href: simHash(id), className: "compare-name", testid: "compare-run-name" }, id);
    const x = h(
      "button",
      { type: "button", className: "edit-button", title: "Take this run out of the comparison", testid: "compare-remove" },
      "×",
    );
    x.addEventListener("click", () => remove(id));
    this.tr = h(
      "tr",
      { testid: "compare-run", "data-id": id },
      h("td", {}, this.swatch),
      h("td", {}, this.name, this.about, this.problem),
      h("td", {}, this.badge),
      this.step,
      this.last,
      this.best,
      this.cursor,
      h("td", {}, x),
    );
  }

  update({ curve, color }: TableRun, lowerIsBetter: boolean, cursor: number | undefined, x: "step" | "time"): void {
    const sim = curve.sim;
    const steps = curve.steps;
    const values = curve.values;
    let best = -1;
    for (let i = 0; i < values.length; i++) {
      if (!Number.isFinite(values[i])) continue;
      if (best < 0 || (lowerIsBetter ? values[i] < values[best] : values[i] > values[best])) best = i;
    }
    const times = x === "time" ? curve.times : [];
    const xs = x === "step" ? steps : times.map((t) => t - times[0]);
    const at = cursor === undefined ? -1 : lastAtOrBefore(xs, cursor);
    this.swatch.style.background = color;
    this.swatch.dataset.color = color;
    this.name.textContent = sim ? runName(sim) : this.id;
    const lineage = sim?.parentId ? `fork of ${sim.parentId} @ step ${formatStep(sim.forkStep)}` : "";
    this.about.textContent = [this.id, sim ? runKinds(sim) : "", lineage].filter(Boolean).join(" · ");
    this.problem.textContent = curve.problem ?? "";
    this.problem.hidden = !curve.problem;
    if (curve.gone) {
      this.badge.className = "badge state-deleted";
      this.badge.textContent = "deleted";
    } else if (sim) {
      setStateBadge(this.badge, sim.state, sim.queuePosition);
    }
    this.step.textContent = sim ? formatStep(sim.step) : "–";
    this.last.textContent = formatScalar(values[values.length - 1]);
    this.best.textContent = best < 0 ? "–" : `${formatScalar(values[best])} @ ${formatStep(steps[best])}`;
    this.cursor.textContent = at < 0 ? "–" : formatScalar(values[at]);
  }
}

/** The index of the last step <= `step` in ascending `steps` (-1: none). */
export function lastAtOrBefore(steps: number[], step: number): number {
  let lo = 0;
  let hi = steps.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (steps[mid] <= step) {
      found = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found;
}
