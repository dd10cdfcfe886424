// Admission on a busy server: a server started with --workers 1 plays one run at a time; the
// client reads the others as QUEUED with their queue position, and waitForStep() waits through
// the queue instead of taking QUEUED for a stop.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { EiscopeClient, SimulationState } from "../dist/index.js";
import { startServer } from "./live-server.mjs";

const MLP = (seed) => ({
  model: { kind: "mlp", params: { hidden: [16] } },
  learningRule: { kind: "sgd", params: { learning_rate: 0.05 } },
  task: { kind: "fashion_mnist" },
  batchSize: 8,
  seed,
});

let server;
let client;

before(async () => {
  server = await startServer(["--workers", "1"]);
  client = new EiscopeClient(server.baseUrl);
});

after(async () => {
  await server?.stop();
});

test("runs beyond --workers read QUEUED with their position, start first come first served, and are waited for", async () => {
  const [a, b, c] = [await client.create(MLP(1)), await client.create(MLP(2)), await client.create(MLP(3))];
  assert.equal((await client.play(a.id)).simulation.state, SimulationState.RUNNING);
  const played = (await client.play(b.id)).simulation;
  assert.deepEqual([played.state, played.queuePosition], [SimulationState.QUEUED, 1]);
  const stepped = (await client.step(c.id, 5)).simulation;
  assert.deepEqual([stepped.state, stepped.queuePosition], [SimulationState.QUEUED, 2]);
  const listed = new Map((await client.list()).map((s) => [s.id, [s.state, s.queuePosition]]));
  assert.deepEqual(listed.get(c.id), [SimulationState.QUEUED, 2]);

  const waited = client.waitForStep(c.id, 5, { timeoutMs: 120_000 }); // c is QUEUED at step 0 now
  await client.pause(a.id); // b starts, c moves up
  assert.equal((await client.get(c.id)).queuePosition, 1);
  await client.pause(b.id); // c starts, steps 5 and pauses
  const done = await waited;
  assert.deepEqual([done.state, Number(done.step), done.queuePosition], [SimulationState.PAUSED, 5, 0]);

  const states = (await client.events(c.id)).filter((e) => e.kind === "state").map((e) => e.state);
  assert.deepEqual(states.slice(-3), [SimulationState.QUEUED, SimulationState.RUNNING, SimulationState.PAUSED]);
  for (const s of [a, b, c]) await client.delete(s.id);
});

test("pausing a queued run takes it out of the queue", async () => {
  const [a, b] = [await client.create(MLP(4)), await client.create(MLP(5))];
  await client.play(a.id);
  assert.equal((await client.play(b.id)).simulation.state, SimulationState.QUEUED);
  const paused = (await client.pause(b.id)).simulation;
  assert.deepEqual([paused.state, paused.queuePosition, Number(paused.step)], [SimulationState.PAUSED, 0, 0]);
  assert.equal((await client.get(a.id)).state, SimulationState.RUNNING);
  for (const s of [a, b]) await client.delete(s.id);
});
