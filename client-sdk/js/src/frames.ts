// Frames as the SDK hands them out: payloads decoded, steps as plain numbers for plotting.

import type { Frame, SimulationState } from "./gen/eiscope/v1/types_pb.js";
import { type DecodedTensor, decodeTensor } from "./tensor.js";

export type FramePayload =
  /** `mergedCount` > 1: a slow subscriber's samples were averaged; `step` is the last one. */
  | { kind: "scalar"; value: number; mergedCount: number }
  | { kind: "tensor"; tensor: DecodedTensor }
  /** `edges` are ascending, one more than `counts`. */
  | { kind: "histogram"; edges: number[]; counts: number[] }
  | { kind: "event"; state: SimulationState; message: string }
  | { kind: "none" };

export interface WatchFrame {
  simulationId: string;
  /** Steps stay below 2^53 in any realistic run, so a number is exact. */
  step: number;
  wallTimeMillis: number;
  observable: string;
  /** Layer or parameter name, e.g. "layer0.W"; empty for network-wide observables. */
  layer: string;
  /** Frames of this (observable, layer) that newer ones replaced before delivery. */
  dropped: number;
  payload: FramePayload;
}

export function decodeFrame(f: Frame): WatchFrame {
  return {
    simulationId: f.simulationId,
    step: Number(f.step),
    wallTimeMillis: Number(f.wallTimeUnixNanos / 1_000_000n),
    observable: f.observable,
    layer: f.layer,
    dropped: f.dropped,
    payload: decodePayload(f.payload),
  };
}

function decodePayload(p: Frame["payload"]): FramePayload {
  switch (p.case) {
    case "scalar":
      // proto3 default 0 means "not set": an unmerged sample stands for itself.
      return { kind: "scalar", value: p.value.value, mergedCount: p.value.mergedCount || 1 };
    case "tensor":
      return { kind: "tensor", tensor: decodeTensor(p.value) };
    case "histogram":
      return {
        kind: "histogram",
        edges: p.value.edges,
        counts: p.value.counts.map(Number),
      };
    case "event":
      return { kind: "event", state: p.value.state, message: p.value.message };
    default:
      return { kind: "none" };
  }
}
