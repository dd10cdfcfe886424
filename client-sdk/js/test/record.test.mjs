// The run record through @eiscope/client against the real server over gRPC-Web: history
// checked against the frames a live watch saw while the run trained, watch from step 0 until
// paused, downsampling, latest values, events, tags, checkpoints bit for bit, the waiting calls
// and each call's error path. The server records into a fresh temporary data directory.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { Code, ConnectError, EiscopeClient, SimulationState, commands } from "../dist/index.js";
import { startServer } from "./live-server.mjs";

const STEPS = 200;
const MLP = {
  name: "sdk-test record",
  model: { kind: "mlp", params: { hidden: [32] } },
  learningRule: { kind: "sgd", params: { learning_rate: 0.05 } },
  task: { kind: "fashion_mnist" },
  batchSize: 32,
  seed: 3,
};

let server;
let client;
let id;
/** Loss by step, as a live watch saw it while the run trained. */
const live = new Map();

before(async () => {
  server = await startServer();
  client = new EiscopeClient(server.baseUrl);
  id = (await client.create(MLP)).id;
  let started = false;
  for await (const f of client.watch(id, { observables: ["loss", "state"] })) {
    if (!started) {
      await client.step(id, STEPS); // after the first frame (the current state): the watch stands
      started = true;
    }
    if (f.observable === "loss") {
      assert.equal(f.payload.mergedCount, 1);
      live.set(f.step, f.payload.value);
    }
    if (f.step === STEPS && f.payload.kind === "event" && f.payload.state === SimulationState.PAUSED) break;
  }
  // Pausing takes a checkpoint in the background; the tests that list checkpoints need it stored.
  const deadline = Date.now() + 30_000;
  while (!(await client.checkpoints(id)).some((c) => c.step === STEPS)) {
    assert.ok(Date.now() < deadline, `the pause checkpoint at step ${STEPS} is stored within 30 s`);
    await new Promise((r) => setTimeout(r, 20));
  }
});

after(async () => {
  await server?.stop();
});

const range = (from, to) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

test("history holds each loss the live watch saw, as typed arrays", async () => {
  const h = await client.history(id, { observables: ["loss"] }); // reads what the run published before the call
  assert.equal(h.lastStep, STEPS);
  assert.equal((await client.get(id)).recordedStep, BigInt(STEPS));
  assert.equal(h.series.length, 1);
  const [loss] = h.series;
  assert.equal(loss.observable, "loss");
  assert.equal(loss.layer, "");
  assert.ok(loss.steps instanceof Float64Array && loss.values instanceof Float64Array);
  assert.ok(loss.wallTimeNanos instanceof BigInt64Array);
  assert.deepEqual([...loss.steps], range(1, STEPS));
  assert.deepEqual([...loss.values], range(1, STEPS).map((s) => live.get(s)));
  for (let i = 1; i < STEPS; i++) assert.ok(loss.wallTimeNanos[i] >= loss.wallTimeNanos[i - 1], "wall times ascend");
  assert.ok(loss.wallTimeNanos[0] > 1_600_000_000_000_000_000n, "Unix nanoseconds");
  assert.equal(loss.recordedPoints, STEPS);
  assert.equal(loss.downsampled, false);
  assert.equal(loss.mergedSamples, 0);
});

test("a watch from step 0 until paused delivers the history, then ends by itself", { timeout: 30_000 }, async () => {
  const frames = [];
  for await (const f of client.watch(id, { observables: ["loss"], fromStep: 0, untilPaused: true })) frames.push(f);
  const [loss] = (await client.history(id, { observables: ["loss"] })).series;
  assert.deepEqual(new Set(frames.map((f) => f.observable)), new Set(["loss"]), "the state events it ended on are not yielded");
  assert.deepEqual(frames.map((f) => f.step), [...loss.steps]);
  assert.deepEqual(frames.map((f) => f.payload.value), [...loss.values]);
  assert.deepEqual(frames.map((f) => f.wallTimeMillis), [...loss.wallTimeNanos].map((t) => Number(t / 1_000_000n)));
});

