// A comparison (#/compare?runs=a,b,c&y=loss&smooth=0.6&log=1): any network-wide scalar of
// several runs overlaid on one chart (overlay-chart.ts), each run's curve from its record and
// then live (run-curve.ts; a fork's continues its parent's up to the fork step), its commands
// marked at their step, and a table of the runs (compare-table.ts). The scalar, smoothing and
// log scale are kept in the address (history.replaceState), so a reload or a shared link opens
// the same view; which runs, too (the sidebar's ticks change them).

import { type Catalogue, ObservableKind, type Simulation } from "@eiscope/client";
import { CompareTable } from "./compare-table";
import { h } from "./dom";
import { changesTheRun } from "./intervention-log";
import { OverlayChart, PALETTE } from "./overlay-chart";
import { type CompareOptions, compareHash } from "./routes";
import { RunCurve } from "./run-curve";
import { runName } from "./run-tree";
import { FrameThrottle } from "./frame-throttle";

/** TensorBoard's default. */
const DEFAULT_SMOOTHING = 0.6;
const POINTS_PER_PIXEL = 2;

export class CompareView {
  readonly el: HTMLElement;
  private runs: string[] = [];
  private curves = new Map<string, RunCurve>();
  private observable: string;
  private smoothing: number;
  private log: boolean;
  private cursor?: number;
  private readonly scalars: string[];
  private readonly title = h("h1", { testid: "compare-title" });
  private readonly ySelect = h("select", { testid: "compare-y", title: "The scalar overlaid" });
  private readonly smoothRange = h("input", {
    type: "range",
    min: 0,
    max: 0.99,
    step: 0.01,
    testid: "compare-smoothing",
    title: "Exponential moving average of each curve, as TensorBoard's smoothing: 0 draws the raw values",
  });
  private readonly smoothValue = h("span", { className: "mono small", testid: "compare-smoothing-value" });
  private readonly logBox = h("input", { type: "checkbox", testid: "compare-log" });
  private readonly empty = h(
    "p",
    { className: "muted", testid: "compare-empty" },
    "Tick runs in the list on the left, then “Compare”, to overlay their curves here.",
  );
  private readonly chart: OverlayChart;
  private readonly table: CompareTable;
  private readonly tableThrottle = new FrameThrottle(() => this.refreshTable(), 250);

  constructor(runs: string[], options: CompareOptions, catalogue: Catalogue) {
    this.scalars = catalogue.observables.filter((o) => o.kind === ObservableKind.SCALAR && !o.perLayer).map((o) => o.name);
    this.observable = options.y && this.scalars.includes(options.y) ? options.y : (this.scalars[0] ?? "loss");
    this.smoothing = options.smooth ?? DEFAULT_SMOOTHING;
    this.log = options.log ?? false;
    for (const s of this.scalars) this.ySelect.append(h("option", { value: s }, s.replaceAll("_", " ")));
    this.ySelect.value = this.observable;
    this.smoothRange.value = String(this.smoothing);
    this.logBox.checked = this.log;
    const body = h("div", { className: "chart-body compare-chart", testid: "compare-chart" });
    this.table = new CompareTable((id) =>
      this.setRuns(
        this.runs.filter((r) => r !== id),
        true,
      ),
    );
    this.el = h(
      "div",
      { className: "compare-view", testid: "compare-view" },
      h("header", { className: "compare-header" }, this.title),
      h(
        "div",
        { className: "control-row compare-controls" },
        h("label", { className: "steer-label" }, "scalar", this.ySelect),
        h("label", { className: "steer-label" }, "smoothing", this.smoothRange, this.smoothValue),
        h("label", { className: "toggle small muted", title: "Logarithmic axis for the scalar" }, this.logBox, "log scale"),
      ),
      h("section", { className: "card" }, body),
      this.empty,
      h("section", { className: "card compare-runs" }, this.table.el),
    );
    this.chart = new OverlayChart(
      body,
      () => ({
        runs: this.runs.flatMap((id, i) => {
          const c = this.curves.get(id);
          return c
            ? [
                {
                  id,
                  label: c.sim ? runName(c.sim) : id,
                  color: color(i),
                  steps: c.steps,
                  values: c.values,
                  inherited: c.inherited.reduce((n, p) => n + p.steps.length, 0),
                  markers: c.interventions.filter(changesTheRun).map((m) => ({
                    step: Number(m.step),
                    text: `${c.sim ? runName(c.sim) : id}: ${m.description}`,
                    color: color(i),
                  })),
                },
              ]
            : [];
        }),
        smoothing: this.smoothing,
        log: this.log,
        label: this.observable.replaceAll("_", " "),
      }),
      (step) => {
        this.cursor = step;
        this.tableThrottle.request();
      },
    );
    this.ySelect.addEventListener("change", () => {
      this.observable = this.ySelect.value;
      this.restart();
      this.saveAddress();
    });
    this.smoothRange.addEventListener("input", () => {
      this.smoothing = Number(this.smoothRange.value);
      this.changed();
      this.saveAddress();
    });
    this.logBox.addEventListener("change", () => {
      this.log = this.logBox.checked;
      this.changed();
      this.saveAddress();
    });
    this.setRuns(runs);
  }

