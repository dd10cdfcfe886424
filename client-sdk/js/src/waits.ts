// The waiting calls of EiscopeClient, which watch a run's state instead of polling it.

import { Code, ConnectError } from "@connectrpc/connect";
import type { EiscopeClient } from "./client.js";
import type { WatchFrame } from "./frames.js";
import { type Simulation, SimulationState } from "./gen/eiscope/v1/types_pb.js";

/** How long waitForStep() waits, and how to cancel it. */
export interface WaitOptions {
  /** Reject with DeadlineExceeded after this long (default 60 s). */
  timeoutMs?: number;
  /** Aborting it rejects with Canceled. */
  signal?: AbortSignal;
}

type Client = Pick<EiscopeClient, "get" | "watch">;

/** See EiscopeClient.waitForStep. */
export async function waitForStep(client: Client, id: string, step: number, options: WaitOptions): Promise<Simulation> {
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  const goal = `step ${step} not reached within ${options.timeoutMs ?? 60_000} ms`;
  const target = BigInt(step);
  let sim = await watchUntil(client, id, step, deadline, goal, options, (s) => s.step >= target || !running(s));
  if (sim !== undefined && running(sim) && sim.step === target) {
    // Exactly there and still running: about to pause there (runUntil, step n), or playing on? The next frame tells.
    sim = await watchUntil(client, id, 1, deadline, goal, options, (s) => s.step > target || !running(s));
  }
  return sim ?? client.get(id); // undefined: the stream ended, so deleted (NotFound), or as it stands
}

/** Told to run: playing, or QUEUED for a slot on a busy server (it starts by itself). */
const underWay = (state: SimulationState) => state === SimulationState.RUNNING || state === SimulationState.QUEUED;
const running = (s: Simulation) => underWay(s.state);

/**
 * Reads the run after each frame of a watch of its state changes and its loss every
 * `everySteps` steps until `done` holds; undefined if the stream ended first. Rejects with
 * DeadlineExceeded saying `goal` at `deadline` (epoch ms), Canceled when `options.signal` aborts.
 */
async function watchUntil(
  client: Client,
  id: string,
  everySteps: number,
  deadline: number,
  goal: string,
  options: WaitOptions,
  done: (s: Simulation) => boolean,
): Promise<Simulation | undefined> {
  const stop = new AbortController();
  const timer = setTimeout(() => stop.abort(), Math.max(deadline - Date.now(), 1));
  const onAbort = () => stop.abort();
  options.signal?.addEventListener("abort", onAbort, { once: true });
  const request = { observables: ["state", "loss"], everySteps: Math.min(Math.max(everySteps, 1), 2 ** 31 - 1) };
  let seen: Simulation | undefined;
  try {
    const frames = options.signal?.aborted ? [] : client.watch(id, request, stop.signal);
    for await (const _ of frames) {
      seen = await client.get(id); // the first frames are the current values: the watch stands
      if (done(seen)) return seen;
    }
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener("abort", onAbort);
  }
  if (options.signal?.aborted) throw new ConnectError(`waiting for ${id}: aborted`, Code.Canceled);
  if (stop.signal.aborted) {
    const last = seen ? `last seen ${SimulationState[seen.state]} at step ${seen.step}` : "no frame received";
    throw new ConnectError(`simulation ${id}: ${goal}; ${last}`, Code.DeadlineExceeded);
  }
  return undefined;
}

/**
 * Whether `f` is the state event of the stop the run is in now: a state other than RUNNING or QUEUED at
 * the run's current step or later (a recorded one of an earlier stop is not). A run deleted
 * meanwhile has stopped for good.
 */
export async function stoppedAt(client: Client, id: string, f: WatchFrame): Promise<boolean> {
  if (f.observable !== "state" || f.payload.kind !== "event" || underWay(f.payload.state)) return false;
  try {
    const sim = await client.get(id);
    return !underWay(sim.state) && sim.step <= BigInt(f.step);
  } catch (e) {
    if (e instanceof ConnectError && e.code === Code.NotFound) return true;
    throw e;
  }
}