test("downsampled history keeps the extremes of the full series; a step range is inclusive", async () => {
  const [full] = (await client.history(id, { observables: ["loss"] })).series;
  const [small] = (await client.history(id, { observables: ["loss"], maxPoints: 40 })).series;
  assert.equal(small.downsampled, true);
  assert.equal(small.recordedPoints, STEPS);
  assert.ok(small.steps.length >= 4 && small.steps.length <= 40, `${small.steps.length} points`);
  assert.equal(Math.min(...small.values), Math.min(...full.values));
  assert.equal(Math.max(...small.values), Math.max(...full.values));
  small.steps.forEach((step, i) => {
    assert.equal(small.values[i], full.values[step - 1], `value at step ${step}`);
    if (i > 0) assert.ok(step > small.steps[i - 1], "steps ascend");
  });
  const [part] = (await client.history(id, { observables: ["loss"], fromStep: 2, toStep: 150 })).series;
  assert.deepEqual([...part.steps], range(2, 150));
});

test("latest values and the recorded events", async () => {
  const latest = await client.latest(id, ["loss"]);
  assert.deepEqual(latest, { step: STEPS, state: SimulationState.PAUSED, values: { loss: live.get(STEPS) } });
  assert.equal((await client.latest(id)).values.loss, live.get(STEPS));
  const states = (await client.events(id)).filter((e) => e.kind === "state");
  assert.deepEqual([states[0].step, states[0].state], [0, SimulationState.PAUSED]);
  assert.deepEqual([states.at(-1).step, states.at(-1).state], [STEPS, SimulationState.PAUSED]);
  assert.ok(states.some((e) => e.state === SimulationState.RUNNING));
  assert.ok(states.every((e) => Number.isFinite(e.wallTimeMillis) && e.wallTimeMillis > 1.6e12));
  assert.deepEqual(await client.events(id, 1, STEPS - 1), []);
});

test("updateRun renames, tags and annotates, and the tags show in get() and list()", async () => {
  const updated = await client.updateRun(id, { name: "baseline 32", tags: ["baseline", "mlp"], notes: "seed 3" });
  assert.deepEqual([updated.spec.name, updated.tags, updated.notes], ["baseline 32", ["baseline", "mlp"], "seed 3"]);
  const seen = await client.get(id);
  assert.deepEqual([seen.spec.name, seen.tags, seen.notes], ["baseline 32", ["baseline", "mlp"], "seed 3"]);
  assert.deepEqual((await client.list()).find((s) => s.id === id).tags, ["baseline", "mlp"]);
  assert.deepEqual((await client.updateRun(id, { tags: [] })).tags, []);
  const after = await client.get(id);
  assert.deepEqual([after.spec.name, after.notes], ["baseline 32", "seed 3"], "untouched by a tags-only update");
});

/** The files of a zip written without compression (what the server writes), by name. */
function storedZipEntries(zip) {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  const entries = new Map();
  for (let at = 0; view.getUint32(at, true) === 0x04034b50; ) {
    assert.equal(view.getUint16(at + 8, true), 0, "stored, not compressed");
    const size = view.getUint32(at + 18, true), nameLength = view.getUint16(at + 26, true), extra = view.getUint16(at + 28, true);
    const name = new TextDecoder().decode(zip.subarray(at + 30, at + 30 + nameLength));
    const start = at + 30 + nameLength + extra;
    entries.set(name, zip.subarray(start, start + size));
    at = start + size;
  }
  return entries;
}

const bytesOf = (floats) => new Uint8Array(floats.buffer, floats.byteOffset, floats.byteLength);

test("a checkpoint equals the parameters bit for bit, as tensors and as .npz", async () => {
  const saved = await client.saveCheckpoint(id); // pausing took one at this step already: that one
  assert.deepEqual([saved.step, saved.reason, saved.sha256.length, saved.pinned], [STEPS, "pause", 64, false]);
  const parameters = await client.parameters(id);
  for (const stored of [await client.checkpoint(id, STEPS), await client.checkpoint(id)]) {
    assert.deepEqual([...stored.keys()], [...parameters.keys()]);
    for (const [name, t] of parameters) {
      assert.deepEqual(stored.get(name).shape, t.shape, name);
      assert.deepEqual(bytesOf(stored.get(name).data), bytesOf(t.data), name);
    }
  }
  assert.deepEqual([...(await client.checkpoint(id, STEPS, ["layer0.W"])).keys()], ["layer0.W"]);

  const npz = storedZipEntries(await client.checkpointNpz(id, STEPS));
  for (const [name, t] of parameters) {
    const npy = npz.get(`param/${name}.npy`);
    assert.ok(npy, `param/${name}.npy among ${[...npz.keys()].join(", ")}`);
    const header = new TextDecoder().decode(npy.subarray(0, 200));
    assert.match(header, /'descr': '<f4'/);
    assert.deepEqual(npy.subarray(npy.byteLength - t.data.byteLength), bytesOf(t.data), name);
  }
  assert.deepEqual(await client.checkpointNpz(id), await client.checkpointNpz(id, STEPS));

  assert.equal((await client.pinCheckpoint(id, STEPS)).pinned, true);
  assert.equal((await client.checkpoints(id)).find((c) => c.step === STEPS).pinned, true);
  assert.equal((await client.pinCheckpoint(id, STEPS, false)).pinned, false);
});

