// Sweeps from JS: many runs of one experiment over a grid or a random sample of spec values.
// A sweep's runs are ordinary runs (tagged "sweep:<id>", named after their values); the server
// plays at most `concurrency` at a time and keeps the sweep in its run record.

import { create } from "@bufbuild/protobuf";
import {
  type GetSweepResultsResponse,
  type Sweep,
  SweepAction,
  type SweepAxis,
  SweepAxisSchema,
  SweepMode,
  type SweepPreset,
  SweepSpecSchema,
} from "./gen/eiscope/v1/sweep_pb.js";
import { type SimulationSpec, SimulationSpecSchema, type Value } from "./gen/eiscope/v1/types_pb.js";
import { TimeTravelCalls } from "./timetravel.js";
import { integerValue, type PlainValue, toValue } from "./values.js";

/** A range a random sweep draws a field from: uniform in [min, max], log-uniform with `log` (min > 0), rounded with `integer`. */
export interface RangeInput {
  /** The smallest value drawn (> 0 with `log`). */
  min: number;
  /** The largest value drawn (>= min). */
  max: number;
  /** Draw log-uniformly instead of uniformly. */
  log?: boolean;
  /** Round each draw to an integer (for integer parameters and seeds). */
  integer?: boolean;
}

/** What createSweep() takes: the base of every run, the varied fields, and the bound. */
export interface SweepInput {
  /** Free text shown in lists; the runs are named "<name> · field=value ...". */
  name?: string;
  /** A preset as the base (with spec's name and seed overriding it), or the base spec itself. */
  preset?: string;
  /** The base spec: a SimulationSpec message, or what create() takes. */
  spec?: SimulationSpec;
  /**
   * Every combination of these values (the last field varies fastest). Keys are spec fields:
   * "seed", "preset", "batch_size", "eval_every_steps", "step_budget", "model.kind" (and
   * learning_rule., task.), or a component's parameter ("learning_rule.learning_rate").
   * Numbers are sent as numbers: use integerValue() for an integer parameter.
   */
  grid?: Record<string, (PlainValue | Value)[]>;
  /** `samples` points, each field drawn from its list or range with `sampleSeed`. */
  random?: Record<string, (PlainValue | Value)[] | RangeInput>;
  /** How many points a random sweep draws (needs `random`). */
  samples?: number;
  /** The seed of the random draws: the same seed draws the same points. */
  sampleSeed?: number | bigint;
  /** At most this many runs play at once (0 or unset: the server's cores). */
  concurrency?: number;
}

/** What createSweepFromPreset() may change of a paper's grid. */
export interface SweepPresetOptions {
  /** In place of the grid's seeds (fewer for a first look). */
  seeds?: (number | bigint)[];
  /** Every run's step budget, in place of its preset's. */
  stepBudget?: number | bigint;
  /** At most this many runs play at once (0 or unset: the server's cores). */
  concurrency?: number;
}

/** Puts `a` in place of the spec's axis over the same field, or last when it has none. */
function replaceAxis(axes: SweepAxis[], a: SweepAxis): SweepAxis[] {
  return axes.some((x) => x.field === a.field) ? axes.map((x) => (x.field === a.field ? a : x)) : [...axes, a];
}

function axis(field: string, values: (PlainValue | Value)[] | RangeInput): SweepAxis {
  if (Array.isArray(values)) return create(SweepAxisSchema, { field, values: values.map((v) => toValue(v)) });
  return create(SweepAxisSchema, {
    field,
    range: { min: values.min, max: values.max, log: values.log ?? false, integer: values.integer ?? false },
  });
}

