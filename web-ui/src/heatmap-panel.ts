// A live heatmap of one weight matrix: any parameter, or an effective signed E/I matrix (the
// server's Simulation.effective_matrices), or its change since step 0. Values come from
// GetParameters, pooled on the server to the plot's size in device pixels (max_rows/max_cols:
// each cell the value of largest magnitude of its block, sign kept), so a 784 x 500 matrix
// costs what the screen can show. While the run plays it reads again as soon as the previous
// answer is drawn, at most 10 times a second and never two calls at once; when it stops, once
// more at the step it stopped on. At a past step chosen with the step scrubber it reads that
// step (GetParameters with `step`). Closed until opened: each read costs the server a copy.

import { Code, ConnectError, describeError, type ParameterInfo, type Simulation, SimulationState } from "@eiscope/client";
import { remember, remembered } from "./cadenced-watch";
import { formatScalar, formatStep, h, replaceChildren } from "./dom";
import { HeatmapCanvas, type LoadedMatrix } from "./heatmap-canvas";
import { LatestRead } from "./latest-read";
import { fillMatrixPicker } from "./matrix-targets";
import { cellInfo, describeCell } from "./matrix-blocks";
import { PastMeasure, type StepView } from "./past-measure";

const MAX_HZ = 10;
const OPEN_KEY = "eiscope.heatmap.open";
/** What the hover line says about the cell under the pointer, as data attributes (for tests). */
const HOVER_KEYS = ["i", "j", "rowStart", "rowEnd", "colStart", "colEnd", "rowKind", "colKind", "value", "step"];

export class HeatmapPanel implements StepView {
  readonly el: HTMLElement;
  private readonly targets: Map<string, ParameterInfo>;
  private readonly toggle = h("button", { type: "button", testid: "heatmap-toggle" });
  private readonly select = h("select", { testid: "heatmap-target", title: "Weight matrix or effective E/I matrix" });
  private readonly mode = h(
    "select",
    { testid: "heatmap-mode", title: "The values, or how much each changed since step 0" },
    h("option", { value: "values" }, "values"),
    h("option", { value: "change" }, "change since step 0"),
  );
  private readonly clip = h("input", { type: "checkbox", testid: "heatmap-clip" });
  private readonly problem = h("span", { className: "warn small", testid: "heatmap-problem" });
  private readonly info = h("span", { className: "muted small", testid: "heatmap-info" });
  private readonly hoverLine = h("p", { className: "small mono heatmap-hover", testid: "heatmap-hover" }, " ");
  private readonly body = h("div", { className: "heatmap-body" });
  private readonly canvas: HeatmapCanvas;
  private readonly past: PastMeasure;
  private readonly reader: LatestRead<LoadedMatrix>;
  private shown?: LoadedMatrix & { name: string; change: boolean };
  private running: boolean;
  private open = false;

  constructor(private readonly sim: Simulation) {
    this.targets = fillMatrixPicker(this.select, sim);
    const plot = h("div", { className: "heatmap-plot" });
    replaceChildren(this.body, plot, this.hoverLine, h("footer", { className: "card-footer" }, this.info));
    this.canvas = new HeatmapCanvas(plot, (cell) => this.onHover(cell));
    this.past = new PastMeasure(sim.id, this.problem, "heatmap-past");
    this.running = sim.state === SimulationState.RUNNING;
    this.el = h(
      "section",
      { className: "card heatmap", testid: "heatmap-panel", "data-panel": "heatmap" },
      h(
        "header",
        { className: "card-header" },
        h("h3", {}, "Weight matrix"),
        this.past.badge,
        h("span", { className: "spacer" }),
        this.problem,
        h(
          "label",
          {
            className: "toggle small muted",
            title: "Colour scale to the 99th percentile of |w|: the largest weights saturate, the rest show",
          },
          this.clip,
          "clip at 99 %",
        ),
        this.mode,
        this.select,
        this.toggle,
      ),
      this.body,
    );
    this.reader = new LatestRead(
      (signal) => this.read(signal),
      (m) => this.draw(m),
      (e) => this.fail(e),
      1000 / MAX_HZ,
    );
    this.toggle.addEventListener("click", () => this.setOpen(!this.open));
    this.select.addEventListener("change", () => this.restart());
    this.mode.addEventListener("change", () => this.restart());
    this.clip.addEventListener("change", () => {
      this.canvas.setClipped(this.clip.checked);
      if (this.shown) this.draw(this.shown);
    });
    if (this.targets.size === 0) this.el.hidden = true;
    this.setOpen(remembered(OPEN_KEY));
  }

  /** A state event at `step` from the view's stream; `reset`: the run went back to step 0. */
  onState(state: SimulationState, _step: number, reset = false): void {
    this.running = state === SimulationState.RUNNING;
    if (this.past.isFrozen || !this.open) return;
    if (reset) this.canvas.set(undefined);
    this.reader.follow(this.running);
    if (!this.running) this.reader.request(); // the step it stopped on
  }

  /** Reads the current values once more (live only: a past step does not change). */
  reread(): void {
    if (this.open && !this.past.isFrozen) this.reader.request();
  }

