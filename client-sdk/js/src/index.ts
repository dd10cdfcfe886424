// Public API of @eiscope/client.

export { EiscopeClient } from "./client.js";
export type {
  AtStep,
  ParametersOptions,
  CheckpointInput,
  ClientOptions,
  ComponentInput,
  ControlResult,
  PresetInput,
  SpecInput,
  WatchOptions,
} from "./client.js";
export { decodeSeries, RunRecordCalls } from "./record.js";
export { TimeTravelCalls } from "./timetravel.js";
export { SweepCalls } from "./sweeps.js";
export type { RangeInput, SweepInput, SweepPresetOptions } from "./sweeps.js";
export type { MeasureOptions, ReconstructionProgress, ReconstructOptions } from "./timetravel.js";
export type { WaitOptions } from "./waits.js";
export type { Checkpoint, History, HistoryOptions, Latest, RecordedSeries, RunEvent, RunUpdate } from "./record.js";
export { Code, ConnectError, describeError } from "./errors.js";
export * as commands from "./commands.js";
export { decodeFrame } from "./frames.js";
export type { FramePayload, WatchFrame } from "./frames.js";
export { decodeTensor, encodeTensor } from "./tensor.js";
export type { DecodedTensor, TensorInput } from "./tensor.js";
export {
  flagValue,
  fromValue,
  integerValue,
  intsValue,
  numberValue,
  specFromForm,
  textValue,
  toTypedValue,
  toValue,
} from "./values.js";
export type { PlainValue } from "./values.js";
// The generated messages and enums, for typing and for code that needs the raw API.
export * from "./gen/eiscope/v1/types_pb.js";
export * from "./gen/eiscope/v1/simulation_service_pb.js";
export * from "./gen/eiscope/v1/sweep_pb.js";
export * from "./gen/eiscope/v1/record_pb.js";
