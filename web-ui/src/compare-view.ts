// A comparison (#/compare?runs=a,b,c&y=loss&smooth=0.6&log=1, or &y=nse&layer=layer0.W&x=time):
// one scalar of several runs overlaid on one chart (overlay-chart.ts), network-wide or of one
// layer, against steps or wall time; each run's curve from its record and then live
// (run-curve.ts; a fork's continues its parent's up to the fork step), its commands marked where
// they took effect, a table of the runs (compare-table.ts), and the chart's CSV, PNG and SVG. What
// is shown (compare-controls.ts) is kept in the address (history.replaceState), so a reload or a
// shared link opens the same view; which runs, too (the sidebar's ticks change them).

import { type Catalogue, describeError, type Simulation } from "@eiscope/client";
import { client } from "./api";
import { exportButtons } from "./chart-export";
import { type CompareChange, CompareControls } from "./compare-controls";
import { CompareTable, lastAtOrBefore } from "./compare-table";
import { h } from "./dom";
import { FrameThrottle } from "./frame-throttle";
import { changesTheRun } from "./intervention-log";
import { OverlayChart, type OverlayRun, PALETTE } from "./overlay-chart";
import { type CompareOptions, compareHash, parseRoute } from "./routes";
import { RunCurve } from "./run-curve";
import { runName } from "./run-tree";

const POINTS_PER_PIXEL = 2;
/**
 * The runs' curves are read at the same moments (run-curve.ts); their answers, which come within
 * a few tens of ms of each other, are drawn together after this long: one redraw a second while
 * ten runs play, where each answer drawn as it came made up to ten (each ~15 ms).
 */
const SETTLE_MS = 150;
/** While no run has recorded a per-layer scalar, its layers are looked for again this often. */
const LAYER_RETRY_MS = 5000;

/** How long the smoothing slider rests before its value is written to the address. */
const ADDRESS_QUIET_MS = 400;

export class CompareView {
  readonly el: HTMLElement;
  private runs: string[] = [];
  private curves = new Map<string, RunCurve>();
  private cursor?: number;
  private readonly title = h("h1", { testid: "compare-title" });
  private readonly controls: CompareControls;
  private readonly empty = h(
    "p",
    { className: "muted", testid: "compare-empty" },
    "Tick runs in the list on the left, then “Compare”, to overlay their curves here.",
  );
  private readonly chart: OverlayChart;
  private readonly table: CompareTable;
  private readonly tableThrottle = new FrameThrottle(() => this.refreshTable(), 250);
  // replaceState (~10 ms with ten runs in the address) at the slider's input events held frames
  // that also redrew the chart: the smoothing is written once the slider rests (ADDRESS_QUIET_MS).
  private addressTimer?: number;
  private layerSearch = 0;
  private layerTimer?: number;
  private settling?: number;

  constructor(runs: string[], options: CompareOptions, catalogue: Catalogue) {
    this.controls = new CompareControls(catalogue, options, (what) => this.onControl(what));
    const body = h("div", { className: "chart-body compare-chart", testid: "compare-chart" });
    this.table = new CompareTable((id) =>
      this.setRuns(
        this.runs.filter((r) => r !== id),
        true,
      ),
    );
    const exports = exportButtons(
      "compare-export",
      () => this.chart.picture(),
      () => `compare-${this.s.y}${this.s.layer ? `-${this.s.layer}` : ""}`,
    );
    this.el = h(
      "div",
      { className: "compare-view", testid: "compare-view" },
      h("header", { className: "compare-header" }, this.title),
      this.controls.el,
      h(
        "section",
        { className: "card" },
        h("header", { className: "card-header" }, h("span", { className: "spacer" }), exports),
        body,
      ),
      this.empty,
      h("section", { className: "card compare-runs" }, this.table.el),
    );
    this.chart = new OverlayChart(
      body,
      () => ({
        runs: this.runs.flatMap((id, i) => {
          const c = this.curves.get(id);
          return c ? [this.overlayRun(id, c, color(i))] : [];
        }),
        smoothing: this.s.smoothing,
        log: this.s.log,
        label: this.label(),
        x: this.s.x,
      }),
      (x) => {
        this.cursor = x;
        this.tableThrottle.request();
      },
    );
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
    this.findLayers();
    this.changed();
  }

  /** What an address asks to show (a link followed while the comparison is open); what it leaves out stays. */
  setOptions(options: CompareOptions): void {
    const changes = this.controls.apply(options);
    if (changes.includes("y") || changes.includes("layer")) this.restart();
    if (changes.includes("y")) this.findLayers();
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
    window.clearTimeout(this.layerTimer);
    window.clearTimeout(this.settling);
    this.layerSearch++;
    this.tableThrottle.cancel();
    window.clearTimeout(this.addressTimer);
    this.chart.destroy();
  }

  private get s() {
    return this.controls.settings;
  }

  private onControl(what: CompareChange): void {
    if (what === "y" || what === "layer") this.restart();
    if (what === "y") this.findLayers();
    this.changed();
    // The slider sends an event per pixel dragged: its address is written a little later.
    window.clearTimeout(this.addressTimer);
    if (what === "smoothing") this.addressTimer = window.setTimeout(() => this.writeAddress(), ADDRESS_QUIET_MS);
    else this.writeAddress();
  }