  freeze(): void {
    this.past.freeze();
    this.reader.cancel();
  }

  async showStep(step: number, signal: AbortSignal): Promise<void> {
    this.past.pin(step);
    if (!this.open) return;
    this.problem.textContent = "";
    try {
      const m = await this.read(signal, step);
      if (!signal.aborted) this.draw(m);
    } catch (e) {
      if (signal.aborted) return;
      this.problem.textContent = `step ${formatStep(step)}: ${describeError(e)}`;
      this.canvas.set(undefined, "could not read this step");
      throw e;
    }
  }

  goLive(): void {
    if (!this.past.isFrozen) return;
    this.past.unpin();
    this.restart();
  }

  /** Ends its reads, keeping what it shows (the run is gone). */
  stop(): void {
    this.reader.cancel();
  }

  destroy(): void {
    this.stop();
    this.canvas.destroy();
  }

  private setOpen(open: boolean): void {
    this.open = open;
    remember(OPEN_KEY, open);
    this.toggle.textContent = open ? "Hide" : "Show";
    this.toggle.title = open ? "Stop reading this matrix" : "Show a live heatmap of a weight matrix";
    this.body.hidden = !open;
    this.select.hidden = !open;
    this.mode.hidden = !open;
    this.clip.parentElement!.hidden = !open;
    this.el.dataset.open = String(open);
    if (open) this.restart();
    else this.reader.cancel();
  }

  /** Reads the chosen matrix afresh: live (following the run while it plays), or at the pinned step. */
  private restart(): void {
    this.reader.cancel();
    this.canvas.fitRows(this.targets.get(this.select.value)?.shape[0] ?? 0);
    this.canvas.set(undefined);
    this.shown = undefined;
    if (!this.open) return;
    const step = this.past.step;
    if (this.past.isFrozen) {
      if (step !== undefined) this.showStep(step, new AbortController().signal).catch(() => {});
      return;
    }
    this.reader.follow(this.running);
    this.reader.request();
  }

  /** The values, read (and decoded) off the main thread where the browser lets the heatmap draw in a worker. */
  private read(signal: AbortSignal, step?: number): Promise<LoadedMatrix> {
    const { rows, cols } = this.canvas.plotPixels();
    const change = this.mode.value === "change";
    return this.canvas.load(
      this.sim.id,
      this.select.value,
      { step, maxRows: rows, maxCols: cols, changeSinceStart: change },
      signal,
    );
  }

  private draw(m: LoadedMatrix): void {
    const name = this.select.value;
    const change = this.mode.value === "change";
    this.shown = { ...m, name, change };
    this.problem.textContent = "";
    this.canvas.set({ ...m, name, partition: this.targets.get(name)?.partition });
    const pooled = m.shape[0] !== m.fullShape[0] || m.shape[1] !== m.fullShape[1];
    const d = this.el.dataset;
    d.step = String(m.step);
    d.target = name;
    d.mode = change ? "change" : "values";
    d.shape = m.shape.join("x");
    d.fullShape = m.fullShape.join("x");
    d.limit = String(this.canvas.limitShown);
    d.reads = String(this.reader.calls);
    d.maxInFlight = String(this.reader.maxInFlight);
    const what = change ? `${name} − ${name} at step 0` : name;
    this.info.textContent = [
      `step ${formatStep(m.step)}`,
      `${what}: ${m.fullShape.join(" × ")}`,
      pooled
        ? `drawn as ${m.shape.join(" × ")} blocks, each the value of largest magnitude (sign kept), pooled on the server`
        : "one cell per weight",
      this.clip.checked
        ? `colour scale ±${formatScalar(this.canvas.limitShown)} (the 99th percentile of |w|; larger values saturate)`
        : `colour scale ±${formatScalar(this.canvas.limitShown)} (the largest magnitude shown)`,
    ].join(" · ");
  }

  private fail(e: unknown): void {
    this.problem.textContent = describeError(e);
    // Gone, or a target this server cannot read (an older server without effective matrices): stop asking.
    if (e instanceof ConnectError && (e.code === Code.NotFound || e.code === Code.InvalidArgument)) this.reader.cancel();
  }

  private onHover(cell: [number, number] | undefined): void {
    const s = this.shown;
    const d = this.hoverLine.dataset;
    for (const k of HOVER_KEYS) delete d[k];
    if (!s || !cell) {
      this.hoverLine.textContent = s ? "hover over a cell for its value and where it is" : " ";
      return;
    }
    const c = cellInfo(cell[0], cell[1], s.shape, s.fullShape, s.data, this.targets.get(s.name)?.partition);
    Object.assign(d, {
      i: cell[0],
      j: cell[1],
      rowStart: c.row[0],
      rowEnd: c.row[1],
      colStart: c.col[0],
      colEnd: c.col[1],
      rowKind: c.rowKind,
      colKind: c.colKind,
      value: c.value,
      step: s.step,
    });
    this.hoverLine.textContent = `${describeCell(s.change ? `Δ${s.name}` : s.name, c, formatScalar)} · step ${formatStep(s.step)}`;
  }
}
