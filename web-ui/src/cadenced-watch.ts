// What the live analysis panels (spectrum, dynamics) share: one watch of one target that
// measures every N steps (and at most maxHz per second) while the simulation runs, and afresh
// once when it stops, so a paused simulation shows the values of the step it stopped on; the
// panel's open/closed choice remembered across simulations; samples that only replace older ones.

import { SimulationState, type WatchFrame } from "@eiscope/client";
import { h } from "./dom";
import { liveWatch } from "./live-watch";

export const CADENCES = [10, 20, 50, 100, 500];

/** A value with the step it was measured at. */
export interface Sample<T> {
  step: number;
  value: T;
}

/** True when a sample at `step` may replace `current` (replays of older values are not). */
export function newer(current: Sample<unknown> | undefined, step: number): boolean {
  return current === undefined || step >= current.step;
}

/** Fills a cadence picker ("every N steps") with `CADENCES`, `initial` chosen. */
export function fillCadences(select: HTMLSelectElement, initial: number): void {
  for (const n of CADENCES) select.append(h("option", { value: n }, `every ${n} steps`));
  select.value = String(initial);
}

/** Whether the panel stored under `key` was left open (false when storage is disabled). */
export function remembered(key: string): boolean {
  try {
    return localStorage.getItem(key) === "true";
  } catch {
    return false;
  }
}

export function remember(key: string, open: boolean): void {
  try {
    localStorage.setItem(key, String(open));
  } catch {
    // Storage may be disabled; the panel then starts closed.
  }
}

/** The watch of one panel: which target, how often, and when to open it afresh. */
export class CadencedWatch {
  private stop?: () => void;
  private running: boolean;

  /**
   * @param el      the panel, whose `data-every-steps` tells tests the cadence in force
   * @param cadence the panel's "every N steps" picker
   * @param problem where a watch problem is said (cleared when it recovers)
   */
  constructor(
    private readonly simId: string,
    state: SimulationState,
    private readonly el: HTMLElement,
    private readonly cadence: HTMLSelectElement,
    private readonly problem: HTMLElement,
    private readonly maxHz: number | (() => number),
  ) {
    this.running = state === SimulationState.RUNNING;
  }

  get isRunning(): boolean {
    return this.running;
  }

  /**
   * Takes a state event at `step`; true when the watch should be opened afresh: the simulation
   * started or stopped, or it stands at a step newer than the one shown (`shownStep`, -1: none).
   */
  onState(state: SimulationState, step: number, shownStep: number): boolean {
    const running = state === SimulationState.RUNNING;
    const stale = !running && shownStep >= 0 && shownStep < step;
    const changed = running !== this.running;
    this.running = running;
    return changed || stale;
  }

  /**
   * (Re)opens the watch of `observables` on `target`: every N steps while running; while not, at
   * any step, so that the measurement made for a new subscriber (at the current step) is kept.
   * `frame` is told the cadence of the watch that brought it (0: any step).
   */
  start(observables: string[], target: string, frame: (f: WatchFrame, everySteps: number) => void): void {
    this.end(false);
    const everySteps = this.running ? Number(this.cadence.value) : 0;
    this.el.dataset.everySteps = String(everySteps);
    this.stop = liveWatch(
      this.simId,
      { observables, layers: [target], everySteps, maxHz: typeof this.maxHz === "number" ? this.maxHz : this.maxHz() },
      {
        frame: (f) => frame(f, everySteps),
        status: (p) => (this.problem.textContent = p ?? ""),
      },
    );
  }

  /** Closes the watch; `clearProblem`: also forget a problem shown. */
  end(clearProblem = true): void {
    this.stop?.();
    this.stop = undefined;
    if (clearProblem) this.problem.textContent = "";
  }
}
