// The weight heatmap's worker: it reads each matrix (GetParameters, decoded here) and draws it,
// off the page's main thread. The page hands over its canvas (transferControlToOffscreen), asks
// for reads and posts frames (the layout, and which read's values to draw); each read is
// answered with a copy of its values and its colour scale's limit, each frame with its draw
// time, after which the page may post the next. A read held here until a frame uses it, so
// the page draws what it knows (the hover reads the page's copy of the same values).

import { ConnectError } from "@eiscope/client";
import { percentileLimit, symmetricLimit } from "./diverging-scale";
import type { FromWorker, ReadRequest, ToWorker } from "./heatmap-protocol";
import { HeatmapRenderer } from "./heatmap-render";
import { MatrixClient } from "./matrix-read";

let renderer: HeatmapRenderer | undefined;
let client: MatrixClient | undefined;
let token: string | undefined;
/** Reads under way, and the values of reads answered (kept until a later one is drawn, or the page drops them). */
const calls = new Map<number, AbortController>();
const held = new Map<number, Float32Array>();

// This module runs in a DedicatedWorkerGlobalScope; the project's types are the page's (DOM).
const scope = self as unknown as {
  onmessage: ((e: MessageEvent) => void) | null;
  postMessage(message: FromWorker, transfer?: Transferable[]): void;
};

/** The page's fetch as api.ts makes it: the bearer token of the latest request, when there is one. */
const authorizedFetch: typeof fetch = (input, init) => {
  if (token === undefined) return fetch(input, init);
  const headers = new Headers(init?.headers);
  headers.set("authorization", `Bearer ${token}`);
  return fetch(input, { ...init, headers });
};

async function read(r: ReadRequest): Promise<void> {
  const call = new AbortController();
  calls.set(r.seq, call);
  token = r.token;
  client ??= new MatrixClient(r.origin, { fetch: authorizedFetch });
  try {
    const m = await client.matrixAt(r.id, r.name, r.read, call.signal);
    if (call.signal.aborted) return;
    const limit = r.clipped ? percentileLimit(m.data) : symmetricLimit(m.data);
    held.set(r.seq, m.data);
    // The page's copy moves to it (no copy on its thread); this one stays for the frames.
    const copy = m.data.slice();
    scope.postMessage({ seq: r.seq, values: { ...m, data: copy }, limit }, [copy.buffer]);
  } catch (e) {
    if (call.signal.aborted) return;
    const code = e instanceof ConnectError ? e.code : undefined;
    const message = e instanceof ConnectError ? e.rawMessage : e instanceof Error ? e.message : String(e);
    scope.postMessage({ seq: r.seq, error: { message, code } });
  } finally {
    calls.delete(r.seq);
  }
}

scope.onmessage = (e) => {
  const m = e.data as ToWorker;
  if ("canvas" in m) renderer = new HeatmapRenderer(m.canvas);
  else if ("read" in m) void read(m.read);
  else if ("abort" in m) {
    calls.get(m.abort)?.abort();
    held.delete(m.abort);
  } else if ("frame" in m && renderer) {
    const frame = m.frame;
    if (m.use !== undefined) {
      frame.data = held.get(m.use);
      for (const seq of held.keys()) if (seq < m.use) held.delete(seq); // superseded: never drawn again
    }
    scope.postMessage({ drawMs: renderer.render(frame) });
  }
};
