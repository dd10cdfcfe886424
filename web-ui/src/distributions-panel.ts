// The distribution of one matrix's weights: histograms of w and of log|w| with the excitatory
// and inhibitory columns (or, without an E/I split, w ≥ 0 and w < 0) in their own colours, the
// log-normal fit drawn over log|w|, a log-count axis and "exclude zeros" (pruned weights are
// exactly 0). Below, for parameters, the geometry test's ΔCDF per potential over time.
// The histograms are computed here from GetParameters' full values (weight-bins.ts), not from a
// server histogram, so both groups share bins and zeros can be left out: a 784 x 500 matrix is
// 392,000 floats (1.6 MB), so while the run plays it is read at most twice a second, one call
// at a time; when the run stops, once more at its step; at a past step, at that step.

import { describeError, type Catalogue, type ParameterInfo, type Simulation, SimulationState } from "@eiscope/client";
import { client, type MatrixValues } from "./api";
import { remember, remembered } from "./cadenced-watch";
import { DeltaCdfSection } from "./delta-cdf-section";
import { DistributionPlot, GROUP_COLOURS } from "./distribution-canvas";
import { formatScalar, formatStep, h, replaceChildren } from "./dom";
import { LatestRead } from "./latest-read";
import { fillMatrixPicker } from "./matrix-targets";
import { PastMeasure, type StepView } from "./past-measure";
import { summarise, type WeightSummary } from "./weight-bins";

const MAX_HZ = 2;
const OPEN_KEY = "eiscope.distributions.open";

export class DistributionsPanel implements StepView {
  readonly el: HTMLElement;
  private readonly targets: Map<string, ParameterInfo>;
  private readonly toggle = h("button", { type: "button", testid: "distributions-toggle" });
  private readonly select = h("select", { testid: "distributions-target", title: "Weight matrix or effective E/I matrix" });
  private readonly logCount = h("input", { type: "checkbox", testid: "dist-log-count" });
  private readonly excludeZeros = h("input", { type: "checkbox", testid: "dist-exclude-zeros", checked: true });
  private readonly problem = h("span", { className: "warn small", testid: "dist-problem" });
  private readonly legend = h("p", { className: "small dist-legend", testid: "dist-legend" });
  private readonly fitLine = h("p", { className: "small", testid: "dist-fit" });
  private readonly info = h("span", { className: "muted small", testid: "dist-info" });
  private readonly body = h("div", { className: "dist-body" });
  private readonly signed: DistributionPlot;
  private readonly logAbs: DistributionPlot;
  private readonly dcdf: DeltaCdfSection;
  private readonly past: PastMeasure;
  private readonly reader: LatestRead<MatrixValues>;
  private values?: MatrixValues & { name: string };
  private computing?: AbortController;
  private running: boolean;
  private open = false;

  constructor(
    private readonly sim: Simulation,
    catalogue: Catalogue,
  ) {
    this.targets = fillMatrixPicker(this.select, sim);
    const signedBox = h("div", { className: "dist-plot" });
    const logBox = h("div", { className: "dist-plot" });
    const sizes = new Map(sim.parameters.map((p) => [p.name, p.shape.reduce((a, b) => a * b, 1)]));
    this.dcdf = new DeltaCdfSection(sim.id, catalogue, sim.state, sizes);
    replaceChildren(
      this.body,
      this.legend,
      h("div", { className: "dist-plots" }, signedBox, logBox),
      this.fitLine,
      h("footer", { className: "card-footer" }, this.info),
      this.dcdf.el,
    );
    this.signed = new DistributionPlot(signedBox, "dist-signed", "w");
    this.logAbs = new DistributionPlot(logBox, "dist-log-abs", "log |w| (natural log; zeros have none)");
    this.past = new PastMeasure(sim.id, this.problem, "dist-past");
    this.running = sim.state === SimulationState.RUNNING;
    this.el = h(
      "section",
      { className: "card distributions", testid: "dist-panel", "data-panel": "distributions" },
      h(
        "header",
        { className: "card-header" },
        h("h3", {}, "Weight distributions"),
        this.past.badge,
        h("span", { className: "spacer" }),
        this.problem,
        h("label", { className: "toggle small muted", title: "Count axis log10(1 + count)" }, this.logCount, "log count"),
        h(
          "label",
          { className: "toggle small muted", title: "Leave exact zeros (pruned weights) out of the histogram of w" },
          this.excludeZeros,
          "exclude zeros",
        ),
        this.select,
        this.toggle,
      ),
      this.body,
    );
    this.reader = new LatestRead(
      (signal) => this.read(signal),
      (m) => this.show(m),
      (e) => (this.problem.textContent = describeError(e)),
      1000 / MAX_HZ,
    );
    this.toggle.addEventListener("click", () => this.setOpen(!this.open));
    this.select.addEventListener("change", () => this.restart());
    this.excludeZeros.addEventListener("change", () => this.values && this.show(this.values));
    this.logCount.addEventListener("change", () => {
      this.signed.setLogCount(this.logCount.checked);
      this.logAbs.setLogCount(this.logCount.checked);
    });
    if (this.targets.size === 0) this.el.hidden = true;
    this.setOpen(remembered(OPEN_KEY));
  }

