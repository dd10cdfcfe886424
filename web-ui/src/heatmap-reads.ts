// The page's side of the heatmap worker's reads: each read is posted to the worker, which
// fetches and decodes the matrix off the main thread and answers with a copy of its values
// (transferred) and the colour scale's limit. A read the page aborts is aborted in the worker
// too, and its values forgotten there.

import { ConnectError } from "@eiscope/client";
import { serverUrl } from "./api";
import type { FromWorker, ToWorker } from "./heatmap-protocol";
import type { MatrixRead, MatrixValues } from "./matrix-read";
import { token } from "./session";

/** A matrix read by the worker: `ref` names the values it holds for a frame to draw (see HeatmapFrame). */
export interface WorkerRead extends MatrixValues {
  ref: number;
  limit: number;
  clipped: boolean;
}

type Pending = { resolve: (m: WorkerRead) => void; reject: (e: unknown) => void; clipped: boolean };

export class WorkerReads {
  private seq = 0;
  private readonly pending = new Map<number, Pending>();

  constructor(private readonly post: (m: ToWorker) => void) {}

  /** Reads `name` of run `id` in the worker; rejects as the page's client would (a ConnectError from the server). */
  read(id: string, name: string, read: MatrixRead, clipped: boolean, signal: AbortSignal): Promise<WorkerRead> {
    const seq = ++this.seq;
    return new Promise<WorkerRead>((resolve, reject) => {
      this.pending.set(seq, { resolve, reject, clipped });
      signal.addEventListener(
        "abort",
        () => {
          this.pending.delete(seq);
          this.post({ abort: seq });
          reject(signal.reason);
        },
        { once: true },
      );
      this.post({ read: { seq, origin: serverUrl, token: token(), id, name, read, clipped } });
    });
  }

  /** The worker's answer to a read (its other messages are not for this). */
  answer(m: FromWorker): void {
    if (!("seq" in m)) return;
    const p = this.pending.get(m.seq);
    if (!p) return; // aborted meanwhile
    this.pending.delete(m.seq);
    if ("error" in m) {
      const { message, code } = m.error;
      p.reject(code === undefined ? new Error(message) : new ConnectError(message, code));
    } else {
      p.resolve({ ...m.values, ref: m.seq, limit: m.limit, clipped: p.clipped });
    }
  }

  /** Every read under way fails with `reason` (the worker is gone). */
  failAll(reason: unknown): void {
    for (const p of this.pending.values()) p.reject(reason);
    this.pending.clear();
  }
}
