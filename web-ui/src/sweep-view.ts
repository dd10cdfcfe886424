// One sweep (#/sweep/<id>): its state and progress, pause / resume / cancel, a link that opens
// all its runs as one comparison, and its results as the server computes them (GetSweepResults):
// per group of runs that differ only in their seed, the final and best of loss and accuracy as
// mean ± standard error; per run, its varied values, state, step and final values. Read every
// two seconds while the view is open (the rows are rebuilt: a sweep has at most 1,000 runs).

import {
  type ConnectError,
  describeError,
  fromValue,
  type GetSweepResultsResponse,
  type Sweep,
  SweepState,
  type Value,
} from "@eiscope/client";
import { client, setStateBadge } from "./api";
import { formatScalar, formatStep, h, replaceChildren } from "./dom";
import { compareHash, simHash } from "./routes";

const POLL_MS = 2000;
/** The metrics shown: the server's default (loss and accuracy). */
const METRICS = ["loss", "accuracy"];

export function sweepStateName(s: SweepState): string {
  return (SweepState[s] ?? "UNSPECIFIED").toLowerCase();
}

/** "lr=0.1, task=mnist": a point's varied values (the seed too, when `withSeed`). */
export function pointText(values: Record<string, Value>, withSeed = true): string {
  return Object.entries(values)
    .filter(([k]) => withSeed || k !== "seed")
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${JSON.stringify(fromValue(v) ?? "")}`)
    .join(", ");
}

function meanSe(mean: number, se: number): string {
  return Number.isNaN(se) ? formatScalar(mean) : `${formatScalar(mean)} ± ${formatScalar(se)}`;
}

export class SweepView {
  readonly el: HTMLElement;
  private readonly title = h("h2", { className: "section-title", testid: "sweep-name" });
  private readonly state = h("span", { className: "badge", testid: "sweep-state" });
  private readonly progress = h("span", { className: "muted", testid: "sweep-progress" });
  private readonly compare = h("a", { className: "button", testid: "sweep-compare" }, "compare its runs");
  private readonly pause = h("button", { testid: "sweep-pause" }, "Pause");
  private readonly resume = h("button", { testid: "sweep-resume" }, "Resume");
  private readonly cancel = h("button", { testid: "sweep-cancel" }, "Cancel");
  private readonly refusal = h("span", { className: "field-error", testid: "sweep-error" });
  private readonly groups = h("tbody", { testid: "sweep-groups" });
  private readonly runs = h("tbody", { testid: "sweep-runs" });
  private timer?: number;
  private stopped = false;

  constructor(readonly id: string) {
    const metricHeads = METRICS.flatMap((m) => [
      h("th", { className: "num" }, `${m}, final`),
      h("th", { className: "num" }, `${m}, best`),
    ]);
    this.el = h(
      "div",
      { className: "sweep-view", testid: "sweep-view" },
      h("header", { className: "compare-header" }, this.title, " ", this.state, " ", this.progress),
      h("div", { className: "steer-row" }, this.compare, this.pause, this.resume, this.cancel, this.refusal),
      h("h3", { className: "section-title" }, "Results, runs that differ only in their seed together (mean ± s.e.)"),
      h(
        "table",
        { className: "log-table" },
        h("thead", {}, h("tr", {}, h("th", {}, "values"), h("th", { className: "num" }, "runs"), ...metricHeads)),
        this.groups,
      ),
      h("h3", { className: "section-title" }, "Runs"),
      h(
        "table",
        { className: "log-table" },
        h(
          "thead",
          {},
          h(
            "tr",
            {},
            h("th", { className: "num" }, "#"),
            h("th", {}, "values"),
            h("th", {}, "run"),
            h("th", {}, "state"),
            h("th", { className: "num" }, "step"),
            ...METRICS.map((m) => h("th", { className: "num" }, `${m}, final`)),
          ),
        ),
        this.runs,
      ),
    );
    this.pause.addEventListener("click", () => void this.control(() => client.pauseSweep(this.id)));
    this.resume.addEventListener("click", () => void this.control(() => client.resumeSweep(this.id)));
    this.cancel.addEventListener("click", () => void this.control(() => client.cancelSweep(this.id)));
    void this.poll();
  }

  destroy(): void {
    this.stopped = true;
    window.clearTimeout(this.timer);
  }

  private async poll(): Promise<void> {
    try {
      this.render(await client.sweepResults(this.id, METRICS));
    } catch (e) {
      if (this.stopped) return;
      this.refusal.textContent = `Cannot read the sweep: ${describeError(e as ConnectError)}`;
    }
    if (!this.stopped) this.timer = window.setTimeout(() => void this.poll(), POLL_MS);
  }

  private async control(call: () => Promise<Sweep>): Promise<void> {
    this.refusal.textContent = "";
    try {
      this.header(await call());
    } catch (e) {
      this.refusal.textContent = describeError(e as ConnectError);
    }
  }

  private header(s: Sweep): void {
    this.title.textContent = s.spec?.name || s.id;
    this.state.className = `badge sweep-${sweepStateName(s.state)}`;
    this.state.textContent = sweepStateName(s.state);
    this.el.dataset.state = sweepStateName(s.state);
    this.progress.textContent =
      `${s.doneRuns} of ${s.totalRuns} runs done, ${s.playingRuns} playing, ` +
      `${s.totalRuns - s.startedRuns} not started; at most ${s.concurrency} at once`;
    const live = s.state === SweepState.RUNNING || s.state === SweepState.PAUSED;
    this.pause.disabled = s.state !== SweepState.RUNNING;
    this.resume.disabled = s.state !== SweepState.PAUSED;
    this.cancel.disabled = !live;
  }

  private render(r: GetSweepResultsResponse): void {
    const s = r.sweep!;
    this.header(s);
    const ids = s.runs.map((x) => x.runId).filter((id) => id !== "");
    this.compare.setAttribute("href", compareHash(ids));
    this.compare.classList.toggle("disabled", ids.length === 0);
    replaceChildren(
      this.groups,
      ...r.groups.map((g) => {
        const row = h(
          "tr",
          { testid: "sweep-group" },
          h("td", { className: "mono" }, pointText(g.values, false) || "(the seeds alone)"),
          h("td", { className: "num" }, String(g.runIndices.length)),
        );
        for (const name of METRICS) {
          const m = g.metrics.find((x) => x.name === name);
          for (const [kind, mean, se] of [
            ["final", m?.finalMean ?? NaN, m?.finalStderr ?? NaN],
            ["best", m?.bestMean ?? NaN, m?.bestStderr ?? NaN],
          ] as const) {
            const cell = h("td", { className: "num", testid: `sweep-${name}-${kind}` }, meanSe(mean, se));
            cell.dataset.mean = String(mean);
            cell.dataset.stderr = String(se);
            row.append(cell);
          }
        }
        return row;
      }),
    );
    replaceChildren(
      this.runs,
      ...r.runs.map(({ run, metrics }) => {
        const p = run!;
        const state = h("span", {});
        setStateBadge(state, p.state);
        const row = h(
          "tr",
          { testid: "sweep-run" },
          h("td", { className: "num" }, String(p.index)),
          h("td", { className: "mono" }, pointText(p.values)),
          h("td", {}, p.runId ? h("a", { href: simHash(p.runId) }, p.runId) : p.error || "not started"),
          h("td", {}, p.runId ? state : ""),
          h("td", { className: "num" }, p.runId ? formatStep(p.step) : ""),
          ...METRICS.map((name) => {
            const v = metrics.find((x) => x.name === name)?.final ?? NaN;
            const cell = h("td", { className: "num" }, formatScalar(v));
            cell.dataset.value = String(v);
            return cell;
          }),
        );
        row.dataset.runId = p.runId;
        return row;
      }),
    );
  }
}
