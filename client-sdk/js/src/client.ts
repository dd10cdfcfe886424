// EiscopeClient: a small facade over the generated SimulationService client, speaking
// gRPC-Web (binary) through connect-web, in browsers and in Node >= 20 (global fetch).

import { create } from "@bufbuild/protobuf";
import { createClient, type Interceptor } from "@connectrpc/connect";
import { createGrpcWebTransport } from "@connectrpc/connect-web";
import { ControlAction, SimulationService, WatchRequestSchema } from "./gen/eiscope/v1/simulation_service_pb.js";
import {
  type Catalogue,
  type CheckpointPolicy,
  CheckpointPolicySchema,
  type Command,
  type Intervention,
  type ComponentInfo,
  type ComponentSpec,
  ComponentSpecSchema,
  type Simulation,
  type SimulationSpec,
  SimulationSpecSchema,
  type Tensor,
  type Value,
} from "./gen/eiscope/v1/types_pb.js";
import { explainUntrustedCertificate } from "./errors.js";
import { decodeFrame, type WatchFrame } from "./frames.js";
import { type DecodedTensor, decodeTensor, encodeTensor, type TensorInput } from "./tensor.js";
import { type PlainValue, specFromForm, toValue } from "./values.js";
import { SweepCalls } from "./sweeps.js";
import { stoppedAt, type WaitOptions, waitForStep } from "./waits.js";

/** How an EiscopeClient reaches the server: a token, headers, a fetch of one's own. */
export interface ClientOptions {
  /**
   * Sent as `authorization: Bearer <token>` with every call, which a server started with
   * `--auth token` wants. In Node it defaults to $EISCOPE_TOKEN; "" sends none. Without TLS
   * (an http:// base URL) it crosses the network readable: use https:// beyond loopback.
   */
  token?: string;
  /** Sent with every call. */
  headers?: Record<string, string>;
  /** Replaces the global fetch (tests, custom agents). */
  fetch?: typeof globalThis.fetch;
}

/** One component in plain JS: params are typed from the catalogue when it knows the kind. */
export interface ComponentInput {
  /** The component's kind in the catalogue, e.g. "mlp", "sgd", "fashion_mnist". */
  kind: string;
  /** Its parameters by name (e.g. `{ hidden: [100] }`); missing ones take the catalogue's defaults. */
  params?: Record<string, PlainValue | Value>;
}

/** A simulation spec in plain JS, for create(); the server validates it and names what to fix. */
export interface SpecInput {
  /** Free text shown in lists. */
  name?: string;
  /** The model: plain params, or a ComponentSpec already built (e.g. by specFromForm), sent as it is. */
  model: ComponentInput | ComponentSpec;
  /** The learning rule, e.g. `{ kind: "sgd", params: { learning_rate: 0.05 } }`. */
  learningRule: ComponentInput | ComponentSpec;
  /** The task, e.g. `{ kind: "fashion_mnist" }`. */
  task: ComponentInput | ComponentSpec;
  /** Seed of every random stream: initialisation, data order, noise. */
  seed?: number | bigint;
  /** Minibatch size (at least 1). */
  batchSize?: number;
  /** Evaluate on the held-out set every this many steps (0 or unset: never). */
  evalEverySteps?: number;
  /** Stop (FINISHED) after this many steps (0 or unset: no budget). */
  stepBudget?: number | bigint;
  /**
   * Initial values by parameter name, e.g. `{ "layer0.W": { shape: [100, 784], data } }` (a
   * connectivity matrix from a connectome): they replace the model's own initialisation
   * before step 0; reset returns to them, forks keep them. Each must match the parameter's
   * shape exactly (biases are [1, n]), be finite, and be >= 0 for sign-constrained E/I
   * weights, or create() rejects with INVALID_ARGUMENT naming the entry. The request must fit
   * the server's largest message (64 MiB by default).
   */
  initialParameters?: Record<string, TensorInput>;
  /** When the run is checkpointed while it runs; unset: the server's defaults. */
  checkpoints?: CheckpointInput;
}

/**
 * When a run is checkpointed while it runs (it always is when it pauses): every `everySteps`
 * steps or `everySeconds` seconds, whichever comes first; 0 (the default) turns that trigger
 * off. Unset: the server's defaults. Forks inherit it. Denser checkpoints cost disk and make
 * time travel (a `step` option, measure(), reconstruct()) replay fewer steps.
 */
export interface CheckpointInput {
  /** Every this many steps (0: never by step count). */
  everySteps?: number;
  /** Every this many seconds of running (0: never by time). */
  everySeconds?: number;
}

