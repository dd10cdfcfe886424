// Browser test of the Steer card's Watchpoints tab (run `npm run build` first), against the real
// server: a watchpoint added on the page is in the intervention log and in the page's list, and
// pauses the run when it fires (the run's status says which, the list says at which step); a
// per-layer one works the same at its cadence; × removes one (logged, gone from the list); a
// missing threshold, name or layer is refused under its field, nothing sent; a layer the server
// does not measure the scalar on is refused beside the button with the server's message.

import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import { after, before, test } from "node:test";
import { EiscopeClient, SimulationState } from "@eiscope/client";
import { eventually, openBrowser, RESULTS } from "./browser.mjs";
import { steering } from "./steer-helpers.mjs";

let server;
let page;
let pageErrors;
let close;
let client;
let sim;
let s;

before(async () => {
  ({ server, page, pageErrors, close } = await openBrowser());
  page.setDefaultTimeout(15_000);
  mkdirSync(RESULTS, { recursive: true });
  client = new EiscopeClient(server.baseUrl);
  sim = await client.create({
    name: "watchpoints-test",
    model: { kind: "mlp", params: { hidden: [32] } },
    learningRule: { kind: "sgd" },
    task: { kind: "fashion_mnist" },
    batchSize: 16,
    seed: 6,
  });
  await client.step(sim.id, 4);
  await client.waitForStep(sim.id, 4);
  s = steering(page, client);
});

after(async () => {
  await close?.();
});

/** The list on the page: name → status ("set" or "fired at step N"). */
const listed = () =>
  page
    .locator('[data-testid="watchpoint-row"]')
    .evaluateAll((rows) => Object.fromEntries(rows.map((r) => [r.dataset.name, r.children[3].textContent])));

async function add(name, observable, condition, threshold, layer = "", every = "0") {
  await s.byTestId("steer-watch-name").fill(name);
  await s.byTestId("steer-watch-observable").selectOption(observable);
  await s.byTestId("steer-watch-condition").selectOption(condition);
  if (condition !== "non_finite") await s.byTestId("steer-watch-threshold").fill(threshold);
  if (layer || every !== "0") {
    await s.byTestId("steer-watch-layer").fill(layer);
    await s.byTestId("steer-watch-every").fill(every);
  }
  await s.byTestId("steer-watch-button").click();
}

test("wrong fields are refused under them; a layer the server does not measure on is refused beside the button", { timeout: 60_000 }, async () => {
  await s.open(server.baseUrl, sim.id, "watchpoints");
  await s.byTestId("steer-watch-observable").selectOption("loss");
  await s.byTestId("steer-watch-threshold").fill("");
  await s.refusedInBrowser(sim.id, "steer-watch", "steer-watch-threshold", /required: enter a number/, 0);
  assert.ok(await s.byTestId("steer-watch-layer").isDisabled(), "loss is network-wide: no layer");
  await s.byTestId("steer-watch-name").fill(" ");
  await s.byTestId("steer-watch-threshold").fill("1");
  await s.refusedInBrowser(sim.id, "steer-watch", "steer-watch-name", /required: enter a name/, 0);
  await s.byTestId("steer-watch-name").fill("w");
  await s.byTestId("steer-watch-observable").selectOption("nse");
  await s.byTestId("steer-watch-layer").fill("");
  await s.refusedInBrowser(sim.id, "steer-watch", "steer-watch-layer", /required: nse is measured per layer/, 0);
  await s.byTestId("steer-watch-layer").fill("nope");
  await s.byTestId("steer-watch-button").click();
  assert.match(await s.outcome("steer-watch", "refused"), /InvalidArgument: .*nse is measured per layer; one of \[.*layer0\.W/);
  assert.equal((await s.log(sim.id)).length, 0, "nothing logged");
});

test("a watchpoint added shows in the list and pauses the run when it fires; the list says when", { timeout: 60_000 }, async () => {
  await s.open(server.baseUrl, sim.id, "watchpoints");
  await add("accurate", "accuracy", "above", "0"); // accuracy ≥ 0 holds after the first step
  assert.deepEqual(await s.lastEntry(sim.id, 1), [4, "addWatchpoint", "watchpoint 'accurate': pause when accuracy ≥ 0"]);
  assert.deepEqual(await eventually(listed, (l) => l.accurate === "set"), { accurate: "set" });
  await s.byTestId("play-button").click();
  const paused = await eventually(() => client.get(sim.id), (x) => x.state === SimulationState.PAUSED && Number(x.step) > 4, 30_000);
  assert.equal(Number(paused.step), 5, "paused after the first step it held");
  assert.match(paused.statusMessage, /watchpoint 'accurate': accuracy reached 0/);
  assert.deepEqual(await eventually(listed, (l) => l.accurate !== "set"), { accurate: "fired at step 5" });
});

test("a per-layer watchpoint fires at its cadence; × removes a standing one", { timeout: 60_000 }, async () => {
  await s.open(server.baseUrl, sim.id, "watchpoints");
  await add("never", "loss", "below", "-1");
  await add("moved", "weight_change", "above", "0", "layer0.W", "3");
  assert.deepEqual(await s.lastEntry(sim.id, 3), [
    5,
    "addWatchpoint",
    "watchpoint 'moved': pause when weight_change of layer0.W ≥ 0, checked every 3 steps",
  ]);
  assert.deepEqual(await eventually(listed, (l) => Object.keys(l).length === 3), {
    accurate: "fired at step 5",
    never: "set",
    moved: "set",
  });
  await s.byTestId("play-button").click();
  const paused = await eventually(() => client.get(sim.id), (x) => x.state === SimulationState.PAUSED && Number(x.step) > 5, 30_000);
  assert.equal(Number(paused.step) % 3, 0, `measured every 3 steps: paused at ${paused.step}`);
  assert.match(paused.statusMessage, /watchpoint 'moved': weight_change of layer0\.W reached 0/);
  await eventually(listed, (l) => l.moved?.startsWith("fired"));

  await page.locator('[data-testid="watchpoint-row"][data-name="never"] [data-testid="steer-unwatch-button"]').click();
  assert.deepEqual(await s.lastEntry(sim.id, 4), [Number(paused.step), "removeWatchpoint", "remove watchpoint 'never'"]);
  const after = await eventually(listed, (l) => !("never" in l));
  assert.deepEqual(Object.keys(after).sort(), ["accurate", "moved"], "only the fired ones remain, as fired");
  await page.screenshot({ path: resolve(RESULTS, "watchpoints.png") });
});

test("the page raised no uncaught errors", () => {
  assert.deepEqual(pageErrors, []);
});
