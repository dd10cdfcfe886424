// Time travel on the page: a step scrubber (range 0..the run's step, a step field, "Live") that
// moves the histogram, spectrum and dynamics panels to a past step, and "Fork here".
// Choosing step s (the range is debounced, so the last position counts):
//   1. every panel freezes: live frames stop replacing what it shows;
//   2. Reconstruct(s) rebuilds the run's state at s on the server (from the nearest checkpoint
//      or cached reconstruction), its progress shown;
//   3. each panel asks Measure(s) for what it shows, and draws it as it draws live frames.
// Choosing again aborts what is under way (the Reconstruct stream, the Measure calls). "Live"
// unfreezes the panels; the curves stay live throughout, with a marker at s.

import { describeError, type ReconstructionProgress } from "@eiscope/client";
import { client } from "./api";
import { formatStep, h } from "./dom";
import type { StepView } from "./past-measure";
import { noteRefusal } from "./session";
import { store } from "./store";

/** The range input waits this long after the last move before choosing. */
const DEBOUNCE_MS = 250;

type ScrubState = "live" | "rebuilding" | "measuring" | "shown" | "error";

export class StepScrubber {
  readonly el: HTMLElement;
  private readonly range = h("input", {
    type: "range",
    min: 0,
    max: 0,
    step: 1,
    value: 0,
    className: "scrub-range",
    testid: "scrub-range",
    title: "Show the panels below at a past step of this run",
  });
  private readonly field = h("input", {
    type: "number",
    min: 0,
    step: 1,
    value: 0,
    className: "scrub-step",
    testid: "scrub-step",
    title: "The step to show; Enter to go",
  });
  private readonly liveButton = h("button", { type: "button", testid: "scrub-live", title: "Follow the run again" }, "Live");
  private readonly forkButton = h(
    "button",
    {
      type: "button",
      testid: "fork-here",
      title: "A new paused run in the exact state this run held at the step shown (its log up to there)",
    },
    "Fork here",
  );
  private readonly progress = h("progress", { className: "scrub-progress", testid: "scrub-progress", max: 1, value: 0 });
  private readonly status = h("span", { className: "muted small", testid: "scrub-status" });
  private readonly error = h("div", { className: "error-banner", testid: "scrub-error", role: "alert" });
  private runStep = 0;
  /** The step chosen; undefined: live. */
  private chosen?: number;
  private scrub?: AbortController;
  private timer?: number;
  /** The step field holds a step typed but not yet chosen: the run's progress leaves it alone. */
  private typing = false;
  private steerRefusal?: string;

  /** @param marker marks the chosen step on the curves (undefined: live) */
  constructor(
    private readonly simId: string,
    private readonly views: StepView[],
    private readonly marker: (step: number | undefined) => void,
  ) {
    this.el = h(
      "section",
      { className: "card scrubber", testid: "scrubber" },
      h(
        "div",
        { className: "scrub-row" },
        h("h3", { title: "Show a past step: the server rebuilds the run's exact state there" }, "Step"),
        this.range,
        this.field,
        this.liveButton,
        this.forkButton,
      ),
      h("div", { className: "scrub-row small" }, this.progress, this.status),
      this.error,
    );
    this.range.addEventListener("input", () => {
      this.field.value = this.range.value;
      this.debounce(Number(this.range.value));
    });
    this.field.addEventListener("input", () => (this.typing = true));
    this.field.addEventListener("blur", () => (this.typing = false));
    this.field.addEventListener("change", () => this.choose(this.field.valueAsNumber));
    this.liveButton.addEventListener("click", () => this.goLive());
    this.forkButton.addEventListener("click", () => void this.forkHere());
    this.show("live");
  }

  /** The run's step: the end of the range, where the thumb sits while live. */
  setRunStep(step: number): void {
    this.runStep = step;
    this.range.max = String(step);
    this.field.max = String(step); // a step beyond is still sent: the server says why it cannot be shown
    if (this.chosen === undefined) {
      this.range.value = String(step);
      if (!this.typing) this.field.value = String(step);
    }
  }

  /** Back to live frames: aborts what is under way, unfreezes the panels, drops the marker. */
  goLive(): void {
    window.clearTimeout(this.timer);
    this.scrub?.abort();
    this.scrub = undefined;
    this.chosen = undefined;
    this.typing = false;
    for (const v of this.views) v.goLive();
    this.marker(undefined);
    this.setRunStep(this.runStep);
    this.show("live");
  }

  /** Aborts what is under way and leaves the panels as they are (the run is gone, or the page leaves it). */
  stop(): void {
    window.clearTimeout(this.timer);
    this.scrub?.abort();
  }

  private debounce(step: number): void {
    window.clearTimeout(this.timer);
    this.timer = window.setTimeout(() => this.choose(step), DEBOUNCE_MS);
  }

