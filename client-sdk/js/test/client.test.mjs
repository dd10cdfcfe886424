// Live tests of @eiscope/client against the real server over gRPC-Web (real sockets).

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { Code, ConnectError, EiscopeClient, SimulationState } from "../dist/index.js";
import { startServer } from "./live-server.mjs";

const MLP_SPEC = {
  name: "sdk-test mlp",
  model: { kind: "mlp", params: { hidden: [32] } },
  learningRule: { kind: "sgd", params: { learning_rate: 0.05 } },
  task: { kind: "fashion_mnist" },
  batchSize: 32,
  seed: 1,
};

// Top-level hooks (not a describe block): if the server cannot start, every test fails with
// the reason, rather than being reported as cancelled.
let server;
let client;
const created = [];

before(async () => {
  server = await startServer();
  client = new EiscopeClient(server.baseUrl);
});

after(async () => {
  for (const id of created) await client.delete(id).catch(() => {});
  await server?.stop();
});

async function createMlp() {
  const sim = await client.create(MLP_SPEC);
  created.push(sim.id);
  return sim;
}

test("the catalogue lists the mlp model, the sgd rule and the fashion_mnist task", async () => {
  const cat = await client.catalogue();
  assert.ok(cat.models.some((m) => m.kind === "mlp"), "model mlp");
  assert.ok(cat.learningRules.some((r) => r.kind === "sgd"), "rule sgd");
  assert.ok(cat.tasks.some((t) => t.kind === "fashion_mnist"), "task fashion_mnist");
});

test("a created MLP starts paused at step 0 and is listed", async () => {
  const sim = await createMlp();
  assert.equal(sim.state, SimulationState.PAUSED);
  assert.equal(sim.step, 0n);
  const ids = (await client.list()).map((s) => s.id);
  assert.ok(ids.includes(sim.id));
});

test("a preset from the catalogue creates its spec, with the name and seed overridden", async () => {
  const [preset] = (await client.catalogue()).presets;
  assert.ok(preset, "the catalogue has at least one preset");
  const sim = await client.create({ preset: preset.name, name: "from preset", seed: 7 });
  created.push(sim.id);
  assert.equal(sim.spec.name, "from preset");
  assert.equal(sim.spec.seed, 7n);
  assert.equal(sim.spec.model.kind, preset.spec.model.kind);
  assert.equal(sim.spec.batchSize, preset.spec.batchSize);
});

test("stepping 50 times leaves the simulation at step 50", async () => {
  const sim = await createMlp();
  await client.step(sim.id, 50);
  const deadline = Date.now() + 20_000;
  let got = await client.get(sim.id);
  while (got.step < 50n && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    got = await client.get(sim.id);
  }
  assert.equal(got.step, 50n);
  assert.equal(got.state, SimulationState.PAUSED);
});

test("parameters come back as float32 tensors, layer0.W of shape [32, 784]", async () => {
  const sim = await createMlp();
  const params = await client.parameters(sim.id);
  const w = params.get("layer0.W");
  assert.ok(w, `layer0.W among ${[...params.keys()].join(", ")}`);
  assert.deepEqual(w.shape, [32, 784]);
  assert.ok(w.data instanceof Float32Array);
  assert.equal(w.data.length, 32 * 784);
  assert.ok(w.data.every(Number.isFinite), "finite weights");
  assert.ok(w.data.some((x) => x !== 0), "initialised, not all zero");

  const only = await client.parameters(sim.id, ["layer0.W"]);
  assert.deepEqual([...only.keys()], ["layer0.W"]);
});

test("watching loss while playing yields scalar frames with increasing steps until aborted", { timeout: 30_000 }, async () => {
  const sim = await createMlp();
  await client.play(sim.id);
  const ac = new AbortController();
  const frames = [];
  for await (const f of client.watch(sim.id, { observables: ["loss"] }, ac.signal)) {
    frames.push(f);
    if (frames.length === 20) ac.abort();
  }
  await client.pause(sim.id);

  assert.equal(frames.length, 20, "the iteration ends right after the abort");
  for (const f of frames) {
    assert.equal(f.observable, "loss");
    assert.equal(f.simulationId, sim.id);
    assert.equal(f.payload.kind, "scalar");
    assert.ok(Number.isFinite(f.payload.value));
    assert.ok(f.payload.mergedCount >= 1);
  }
  const steps = frames.map((f) => f.step);
  for (let i = 1; i < steps.length; i++) {
    assert.ok(steps[i] > steps[i - 1], `steps increase: ${steps.join(", ")}`);
  }
});

