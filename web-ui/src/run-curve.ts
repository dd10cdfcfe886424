// One run's curve of one network-wide scalar, for a comparison: its run record (GetHistory),
// then live frames (RecordedWatch: no gap, no duplicate), bounded as Series keeps it; for a
// fork, its ancestors' records up to each fork step (a fork of a fork reads both), so the curve
// starts at step 1 as the fork's own weights lived it; and the run's intervention log (a fork's
// includes what it inherited), for the markers.

import { Code, ConnectError, describeError, type History, type Intervention, type RunEvent, type Simulation, type WatchFrame } from "@eiscope/client";
import { client } from "./api";
import { RecordedWatch } from "./recorded-watch";
import { Series } from "./series";

/** Points asked of the record per ancestor, and the bound of the run's own curve (see Series). */
export interface CurveSource {
  maxPoints(): number;
}

/** A part of the curve that the run inherited: the ancestor's steps up to the fork step. */
export interface Inherited {
  fromId: string;
  forkStep: number;
  steps: number[];
  values: number[];
}

export class RunCurve {
  sim?: Simulation;
  readonly own = new Series();
  /** Oldest ancestor first; empty for a run that is not a fork. */
  inherited: Inherited[] = [];
  interventions: Intervention[] = [];
  /** Why the curve is incomplete or not live (undefined: it is). */
  problem?: string;
  gone = false;
  private readonly feed: RecordedWatch;
  private lineageRead = false;
  private logTicket = 0;
  private stopped = false;

  constructor(readonly id: string, private readonly observable: string, private readonly source: CurveSource, private readonly changed: () => void) {
    this.feed = new RecordedWatch(id, [observable], [observable, "state", "intervention"], () => this.maxPoints(), {
      loaded: (sim, history, events) => this.onLoaded(sim, history, events),
      frame: (f) => this.onFrame(f),
      status: (p) => this.setProblem(p),
      gone: () => {
        this.gone = true;
        this.setProblem("this run no longer exists on the server");
      },
    });
  }

  /** Steps and values as drawn: the inherited parts, then the run's own. */
  get steps(): number[] {
    return [...this.inherited.flatMap((p) => p.steps), ...this.own.steps];
  }

  get values(): number[] {
    return [...this.inherited.flatMap((p) => p.values), ...this.own.values];
  }

  stop(): void {
    this.stopped = true;
    this.feed.stop();
  }

  private maxPoints(): number {
    const n = this.source.maxPoints();
    this.own.setMaxPoints(2 * n);
    return n;
  }

  private onLoaded(sim: Simulation, history: History, _events: RunEvent[]): number {
    this.sim = sim;
    const s = history.series.find((x) => x.observable === this.observable && x.layer === "");
    if (s) this.own.load(s.steps, s.values, s.downsampled ? s.recordedPoints : s.steps.length, s.downsampled);
    else this.own.clear();
    if (!this.lineageRead) {
      this.lineageRead = true;
      void this.readLineage(sim);
    }
    void this.readLog();
    this.changed();
    // Sparse scalars (held-out evaluations) may be recorded after later steps: resume after the
    // last one drawn; the frames up to history.lastStep that are drawn already are dropped.
    return Math.min(history.lastStep + 1, this.own.lastStep + 1);
  }

  private onFrame(f: WatchFrame): void {
    if (f.payload.kind === "event") {
      // A reset takes the run back to step 0: its own curve starts again (what it inherited stays).
      const reset = f.observable === "state" && f.step === 0 && this.own.lastStep > 0;
      if (reset) this.own.clear();
      if (reset || f.observable === "intervention") void this.readLog();
      if (reset) this.changed();
    } else if (f.payload.kind === "scalar" && f.observable === this.observable && f.layer === "" && f.step > this.own.lastStep) {
      this.own.push(f.step, f.payload.value, f.payload.mergedCount);
      this.changed();
    }
  }

  /** The ancestors' curves up to each fork step, nearest parent last in the list's order of drawing. */
  private async readLineage(sim: Simulation): Promise<void> {
    const parts: Inherited[] = [];
    const seen = new Set([sim.id]);
    let child = sim;
    try {
      while (child.parentId && !seen.has(child.parentId) && !this.stopped) {
        const forkStep = Number(child.forkStep);
        const parent = await client.get(child.parentId);
        seen.add(parent.id);
        if (forkStep > 0) {
          // to_step 0 would mean "to the end": a fork at step 0 inherits no curve.
          const h = await client.history(parent.id, { observables: [this.observable], toStep: forkStep, maxPoints: this.source.maxPoints() });
          const s = h.series.find((x) => x.observable === this.observable && x.layer === "");
          const steps = s ? [...s.steps] : [];
          const end = steps.findIndex((x) => x > forkStep);
          parts.unshift({ fromId: parent.id, forkStep, steps: end < 0 ? steps : steps.slice(0, end), values: s ? [...s.values].slice(0, end < 0 ? undefined : end) : [] });
        }
        child = parent;
      }
    } catch (e) {
      const missing = e instanceof ConnectError && e.code === Code.NotFound;
      this.setProblem(missing ? `its parent ${child.parentId} no longer exists: the curve starts at the fork` : `cannot read what it inherited: ${describeError(e)}`);
    }
    if (this.stopped) return;
    this.inherited = parts;
    this.changed();
  }

  private async readLog(): Promise<void> {
    const ticket = ++this.logTicket;
    try {
      const log = await client.interventionLog(this.id);
      if (ticket !== this.logTicket || this.stopped) return;
      this.interventions = log;
      this.changed();
    } catch {
      // The curve matters more than its markers; the watch reports a run that is gone.
    }
  }

  private setProblem(p: string | undefined): void {
    this.problem = p;
    this.changed();
  }
}
