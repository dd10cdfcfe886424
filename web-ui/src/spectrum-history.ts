// The spectrum of one matrix over time, under the spectrum panel: a waterfall of its singular
// values (a row per measured step) and curves of NSE, spectral radius and both effective ranks.
// The curves are recorded scalars: they come from the run record (GetHistory, every value ever
// measured, so a page opened late shows the past) and grow with the panel's live frames.
// Singular-value vectors are not recorded, so the waterfall holds what this page measured: a row
// at each checkpoint kept for the run (Measure at that step: the server loads the checkpoint and
// replays nothing) and at step 0, then a row for every live or scrubbed frame while it is open.

import { describeError, type WatchFrame } from "@eiscope/client";
import { client } from "./api";
import { formatScalar, formatStep, h } from "./dom";
import { StepLines } from "./step-lines";
import { WaterfallCanvas } from "./waterfall-canvas";
import "./spectrum-history.css";

const SINGULAR_VALUES = "singular_values";
/** Two charts: values about 1 (NSE in [0, 1], ρ), and ranks (1 to k). */
const CURVES = [
  { key: "nse", label: "NSE", color: "#2563eb", chart: 0 },
  { key: "spectral_radius", label: "spectral radius ρ", color: "#e08a1e", chart: 0 },
  { key: "effective_rank_entropy", label: "effective rank (entropy)", color: "#16a34a", chart: 1 },
  { key: "effective_rank_participation", label: "effective rank (participation)", color: "#9333ea", chart: 1 },
];
/** Checkpoints measured when the panel opens (the most recent ones), besides step 0. */
const CHECKPOINT_ROWS = 24;
const MAX_ROWS = 400;

export class SpectralHistory {
  readonly el: HTMLElement;
  private readonly rows = new Map<number, Float32Array>();
  /** Per row, the cadence of the live watch that measured it; null: measured once (checkpoint, scrub). */
  private readonly cadences = new Map<number, number | null>();
  private readonly waterfall: WaterfallCanvas;
  private readonly curves: StepLines[];
  private readonly curveKeys: Set<string>;
  private readonly hoverLine = h("p", { className: "small mono", testid: "waterfall-hover" }, " ");
  private readonly status = h("span", { className: "muted small", testid: "waterfall-status" });
  private target = "";
  private load?: AbortController;

  /** @param offered the spectral observables this server has */
  constructor(
    private readonly simId: string,
    offered: string[],
  ) {
    const defs = CURVES.filter((c) => offered.includes(c.key));
    this.curveKeys = new Set(defs.map((d) => d.key));
    const waterfallBox = h("div", { className: "spectrum-plot", testid: "waterfall" });
    const chartBoxes = [0, 1].map((i) => h("div", { className: "spectral-curves", testid: `spectral-curves-${i}` }));
    const curvesBox = h("div", { className: "spectrum-plot" }, ...chartBoxes);
    this.el = h(
      "div",
      { className: "spectrum-history", testid: "spectrum-history" },
      h("h4", {}, "Over time"),
      h("div", { className: "spectrum-plots" }, waterfallBox, curvesBox),
      h("div", { className: "spectrum-history-footer" }, this.hoverLine, this.status),
    );
    this.waterfall = new WaterfallCanvas(waterfallBox, (c) => {
      this.hoverLine.textContent = c ? `step ${formatStep(c.step)} · σ${c.index} = ${formatScalar(c.value)}` : " ";
      this.hoverLine.dataset.step = c ? String(c.step) : "";
      this.hoverLine.dataset.index = c ? String(c.index) : "";
      this.hoverLine.dataset.value = c ? String(c.value) : "";
    });
    // For tests: each row's step and the cadence of the watch that measured it.
    Object.defineProperty(this.el, "eiscopeRowCadences", {
      value: () => [...this.cadences].sort((a, b) => a[0] - b[0]).map(([step, everySteps]) => ({ step, everySteps })),
    });
    const labels = [{ left: "NSE, ρ" }, { left: "effective rank" }];
    this.curves = [0, 1].map(
      (i) =>
        new StepLines(
          chartBoxes[i],
          defs.filter((d) => d.chart === i),
          labels[i],
          130,
        ),
    );
  }

  /** Shows `target` afresh: its recorded curves and a row per checkpoint; "" shows nothing. */
  show(target: string): void {
    this.stop();
    this.target = target;
    this.rows.clear();
    this.cadences.clear();
    for (const c of this.curves) c.clear();
    this.redraw();
    delete this.el.dataset.loaded;
    if (!target) return;
    const load = (this.load = new AbortController());
    void this.loadPast(target, load.signal);
  }

  /**
   * A frame for the panel's target, live or at a scrubbed step: a row, or a point on a curve.
   * `everySteps`: the cadence of the live watch that brought it (undefined: measured once).
   */
  onFrame(f: WatchFrame, everySteps?: number): void {
    if (f.layer !== this.target) return;
    if (f.payload.kind === "tensor" && f.observable === SINGULAR_VALUES) this.addRow(f.step, f.payload.tensor.data, everySteps);
    else if (f.payload.kind === "scalar" && this.curveKeys.has(f.observable))
      this.addPoints(f.observable, [f.step], [f.payload.value]);
  }

  stop(): void {
    this.load?.abort();
  }

  destroy(): void {
    this.stop();
    this.waterfall.destroy();
    for (const c of this.curves) c.destroy();
  }

  /** Each series is in one chart; the others ignore it. */
  private addPoints(key: string, steps: ArrayLike<number>, values: ArrayLike<number>): void {
    for (const c of this.curves) c.add(key, steps, values);
  }

  private addRow(step: number, values: Float32Array, everySteps?: number): void {
    this.rows.set(step, values);
    this.cadences.set(step, everySteps ?? null);
    // Bounded: the oldest rows after step 0 go first.
    while (this.rows.size > MAX_ROWS) {
      const oldest = Math.min(...[...this.rows.keys()].filter((s) => s > 0));
      this.rows.delete(oldest);
      this.cadences.delete(oldest);
    }
    this.redraw();
  }

  private redraw(): void {
    const steps = [...this.rows.keys()].sort((a, b) => a - b);
    this.waterfall.set(steps.map((step) => ({ step, values: this.rows.get(step)! })));
  }

  private async loadPast(target: string, signal: AbortSignal): Promise<void> {
    try {
      this.status.textContent = "reading the record…";
      const history = await client.history(this.simId, { observables: [...this.curveKeys], layers: [target] });
      if (signal.aborted) return;
      for (const s of history.series) if (s.layer === target) this.addPoints(s.observable, s.steps, s.values);
      const kept = (await client.checkpoints(this.simId)).map((c) => c.step);
      const steps = [...new Set([0, ...kept.slice(-CHECKPOINT_ROWS)])].sort((a, b) => a - b);
      for (const [i, step] of steps.entries()) {
        if (signal.aborted) return;
        this.status.textContent = `measuring the checkpoints: step ${formatStep(step)} (${i + 1} of ${steps.length})…`;
        const frames = await client.measureAt(this.simId, step, [SINGULAR_VALUES], [target], signal);
        for (const f of frames) if (!signal.aborted) this.onFrame(f);
      }
      this.status.textContent = `rows: step 0, the ${steps.length - 1} checkpoint${steps.length === 2 ? "" : "s"} kept, then each measurement while open`;
      this.el.dataset.loaded = "true";
    } catch (e) {
      if (!signal.aborted) this.status.textContent = `could not read the past: ${describeError(e)}`;
    }
  }
}
