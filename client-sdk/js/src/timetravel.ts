// Time travel from JS: a run's exact state at any step it passed. The server rebuilds a past
// step from the nearest checkpoint at or before it and replays the intervention log, bit for
// bit, and caches the result. measure() and reconstruct() are here; parameters(), fork() and
// saveCheckpoint() take a `step` option.

import { Code, ConnectError } from "@connectrpc/connect";
import type { ReconstructProgress } from "./gen/eiscope/v1/simulation_service_pb.js";
import { decodeFrame, type WatchFrame } from "./frames.js";
import { RunRecordCalls } from "./record.js";

/** Where measure() measures: which layers, and now or at a past step. */
export interface MeasureOptions {
  /** Layers or parameters ("layer0" also picks "layer0.W" and "layer0.b"); empty: all. */
  layers?: string[];
  /** A step the run has passed, rebuilt exactly as the run held it; undefined: now, at the run's next step boundary. */
  step?: number;
}

/** How reconstruct() reports progress, and how to cancel it. */
export interface ReconstructOptions {
  /** Called with each progress message (at most about ten a second; the last one is done). */
  onProgress?: (progress: ReconstructionProgress) => void;
  /** Aborting it cancels the call, which rejects with Canceled. */
  signal?: AbortSignal;
}

/** How far the rebuilding of a past step has come. */
export interface ReconstructionProgress {
  /** The step being rebuilt. */
  step: number;
  /** Where the replay starts: a checkpoint's step, a cached reconstruction's, or 0. */
  fromStep: number;
  /** "checkpoint", "cache", "start" (the spec at step 0) or "live" (the run is there now: nothing to rebuild). */
  source: string;
  /** Training steps replayed so far, out of totalSteps (step - fromStep). */
  replayedSteps: number;
  /** Training steps the replay takes in all: step - fromStep. */
  totalSteps: number;
  /** The state at `step` is rebuilt, and cached on the server. */
  done: boolean;
}

/** The time-travel calls; EiscopeClient extends this class. Every failure rejects with a ConnectError. */
export class TimeTravelCalls extends RunRecordCalls {
  /**
   * Per-layer observables measured once, as the frames watch() yields for them: one per
   * (observable, layer), in the server's order, each with the step measured. `observables`
   * names at least one per-layer observable of the catalogue ("weights", "weight_histogram",
   * "singular_values", "eigenvalues", "spectral_radius", "nse", "activation_mean",
   * "hidden_states", "kernel_alignment", ...); network-wide scalars such as "loss" reject
   * with InvalidArgument (history() has them at every step). A `step` ahead of the run
   * rejects with OutOfRange.
   */
  async measure(id: string, observables: string[], options: MeasureOptions = {}): Promise<WatchFrame[]> {
    const step = options.step === undefined ? undefined : BigInt(options.step);
    const res = await this.rpc.measure({ id, observables, layers: options.layers ?? [], step });
    return res.frames.map(decodeFrame);
  }

  /**
   * Rebuilds the run's state at a past `step` and resolves with the final progress (done).
   * The server starts from the nearest checkpoint at or before it (or a cached reconstruction
   * nearer to it) and replays the log on its own threads while the run goes on undisturbed.
   * Afterwards parameters(), measure(), fork() and saveCheckpoint() at that step answer at
   * once. If `onProgress` throws, the call is cancelled and the promise rejects with that
   * error. A step ahead of the run rejects with OutOfRange, a negative one with
   * InvalidArgument.
   */
  async reconstruct(id: string, step: number, options: ReconstructOptions = {}): Promise<ReconstructionProgress> {
    let last: ReconstructionProgress | undefined;
    for await (const p of this.rpc.reconstruct({ id, step: BigInt(step) }, { signal: options.signal })) {
      last = decodeProgress(p);
      options.onProgress?.(last);
    }
    if (!last?.done) {
      throw new ConnectError(`the reconstruction of step ${step} of ${id} ended before it was done`, Code.Unknown);
    }
    return last;
  }
}

function decodeProgress(p: ReconstructProgress): ReconstructionProgress {
  return {
    step: Number(p.step),
    fromStep: Number(p.fromStep),
    source: p.source,
    replayedSteps: Number(p.replayedSteps),
    totalSteps: Number(p.totalSteps),
    done: p.done,
  };
}
