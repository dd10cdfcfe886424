// Time travel through @eiscope/client against the real server over gRPC-Web: parameters,
// measurements and forks at past steps of a steered run equal those of a twin (same spec and
// seed, same commands) stepped to that step, bit for bit; reconstruct() reports its progress
// from the nearest checkpoint and is then served from the cache; a checkpoint saved at a past
// step; the error paths. The runs are small MLPs checkpointed every EVERY steps, so a past step
// is rebuilt by replaying at most EVERY steps; their log holds one learning-rate change at
// STEER_AT.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { Code, ConnectError, EiscopeClient, SimulationState, commands } from "../dist/index.js";
import { startServer } from "./live-server.mjs";

const EVERY = 50;
const STEER_AT = 60;
const END = 160;
const SPEC = {
  name: "sdk-test time travel",
  model: { kind: "mlp", params: { hidden: [32] } },
  learningRule: { kind: "sgd", params: { learning_rate: 0.05 } },
  task: { kind: "fashion_mnist" },
  batchSize: 16,
  seed: 5,
  checkpoints: { everySteps: EVERY },
};

let server;
let client;
/** The steered run, paused at END; the tests only read its past (and fork it). */
let run;

before(async () => {
  server = await startServer();
  client = new EiscopeClient(server.baseUrl);
  run = await client.create(SPEC);
  assert.equal(run.spec.checkpoints.everySteps, BigInt(EVERY));
  await drive(run.id, END);
});

after(async () => {
  await server?.stop();
});

/** Steps the run to `target` and waits until it is paused there. */
async function go(id, target) {
  const n = target - Number((await client.get(id)).step);
  if (n <= 0) return;
  await client.step(id, n);
  const sim = await client.waitForStep(id, target);
  assert.equal(sim.step, BigInt(target));
  assert.equal(sim.state, SimulationState.PAUSED);
}

/** Steps the run to `target`, lowering the learning rate at STEER_AT on the way. */
async function drive(id, target) {
  if (Number((await client.get(id)).step) < STEER_AT && STEER_AT <= target) {
    await go(id, STEER_AT);
    assert.equal((await client.apply(id, commands.setRuleParams({ learning_rate: 0.02 }))).effectiveStep, STEER_AT);
  }
  await go(id, target);
}

const bytes = (t) => Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength);

/** Same names, shapes and float32 bits. */
function assertSameBits(actual, expected, what) {
  assert.deepEqual([...actual.keys()], [...expected.keys()], what);
  for (const [name, t] of expected) {
    assert.deepEqual(actual.get(name).shape, t.shape, `${what}: ${name}`);
    assert.ok(bytes(actual.get(name)).equals(bytes(t)), `${what}: ${name} differs`);
  }
}

/** A frame's step, names and payload bits: what a twin must share (not its id or time). */
function content(f) {
  const p = f.payload;
  const value =
    p.kind === "tensor" ? [p.tensor.shape, bytes(p.tensor).toString("base64")] : p.kind === "scalar" ? [p.value, p.mergedCount] : p;
  return [f.step, f.observable, f.layer, f.dropped, p.kind, value];
}

async function rejection(promise) {
  try {
    await promise;
  } catch (e) {
    assert.ok(e instanceof ConnectError, `a ConnectError, got ${e}`);
    return e;
  }
  assert.fail("the call succeeded");
}

test("parameters at past steps equal a twin stepped there, bit for bit", { timeout: 120_000 }, async () => {
  const twin = await client.create(SPEC);
  for (const k of [0, 37, EVERY, STEER_AT, 99, 137]) {
    await drive(twin.id, k);
    assertSameBits(await client.parameters(run.id, [], { step: k }), await client.parameters(twin.id), `step ${k}`);
    assert.deepEqual([...(await client.parameters(run.id, ["layer0.W"], { step: k })).keys()], ["layer0.W"]);
  }
  const start = (await client.parameters(run.id, ["layer0.W"], { step: 0 })).get("layer0.W");
  const late = (await client.parameters(run.id, ["layer0.W"], { step: 137 })).get("layer0.W");
  assert.ok(!bytes(start).equals(bytes(late)), "the run learned meanwhile");
  assert.equal((await client.get(run.id)).step, BigInt(END), "reading the past does not move the run");
  await client.delete(twin.id);
});