/** Create from a named preset; `name` and `seed` override the preset's, `initialParameters` its initialisation. */
export interface PresetInput {
  /** The preset's name in the catalogue, e.g. "mlp-fashion-mnist". */
  preset: string;
  /** A name instead of the preset's. */
  name?: string;
  /** A seed instead of the preset's (0 or unset: the preset's). */
  seed?: number | bigint;
  /** Initial parameter values, as in SpecInput. */
  initialParameters?: Record<string, TensorInput>;
  /** When the run is checkpointed while it runs; unset: the server's defaults. */
  checkpoints?: CheckpointInput;
}

/** A past step the run passed (undefined: now); a step ahead of the run rejects with OutOfRange. */
export interface AtStep {
  /** A step the run has passed (0 <= step <= its current step); undefined: now. */
  step?: number;
}

/** How parameters() reads: at a past step, and shrunk or relative to step 0 for a heatmap. */
export interface ParametersOptions extends AtStep {
  /**
   * At most this many rows per parameter (0 or undefined: all): the server splits the rows and
   * columns into near-equal blocks (row block i covers rows ⌊i·R/r⌋ to ⌊(i+1)·R/r⌋) and gives
   * each block's value of largest magnitude, sign kept. A vector counts as one row.
   */
  maxRows?: number;
  /** At most this many columns per parameter (0 or undefined: all), as `maxRows`. */
  maxCols?: number;
  /** Each value minus the parameter's initial value: the change since step 0. */
  changeSinceStart?: boolean;
}

/** What watch() streams: observables, layers, cadence, and from where. */
export interface WatchOptions {
  /** Observable names from the catalogue; empty: every cheap scalar and state events. */
  observables?: string[];
  /** Restrict per-layer observables to these layers or parameters; empty: all. */
  layers?: string[];
  /** At most one sample per this many steps (0 or 1: every step). */
  everySteps?: number;
  /** Latest-wins observables at most this often per second (0: no limit). */
  maxHz?: number;
  /**
   * Instead of the current values, first every recorded scalar and event of the chosen
   * observables from this step on (0: the whole curve so far), then live frames, with no gap
   * and no duplicate.
   */
  fromStep?: number;
  /**
   * End the iteration by itself once the run is no longer running (paused, finished,
   * diverged, deleted), after the frames of the step where it stopped; at once, after the
   * current step's frames, if it is not running. Without `fromStep` it then starts from the
   * record at the current step. The run's "state" events say when; they are yielded only if
   * asked for (`observables` empty or naming "state").
   */
  untilPaused?: boolean;
}

/** What a control or a command resolves to. */
export interface ControlResult {
  /** The simulation's view after it was accepted. */
  simulation: Simulation;
  /** The step boundary at which the command took effect. */
  effectiveStep: number;
}

/**
 * The run record's calls (history, latest, events, updateRun, checkpoints) come from
 * RunRecordCalls; measure() and reconstruct(), which reach past steps, from TimeTravelCalls;
 * the sweeps' calls from SweepCalls.
 */
export class EiscopeClient extends SweepCalls {
  private cataloguePromise?: Promise<Catalogue>;

  /**
   * @param baseUrl the server's origin, e.g. "http://127.0.0.1:7070", location.origin, or
   *   "https://..." for a server with TLS: browsers check its certificate as for any page; Node
   *   trusts the system's certificates plus those of the file in NODE_EXTRA_CA_CERTS, read at
   *   start (`NODE_EXTRA_CA_CERTS=.data/tls/cert.pem node app.mjs` for a --tls-self-signed
   *   server). A certificate Node does not trust rejects every call with Unavailable, saying so.
   */
  constructor(baseUrl: string, options: ClientOptions = {}) {
    super(createClient(SimulationService, transportFor(baseUrl, options)));
  }

  /** The server's catalogue, fetched once and cached (it does not change while it runs). */
  catalogue(): Promise<Catalogue> {
    this.cataloguePromise ??= this.rpc.getCatalogue({}).then((r) => r.catalogue!);
    // A failed fetch must not be cached: the next call retries.
    this.cataloguePromise.catch(() => (this.cataloguePromise = undefined));
    return this.cataloguePromise;
  }

  /** Builds a simulation (PAUSED at step 0) from a spec, a plain spec or a preset. */
  async create(input: SpecInput | PresetInput | SimulationSpec): Promise<Simulation> {
    let request;
    if ("preset" in input) {
      const spec = create(SimulationSpecSchema, {
        name: input.name ?? "",
        seed: input.seed === undefined ? 0n : BigInt(input.seed),
        initialParameters: encodeAll(input.initialParameters),
        checkpoints: checkpointPolicy(input.checkpoints),
      });
      request = { preset: input.preset, spec };
    } else if ("$typeName" in input) {
      request = { spec: input };
    } else {
      request = { spec: await this.toSpec(input) };
    }
    return (await this.rpc.createSimulation(request)).simulation!;
  }

  /** The simulation's current view; rejects with NotFound for an unknown id. */
  async get(id: string): Promise<Simulation> {
    return (await this.rpc.getSimulation({ id })).simulation!;
  }

