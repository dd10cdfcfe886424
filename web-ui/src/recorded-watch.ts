// Where the learning curves come from: the run record first, then live frames. Each time it
// (re)connects, and on resync(), it reads
//   1. the run (GetSimulation): its recorded_step L, the last step whose scalars are committed;
//   2. the curves up to L (GetHistory, to_step L, downsampled by the server to about
//      maxPoints() points per series, each bucket keeping its first, min, max and last);
//   3. the events up to L (GetEvents, at the same time as 2);
//   4. then Watch with from_step L + 1: what was recorded after L, then live frames; the
//      server holds live frames back until that part is out, so there is no gap and no
//      duplicate between 2 and 4, however fast the run is going.
// One exception, which the handler decides: observables measured off the training thread
// (held-out evaluations) can land in the record after later steps' loss, so L does not
// promise them. The handler may resume the watch earlier, where such a series is short, and
// then drops what it already has (frames at or before a curve's last step).
// The first load may start from a GetSimulation the page made as it started (beside the list
// and the catalogue): its recorded_step is committed, so it is a valid L, one round trip sooner.
// So a page opened, reloaded or navigated back to mid-run draws the whole curve, and one
// that lost its stream (network, server restart) draws it again from the record. A run that
// is gone (NOT_FOUND) ends it for good.

import {
  Code,
  ConnectError,
  describeError,
  type History,
  type RunEvent,
  type Simulation,
  type WatchFrame,
} from "@eiscope/client";
import { client } from "./api";

const RETRY_MS = 2000;

export interface RecordedWatchHandlers {
  /**
   * The record up to `history.lastStep`: replace whatever is drawn with it, and say from which
   * step (at most lastStep + 1) the watch should send the record again before going live.
   */
  loaded(sim: Simulation, history: History, events: RunEvent[]): number;
  /** A frame from the step `loaded` returned on, recorded or live. */
  frame(f: WatchFrame): void;
  /** undefined when connected; a message while not. */
  status(problem: string | undefined): void;
  /** The run no longer exists; nothing more will come. */
  gone(): void;
}

export class RecordedWatch {
  private readonly stopped = new AbortController();
  private attempt = new AbortController();
  /** Between the start of a (re)load and the record being handed over. */
  private loading = true;
  /** The run as the page read it as it started: the first load's L (then read afresh at each reload). */
  private known?: Promise<Simulation>;

  /**
   * @param scalars   the scalar observables drawn as curves (read from the record)
   * @param watched   what the live watch follows: the scalars and the event kinds
   * @param maxPoints points per series asked of GetHistory, read at each (re)load
   * @param known     GetSimulation of the run made as the page started (undefined: read it first)
   */
  constructor(
    private readonly id: string,
    private readonly scalars: string[],
    private readonly watched: string[],
    private readonly maxPoints: () => number,
    private readonly on: RecordedWatchHandlers,
    known?: Promise<Simulation>,
  ) {
    this.known = known;
    // After the caller has mounted the view: maxPoints() reads the chart's width.
    queueMicrotask(() => void this.run());
  }

  /**
   * Drops the stream and loads the record afresh (e.g. the run was reset while no stream was
   * open); false when a load is already under way, which will see the same record.
   */
  resync(): boolean {
    if (this.loading || this.stopped.signal.aborted) return false;
    this.attempt.abort();
    return true;
  }

  stop(): void {
    this.stopped.abort();
    this.attempt.abort();
  }

  private async run(): Promise<void> {
    while (!this.stopped.signal.aborted) {
      const attempt = (this.attempt = new AbortController());
      try {
        await this.loadThenWatch(attempt.signal);
        if (attempt.signal.aborted) continue; // resync() or stop(): at once
        this.on.status("stream ended; reconnecting…");
      } catch (e) {
        if (attempt.signal.aborted) continue;
        if (e instanceof ConnectError && e.code === Code.NotFound) {
          this.on.gone();
          return;
        }
        // InvalidArgument (e.g. an observable this server does not know) would fail again.
        const final = e instanceof ConnectError && e.code === Code.InvalidArgument;
        this.on.status(final ? describeError(e) : `${describeError(e)}; reconnecting…`);
        if (final) return;
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, RETRY_MS);
        attempt.signal.addEventListener(
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

  private async loadThenWatch(signal: AbortSignal): Promise<void> {
    this.on.status(undefined);
    this.loading = true;
    const sim = await (this.known ?? client.get(this.id));
    this.known = undefined;
    const last = Number(sim.recordedStep);
    const maxPoints = this.maxPoints();
    // to_step 0 would mean "up to the end": with nothing recorded there is nothing to ask.
    // The curves and the events side by side: one after the other made the first paint wait for both.
    const [recorded, events]: [History, RunEvent[]] = await Promise.all([
      last > 0
        ? client.history(this.id, { observables: this.scalars, maxPoints, toStep: last })
        : Promise.resolve({ lastStep: 0, series: [] }),
      // to_step 0 here too means "no limit": what came after L is the watch's to send.
      client.events(this.id, 0, last),
    ]);
    recorded.lastStep = last;
    const recordedEvents = events.filter((e) => e.step <= last);
    if (signal.aborted) return;
    this.loading = false;
    const fromStep = Math.min(last + 1, this.on.loaded(sim, recorded, recordedEvents));
    for await (const f of client.watch(this.id, { observables: this.watched, fromStep }, signal)) this.on.frame(f);
  }
}