test("aborting a watch whose stream has gone quiet ends the iteration promptly", { timeout: 20_000 }, async () => {
  const sim = await createMlp();
  await client.step(sim.id, 3);
  const ac = new AbortController();
  const frames = [];
  const iteration = (async () => {
    for await (const f of client.watch(sim.id, { observables: ["loss"] }, ac.signal)) frames.push(f);
  })();
  // Wait until the paused simulation has nothing more to say, then abort.
  const deadline = Date.now() + 10_000;
  while ((frames.length === 0 || frames.at(-1).step < 3) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  await new Promise((r) => setTimeout(r, 1000));
  const abortedAt = Date.now();
  ac.abort();
  await iteration;
  assert.ok(Date.now() - abortedAt < 1000, `ended ${Date.now() - abortedAt} ms after the abort`);
  assert.equal(frames.at(-1).step, 3);
});

test("weight_histogram frames restricted to one parameter decode to edges and counts", { timeout: 30_000 }, async () => {
  const sim = await createMlp();
  const ac = new AbortController();
  const watching = (async () => {
    for await (const f of client.watch(sim.id, { observables: ["weight_histogram"], layers: ["layer0.W"], maxHz: 5 }, ac.signal)) {
      return f;
    }
  })();
  await client.step(sim.id, 5);
  const f = await watching;
  ac.abort();
  assert.equal(f.observable, "weight_histogram");
  assert.equal(f.layer, "layer0.W");
  assert.equal(f.payload.kind, "histogram");
  const { edges, counts } = f.payload;
  assert.equal(edges.length, counts.length + 1);
  for (let i = 1; i < edges.length; i++) assert.ok(edges[i] >= edges[i - 1], "edges ascend");
  assert.equal(counts.reduce((a, b) => a + b, 0), 32 * 784, "every weight counted once");
});

test("a deleted simulation leaves the list, and deleting it again is NotFound", async () => {
  const sim = await client.create(MLP_SPEC);
  await client.delete(sim.id);
  assert.ok(!(await client.list()).some((s) => s.id === sim.id));
  await assert.rejects(client.delete(sim.id), (e) => e.code === Code.NotFound);
});

test("watching an unknown simulation fails with NotFound", async () => {
  const frames = client.watch("no-such-simulation", { observables: ["loss"] });
  await assert.rejects(frames.next(), (e) => e instanceof ConnectError && e.code === Code.NotFound);
});

test("an unknown id is rejected with NotFound", async () => {
  await assert.rejects(client.get("no-such-simulation"), (e) => {
    assert.ok(e instanceof ConnectError);
    assert.equal(e.code, Code.NotFound);
    return true;
  });
  await assert.rejects(client.play("no-such-simulation"), (e) => e.code === Code.NotFound);
});

test("an invalid spec is rejected with InvalidArgument and a message", async () => {
  const bad = { ...MLP_SPEC, batchSize: 0 };
  await assert.rejects(client.create(bad), (e) => {
    assert.equal(e.code, Code.InvalidArgument);
    assert.ok(e.rawMessage.length > 0);
    return true;
  });
});

/** Sparse non-negative weights of shape [32, 784] (post x pre), seeded: a stand-in for a connectome. */
function connectome(seed) {
  const w = new Float32Array(32 * 784);
  let x = seed;
  for (let i = 0; i < w.length; i++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    if (x % 10 === 0) w[i] = (x / 2147483648) * 0.05;
  }
  return w;
}

test("an uploaded matrix initialises the simulation and reads back bit-identical", async () => {
  const data = connectome(7);
  const sim = await client.create({ ...MLP_SPEC, initialParameters: { "layer0.W": { shape: [32, 784], data } } });
  created.push(sim.id);
  assert.deepEqual(sim.initialParameterNames, ["layer0.W"]);
  assert.equal(Object.keys(sim.spec.initialParameters).length, 0, "the values are not echoed");
  const w = (await client.parameters(sim.id, ["layer0.W"])).get("layer0.W");
  assert.deepEqual(w.shape, [32, 784]);
  assert.deepEqual(new Uint8Array(w.data.buffer, w.data.byteOffset, w.data.byteLength), new Uint8Array(data.buffer));
});

test("an uploaded matrix of the wrong shape is rejected with InvalidArgument naming the entry", async () => {
  const bad = { ...MLP_SPEC, initialParameters: { "layer0.W": { shape: [784, 32], data: connectome(8) } } };
  await assert.rejects(client.create(bad), (e) => {
    assert.equal(e.code, Code.InvalidArgument);
    assert.equal(e.rawMessage, 'initial_parameters["layer0.W"]: shape 784x32 does not match the parameter\'s 32x784');
    return true;
  });
});