  private label(): string {
    return `${this.s.y.replaceAll("_", " ")}${this.s.layer ? ` of ${this.s.layer}` : ""}`;
  }

  /** What the chart draws of one run: its values against steps, or against seconds since its first point. */
  private overlayRun(id: string, c: RunCurve, colour: string): OverlayRun {
    const steps = c.steps;
    const name = c.sim ? runName(c.sim) : id;
    let xs = steps;
    if (this.s.x === "time") {
      const times = c.times;
      xs = times.length === steps.length ? times.map((t) => t - times[0]) : [];
    }
    // A command is marked at its step, or at the time of the last point at or before it.
    const at = (step: number) => (this.s.x === "step" ? step : xs[Math.max(0, lastAtOrBefore(steps, step))]);
    return {
      id,
      label: name,
      color: colour,
      steps,
      xs,
      values: xs.length === steps.length ? c.values : [],
      inherited: c.inherited.reduce((n, p) => n + p.steps.length, 0),
      markers: c.interventions
        .filter(changesTheRun)
        .filter(() => xs.length > 0)
        .map((m) => ({ step: at(Number(m.step)), text: `${name}: ${m.description}`, color: colour })),
    };
  }

  private curve(id: string): RunCurve {
    const layer = this.controls.isPerLayer() ? this.s.layer : "";
    return new RunCurve(id, this.s.y, layer, { maxPoints: () => POINTS_PER_PIXEL * this.chart.widthPx }, () =>
      this.curveChanged(),
    );
  }

  /** Every run's curve read again, for another scalar or layer. */
  private restart(): void {
    for (const c of this.curves.values()) c.stop();
    this.curves = new Map(this.runs.map((id) => [id, this.curve(id)]));
    this.changed();
  }

  /**
   * For a per-layer scalar, the layers the runs' records hold it for (a few points of each run's
   * history say which); the first one is chosen when none is. Per-layer scalars are recorded
   * while something measures them, so while none is found it looks again every few seconds.
   */
  private findLayers(): void {
    window.clearTimeout(this.layerTimer);
    const search = ++this.layerSearch;
    if (!this.controls.isPerLayer()) return;
    const y = this.s.y;
    void Promise.allSettled(this.runs.map((id) => client.history(id, { observables: [y], maxPoints: 4 }))).then((answers) => {
      if (search !== this.layerSearch) return;
      const layers = new Set<string>();
      const problems: string[] = [];
      for (const a of answers) {
        if (a.status === "fulfilled") for (const s of a.value.series) if (s.observable === y && s.layer) layers.add(s.layer);
        if (a.status === "rejected") problems.push(describeError(a.reason));
      }
      const found = [...layers].sort();
      const none = `no run has ${y} recorded yet: a per-layer scalar is recorded while it is measured (a Spectrum or Dynamics panel, a watch, a watchpoint)`;
      this.controls.setLayers(found, found.length ? problems.join("; ") : none);
      this.el.dataset.layers = found.join(",");
      if (!this.s.layer && found.length) {
        this.s.layer = found[0];
        this.controls.setLayers(found, "");
        this.restart();
        this.writeAddress();
      }
      if (found.length === 0) this.layerTimer = window.setTimeout(() => this.findLayers(), LAYER_RETRY_MS);
    });
  }

  /** A curve read something new: drawn with the others' answers of the same moment (SETTLE_MS). */
  private curveChanged(): void {
    this.settling ??= window.setTimeout(() => {
      this.settling = undefined;
      this.changed();
    }, SETTLE_MS);
  }

  private changed(): void {
    const n = this.runs.length;
    this.title.textContent = n === 0 ? "Compare runs" : `Comparing ${n} run${n === 1 ? "" : "s"} · ${this.label()}`;
    this.empty.hidden = n > 0;
    this.el.dataset.y = this.s.y;
    this.el.dataset.layer = this.s.layer;
    this.el.dataset.x = this.s.x;
    this.el.dataset.smoothing = String(this.s.smoothing);
    this.chart.request();
    // The table a frame after the chart: the two together overran a frame.
    requestAnimationFrame(() => this.tableThrottle.request());
  }

  private refreshTable(): void {
    this.table.update(
      this.runs.flatMap((id, i) => {
        const curve = this.curves.get(id);
        return curve ? [{ curve, color: color(i) }] : [];
      }),
      this.s.y,
      this.cursor,
      this.s.x,
    );
  }

  private options(): CompareOptions {
    const s = this.s;
    return { y: s.y, smooth: s.smoothing, log: s.log, layer: s.layer || undefined, x: s.x };
  }

  /** The address says what is shown, without a navigation (no hashchange: the view stays). */
  private writeAddress(): void {
    if (parseRoute().view === "compare") history.replaceState(history.state, "", compareHash(this.runs, this.options()));
  }
}

function color(i: number): string {
  return PALETTE[i % PALETTE.length];
}
