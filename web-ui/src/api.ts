// The one client of the page, and names for simulation states.

import { decodeFrame, SimulationState, type WatchFrame } from "@eiscope/client";
import { MatrixClient } from "./matrix-read";
import { authorizedFetch } from "./session";

export type { MatrixRead, MatrixValues } from "./matrix-read";

/**
 * The SDK's client with matrixAt (matrix-read.ts), plus Measure at a step with an AbortSignal
 * (the SDK's measure() takes none), so that a panel can drop a measurement the user has moved on
 * from. Rejects with the server's ConnectError (e.g. OUT_OF_RANGE for a step ahead of the run).
 */
class PageClient extends MatrixClient {
  /** Per-layer observables of `layers` as they were at `step` (the frames Watch would carry). */
  async measureAt(
    id: string,
    step: number,
    observables: string[],
    layers: string[],
    signal?: AbortSignal,
  ): Promise<WatchFrame[]> {
    const res = await this.rpc.measure({ id, observables, layers, step: BigInt(step) }, { signal });
    return res.frames.map(decodeFrame);
  }
}

/**
 * The server serves this page on its gRPC-Web port (in development, Vite proxies to it). Every
 * call carries the session's token, read at each call: signing in takes effect at once.
 */
export const serverUrl = window.location.origin;
export const client = new PageClient(serverUrl, { fetch: authorizedFetch });

export function stateName(s: SimulationState): string {
  return (SimulationState[s] ?? "UNSPECIFIED").toLowerCase();
}

/**
 * Makes `el` a small colored label for a state; its class picks the color (see style.css). A queued run's
 * label carries its place in the server's queue (`queuePosition`, 1: starts next), which its status message
 * only gives as it was when it joined.
 */
export function setStateBadge(el: HTMLElement, s: SimulationState, queuePosition = 0): void {
  el.className = `badge state-${stateName(s)}`;
  el.textContent = s === SimulationState.QUEUED && queuePosition > 0 ? `queued #${queuePosition}` : stateName(s);
  el.title = s === SimulationState.QUEUED ? "waiting for the server to have a free slot (--workers); it starts by itself" : "";
}