test("waitForStep resolves PAUSED where runUntil stops the run, with its record, at once short of the step, and times out naming the step", { timeout: 60_000 }, async () => {
  const other = (await client.create({ ...MLP, batchSize: 8, seed: 4 })).id;
  await client.apply(other, commands.runUntil(30));
  const at30 = await client.waitForStep(other, 30, { timeoutMs: 30_000 });
  assert.deepEqual([at30.step, at30.state], [30n, SimulationState.PAUSED], "told to stop there: paused there");
  const [loss] = (await client.history(other, { observables: ["loss"], toStep: 30 })).series;
  assert.deepEqual([...loss.steps], range(1, 30), "the record holds every step it waited for");
  const short = await client.waitForStep(other, 1000, { timeoutMs: 30_000 });
  assert.equal(short.state, SimulationState.PAUSED, "a paused run stops short of the step");
  await client.play(other);
  await assert.rejects(client.waitForStep(other, 1_000_000_000, { timeoutMs: 300 }), (e) => {
    assert.ok(e instanceof ConnectError);
    assert.equal(e.code, Code.DeadlineExceeded);
    assert.match(e.rawMessage, new RegExp(`^simulation ${other}: step 1000000000 not reached within 300 ms; last seen RUNNING at step \\d+$`));
    return true;
  });
  const abort = new AbortController();
  const waiting = client.waitForStep(other, 1_000_000_000, { signal: abort.signal });
  abort.abort();
  await assert.rejects(waiting, (e) => e.code === Code.Canceled);
  await client.delete(other);
  await assert.rejects(client.waitForStep(other, 5), (e) => e.code === Code.NotFound);
});

test("every record call on an unknown run is NotFound", async () => {
  const nope = "sim-nope";
  const calls = [
    () => client.history(nope), () => client.latest(nope), () => client.events(nope),
    () => client.updateRun(nope, { name: "x" }), () => client.checkpoints(nope), () => client.saveCheckpoint(nope),
    () => client.pinCheckpoint(nope, 1), () => client.checkpoint(nope, 1), () => client.checkpointNpz(nope),
    async () => { for await (const _ of client.watch(nope, { fromStep: 0 })); },
  ];
  for (const call of calls) await assert.rejects(call(), (e) => e instanceof ConnectError && e.code === Code.NotFound);
});

test("invalid record requests are InvalidArgument with the server's message", async () => {
  const rejects = (promise, code, message) =>
    assert.rejects(promise, (e) => {
      assert.equal(Code[e.code], Code[code]);
      assert.equal(e.rawMessage, message);
      return true;
    });
  await rejects(client.history(id, { maxPoints: 2 }), Code.InvalidArgument,
    "max_points must be 0 (every point) or at least 4 (a bucket keeps up to 4), got 2");
  await rejects(client.history(id, { fromStep: 10, toStep: 5 }), Code.InvalidArgument, "to_step 5 is before from_step 10");
  await rejects(client.updateRun(id, { tags: ["a,b"] }), Code.InvalidArgument,
    "each tag must be 1..64 characters without commas, got 'a,b'");
  const kept = (await client.checkpoints(id)).map((c) => c.step).join(", ");
  await rejects(client.checkpoint(id, 7), Code.NotFound, `run ${id} has no checkpoint at step 7; it has [${kept}]`);
  await rejects(client.checkpoint(id, STEPS, ["layer9.W"]), Code.InvalidArgument,
    `unknown parameter 'layer9.W' in the checkpoint at step ${STEPS}`);
  await rejects((async () => { for await (const _ of client.watch(id, { fromStep: -1 })); })(), Code.InvalidArgument,
    "from_step must be >= 0, got -1");
});