  /** Every simulation the server holds (that this token may see), oldest first, page by page. */
  async list(): Promise<Simulation[]> {
    const out: Simulation[] = [];
    let pageToken = "";
    do {
      const page = await this.rpc.listSimulations({ pageToken });
      out.push(...page.simulations);
      pageToken = page.nextPageToken;
    } while (pageToken);
    return out;
  }

  /** Stops the simulation, ends its streams and removes it with its run record. */
  async delete(id: string): Promise<void> {
    await this.rpc.deleteSimulation({ id });
  }

  /** Runs the simulation until it is paused, reaches its step budget or a watchpoint fires. */
  play(id: string): Promise<ControlResult> {
    return this.control(id, ControlAction.PLAY);
  }

  /** Pauses the simulation at the next step boundary. */
  pause(id: string): Promise<ControlResult> {
    return this.control(id, ControlAction.PAUSE);
  }

  /** Runs exactly `n` updates (at least 1), then pauses. */
  step(id: string, n = 1): Promise<ControlResult> {
    return this.control(id, ControlAction.STEP, n);
  }

  /** Takes the simulation back to step 0: its initial parameters and the seed's data order. */
  reset(id: string): Promise<ControlResult> {
    return this.control(id, ControlAction.RESET);
  }

  /**
   * Applies a steering command (see ./commands.ts) at the next step boundary; resolves with
   * the step at which it took effect. A command that does not fit the simulation rejects
   * with INVALID_ARGUMENT naming the field. (The bidirectional Session RPC needs HTTP/2 gRPC,
   * which gRPC-Web lacks: from JS, steer with apply() and observe with watch().)
   */
  async apply(id: string, command: Command): Promise<ControlResult> {
    const res = await this.rpc.applyCommand({ id, command });
    return { simulation: res.simulation!, effectiveStep: Number(res.effectiveStep) };
  }

  /** The commands applied so far, in order, each with its effective step. */
  async interventionLog(id: string): Promise<Intervention[]> {
    return (await this.rpc.getInterventionLog({ id })).interventions;
  }

  /**
   * A paused copy of the simulation in its exact current state (parentId, forkStep); with
   * `step`, in the state it held at that past step (forkStep = step), with its log up to there.
   */
  async fork(id: string, options: AtStep = {}): Promise<Simulation> {
    return (await this.rpc.forkSimulation({ id, step: bigintOrUndefined(options.step) })).simulation!;
  }

  /**
   * Parameter values by name (all of them when `names` is empty): the current ones, or with
   * `step` those the run held at that past step (after the commands that took effect there),
   * rebuilt bit for bit. For a step far from any checkpoint, reconstruct() first shows progress.
   * For a heatmap, `maxRows`/`maxCols` shrink each parameter on the server and
   * `changeSinceStart` gives the change since step 0 (see ParametersOptions).
   */
  async parameters(id: string, names: string[] = [], options: ParametersOptions = {}): Promise<Map<string, DecodedTensor>> {
    const res = await this.rpc.getParameters({
      id,
      names,
      step: bigintOrUndefined(options.step),
      maxRows: options.maxRows ?? 0,
      maxCols: options.maxCols ?? 0,
      changeSinceStart: options.changeSinceStart ?? false,
    });
    return new Map(res.parameters.map((p) => [p.name, decodeTensor(p.tensor!)]));
  }

  /**
   * Streams frames: the current value of each chosen observable at once, then live ones (or,
   * with `fromStep`, the record from that step on, then live ones; with `untilPaused`, until
   * the run stops). Aborting `signal` (or leaving the loop) cancels the call and ends the
   * iteration quietly; any other failure is thrown as a ConnectError.
   */
  async *watch(id: string, options: WatchOptions = {}, signal?: AbortSignal): AsyncGenerator<WatchFrame, void, undefined> {
    if (signal?.aborted) return;
    const observables = [...(options.observables ?? [])];
    let fromStep = options.fromStep;
    let hidden: string | undefined; // asked for only to know when to end
    if (options.untilPaused) {
      if (observables.length > 0 && !observables.includes("state")) observables.push((hidden = "state"));
      fromStep ??= Number((await this.get(id)).step);
    }
    const inner = new AbortController();
    const onAbort = () => inner.abort();
    signal?.addEventListener("abort", onAbort, { once: true });
    const request = create(WatchRequestSchema, {
      id,
      observables,
      layers: options.layers ?? [],
      everySteps: options.everySteps ?? 0,
      maxHz: options.maxHz ?? 0,
      fromStep: fromStep === undefined ? undefined : BigInt(fromStep),
    });
    const responses = this.rpc.watch(request, { signal: inner.signal })[Symbol.asyncIterator]();
    // In Node (undici), a read pending on an idle stream sometimes outlives the abort (seen
    // about once in ten aborts after seconds of silence): racing each read against the
    // abort keeps the promise of this method whatever the fetch implementation does.
    const aborted = new Promise<never>((_, reject) =>
      inner.signal.addEventListener("abort", () => reject(inner.signal.reason), { once: true }),
    );
    aborted.catch(() => {}); // observed through the race below; never unhandled
    try {
      for (;;) {
        const next = await Promise.race([responses.next(), aborted]);
        if (next.done) return;
        for (const f of next.value.frames) {
          if (inner.signal.aborted) return;
          const frame = decodeFrame(f);
          const last = options.untilPaused === true && (await stoppedAt(this, id, frame));
          if (frame.observable !== hidden) yield frame;
          if (last) return;
        }
      }
    } catch (e) {
      if (inner.signal.aborted) return;
      throw e;
    } finally {
      signal?.removeEventListener("abort", onAbort);
      inner.abort(); // the consumer may have left early: release the HTTP request
    }
  }

