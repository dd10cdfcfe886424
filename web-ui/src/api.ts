// The one client of the page, and names for simulation states.

import { decodeFrame, decodeTensor, EiscopeClient, SimulationState, type WatchFrame } from "@eiscope/client";
import { authorizedFetch } from "./session";

/**
 * The SDK's client, plus Measure at a step with an AbortSignal (the SDK's measure() takes none),
 * so that a panel can drop a measurement the user has moved on from. Rejects with the server's
 * ConnectError (e.g. OUT_OF_RANGE for a step ahead of the run).
 */
class PageClient extends EiscopeClient {
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

  /**
   * One matrix (a parameter or an effective matrix) for a heatmap or a histogram: now, or at a
   * past `step`; pooled on the server to at most maxRows x maxCols (0: all); or its change since
   * step 0. `fullShape` is the matrix's own shape (the tensor's when not pooled).
   */
  async matrixAt(id: string, name: string, read: MatrixRead, signal?: AbortSignal): Promise<MatrixValues> {
    const res = await this.rpc.getParameters(
      {
        id,
        names: [name],
        step: read.step === undefined ? undefined : BigInt(read.step),
        maxRows: read.maxRows ?? 0,
        maxCols: read.maxCols ?? 0,
        changeSinceStart: read.changeSinceStart ?? false,
      },
      { signal },
    );
    const p = res.parameters.find((t) => t.name === name);
    if (!p?.tensor) throw new Error(`the server sent no values for ${name}`);
    const t = decodeTensor(p.tensor);
    // A vector counts as one row, as the server pools it.
    const matrix = (s: number[]) => (s.length === 2 ? s : [1, s.reduce((a, b) => a * b, 1)]);
    const shape = matrix(t.shape);
    return { step: Number(res.step), shape, fullShape: p.fullShape.length ? matrix([...p.fullShape]) : shape, data: t.data };
  }
}

/** How matrixAt reads: at a past step, pooled, relative to step 0. */
export interface MatrixRead {
  step?: number;
  maxRows?: number;
  maxCols?: number;
  changeSinceStart?: boolean;
}

/** A matrix as read: `data` is shape[0] x shape[1], row-major, standing for a fullShape matrix. */
export interface MatrixValues {
  step: number;
  shape: number[];
  fullShape: number[];
  data: Float32Array;
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