test("a fork from a past step starts there with the log up to it and equals the twin", { timeout: 120_000 }, async () => {
  const k = 117;
  const fork = await client.fork(run.id, { step: k });
  assert.equal(fork.parentId, run.id);
  assert.equal(fork.forkStep, BigInt(k));
  assert.equal(fork.step, BigInt(k));
  assert.equal(fork.state, SimulationState.PAUSED);
  assert.deepEqual((await client.interventionLog(fork.id)).map((i) => Number(i.step)), [STEER_AT]);
  const twin = await client.create(SPEC);
  await drive(twin.id, k);
  assertSameBits(await client.parameters(fork.id), await client.parameters(twin.id), "at the fork");
  await go(fork.id, k + 30);
  await go(twin.id, k + 30);
  assertSameBits(await client.parameters(fork.id), await client.parameters(twin.id), "30 steps on");
  assert.equal((await client.get(run.id)).step, BigInt(END));
  await client.delete(fork.id);
  await client.delete(twin.id);
});

test("measure at a past step equals the twin's measure at that step", { timeout: 120_000 }, async () => {
  const k = 133;
  const wanted = ["singular_values", "weight_histogram", "activation_mean", "weights"];
  const past = await client.measure(run.id, wanted, { layers: ["layer0"], step: k });
  const twin = await client.create(SPEC);
  await drive(twin.id, k);
  const now = await client.measure(twin.id, wanted, { layers: ["layer0"] });
  assert.deepEqual(past.map(content), now.map(content));
  assert.ok(past.every((f) => f.step === k && f.simulationId === run.id));
  const byName = new Map(past.map((f) => [`${f.observable}@${f.layer}`, f]));
  for (const key of ["singular_values@layer0.W", "weight_histogram@layer0.W", "activation_mean@layer0", "weights@layer0.W"]) {
    assert.ok(byName.has(key), key);
  }
  const spectrum = byName.get("singular_values@layer0.W").payload;
  assert.equal(spectrum.kind, "tensor");
  assert.deepEqual(spectrum.tensor.shape, [32]);
  for (let i = 1; i < 32; i++) assert.ok(spectrum.tensor.data[i] <= spectrum.tensor.data[i - 1], "descending");
  const histogram = byName.get("weight_histogram@layer0.W").payload;
  assert.equal(histogram.edges.length, histogram.counts.length + 1);
  assert.equal(histogram.counts.reduce((a, b) => a + b, 0), 32 * 784);
  assert.equal(byName.get("activation_mean@layer0").payload.kind, "scalar");
  const weights = byName.get("weights@layer0.W").payload.tensor;
  assert.ok(bytes(weights).equals(bytes((await client.parameters(run.id, ["layer0.W"], { step: k })).get("layer0.W"))));
  await client.delete(twin.id);
});

