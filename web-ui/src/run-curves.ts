// The learning curves of one run: the latest values (loss, accuracy, held-out loss and
// accuracy, with the samples each curve stands for) and two uPlot charts, loss (log-scale
// toggle) and accuracy, training per minibatch in blue with its moving average, held-out
// evaluations in orange. Filled from the run record, then by live frames (SimulationView
// decides which); marked at the scrubbed step and at the steps where commands took effect.

import type { History } from "@eiscope/client";
import { exportButtons } from "./chart-export";
import type { ChartMarker } from "./chart-markers";
import { CurveChart } from "./curve-chart";
import { formatScalar, h } from "./dom";

export const SCALARS = ["loss", "accuracy", "test_loss", "test_accuracy"];
export const HELD_OUT = ["test_loss", "test_accuracy"];
const TRAIN = "#2563eb";
const TEST = "#e08a1e";
/** Points per series asked of the record, per pixel of chart width. */
const POINTS_PER_PIXEL = 2;

export class RunCurves {
  /** The latest value of each scalar, as cards. */
  readonly stats: HTMLElement;
  /** The two chart cards, side by side. */
  readonly charts: HTMLElement;
  private readonly problem = h("span", { className: "warn small", testid: "stream-problem" });
  private readonly downsampledNote = h(
    "span",
    {
      className: "muted small",
      testid: "curve-downsampled",
      title:
        "More points than pixels: each drawn point stands for a bucket of steps, whose first, smallest, largest and last values are kept",
    },
    "downsampled",
  );
  private readonly cards = new Map<string, { value: HTMLElement; count: HTMLElement; unit: HTMLElement }>();
  private readonly all: CurveChart[];
  /** Names the exported files: `<fileBase>-loss.csv`, … (the run's id). */
  fileBase = "run";

  constructor() {
    const lossBody = h("div", { className: "chart-body", testid: "loss-chart" });
    const accBody = h("div", { className: "chart-body", testid: "accuracy-chart" });
    const logBox = h("input", { type: "checkbox", testid: "loss-log" });
    const logToggle = h("label", { className: "toggle small muted", title: "Logarithmic loss axis" }, logBox, "log scale");
    this.downsampledNote.hidden = true;
    this.stats = h("div", { className: "stats" }, ...SCALARS.map((o) => this.statCard(o)));
    this.charts = h(
      "div",
      { className: "grid-2" },
      h(
        "section",
        { className: "card" },
        h(
          "header",
          { className: "card-header" },
          h("h3", {}, "Loss"),
          h("span", { className: "spacer" }),
          this.problem,
          this.downsampledNote,
          logToggle,
          exportButtons(
            "loss-export",
            () => this.all[0].picture("loss"),
            () => `${this.fileBase}-loss`,
          ),
        ),
        lossBody,
      ),
      h(
        "section",
        { className: "card" },
        h(
          "header",
          { className: "card-header" },
          h("h3", {}, "Accuracy"),
          h("span", { className: "spacer" }),
          exportButtons(
            "accuracy-export",
            () => this.all[1].picture("accuracy"),
            () => `${this.fileBase}-accuracy`,
          ),
        ),
        accBody,
      ),
    );
    const refresh = () => this.refreshStats();
    this.all = [
      new CurveChart(
        lossBody,
        [
          { observable: "loss", label: "train", color: TRAIN, smooth: true },
          { observable: "test_loss", label: "test", color: TEST, points: true },
        ],
        refresh,
      ),
      new CurveChart(
        accBody,
        [
          { observable: "accuracy", label: "train", color: TRAIN, smooth: true },
          { observable: "test_accuracy", label: "test", color: TEST, points: true },
        ],
        refresh,
      ),
    ];
    logBox.addEventListener("change", () => this.all[0].setLogScale(logBox.checked));
  }

  /** Why the stream is down, shown in the loss chart's header (undefined: it is up). */
  setProblem(problem: string | undefined): void {
    this.problem.textContent = problem ?? "";
  }

  /** About two points per pixel of the chart, so a million-step run comes as a few thousand points. */
  maxPoints(): number {
    const n = POINTS_PER_PIXEL * this.all[0].widthPx;
    // Live samples may double a curve before it is downsampled again (see Series).
    for (const c of this.all) c.setMaxPoints(2 * n);
    return n;
  }

  /** Replaces every curve with the network-wide series of `history`. */
  load(history: History): void {
    this.clear();
    for (const s of history.series) {
      if (s.layer !== "") continue;
      this.chartOf(s.observable)?.load(
        s.observable,
        s.steps,
        s.values,
        s.downsampled ? s.recordedPoints : s.steps.length,
        s.downsampled,
      );
    }
  }

  /** The last step drawn of `observable` (-1: none). */
  lastStepOf(observable: string): number {
    return this.chartOf(observable)?.series.get(observable)?.lastStep ?? -1;
  }

  /** The last step drawn of any curve (-1: none). */
  lastStep(): number {
    return Math.max(-1, ...this.all.flatMap((c) => [...c.series.values()].map((s) => s.lastStep)));
  }

  /** Appends a sample; false when the observable is not drawn here or the step is drawn already. */
  push(observable: string, step: number, value: number, merged: number): boolean {
    const chart = this.chartOf(observable);
    // Drawn already: the watch may send the record again from before its end.
    if (!chart || step <= chart.series.get(observable)!.lastStep) return false;
    chart.push(observable, step, value, merged);
    return true;
  }

  clear(): void {
    for (const c of this.all) c.clear();
  }

  /** The step the scrubber shows (undefined: live). */
  setMarker(step: number | undefined): void {
    for (const c of this.all) c.setMarker(step);
  }

  setInterventions(markers: ChartMarker[]): void {
    for (const c of this.all) c.setInterventions(markers);
  }

  destroy(): void {
    for (const c of this.all) c.destroy();
  }

  private chartOf(observable: string): CurveChart | undefined {
    return this.all.find((c) => c.handles(observable));
  }

  private refreshStats(): void {
    let downsampled = false;
    for (const c of this.all) {
      for (const [name, s] of c.series) {
        const card = this.cards.get(name)!;
        card.value.textContent = formatScalar(s.lastValue);
        card.count.textContent = String(s.samples);
        card.unit.textContent = s.samples === 1 ? " sample" : " samples";
        downsampled ||= s.downsampled;
      }
    }
    this.downsampledNote.hidden = !downsampled;
  }

  private statCard(observable: string): HTMLElement {
    const value = h("span", { className: "stat-value", testid: `${observable}-last` }, "–");
    const count = h("span", { testid: `${observable}-points` }, "0");
    const unit = h("span", {}, " samples");
    this.cards.set(observable, { value, count, unit });
    return h(
      "div",
      { className: "stat", title: `latest ${observable}; samples the curve stands for (the run record, then live)` },
      h("span", { className: "stat-label" }, observable.replace("_", " ")),
      value,
      h("span", { className: "muted small" }, count, unit),
    );
  }
}
