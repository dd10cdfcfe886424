// One run's curve of one scalar (network-wide, or of one layer), for a comparison, read from the
// run record, with each point's wall time (for a time axis):
// GetHistory once (downsampled by the server to about maxPoints() points), then again once a
// second from the step after the last one read, so a page opened late shows the whole curve and
// then follows the run; for a fork, its ancestors' records up to each fork step (a fork of a
// fork reads both), so the curve starts at step 1 as the fork's weights lived it; and the run's
// intervention log (a fork's includes what it inherited), for the markers.
//
// Why polled rather than a Watch stream per run: over plain HTTP the browser keeps at most six
// connections to a server, and each open Watch holds one, so a comparison of six runs would
// leave no connection for anything else on the page (the list stopped updating). Unary reads
// of the record hold none, cost the server an indexed query each, and are what a Watch sends
// anyway for recorded steps.

import { Code, ConnectError, describeError, type Intervention, type Simulation } from "@eiscope/client";
import { client } from "./api";
import { Series } from "./series";

const POLL_MS = 1000;
/** A tab in the background polls this much less often. */
const HIDDEN_FACTOR = 5;

/** Points asked of the record per series, and the bound of the run's own curve (see Series). */
export interface CurveSource {
  maxPoints(): number;
}

/** A part of the curve that the run inherited: the ancestor's steps up to the fork step. */
export interface Inherited {
  fromId: string;
  forkStep: number;
  steps: number[];
  values: number[];
  /** Wall time of each point, seconds since the epoch. */
  times: number[];
}

/** A series' wall times in seconds (nanoseconds are beyond a double's precision; seconds are not). */
function seconds(nanos: BigInt64Array): number[] {
  return Array.from(nanos, (t) => Number(t) / 1e9);
}

export class RunCurve {
  sim?: Simulation;
  readonly own = new Series();
  /** Oldest ancestor first; empty for a run that is not a fork. */
  inherited: Inherited[] = [];
  interventions: Intervention[] = [];
  gone = false;
  /** Why the last read failed, and why the inherited part is missing (undefined: it is not). */
  private readProblem?: string;
  private lineageProblem?: string;
  /** The last step the record had at the last read (-1: not read yet). */
  private recorded = -1;
  private lineageRead = false;
  private readonly stopped = new AbortController();
  private cache?: { steps: number[]; values: number[]; times: number[] };

  /** `layer`: the layer or parameter of a per-layer scalar ("" for a network-wide one). */
  constructor(
    readonly id: string,
    private readonly observable: string,
    private readonly layer: string,
    private readonly source: CurveSource,
    private readonly changed: () => void,
  ) {
    void this.follow();
  }

  /** Why the curve is incomplete or not following the run (undefined: it is). */
  get problem(): string | undefined {
    return [this.readProblem, this.lineageProblem].filter(Boolean).join("; ") || undefined;
  }

  /** Steps and values as drawn: the inherited parts, then the run's own. */
  get steps(): number[] {
    return this.joined().steps;
  }

  get values(): number[] {
    return this.joined().values;
  }

  /** Wall times of `steps` in seconds, or empty when some point has none. */
  get times(): number[] {
    return this.joined().times;
  }

  /**
   * The parts put end to end, kept until the curve changes: the chart, the table and the markers
   * read them at every redraw, and building them afresh each time was most of a redraw's work.
   */
  private joined(): { steps: number[]; values: number[]; times: number[] } {
    if (this.cache) return this.cache;
    const own = this.own;
    const timed = own.times.length === own.steps.length && this.inherited.every((p) => p.times.length === p.steps.length);
    this.cache = {
      steps: [...this.inherited.flatMap((p) => p.steps), ...own.steps],
      values: [...this.inherited.flatMap((p) => p.values), ...own.values],
      times: timed ? [...this.inherited.flatMap((p) => p.times), ...own.times] : [],
    };
    return this.cache;
  }

  stop(): void {
    this.stopped.abort();
  }

  private async follow(): Promise<void> {
    while (!this.stopped.signal.aborted) {
      try {
        await this.read();
        if (this.readProblem !== undefined) this.setProblem(undefined);
      } catch (e) {
        if (this.stopped.signal.aborted) return;
        if (e instanceof ConnectError && e.code === Code.NotFound) {
          this.gone = true;
          this.setProblem("this run no longer exists on the server");
          return;
        }
        this.setProblem(`${describeError(e)}; retrying`);
      }
      await new Promise<void>((resolve) => {
        // At whole periods of the page's clock: every curve of a comparison reads at the same moments,
        // so their answers come together and the chart redraws once for all (compare-view.ts), not once per run.
        const period = document.hidden ? POLL_MS * HIDDEN_FACTOR : POLL_MS;
        const timer = setTimeout(resolve, period - (performance.now() % period));
        this.stopped.signal.addEventListener(
          "abort",
          () => {
            clearTimeout(timer);
            resolve();
          },
          { once: true },
        );
      });
    }
  }