test("reconstruct reports progress from the nearest checkpoint, then serves from the cache", { timeout: 120_000 }, async () => {
  const sim = await client.create(SPEC);
  await go(sim.id, END);
  // The checkpoint taken as the run stopped at END is written after every earlier one: once it is listed, the list
  // is complete (a lagging interval checkpoint, e.g. at 135, may still be in the writer's queue before).
  const deadline = Date.now() + 30_000;
  while (!(await client.checkpoints(sim.id)).some((c) => c.step === END)) {
    assert.ok(Date.now() < deadline, `the checkpoint at the stop step ${END} is listed`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const k = 137;
  const nearest = Math.max(...(await client.checkpoints(sim.id)).map((c) => c.step).filter((s) => s <= k));
  assert.ok(k - 2 * EVERY <= nearest && nearest <= k, `checkpoints every ${EVERY} steps (later if a write lagged): ${nearest}`);
  const seen = [];
  const last = await client.reconstruct(sim.id, k, { onProgress: (p) => seen.push(p) });
  assert.deepEqual(last, { step: k, fromStep: nearest, source: "checkpoint", replayedSteps: k - nearest, totalSteps: k - nearest, done: true });
  assert.deepEqual(seen.at(-1), last);
  assert.equal(seen[0].replayedSteps, 0);
  assert.deepEqual(seen.map((p) => p.done), [...seen.slice(1).map(() => false), true]);
  const replayed = seen.map((p) => p.replayedSteps);
  assert.deepEqual(replayed, [...replayed].sort((a, b) => a - b));

  const again = await client.reconstruct(sim.id, k);
  assert.deepEqual([again.source, again.fromStep, again.totalSteps, again.done], ["cache", k, 0, true]);
  const live = [];
  assert.equal((await client.reconstruct(sim.id, END, { onProgress: (p) => live.push(p) })).source, "live");
  assert.equal(live.length, 1);
  assert.ok(live[0].done);
  await client.delete(sim.id);
});

test("an onProgress that throws cancels the reconstruction and rejects with its error", { timeout: 120_000 }, async () => {
  const sim = await client.create(SPEC);
  await go(sim.id, 90);
  const giveUp = new Error("give up");
  await assert.rejects(client.reconstruct(sim.id, 80, { onProgress: () => { throw giveUp; } }), (e) => e === giveUp);
  assert.ok((await client.reconstruct(sim.id, 80)).done, "the client and the server carry on");
  await client.delete(sim.id);
});

test("a checkpoint saved at a past step is pinned and holds that step's parameters", async () => {
  const saved = await client.saveCheckpoint(run.id, { step: 123 });
  assert.deepEqual([saved.step, saved.pinned, saved.reason], [123, true, "time travel"]);
  assertSameBits(await client.checkpoint(run.id, 123), await client.parameters(run.id, [], { step: 123 }), "checkpoint 123");
  const existing = (await client.checkpoints(run.id)).find((c) => !c.pinned && c.step < END);
  assert.ok(existing, "an unpinned checkpoint before the end");
  const pinned = await client.saveCheckpoint(run.id, { step: existing.step });
  assert.deepEqual([pinned.pinned, pinned.reason, pinned.sha256], [true, existing.reason, existing.sha256]);
});

test("steps ahead of the run reject with OutOfRange, bad requests with InvalidArgument", { timeout: 60_000 }, async () => {
  const sim = await client.create(SPEC);
  await go(sim.id, 20);
  const ahead = await rejection(client.parameters(sim.id, [], { step: 21 }));
  assert.equal(ahead.code, Code.OutOfRange);
  assert.match(ahead.rawMessage, /ahead.*step 20/);
  for (const call of [
    () => client.fork(sim.id, { step: 99 }),
    () => client.saveCheckpoint(sim.id, { step: 99 }),
    () => client.measure(sim.id, ["weights"], { step: 99 }),
    () => client.reconstruct(sim.id, 50),
  ]) {
    assert.equal((await rejection(call())).code, Code.OutOfRange);
  }
  assert.equal((await rejection(client.parameters(sim.id, [], { step: -1 }))).code, Code.InvalidArgument);
  const loss = await rejection(client.measure(sim.id, ["loss"], { step: 3 }));
  assert.equal(loss.code, Code.InvalidArgument);
  assert.match(loss.rawMessage, /GetHistory/);
  const layer = await rejection(client.measure(sim.id, ["weights"], { layers: ["layer9"] }));
  assert.equal(layer.code, Code.InvalidArgument);
  assert.match(layer.rawMessage, /layer9/);
  assert.equal((await rejection(client.reconstruct("no-such-run", 1))).code, Code.NotFound);
  assert.equal((await client.get(sim.id)).step, 20n);
  await client.delete(sim.id);
});

/** Each block's value of largest magnitude, by the documented block bounds (the reference). */
function pooledReference(values, rows, cols, maxRows, maxCols) {
  const r = Math.min(rows, maxRows), c = Math.min(cols, maxCols);
  const out = new Float32Array(r * c);
  for (let bi = 0; bi < r; bi++) {
    for (let bj = 0; bj < c; bj++) {
      let best = 0, bestAbs = -1;
      for (let i = Math.floor((bi * rows) / r); i < Math.floor(((bi + 1) * rows) / r); i++) {
        for (let j = Math.floor((bj * cols) / c); j < Math.floor(((bj + 1) * cols) / c); j++) {
          const v = values[i * cols + j];
          if (Math.abs(v) > bestAbs) [best, bestAbs] = [v, Math.abs(v)];
        }
      }
      out[bi * c + bj] = best;
    }
  }
  return out;
}

test("a heatmap reads the change since step 0, pooled on the server to its size", async () => {
  const start = await client.parameters(run.id, [], { step: 0 });
  const now = await client.parameters(run.id);
  const pooled = await client.parameters(run.id, [], { maxRows: 10, maxCols: 12, changeSinceStart: true });
  assert.deepEqual([...pooled.keys()], [...now.keys()]);
  for (const [name, t] of now) {
    const rows = t.shape.length === 2 ? t.shape[0] : 1, cols = t.shape.length === 2 ? t.shape[1] : t.shape[0];
    const change = t.data.map((v, k) => v - start.get(name).data[k]);
    const expected = pooledReference(change, rows, cols, 10, 12);
    assert.deepEqual(pooled.get(name).data, expected, name);
  }
  assert.deepEqual(pooled.get("layer0.W").shape, [10, 12]);
  await assert.rejects(client.parameters(run.id, [], { maxRows: -1 }),
    (e) => e instanceof ConnectError && e.code === Code.InvalidArgument && /max_rows must be >= 0/.test(e.message));
});
