// Sweeps through @eiscope/client against the real server over gRPC-Web: a grid's runs against
// the same spec made one by one (weights bit for bit), the results table against the runs' own
// histories and a mean ± s.e. computed here, pause / cancel, and a validation error.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import {
  Code,
  ConnectError,
  EiscopeClient,
  SimulationSpecSchema,
  SimulationState,
  SweepState,
  integerValue,
} from "../dist/index.js";
import { create } from "@bufbuild/protobuf";
import { startServer } from "./live-server.mjs";

let server;
let client;

before(async () => {
  server = await startServer();
  client = new EiscopeClient(server.baseUrl);
});

after(async () => {
  await server?.stop();
});

const BASE = {
  model: { kind: "point_neuron" },
  learningRule: { kind: "sgd", params: { learning_rate: 0.05 } },
  task: {
    kind: "r_of_k",
    params: { inputs: integerValue(200), train_size: integerValue(1000), held_out_size: integerValue(200) },
  },
  batchSize: 50,
  evalEverySteps: 50,
};

function baseSpec(stepBudget) {
  return create(SimulationSpecSchema, {
    model: { kind: "point_neuron" },
    learningRule: { kind: "sgd", params: { learning_rate: { kind: { case: "number", value: 0.05 } } } },
    task: {
      kind: "r_of_k",
      params: {
        inputs: integerValue(200),
        train_size: integerValue(1000),
        held_out_size: integerValue(200),
      },
    },
    batchSize: 50,
    evalEverySteps: 50,
    stepBudget: BigInt(stepBudget),
  });
}

async function until(check, what, timeoutMs = 120_000) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function lossOf(id) {
  const h = await client.history(id, { observables: ["loss"] });
  return h.series.find((s) => s.layer === "").values;
}

test("a grid over seeds: runs as made one by one, results and mean ± s.e. from their histories", async () => {
  const sweep = await client.createSweep({
    name: "js grid",
    spec: baseSpec(60),
    grid: { seed: [integerValue(1), integerValue(2), integerValue(3)] },
    concurrency: 2,
  });
  assert.equal(sweep.totalRuns, 3);
  const done = await until(async () => {
    const s = await client.sweep(sweep.id);
    return s.state === SweepState.DONE && s;
  }, "the sweep to end");
  const results = await client.sweepResults(sweep.id, ["loss"]);
  const finals = [];
  for (const [i, r] of results.runs.entries()) {
    assert.equal(r.run.state, SimulationState.FINISHED);
    assert.equal(r.run.runId, done.runs[i].runId);
    const loss = await lossOf(r.run.runId);
    assert.equal(r.metrics[0].final, loss[loss.length - 1]);
    assert.equal(r.metrics[0].best, Math.min(...loss));
    finals.push(loss[loss.length - 1]);
  }
  const mean = finals.reduce((a, b) => a + b, 0) / 3;
  const se = Math.sqrt(finals.reduce((a, f) => a + (f - mean) ** 2, 0) / 2) / Math.sqrt(3);
  assert.equal(results.groups.length, 1);
  const agg = results.groups[0].metrics[0];
  assert.equal(agg.n, 3);
  assert.ok(Math.abs(agg.finalMean - mean) < 1e-12);
  assert.ok(Math.abs(agg.finalStderr - se) < 1e-12);

  const twin = await client.create({ ...BASE, seed: 2, stepBudget: 60 });
  await client.play(twin.id);
  await until(async () => (await client.get(twin.id)).state === SimulationState.FINISHED, "the twin to finish");
  const mine = await client.parameters(results.runs[1].run.runId);
  for (const [name, t] of await client.parameters(twin.id)) assert.deepEqual(mine.get(name).data, t.data, name);
  assert.ok((await client.sweeps()).some((s) => s.id === sweep.id));
});

test("pause and cancel a sweep", async () => {
  const sweep = await client.createSweep({ spec: baseSpec(1_000_000), grid: { seed: [1, 2, 3] }, concurrency: 1 });
  await until(async () => (await client.sweep(sweep.id)).playingRuns === 1, "a run to play");
  assert.equal((await client.pauseSweep(sweep.id)).state, SweepState.PAUSED);
  assert.equal((await client.resumeSweep(sweep.id)).state, SweepState.RUNNING);
  const cancelled = await client.cancelSweep(sweep.id);
  assert.equal(cancelled.state, SweepState.CANCELLED);
  for (const r of cancelled.runs.filter((r) => r.runId))
    assert.notEqual((await client.get(r.runId)).state, SimulationState.RUNNING);
});

test("a bad field is refused with InvalidArgument naming it", async () => {
  await assert.rejects(
    client.createSweep({ spec: baseSpec(10), grid: { "learning_rule.lr": [0.1] } }),
    (e) => e instanceof ConnectError && e.code === Code.InvalidArgument && /spec\.axes\[0\]\.field/.test(e.rawMessage),
  );
});

test("a paper's grid from the catalogue, started with fewer seeds and steps", async () => {
  const presets = await client.sweepPresets();
  const grid = presets.find((p) => p.name === "li2023-size-ei-grid");
  assert.equal(grid.runs, 500);
  assert.equal(grid.spec.preset, "li2023-column-ei");
  const richLazy = presets.find((p) => p.name === "liu2024-rich-lazy");
  assert.equal(richLazy.runs, 12);

  const sweep = await client.createSweepFromPreset("liu2024-rich-lazy", { seeds: [4], stepBudget: 2, concurrency: 2 });
  assert.equal(sweep.totalRuns, 4);
  assert.equal(sweep.concurrency, 2);
  await until(async () => (await client.sweep(sweep.id)).state === SweepState.DONE, "the grid to finish");
  const results = await client.sweepResults(sweep.id, richLazy.metrics);
  const ranks = [];
  for (const r of results.runs) {
    const sim = await client.get(r.run.runId);
    assert.equal(Number(sim.step), 2);
    assert.equal(Number(sim.spec.seed), 4);
    ranks.push(Number(sim.spec.model.params.init_rank.kind.value));
    assert.deepEqual(r.metrics.map((m) => m.name), richLazy.metrics);
  }
  assert.deepEqual(ranks, [1, 30, 100, 300]);
  await assert.rejects(client.createSweepFromPreset("li2023-grid"), /no sweep preset "li2023-grid"; the server offers .*li2023-size-ei-grid/);
});
