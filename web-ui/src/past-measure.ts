// What a panel does when the step scrubber picks a past step: it stops following live frames
// (frozen, while the server rebuilds that step), then shows what Measure returns at that step,
// through the same frame handling as live frames, until the scrubber goes back to live.

import { describeError, type WatchFrame } from "@eiscope/client";
import { client } from "./api";
import { formatStep, h } from "./dom";

/** A view that the step scrubber moves (see StepScrubber). */
export interface StepView {
  /** Stops following live frames, keeping what is shown (the chosen step is being rebuilt). */
  freeze(): void;
  /**
   * Shows `step` instead of live frames. Resolves once shown (at once when the panel shows
   * nothing, e.g. closed); rejects with the error, which the panel also shows. `signal` aborts it.
   */
  showStep(step: number, signal: AbortSignal): Promise<void>;
  /** Follows live frames again. */
  goLive(): void;
}

/** The frozen / pinned state of one panel, its "step N" badge, and its Measure calls. */
export class PastMeasure {
  /** Shown in the panel's header while it is not live. */
  readonly badge: HTMLElement;
  private pinned?: number;
  private frozen = false;
  private call?: AbortController;

  /** @param problem where a failed measurement is said (the panel's warning line) */
  constructor(
    private readonly simId: string,
    private readonly problem: HTMLElement,
    testid: string,
  ) {
    this.badge = h("span", {
      className: "badge past-step",
      testid,
      title: "Not live: this panel shows a past step chosen with the step scrubber",
    });
    this.badge.hidden = true;
  }

  /** True while live frames are not to be shown. */
  get isFrozen(): boolean {
    return this.frozen;
  }

  /** The step shown instead of live frames (undefined: live, or frozen on live values). */
  get step(): number | undefined {
    return this.pinned;
  }

  /** Keeps what is shown: live values ("not live"), or the step pinned before (its badge stays). */
  freeze(): void {
    this.frozen = true;
    this.badge.hidden = false;
    if (this.pinned === undefined) this.badge.textContent = "not live";
  }

  pin(step: number): void {
    this.freeze();
    this.pinned = step;
    this.badge.textContent = `step ${formatStep(step)}`;
  }

  unpin(): void {
    this.cancel();
    this.frozen = false;
    this.pinned = undefined;
    this.badge.hidden = true;
    this.problem.textContent = "";
  }

  /**
   * Measures `observables` on `target` at the pinned step and hands the frames to `shown`
   * (after a superseding call or an abort: never). A failure is shown on the problem line,
   * `failed` runs (to clear what no longer matches the badge), and the promise rejects.
   */
  async measure(
    observables: string[],
    target: string,
    shown: (frames: WatchFrame[]) => void,
    failed: () => void,
    signal?: AbortSignal,
  ): Promise<void> {
    const step = this.pinned;
    if (step === undefined) return;
    this.cancel();
    const call = (this.call = new AbortController());
    const aborted = signal ? AbortSignal.any([call.signal, signal]) : call.signal;
    this.problem.textContent = "";
    try {
      const frames = await client.measureAt(this.simId, step, observables, [target], aborted);
      if (!aborted.aborted) shown(frames);
    } catch (e) {
      if (aborted.aborted) return; // superseded: the newer call says how it went
      this.problem.textContent = `step ${formatStep(step)}: ${describeError(e)}`;
      failed();
      throw e;
    }
  }

  /** Abandons a measurement under way. */
  cancel(): void {
    this.call?.abort();
    this.call = undefined;
  }
}
