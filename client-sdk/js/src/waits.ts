// The waiting calls of EiscopeClient, which watch a run's state instead of polling it.

import { Code, ConnectError } from "@connectrpc/connect";
import type { EiscopeClient } from "./client.js";
import type { WatchFrame } from "./frames.js";
import { type Simulation, SimulationState } from "./gen/eiscope/v1/types_pb.js";

export interface WaitOptions {
  /** Reject with DeadlineExceeded after this long (default 60 s). */
  timeoutMs?: number;
  /** Aborting it rejects with Canceled. */
  signal?: AbortSignal;
}

type Client = Pick<EiscopeClient, "get" | "watch">;

/** See EiscopeClient.waitForStep. */
export async function waitForStep(client: Client, id: string, step: number, options: WaitOptions): Promise<Simulation> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const stop = new AbortController();
  const timer = setTimeout(() => stop.abort(), timeoutMs);
  const onAbort = () => stop.abort();
  options.signal?.addEventListener("abort", onAbort, { once: true });
  // State changes, and the loss at multiples of `step`: a frame comes when it is reached or the run stops.
  const everySteps = Math.min(Math.max(step, 1), 2 ** 31 - 1);
  let seen: Simulation | undefined;
  try {
    const frames = options.signal?.aborted ? [] : client.watch(id, { observables: ["state", "loss"], everySteps }, stop.signal);
    for await (const _ of frames) {
      seen = await client.get(id); // the first frames are the current values: the watch stands
      if (seen.step >= BigInt(step) || seen.state !== SimulationState.RUNNING) return seen;
    }
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener("abort", onAbort);
  }
  if (options.signal?.aborted) throw new ConnectError(`waiting for step ${step} of ${id} was aborted`, Code.Canceled);
  if (stop.signal.aborted) {
    const last = seen ? `last seen ${SimulationState[seen.state]} at step ${seen.step}` : "no frame received";
    throw new ConnectError(`simulation ${id}: step ${step} not reached within ${timeoutMs} ms; ${last}`, Code.DeadlineExceeded);
  }
  return client.get(id); // the stream ended: deleted (NotFound), or as it stands
}

/**
 * Whether `f` is the state event of the stop the run is in now: a state other than RUNNING at
 * the run's current step or later (a recorded one of an earlier stop is not). A run deleted
 * meanwhile has stopped for good.
 */
export async function stoppedAt(client: Client, id: string, f: WatchFrame): Promise<boolean> {
  if (f.observable !== "state" || f.payload.kind !== "event" || f.payload.state === SimulationState.RUNNING) return false;
  try {
    const sim = await client.get(id);
    return sim.state !== SimulationState.RUNNING && sim.step <= BigInt(f.step);
  } catch (e) {
    if (e instanceof ConnectError && e.code === Code.NotFound) return true;
    throw e;
  }
}
