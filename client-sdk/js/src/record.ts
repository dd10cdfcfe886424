// The run record from JS: history, latest values, events, name/tags/notes and checkpoints of
// every run the server holds in its data directory, as methods that EiscopeClient inherits.
// Steps and times become plain numbers (exact below 2^53) but for wall-clock nanoseconds,
// which need a bigint.

import type { Client } from "@connectrpc/connect";
import type { CheckpointInfo, Series } from "./gen/eiscope/v1/record_pb.js";
import type { SimulationService } from "./gen/eiscope/v1/simulation_service_pb.js";
import type { Simulation, SimulationState } from "./gen/eiscope/v1/types_pb.js";
import { type DecodedTensor, decodeTensor } from "./tensor.js";

/** What history() reads: observables, layers, a step range and an optional downsampling. */
export interface HistoryOptions {
  /** Scalar observables ("loss", "test_accuracy", "nse", ...); empty: every recorded one. */
  observables?: string[];
  /** Layers or parameters of per-layer scalars; empty: all. Network-wide ones are always included. */
  layers?: string[];
  /** The first step of the inclusive range (default 0). */
  fromStep?: number;
  /** The last step of the inclusive range; 0 (the default): up to the last recorded step. */
  toStep?: number;
  /**
   * 0 (the default): every point. Else at least 4: each series is cut into maxPoints / 4
   * buckets of steps, and each bucket keeps its first, smallest, largest and last value.
   */
  maxPoints?: number;
}

/** One recorded scalar series; point i is (steps[i], values[i], wallTimeNanos[i]), in ascending step order. */
export interface RecordedSeries {
  /** The observable, e.g. "loss" or "nse". */
  observable: string;
  /** Layer or parameter name, e.g. "layer0.W"; "" for network-wide observables. */
  layer: string;
  /** Steps as doubles (exact: steps stay below 2^53), ready for plotting. */
  steps: Float64Array;
  /** The values, one per step. */
  values: Float64Array;
  /** Unix epoch nanoseconds (beyond 2^53, hence bigints). */
  wallTimeNanos: BigInt64Array;
  /** Points recorded in the range asked for, before downsampling. */
  recordedPoints: number;
  /** True when the points are, per bucket of steps, the first, smallest, largest and last. */
  downsampled: boolean;
  /** Samples the recorder merged because the disk fell behind (over the whole run; 0: none). */
  mergedSamples: number;
}

/** What history() resolves to: the run's recorded scalar series. */
export interface History {
  /** The last step recorded for the run when the call was answered. */
  lastStep: number;
  /** One per observable and layer that has points, in the server's order. */
  series: RecordedSeries[];
}

/** What latest() resolves to: the current scalars, without a stream. */
export interface Latest {
  /** The run's step. */
  step: number;
  /** The run's state. */
  state: SimulationState;
  /** Network-wide scalars by name ("loss"), per-layer ones as "observable@layer". */
  values: Record<string, number>;
}

/** A recorded state change or intervention. */
export interface RunEvent {
  /** The step at which it happened. */
  step: number;
  /** When, in Unix epoch milliseconds. */
  wallTimeMillis: number;
  /** A state change, or a steering command applied. */
  kind: "state" | "intervention";
  /** The run's state after it. */
  state: SimulationState;
  /** What happened, in words. */
  message: string;
}

/** Each field is changed only when given; `tags` replaces the tags (1..64 characters, no commas), `[]` removes them. */
export interface RunUpdate {
  /** The new name. */
  name?: string;
  /** The new tags, replacing the old; `[]` removes them all. */
  tags?: string[];
  /** The new notes. */
  notes?: string;
}

/** A checkpoint of a run's full state, kept in the server's data directory as a NumPy .npz file. */
export interface Checkpoint {
  /** The step whose state it holds. */
  step: number;
  /** When it was written, in Unix epoch milliseconds. */
  createdMillis: number;
  /** The file's size. */
  sizeBytes: number;
  /** Hex SHA-256 of the file. */
  sha256: string;
  /** Kept whatever the retention. */
  pinned: boolean;
  /** "interval", "pause", "shutdown", "request" or "time travel" (saved at a past step). */
  reason: string;
}

/** The run-record calls; EiscopeClient extends this class. Every failure rejects with a ConnectError. */
export class RunRecordCalls {
  protected constructor(protected readonly rpc: Client<typeof SimulationService>) {}

  /** The recorded scalars of a run, one series per (observable, layer). */
  async history(id: string, options: HistoryOptions = {}): Promise<History> {
    const res = await this.rpc.getHistory({
      id,
      observables: options.observables ?? [],
      layers: options.layers ?? [],
      fromStep: BigInt(options.fromStep ?? 0),
      toStep: BigInt(options.toStep ?? 0),
      maxPoints: options.maxPoints ?? 0,
    });
    return { lastStep: Number(res.lastStep), series: res.series.map(decodeSeries) };
  }

  /** The latest value of each scalar observable (`observables` empty: all), without a stream. */
  async latest(id: string, observables: string[] = []): Promise<Latest> {
    const res = await this.rpc.getLatest({ id, observables });
    return { step: Number(res.step), state: res.state, values: { ...res.values } };
  }

  /** Recorded state changes and interventions, in order, with fromStep <= step <= toStep (toStep 0: no limit). */
  async events(id: string, fromStep = 0, toStep = 0): Promise<RunEvent[]> {
    const res = await this.rpc.getEvents({ id, fromStep: BigInt(fromStep), toStep: BigInt(toStep) });
    return res.events.map((e) => ({
      step: Number(e.step),
      wallTimeMillis: Number(e.wallTimeUnixNanos / 1_000_000n),
      kind: e.kind as RunEvent["kind"],
      state: e.state,
      message: e.message,
    }));
  }

