// What the weight heatmap's page side (heatmap-canvas.ts, heatmap-reads.ts) and its worker
// (heatmap-worker.ts) say to each other. The worker reads each matrix itself (GetParameters:
// the fetch, the protobuf decode and the colour scale's limit, ~1 MB for 500 x 500), holds the
// values and draws them when the page says so; the page gets a copy of the values (a transfer,
// not a copy on its thread) for the hover readout and the tests.

import type { HeatmapFrame } from "./heatmap-render";
import type { MatrixRead, MatrixValues } from "./matrix-read";

/** One read for the worker to make: `seq` names it in the answer and in later frames. */
export interface ReadRequest {
  seq: number;
  /** The server's origin and the session's bearer token (undefined: none), as the page's client uses them. */
  origin: string;
  token?: string;
  id: string;
  name: string;
  read: MatrixRead;
  /** The colour scale's limit: the 99th percentile of |w| (true) or the largest |w|. */
  clipped: boolean;
}

export type ToWorker =
  | { canvas: OffscreenCanvas }
  /** Draw `frame`; `use`: with the values of that read (then frame.data is absent). */
  | { frame: HeatmapFrame; use?: number }
  | { read: ReadRequest }
  /** The page no longer wants that read: abort it, or forget its values. */
  | { abort: number };

export type FromWorker =
  | { drawMs: number }
  | { seq: number; values: MatrixValues; limit: number }
  | { seq: number; error: { message: string; code?: number } };
