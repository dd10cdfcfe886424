// Browser test of a queued run (run `npm run build` first), against a real server started with
// --workers 1: the run that waits for the one slot shows "queued #1" in its badge, on its page
// and in the list of runs, its Pause is enabled (it takes the run out of the queue), and it shows
// "running" once the playing run pauses. Leaves test-results/admission.png.

import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import { after, before, test } from "node:test";
import { EiscopeClient, SimulationState } from "@eiscope/client";
import { eventually, openBrowser, RESULTS } from "./browser.mjs";

let server;
let page;
let pageErrors;
let close;
let client;

before(async () => {
  ({ server, page, pageErrors, close } = await openBrowser(["--workers", "1"]));
  page.setDefaultTimeout(15_000);
  client = new EiscopeClient(server.baseUrl);
});

after(async () => {
  await close?.();
});

const byTestId = (id) => page.locator(`[data-testid="${id}"]`);
const textOf = (id) => byTestId(id).textContent();
const mlp = (name, seed) => ({
  name, model: { kind: "mlp", params: { hidden: [16] } }, learningRule: { kind: "sgd", params: { learning_rate: 0.05 } },
  task: { kind: "fashion_mnist" }, batchSize: 8, seed,
});

test("a run waiting for a slot shows its queue position, can be paused out of the queue, and starts when the slot frees", { timeout: 90_000 }, async () => {
  const first = await client.create(mlp("admission first", 1));
  const second = await client.create(mlp("admission second", 2));
  await client.play(first.id);
  await page.goto(`${server.baseUrl}/#/sim/${encodeURIComponent(second.id)}`);
  await page.locator(`[data-testid="sim-view"][data-id="${second.id}"]`).waitFor();
  await byTestId("play-button").click();

  assert.equal(await eventually(() => textOf("sim-state"), (s) => s === "queued #1"), "queued #1");
  assert.equal((await client.get(second.id)).state, SimulationState.QUEUED);
  assert.match(await textOf("status-message"), /^queued at position 1: the server plays at most 1 runs/);
  assert.equal(await byTestId("pause-button").isEnabled(), true, "Pause takes a queued run out of the queue");
  assert.equal(await byTestId("play-button").isEnabled(), false);
  const listed = page.locator(`[data-testid="sim-item"][data-id="${second.id}"] .badge`);
  assert.equal(await eventually(() => listed.textContent(), (s) => s === "queued #1"), "queued #1");
  mkdirSync(RESULTS, { recursive: true });
  await page.screenshot({ path: resolve(RESULTS, "admission.png"), fullPage: true });

  await byTestId("pause-button").click();
  assert.equal(await eventually(() => textOf("sim-state"), (s) => s === "paused"), "paused");
  assert.equal((await client.get(first.id)).state, SimulationState.RUNNING, "the playing run kept its slot");

  await byTestId("play-button").click();
  assert.equal(await eventually(() => textOf("sim-state"), (s) => s === "queued #1"), "queued #1");
  await client.pause(first.id);
  assert.equal(await eventually(() => textOf("sim-state"), (s) => s === "running"), "running");
  assert.deepEqual(pageErrors, []);
});