  /**
   * Resolves once the simulation has reached `step`, or has stopped short of it (paused,
   * finished, diverged: check `state` and `step`), with the simulation as then seen; a run told
   * to stop at that step (step(), `apply(id, commands.runUntil(k))`, which resolve as soon as
   * the run is under way) comes back PAUSED there. It watches state changes and the loss at
   * multiples of `step` rather than polling. A history() that follows has every step up to it.
   * Rejects with DeadlineExceeded (naming the state last seen) after `timeoutMs`, NotFound if
   * the simulation is (or gets) deleted, Canceled if `signal` is aborted.
   */
  waitForStep(id: string, step: number, options: WaitOptions = {}): Promise<Simulation> {
    return waitForStep(this, id, step, options);
  }

  private async control(id: string, action: ControlAction, steps = 0): Promise<ControlResult> {
    const res = await this.rpc.control({ id, action, steps: BigInt(steps) });
    return { simulation: res.simulation!, effectiveStep: Number(res.effectiveStep) };
  }

  private async toSpec(input: SpecInput): Promise<SimulationSpec> {
    const cat = await this.catalogue();
    return create(SimulationSpecSchema, {
      name: input.name ?? "",
      model: component(input.model, cat.models),
      learningRule: component(input.learningRule, cat.learningRules),
      task: component(input.task, cat.tasks),
      seed: BigInt(input.seed ?? 0),
      batchSize: input.batchSize ?? 0,
      evalEverySteps: input.evalEverySteps ?? 0,
      stepBudget: BigInt(input.stepBudget ?? 0),
      initialParameters: encodeAll(input.initialParameters),
      checkpoints: checkpointPolicy(input.checkpoints),
    });
  }
}

function bigintOrUndefined(n: number | undefined): bigint | undefined {
  return n === undefined ? undefined : BigInt(n);
}

function checkpointPolicy(c: CheckpointInput | undefined): CheckpointPolicy | undefined {
  if (c === undefined) return undefined;
  return create(CheckpointPolicySchema, { everySteps: BigInt(c.everySteps ?? 0), everySeconds: BigInt(c.everySeconds ?? 0) });
}

function transportFor(baseUrl: string, options: ClientOptions) {
  const interceptors: Interceptor[] = [explainUntrustedCertificate];
  const headers = { ...options.headers };
  const token = bearerToken(options.token);
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  if (Object.keys(headers).length > 0) {
    interceptors.push((next) => (req) => {
      for (const [k, v] of Object.entries(headers)) req.header.set(k, v);
      return next(req);
    });
  }
  return createGrpcWebTransport({ baseUrl, useBinaryFormat: true, interceptors, fetch: options.fetch });
}

/** `token` trimmed, or $EISCOPE_TOKEN (in Node) when it is undefined; undefined when either is empty. */
function bearerToken(token: string | undefined): string | undefined {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  const t = (token ?? env?.EISCOPE_TOKEN ?? "").trim();
  if (/\s/.test(t)) throw new Error("a token has no whitespace inside; check the token option or $EISCOPE_TOKEN");
  return t === "" ? undefined : t;
}

function encodeAll(values: Record<string, TensorInput> = {}): Record<string, Tensor> {
  return Object.fromEntries(Object.entries(values).map(([name, t]) => [name, encodeTensor(t)]));
}

/** Types the params by the catalogue entry of that kind; an unknown kind is left for the server to reject. */
function component(c: ComponentInput | ComponentSpec, entries: ComponentInfo[]): ComponentSpec {
  if ("$typeName" in c) return c;
  const entry = entries.find((e) => e.kind === c.kind);
  if (entry) return specFromForm(entry, c.params ?? {});
  const params = Object.fromEntries(Object.entries(c.params ?? {}).map(([k, v]) => [k, toValue(v)]));
  return create(ComponentSpecSchema, { kind: c.kind, params });
}
