// Keeps a Watch stream open for as long as a view needs it: reconnects after a network
// failure or a server restart, and gives up only when the simulation is gone.

import { Code, ConnectError, describeError, type WatchFrame, type WatchOptions } from "@eiscope/client";
import { client } from "./api";

const RETRY_MS = 2000;

export interface WatchHandlers {
  frame: (f: WatchFrame) => void;
  /** undefined when (re)connected; a message while disconnected. */
  status?: (problem: string | undefined) => void;
}

/** Starts watching; the returned function stops it. */
export function liveWatch(id: string, options: WatchOptions, on: WatchHandlers): () => void {
  const ac = new AbortController();
  void (async () => {
    while (!ac.signal.aborted) {
      try {
        on.status?.(undefined);
        for await (const f of client.watch(id, options, ac.signal)) on.frame(f);
        if (ac.signal.aborted) return;
        on.status?.("stream ended; reconnecting…");
      } catch (e) {
        const gone = e instanceof ConnectError && e.code === Code.NotFound;
        // InvalidArgument (e.g. an unknown observable) would fail the same way again.
        const final = gone || (e instanceof ConnectError && e.code === Code.InvalidArgument);
        on.status?.(gone ? "simulation not found" : final ? describeError(e) : `${describeError(e)}; reconnecting…`);
        if (final) return;
      }
      await new Promise((r) => setTimeout(r, RETRY_MS));
    }
  })();
  return () => ac.abort();
}
