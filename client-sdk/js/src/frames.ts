// Frames as the SDK hands them out: payloads decoded, steps as plain numbers for plotting.

import type { Frame, SimulationState } from "./gen/eiscope/v1/types_pb.js";
import { type DecodedTensor, decodeTensor } from "./tensor.js";

/** A frame's value, decoded; `kind` says which of the forms it is. */
export type FramePayload =
  | {
      /** A scalar observable (loss, accuracy, nse...). */
      kind: "scalar";
      /** Its value. */
      value: number;
      /** Samples this value stands for: more than 1 when a slow subscriber's samples were averaged (`step` is the last one). */
      mergedCount: number;
    }
  | {
      /** A tensor observable (weights, spectra, hidden states...). */
      kind: "tensor";
      /** Its values and shape. */
      tensor: DecodedTensor;
    }
  | {
      /** A histogram observable (weight_histogram...). */
      kind: "histogram";
      /** Bin edges, ascending, one more than `counts`. */
      edges: number[];
      /** Values per bin. */
      counts: number[];
    }
  | {
      /** A state change or an intervention. */
      kind: "event";
      /** The run's state after it. */
      state: SimulationState;
      /** What happened, in words. */
      message: string;
    }
  | {
      /** A frame without a payload. */
      kind: "none";
    };

/** One observation, as watch() and measure() yield it: a Frame of the API with its payload decoded. */
export interface WatchFrame {
  /** The run it is about. */
  simulationId: string;
  /** Steps stay below 2^53 in any realistic run, so a number is exact. */
  step: number;
  /** When it was measured, in Unix epoch milliseconds. */
  wallTimeMillis: number;
  /** The observable's name in the catalogue. */
  observable: string;
  /** Layer or parameter name, e.g. "layer0.W"; empty for network-wide observables. */
  layer: string;
  /** Frames of this (observable, layer) that newer ones replaced before delivery. */
  dropped: number;
  /** The value, decoded. */
  payload: FramePayload;
}

/** Decodes a Frame of the API: steps and times as numbers, tensors as Float32Arrays. */
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
