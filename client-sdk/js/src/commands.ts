// Builders of steering commands for EiscopeClient.apply(). Each returns a `Command` message;
// the server validates it, applies it at the next step boundary, logs it and streams it as an
// "intervention" event frame. Numbers in rule params travel as floats (use integerValue() for
// integer parameters), as everywhere without a catalogue entry at hand.

import { create } from "@bufbuild/protobuf";
import {
  type Command,
  CommandSchema,
  ComponentSpecSchema,
  Population,
  PruneMethod,
  PruneScope,
  type Value,
  WatchCondition,
} from "./gen/eiscope/v1/types_pb.js";
import { type PlainValue, toValue } from "./values.js";

/** Learning-rule hyper-parameters by name, e.g. `{ learning_rate: 0.01 }`: plain values (typed by toValue) or Values. */
export type Params = Record<string, PlainValue | Value>;

const values = (params: Params): Record<string, Value> =>
  Object.fromEntries(Object.entries(params).map(([k, v]) => [k, toValue(v)]));

/** Change hyper-parameters of the current learning rule; its optimiser state is kept where it fits. */
export const setRuleParams = (params: Params): Command =>
  create(CommandSchema, { kind: { case: "setRuleParams", value: { params: values(params) } } });

/** Replace the learning rule (e.g. "adam"), with fresh optimiser state. */
export const switchRule = (kind: string, params: Params = {}): Command =>
  create(CommandSchema, {
    kind: { case: "switchRule", value: { rule: create(ComponentSpecSchema, { kind, params: values(params) }) } },
  });

/** Play until `step`, then pause. */
export const runUntil = (step: number | bigint): Command =>
  create(CommandSchema, { kind: { case: "runUntil", value: { step: BigInt(step) } } });

/** Gaussian noise from the simulation's seeded noise stream on a layer or parameter ("": all). */
export const addWeightNoise = (std: number, target = ""): Command =>
  create(CommandSchema, { kind: { case: "addWeightNoise", value: { std, target } } });

/** Set one element; weight matrices are [n_out, n_in]. */
export const setWeight = (parameter: string, row: number, col: number, value: number): Command =>
  create(CommandSchema, { kind: { case: "setWeight", value: { parameter, row, col, value } } });

/** Hold a layer's or parameter's values fixed (frozen = false releases them). */
export const freeze = (target: string, frozen = true): Command =>
  create(CommandSchema, { kind: { case: "freeze", value: { target, frozen } } });

/** Zero a unit's incoming and outgoing weights and keep them zero. */
export const lesion = (layer: string, unit: number, inhibitory = false): Command =>
  create(CommandSchema, {
    kind: {
      case: "lesion",
      value: { layer, unit, population: inhibitory ? Population.INHIBITORY : Population.EXCITATORY },
    },
  });

/** Hold a unit's output at `value` from now on (clamped = false releases it). */
export const clampUnit = (layer: string, unit: number, value = 0, clamped = true): Command =>
  create(CommandSchema, { kind: { case: "clampUnit", value: { layer, unit, value, clamped } } });

/** Add N(0, std^2) noise to every training input from now on (0 turns it off). */
export const inputNoise = (std: number): Command => create(CommandSchema, { kind: { case: "setInputNoise", value: { std } } });

/**
 * Prune weight matrices until `fraction` of them are pruned ("magnitude": smallest |w| first,
 * or "random"), over all layers together ("global") or per layer; pruned weights stay zero.
 */
export const prune = (
  fraction: number,
  method: "magnitude" | "random" = "magnitude",
  scope: "global" | "per_layer" = "global",
): Command =>
  create(CommandSchema, {
    kind: {
      case: "prune",
      value: {
        fraction,
        method: method === "magnitude" ? PruneMethod.MAGNITUDE : PruneMethod.RANDOM,
        scope: scope === "global" ? PruneScope.GLOBAL : PruneScope.PER_LAYER,
      },
    },
  });

/** Pause when a network-wide scalar observable is non-finite, above or below a threshold. */
/**
 * Pause when a scalar observable meets the condition. For a per-layer observable (spectralRadius
 * of "rnn0", ...) pass `{ layer, everySteps }`: measured every `everySteps` steps while the
 * watchpoint stands (0: every step, every 10 for expensive ones).
 */
export const watchpoint = (
  name: string,
  observable: string,
  condition: "non_finite" | "above" | "below",
  threshold = 0,
  on: { layer?: string; everySteps?: number } = {},
): Command =>
  create(CommandSchema, {
    kind: {
      case: "addWatchpoint",
      value: {
        name,
        observable,
        threshold,
        layer: on.layer ?? "",
        everySteps: on.everySteps ?? 0,
        condition: { non_finite: WatchCondition.NON_FINITE, above: WatchCondition.ABOVE, below: WatchCondition.BELOW }[condition],
      },
    },
  });

/** Removes the watchpoint of that name (see watchpoint()). */
export const removeWatchpoint = (name: string): Command =>
  create(CommandSchema, { kind: { case: "removeWatchpoint", value: { name } } });