  onState(state: SimulationState, step: number, reset = false): void {
    this.running = state === SimulationState.RUNNING;
    this.dcdf.onState(state, step, reset); // watches only while shown (open, on a parameter)
    if (!this.open || this.past.isFrozen) return;
    this.reader.follow(this.running);
    if (!this.running) this.reader.request();
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
      if (!signal.aborted) await this.show(m);
    } catch (e) {
      if (signal.aborted) return;
      this.problem.textContent = `step ${formatStep(step)}: ${describeError(e)}`;
      throw e;
    }
  }

  goLive(): void {
    if (!this.past.isFrozen) return;
    this.past.unpin();
    this.restart();
  }

  stop(): void {
    this.reader.cancel();
    this.computing?.abort();
    this.dcdf.stop();
  }

  destroy(): void {
    this.stop();
    this.signed.destroy();
    this.logAbs.destroy();
    this.dcdf.destroy();
  }

  private setOpen(open: boolean): void {
    this.open = open;
    remember(OPEN_KEY, open);
    this.toggle.textContent = open ? "Hide" : "Show";
    this.toggle.title = open ? "Stop reading this matrix" : "Show the distribution of a matrix's weights";
    for (const el of [this.body, this.select, this.logCount.parentElement!, this.excludeZeros.parentElement!]) el.hidden = !open;
    this.el.dataset.open = String(open);
    if (open) this.restart();
    else {
      this.stop();
      this.dcdf.show("");
    }
  }

  private restart(): void {
    this.reader.cancel();
    this.computing?.abort();
    this.values = undefined;
    this.signed.set(undefined);
    this.logAbs.set(undefined);
    if (!this.open) return;
    const name = this.select.value;
    this.dcdf.show(this.sim.parameters.some((p) => p.name === name) ? name : "");
    const step = this.past.step;
    if (this.past.isFrozen) {
      if (step !== undefined) this.showStep(step, new AbortController().signal).catch(() => {});
      return;
    }
    this.reader.follow(this.running);
    this.reader.request();
  }

  private read(signal: AbortSignal, step?: number): Promise<MatrixValues> {
    return client.matrixAt(this.sim.id, this.select.value, { step }, signal);
  }

  /** Bins `m` (in slices: a large matrix must not hold up the page) and draws it, unless superseded. */
  private async show(m: MatrixValues): Promise<void> {
    const name = this.select.value;
    this.values = { ...m, name };
    this.computing?.abort();
    const computing = (this.computing = new AbortController());
    let s: WeightSummary;
    try {
      s = await summarise(m.data, m.shape[1], this.targets.get(name)?.partition, this.excludeZeros.checked, computing.signal);
    } catch (e) {
      if (!computing.signal.aborted) this.problem.textContent = String(e);
      return;
    }
    if (computing.signal.aborted) return;
    this.problem.textContent = "";
    this.draw(m, name, s);
  }

  private draw(m: MatrixValues, name: string, s: WeightSummary): void {
    const fit = s.fit;
    this.signed.set(s.signed, undefined, s.total === s.zeros ? "every weight is 0" : "no finite values");
    // The fit as expected counts per bin: n · (bin width) · the normal density of log|w|.
    const width = s.logAbs.edges.length > 1 ? s.logAbs.edges[1] - s.logAbs.edges[0] : 0;
    const curve =
      fit && fit.sigma > 0
        ? (x: number) => (fit.n * width * Math.exp(-0.5 * ((x - fit.mu) / fit.sigma) ** 2)) / (fit.sigma * Math.sqrt(2 * Math.PI))
        : undefined;
    this.logAbs.set(s.logAbs, curve, "no non-zero weights");
    const swatch = (i: number) => h("span", { className: "swatch", style: `background:${GROUP_COLOURS[i]}` });
    replaceChildren(
      this.legend,
      swatch(0),
      ` ${s.groups[0]}${s.byColumns ? " (excitatory pre-synaptic units)" : ""}  `,
      swatch(1),
      ` ${s.groups[1]}${s.byColumns ? " (inhibitory pre-synaptic units)" : ""}`,
      s.byColumns ? "" : " · this matrix has no excitatory and inhibitory columns to tell apart, so the colours are the signs",
    );
    this.legend.dataset.groups = s.groups.join("|");
    const fd = this.fitLine.dataset;
    fd.step = String(m.step);
    fd.mu = fit ? String(fit.mu) : "";
    fd.sigma = fit ? String(fit.sigma) : "";
    fd.n = fit ? String(fit.n) : "0";
    this.fitLine.textContent = fit
      ? `log-normal fit of |w| (black curve): μ = mean log|w| = ${formatScalar(fit.mu)}, σ = std log|w| = ${formatScalar(fit.sigma)}, over the ${fit.n.toLocaleString("en-US")} non-zero weights`
      : "no log-normal fit: no non-zero weights";
    const d = this.el.dataset;
    d.step = String(m.step);
    d.target = name;
    d.total = String(s.total);
    d.zeros = String(s.zeros);
    d.excludeZeros = String(this.excludeZeros.checked);
    d.reads = String(this.reader.calls);
    d.maxInFlight = String(this.reader.maxInFlight);
    const zeros =
      s.zeros === 0
        ? "no zeros"
        : `${s.zeros.toLocaleString("en-US")} exact zeros (pruned)${this.excludeZeros.checked ? ", left out of w" : ", in the bin at 0"}`;
    this.info.textContent = [
      `step ${formatStep(m.step)}`,
      `${name}: ${m.fullShape.join(" × ")} = ${s.total.toLocaleString("en-US")} weights`,
      zeros,
      s.nonFinite ? `${s.nonFinite} not finite (not counted)` : "",
      `read at most ${MAX_HZ}× a second while running`,
    ]
      .filter(Boolean)
      .join(" · ");
  }
}