/** The sweep calls; EiscopeClient extends this class. Every failure rejects with a ConnectError. */
export class SweepCalls extends TimeTravelCalls {
  /** Validates and starts a sweep (InvalidArgument names the field of any mistake); resolves to it with its points. */
  async createSweep(input: SweepInput): Promise<Sweep> {
    if ((input.grid === undefined) === (input.random === undefined)) throw new TypeError("give either grid or random");
    const axes = Object.entries(input.grid ?? input.random ?? {}).map(([field, values]) => axis(field, values));
    const spec = create(SweepSpecSchema, {
      name: input.name ?? "",
      spec: input.spec ?? create(SimulationSpecSchema, {}),
      preset: input.preset ?? "",
      axes,
      mode: input.grid !== undefined ? SweepMode.GRID : SweepMode.RANDOM,
      samples: input.samples ?? 0,
      sampleSeed: BigInt(input.sampleSeed ?? 0),
      concurrency: input.concurrency ?? 0,
    });
    return (await this.rpc.createSweep({ spec })).sweep!;
  }

  /**
   * The papers' grids the server offers as sweeps (the NSE grid over size x E:I ratio, the
   * sequential-MNIST families, EG vs GD on r-of-k, rich vs lazy over initial rank): each a
   * ready SweepSpec, the number of runs it makes and the metrics to read it by.
   */
  async sweepPresets(): Promise<SweepPreset[]> {
    return (await this.rpc.getCatalogue({})).sweepPresets;
  }

  /**
   * Starts the paper's grid `name` (see sweepPresets()) as offered, or with other seeds, step
   * budget or concurrency; throws a TypeError listing the offered names for one the server lacks.
   */
  async createSweepFromPreset(name: string, options: SweepPresetOptions = {}): Promise<Sweep> {
    const offered = await this.sweepPresets();
    const preset = offered.find((p) => p.name === name);
    if (!preset) throw new TypeError(`no sweep preset "${name}"; the server offers ${offered.map((p) => p.name).join(", ")}`);
    let axes = [...preset.spec!.axes];
    if (options.seeds)
      axes = replaceAxis(
        axes,
        axis(
          "seed",
          options.seeds.map((x) => integerValue(x)),
        ),
      );
    if (options.stepBudget !== undefined) axes = replaceAxis(axes, axis("step_budget", [integerValue(options.stepBudget)]));
    const spec = create(SweepSpecSchema, { ...preset.spec!, axes, concurrency: options.concurrency ?? 0 });
    return (await this.rpc.createSweep({ spec })).sweep!;
  }

  /** The sweep with its points; rejects with NotFound for an unknown id. */
  async sweep(sweepId: string): Promise<Sweep> {
    return (await this.rpc.getSweep({ sweepId })).sweep!;
  }

  /** Every sweep (that this token may see), oldest first, without their points. */
  async sweeps(): Promise<Sweep[]> {
    return (await this.rpc.listSweeps({})).sweeps;
  }

  /** Pauses the sweep's playing runs; no more start until resumeSweep(). */
  pauseSweep(sweepId: string): Promise<Sweep> {
    return this.controlSweep(sweepId, SweepAction.PAUSE);
  }

  /** Plays a paused sweep's runs again (those paused by hand too), within its bound. */
  resumeSweep(sweepId: string): Promise<Sweep> {
    return this.controlSweep(sweepId, SweepAction.RESUME);
  }

  /** No more runs start; those made are kept (the playing ones paused). */
  cancelSweep(sweepId: string): Promise<Sweep> {
    return this.controlSweep(sweepId, SweepAction.CANCEL);
  }

  /**
   * Per run, the final and best value of `metrics` (scalar observables, or "observable@layer";
   * empty: loss and accuracy), and per group of runs that differ only in their seed their mean
   * and standard error.
   */
  sweepResults(sweepId: string, metrics: string[] = []): Promise<GetSweepResultsResponse> {
    return this.rpc.getSweepResults({ sweepId, metrics });
  }

  private async controlSweep(sweepId: string, action: SweepAction): Promise<Sweep> {
    return (await this.rpc.controlSweep({ sweepId, action })).sweep!;
  }
}