  /** The runs compared, in colour order; `navigate` also puts them in the address. */
  setRuns(runs: string[], navigate = false): void {
    this.runs = [...new Set(runs)];
    for (const [id, c] of this.curves) {
      if (!this.runs.includes(id)) {
        c.stop();
        this.curves.delete(id);
      }
    }
    for (const id of this.runs) if (!this.curves.has(id)) this.curves.set(id, this.curve(id));
    this.el.dataset.runs = this.runs.join(",");
    if (navigate) location.hash = this.runs.length ? compareHash(this.runs, this.options()) : "#/";
    this.changed();
  }

  /** What an address asks to show (a link followed while the comparison is open); what it leaves out stays. */
  setOptions(options: CompareOptions): void {
    if (options.smooth !== undefined) this.smoothing = options.smooth;
    if (options.log !== undefined) this.log = options.log;
    this.smoothRange.value = String(this.smoothing);
    this.logBox.checked = this.log;
    if (options.y && this.scalars.includes(options.y) && options.y !== this.observable) {
      this.observable = options.y;
      this.ySelect.value = options.y;
      this.restart();
    }
    this.changed();
  }

  /** Fresher runs from the list's poll: names, states and steps in the table. */
  update(sims: Simulation[]): void {
    for (const s of sims) {
      const c = this.curves.get(s.id);
      if (c && !c.gone) c.sim = s;
    }
    this.tableThrottle.request();
  }

  destroy(): void {
    for (const c of this.curves.values()) c.stop();
    this.tableThrottle.cancel();
    this.chart.destroy();
  }

  private curve(id: string): RunCurve {
    return new RunCurve(id, this.observable, { maxPoints: () => POINTS_PER_PIXEL * this.chart.widthPx }, () => this.changed());
  }

  /** Every run's curve read again, for another scalar. */
  private restart(): void {
    for (const c of this.curves.values()) c.stop();
    this.curves = new Map(this.runs.map((id) => [id, this.curve(id)]));
    this.changed();
  }

  private changed(): void {
    const n = this.runs.length;
    this.title.textContent =
      n === 0 ? "Compare runs" : `Comparing ${n} run${n === 1 ? "" : "s"} · ${this.observable.replaceAll("_", " ")}`;
    this.smoothValue.textContent = this.smoothing.toFixed(2);
    this.empty.hidden = n > 0;
    this.el.dataset.y = this.observable;
    this.el.dataset.smoothing = String(this.smoothing);
    this.chart.request();
    this.tableThrottle.request();
  }

  private refreshTable(): void {
    this.table.update(
      this.runs.flatMap((id, i) => {
        const curve = this.curves.get(id);
        return curve ? [{ curve, color: color(i) }] : [];
      }),
      this.observable,
      this.cursor,
    );
  }

  private options(): CompareOptions {
    return { y: this.observable, smooth: this.smoothing, log: this.log };
  }

  /** The address says what is shown, without a navigation (no hashchange: the view stays). */
  private saveAddress(): void {
    history.replaceState(history.state, "", compareHash(this.runs, this.options()));
  }
}

function color(i: number): string {
  return PALETTE[i % PALETTE.length];
}