  /** Renames, tags or annotates a run; resolves with its view (its name is `spec.name`). */
  async updateRun(id: string, update: RunUpdate): Promise<Simulation> {
    const tags = update.tags ?? [];
    const res = await this.rpc.updateRun({
      id,
      name: update.name,
      notes: update.notes,
      tags,
      clearTags: update.tags !== undefined && tags.length === 0,
    });
    return res.simulation!;
  }

  /** The checkpoints kept for a run, oldest first. */
  async checkpoints(id: string): Promise<Checkpoint[]> {
    return (await this.rpc.listCheckpoints({ id })).checkpoints.map(decodeCheckpoint);
  }

  /**
   * Takes a checkpoint of the full state at the next step boundary; resolves once it is on
   * disk. `pin` keeps it whatever the retention. With `step`, a past step the run passed: the
   * state it held there, rebuilt and saved pinned (`pin` implied; a checkpoint already there is
   * pinned, not rewritten), so that later time travel near it replays less; a step ahead of
   * the run rejects with OutOfRange.
   */
  async saveCheckpoint(id: string, options: { pin?: boolean; step?: number } = {}): Promise<Checkpoint> {
    const step = options.step === undefined ? undefined : BigInt(options.step);
    return decodeCheckpoint((await this.rpc.saveCheckpoint({ id, pin: options.pin ?? false, step })).checkpoint!);
  }

  /** Keeps the checkpoint at `step` whatever the retention (`pinned` false releases it). */
  async pinCheckpoint(id: string, step: number, pinned = true): Promise<Checkpoint> {
    return decodeCheckpoint((await this.rpc.pinCheckpoint({ id, step: BigInt(step), pinned })).checkpoint!);
  }

  /**
   * The parameters stored in the checkpoint at `step` (undefined: the newest), by name, like
   * parameters(); `names` empty: all. NotFound names the steps that have a checkpoint.
   */
  async checkpoint(id: string, step?: number, names: string[] = []): Promise<Map<string, DecodedTensor>> {
    const res = await this.rpc.getCheckpoint({ ...checkpointAt(id, step), names });
    return new Map(res.parameters.map((p) => [p.name, decodeTensor(p.tensor!)]));
  }

  /**
   * The checkpoint at `step` (undefined: the newest) as the .npz file the server keeps: what
   * numpy.load reads, each parameter under "param/<name>" beside the rest of the state. (The
   * answer also carries the parameters decoded, so it is larger than the file.)
   */
  async checkpointNpz(id: string, step?: number): Promise<Uint8Array> {
    return (await this.rpc.getCheckpoint({ ...checkpointAt(id, step), includeNpz: true })).npz;
  }
}

function checkpointAt(id: string, step: number | undefined): { id: string; latest?: boolean; step?: bigint } {
  return step === undefined ? { id, latest: true } : { id, step: BigInt(step) };
}

function decodeCheckpoint(c: CheckpointInfo): Checkpoint {
  return {
    step: Number(c.step),
    createdMillis: Number(c.createdUnixMillis),
    sizeBytes: Number(c.sizeBytes),
    sha256: c.sha256,
    pinned: c.pinned,
    reason: c.reason,
  };
}

/** Decodes the packed little-endian columns of a Series; throws a RangeError if their lengths disagree. */
export function decodeSeries(s: Series): RecordedSeries {
  const n = s.steps.byteLength / 8;
  if (!Number.isInteger(n) || s.values.byteLength !== 8 * n || s.wallTimesUnixNanos.byteLength !== 8 * n) {
    throw new RangeError(
      `series ${s.observable}: steps, values and wall times hold ${s.steps.byteLength}, ` +
        `${s.values.byteLength} and ${s.wallTimesUnixNanos.byteLength} bytes, not 8 per point each`,
    );
  }
  return {
    observable: s.observable,
    layer: s.layer,
    steps: Float64Array.from(int64s(s.steps), Number),
    values: float64s(s.values),
    wallTimeNanos: int64s(s.wallTimesUnixNanos),
    recordedPoints: Number(s.recordedPoints),
    downsampled: s.downsampled,
    mergedSamples: Number(s.mergedSamples),
  };
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** Little-endian int64s; a view when the bytes allow one (8-aligned, little-endian host), else a copy. */
function int64s(bytes: Uint8Array): BigInt64Array {
  const n = bytes.byteLength / 8;
  if (!LITTLE_ENDIAN) {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    return BigInt64Array.from({ length: n }, (_, i) => view.getBigInt64(8 * i, true));
  }
  return bytes.byteOffset % 8 === 0
    ? new BigInt64Array(bytes.buffer, bytes.byteOffset, n)
    : new BigInt64Array(bytes.slice().buffer, 0, n);
}

/** Little-endian float64s; a view when the bytes allow one, else a copy. */
function float64s(bytes: Uint8Array): Float64Array {
  const n = bytes.byteLength / 8;
  if (!LITTLE_ENDIAN) {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    return Float64Array.from({ length: n }, (_, i) => view.getFloat64(8 * i, true));
  }
  return bytes.byteOffset % 8 === 0
    ? new Float64Array(bytes.buffer, bytes.byteOffset, n)
    : new Float64Array(bytes.slice().buffer, 0, n);
}