  private async choose(step: number): Promise<void> {
    window.clearTimeout(this.timer);
    this.typing = false;
    if (!Number.isInteger(step)) {
      this.fail(`"${this.field.value}" is not a step: type a whole number from 0 to ${formatStep(this.runStep)}`);
      return;
    }
    this.scrub?.abort();
    const scrub = (this.scrub = new AbortController());
    this.chosen = step;
    this.range.value = String(Math.min(step, this.runStep));
    this.field.value = String(step);
    this.el.dataset.step = String(step);
    this.marker(step);
    for (const v of this.views) v.freeze();
    this.show("rebuilding", `rebuilding step ${formatStep(step)}…`);
    try {
      const done = await client.reconstruct(this.simId, step, { onProgress: (p) => this.showProgress(p), signal: scrub.signal });
      if (scrub.signal.aborted) return;
      const origin = describeOrigin(done);
      this.show("measuring", `measuring step ${formatStep(step)} · ${origin}`);
      const results = await Promise.allSettled(this.views.map((v) => v.showStep(step, scrub.signal)));
      if (scrub.signal.aborted) return;
      const failed = results.filter((r) => r.status === "rejected").length;
      this.el.dataset.shownStep = String(step);
      this.show(
        "shown",
        `showing step ${formatStep(step)} · ${origin}` +
          (failed ? ` · ${failed} panel${failed === 1 ? "" : "s"} could not measure it (said in the panel)` : ""),
      );
    } catch (e) {
      if (scrub.signal.aborted) return; // superseded: the newer choice says how it went
      this.fail(`Cannot show step ${formatStep(step)}: ${describeError(e)}`);
    }
  }

  private showProgress(p: ReconstructionProgress): void {
    this.el.dataset.source = p.source;
    this.el.dataset.fromStep = String(p.fromStep);
    this.el.dataset.replayed = String(p.replayedSteps);
    this.el.dataset.total = String(p.totalSteps);
    this.progress.max = Math.max(1, p.totalSteps);
    this.progress.value = p.totalSteps === 0 ? 1 : p.replayedSteps;
    if (!p.done) {
      this.status.textContent = `rebuilding step ${formatStep(p.step)} · ${describeOrigin(p)}`;
    }
  }

  private async forkHere(): Promise<void> {
    const step = this.chosen;
    if (step === undefined) return;
    this.forkButton.disabled = true;
    this.error.hidden = true;
    try {
      const child = await client.fork(this.simId, { step });
      store.upsert(child);
      location.hash = `#/sim/${encodeURIComponent(child.id)}`;
    } catch (e) {
      noteRefusal(e);
      this.error.textContent = `Cannot fork at step ${formatStep(step)}: ${describeError(e)}`;
      this.error.hidden = false;
    } finally {
      this.forkButton.disabled = !this.forkable();
    }
  }

  private fail(message: string): void {
    this.show("error");
    this.error.textContent = message;
    this.error.hidden = false;
  }

  /** The token may not steer (the server's message): no forks; showing past steps is reading, and stays. */
  readOnly(message: string): void {
    this.steerRefusal = message;
    this.forkButton.title = `This token may not fork runs: ${message}`;
    this.forkButton.disabled = true;
  }

  /** A fork needs a step the server has rebuilt (while it rebuilds, the fork would wait for it). */
  private forkable(): boolean {
    return this.steerRefusal === undefined && (this.el.dataset.state === "shown" || this.el.dataset.state === "measuring");
  }

  private show(state: ScrubState, status = ""): void {
    this.el.dataset.state = state;
    this.el.classList.toggle("scrubbed", state !== "live");
    const busy = state === "rebuilding" || state === "measuring";
    this.progress.hidden = state !== "rebuilding";
    this.liveButton.disabled = state === "live";
    this.liveButton.classList.toggle("primary", state !== "live");
    this.forkButton.disabled = !this.forkable();
    if (state === "live") {
      this.status.textContent = "live: the panels follow the run; move the slider or type a step to see a past one";
      for (const k of ["step", "shownStep", "source", "fromStep", "replayed", "total"]) delete this.el.dataset[k];
    } else if (state !== "error") {
      this.status.textContent = status;
    }
    if (state !== "error") this.error.hidden = true;
    if (busy) delete this.el.dataset.shownStep;
  }
}

/** Where a reconstruction starts, for a person: "from the checkpoint at step 100, 30 steps replayed". */
function describeOrigin(p: ReconstructionProgress): string {
  const replayed = p.done
    ? `${formatStep(p.totalSteps)} step${p.totalSteps === 1 ? "" : "s"} replayed`
    : `${formatStep(p.replayedSteps)} of ${formatStep(p.totalSteps)} steps replayed`;
  switch (p.source) {
    case "live":
      return "the run's current step";
    case "checkpoint":
      return p.totalSteps === 0 ? "a checkpoint" : `from the checkpoint at step ${formatStep(p.fromStep)}, ${replayed}`;
    case "cache":
      return p.totalSteps === 0 ? "rebuilt before" : `from the state rebuilt at step ${formatStep(p.fromStep)}, ${replayed}`;
    case "start":
      return `from the initial state, ${replayed}`;
    default:
      return `from ${p.source} at step ${formatStep(p.fromStep)}, ${replayed}`;
  }
}
