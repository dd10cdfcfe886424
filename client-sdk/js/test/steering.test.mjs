// The worked example and steering against the real server over gRPC-Web. Scaled down (200
// steps, pruning at 100) to stay under ~30 s; the worked example watches weight histograms, the
// recurrent one the spectrum and the hidden states.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { Code, ConnectError, EiscopeClient, SimulationState, commands } from "../dist/index.js";
import { startServer } from "./live-server.mjs";

const HIDDEN = 40;
const DANN = {
  name: "sdk-test dann",
  model: { kind: "dann", params: { hidden_excitatory: [HIDDEN], hidden_inhibitory: [4] } },
  learningRule: { kind: "sgd", params: { learning_rate: 0.05, correct_inhibitory: true } },
  task: { kind: "fashion_mnist" },
  batchSize: 32,
  evalEverySteps: 100,
  seed: 1,
};

let server;
let client;

before(async () => {
  server = await startServer();
  client = new EiscopeClient(server.baseUrl);
});

after(async () => {
  await server?.stop();
});

/** Fraction of exact zeros among the E/I weight matrices (what pruning prunes). */
function zeroFraction(params) {
  let zeros = 0, all = 0;
  for (const [name, t] of params) {
    if (!/\.(Wex|Wix|Wei)$/.test(name)) continue;
    for (const x of t.data) if (x === 0) zeros++;
    all += t.data.length;
  }
  return zeros / all;
}

test("worked example: DANN, watch, prune 50 % at step 100, fork, switch the fork to EG, compare", async () => {
  const dann = await client.create(DANN);
  const abort = new AbortController();
  const histograms = [];
  const watching = (async () => {
    for await (const f of client.watch(dann.id, { observables: ["weight_histogram"], layers: ["layer0"], maxHz: 10 }, abort.signal))
      histograms.push(f);
  })();

  await client.apply(dann.id, commands.runUntil(100));
  assert.equal((await client.waitForStep(dann.id, 100)).step, 100n);
  assert.equal((await client.apply(dann.id, commands.prune(0.5))).effectiveStep, 100, "pruned where it paused");
  assert.ok(zeroFraction(await client.parameters(dann.id)) >= 0.5);
  const fork = await client.fork(dann.id);
  assert.equal(fork.parentId, dann.id);
  assert.equal(fork.forkStep, 100n);
  await client.apply(fork.id, commands.switchRule("eg", { learning_rate: 0.05 }));
  for (const s of [dann, fork]) await client.apply(s.id, commands.runUntil(200));
  const a = await client.waitForStep(dann.id, 200);
  const b = await client.waitForStep(fork.id, 200);
  abort.abort();
  await watching;

  assert.deepEqual([a.step, a.state, b.step, b.state], [200n, SimulationState.PAUSED, 200n, SimulationState.PAUSED]);
  assert.equal(b.learningRule.kind, "eg");
  assert.ok(a.latestScalars.test_accuracy > 0.5 && b.latestScalars.test_accuracy > 0.5);
  const wa = (await client.parameters(dann.id, ["layer0.Wex"])).get("layer0.Wex").data;
  const wb = (await client.parameters(fork.id, ["layer0.Wex"])).get("layer0.Wex").data;
  assert.notDeepEqual(wa, wb);
  // Pruned weights stay pruned under both rules (EG also never revives a zero).
  assert.ok(zeroFraction(await client.parameters(dann.id)) >= 0.5);
  assert.ok(zeroFraction(await client.parameters(fork.id)) >= 0.5);
  assert.ok(histograms.length > 0 && histograms.every((f) => f.layer.startsWith("layer0")));
  assert.equal((await client.interventionLog(fork.id)).length, (await client.interventionLog(dann.id)).length + 1);
  // SGD vs EG after pruning, from the record: the fork's own record starts after the fork step.
  const [sgd] = (await client.history(dann.id, { observables: ["loss"] })).series;
  const [eg] = (await client.history(fork.id, { observables: ["loss"] })).series;
  assert.deepEqual([sgd.steps[0], sgd.steps.at(-1), sgd.steps.length], [1, 200, 200]);
  assert.deepEqual([eg.steps[0], eg.steps.at(-1), eg.steps.length], [101, 200, 100]);
  await client.delete(dann.id);
  await client.delete(fork.id);
});

test("a bad command is rejected with the field named and is not logged", async () => {
  const sim = await client.create(DANN);
  await assert.rejects(client.apply(sim.id, commands.setWeight("layer0.Wex", 999, 0, 0.1)), (e) => {
    assert.ok(e instanceof ConnectError);
    assert.equal(e.code, Code.InvalidArgument);
    assert.match(e.message, /command\.set_weight\.row/);
    return true;
  });
  await assert.rejects(client.fork("sim-nope"), (e) => e.code === Code.NotFound);
  const r = await client.apply(sim.id, commands.setRuleParams({ learning_rate: 0.01 }));
  assert.equal(r.effectiveStep, 0);
  const log = await client.interventionLog(sim.id);
  assert.equal(log.length, 1);
  assert.equal(log[0].command.kind.case, "setRuleParams");
  await client.delete(sim.id);
});

test("a recurrent network: a watchpoint on the spectral radius of rnn0 pauses the run, and its hidden states stream", { timeout: 120_000 }, async () => {
  const sim = await client.create({
    name: "sdk-test rnn",
    model: { kind: "rnn", params: { hidden: [16] } },
    learningRule: { kind: "sgd", params: { learning_rate: 0.05, momentum: 0.9 } },
    task: { kind: "perceptual_decision_making" },
    batchSize: 16,
    seed: 2,
  });
  const abort = new AbortController();
  const first = async (observable) => {
    for await (const f of client.watch(sim.id, { observables: [observable], layers: ["rnn0"] }, abort.signal)) {
      if (f.layer === "rnn0") return f;
    }
  };
  const radius0 = (await first("spectral_radius")).payload.value;
  await client.apply(sim.id, commands.watchpoint("radius moved", "spectral_radius", "above", radius0 * 1.02, { layer: "rnn0", everySteps: 5 }));
  await client.apply(sim.id, commands.runUntil(20_000));
  const done = await client.waitForStep(sim.id, 20_000); // resolves where the watchpoint paused it
  assert.equal(done.state, SimulationState.PAUSED);
  assert.match(done.statusMessage, /watchpoint 'radius moved': spectral_radius of rnn0 reached/);
  assert.ok(done.step < 20_000n);
  const hidden = (await first("hidden_states")).payload.tensor;
  abort.abort();
  assert.deepEqual(hidden.shape, [8, 32, 16]); // time x probe trial x unit
  assert.ok(hidden.data.every((x) => x >= 0) && hidden.data.some((x) => x > 0), "ReLU activity, some of it active");
  await assert.rejects(client.apply(sim.id, commands.watchpoint("w", "spectral_radius", "above", 1, { layer: "rnn9" })),
    (e) => e.code === Code.InvalidArgument && /add_watchpoint\.layer/.test(e.message));
  await client.delete(sim.id);
});