  /** What the record holds after what was read: the whole curve the first time and after a reset. */
  private async read(): Promise<void> {
    const n = this.source.maxPoints();
    this.own.setMaxPoints(2 * n);
    this.cache = undefined; // setMaxPoints may have downsampled what was read
    const first = this.recorded < 0;
    const from = first ? 0 : this.own.lastStep + 1;
    const layers = this.layer ? [this.layer] : [];
    // What came since the last read is downsampled by the server too: ten fast runs add tens of
    // thousands of points a second each, which the page would otherwise decode only to compress.
    const h = await client.history(this.id, { observables: [this.observable], layers, fromStep: from, maxPoints: n });
    // The record went back (a reset): read it all again.
    if (!first && h.lastStep < this.recorded) {
      this.recorded = -1;
      this.own.clear();
      this.cache = undefined;
      return this.read();
    }
    if (!this.sim || first) this.sim = await client.get(this.id);
    const log = await client.interventionLog(this.id);
    if (this.stopped.signal.aborted) return;
    const s = h.series.find((x) => x.observable === this.observable && x.layer === this.layer);
    if (first) {
      if (s)
        this.own.load(
          s.steps,
          s.values,
          s.downsampled ? s.recordedPoints : s.steps.length,
          s.downsampled,
          seconds(s.wallTimeNanos),
        );
      else this.own.clear();
    } else if (s) {
      const times = seconds(s.wallTimeNanos);
      // A downsampled answer's points stand for recordedPoints samples: the last one counts the rest.
      const extra = s.downsampled ? Number(s.recordedPoints) - s.steps.length : 0;
      for (let i = 0; i < s.steps.length; i++) {
        const merged = i === s.steps.length - 1 ? 1 + extra : 1;
        if (s.steps[i] > this.own.lastStep) this.own.push(s.steps[i], s.values[i], merged, times[i]);
      }
      if (s.downsampled) this.own.downsampled = true;
    }
    this.cache = undefined;
    const grew = first || (s?.steps.length ?? 0) > 0 || log.length !== this.interventions.length;
    this.recorded = h.lastStep;
    this.interventions = log;
    if (!this.lineageRead) {
      this.lineageRead = true;
      void this.readLineage(this.sim);
    }
    if (grew) this.changed();
  }

  /** The ancestors' curves up to each fork step, oldest first. */
  private async readLineage(sim: Simulation): Promise<void> {
    const parts: Inherited[] = [];
    const seen = new Set([sim.id]);
    let child = sim;
    try {
      while (child.parentId && !seen.has(child.parentId) && !this.stopped.signal.aborted) {
        const forkStep = Number(child.forkStep);
        const parent = await client.get(child.parentId);
        seen.add(parent.id);
        if (forkStep > 0) {
          // to_step 0 would mean "to the end": a fork at step 0 inherits no curve.
          const h = await client.history(parent.id, {
            observables: [this.observable],
            layers: this.layer ? [this.layer] : [],
            toStep: forkStep,
            maxPoints: this.source.maxPoints(),
          });
          const s = h.series.find((x) => x.observable === this.observable && x.layer === this.layer);
          const keep = s ? [...s.steps].filter((x) => x <= forkStep).length : 0;
          parts.unshift({
            fromId: parent.id,
            forkStep,
            steps: s ? [...s.steps].slice(0, keep) : [],
            values: s ? [...s.values].slice(0, keep) : [],
            times: s ? seconds(s.wallTimeNanos).slice(0, keep) : [],
          });
        }
        child = parent;
      }
    } catch (e) {
      const missing = e instanceof ConnectError && e.code === Code.NotFound;
      this.lineageProblem = missing
        ? `its parent ${child.parentId} no longer exists: the curve starts at the fork`
        : `cannot read what it inherited: ${describeError(e)}`;
    }
    if (this.stopped.signal.aborted) return;
    this.inherited = parts;
    this.cache = undefined;
    this.changed();
  }

  private setProblem(p: string | undefined): void {
    this.readProblem = p;
    this.changed();
  }
}
