// Browser test of the Steer card's Rule and Weights tabs, Run until and the quick prune (run
// `npm run build` first), against the real server: each form applied on the page is checked
// afterwards through the JS SDK (the rule in force, the intervention log, GetParameters), and
// each one's error path: a value out of the catalogue's range or the API's rules shows its
// message under the field and sends nothing (no new intervention). Leaves
// test-results/steer-rule.png and steer-weights.png.

import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import { after, before, test } from "node:test";
import { EiscopeClient, fromValue } from "@eiscope/client";
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
    name: "steer-test",
    model: { kind: "mlp", params: { hidden: [32] } },
    learningRule: { kind: "sgd", params: { learning_rate: 0.05 } },
    task: { kind: "fashion_mnist" },
    batchSize: 16,
    seed: 3,
  });
  await client.step(sim.id, 10);
  await client.waitForStep(sim.id, 10);
  s = steering(page, client);
});

after(async () => {
  await close?.();
});

const rule = async () => {
  const r = (await client.get(sim.id)).learningRule;
  return { kind: r.kind, params: Object.fromEntries(Object.entries(r.params).map(([k, v]) => [k, fromValue(v)])) };
};

test("any hyper-parameter of the rule in force is set from its catalogue field; out of range is refused under it", { timeout: 60_000 }, async () => {
  await s.open(server.baseUrl, sim.id, "rule");
  assert.equal(await s.byTestId("param-steer-set-momentum").inputValue(), "0", "the field shows the value in force");
  await s.byTestId("steer-set-button").click();
  assert.match(await s.outcome("steer-set", "applied"), /nothing changed/, "nothing sent when nothing changed");
  assert.equal((await s.log(sim.id)).length, 0);

  await s.byTestId("param-steer-set-momentum").fill("1.5");
  await s.refusedInBrowser(sim.id, "steer-set", "param-steer-set-momentum", /1\.5 is above the maximum, 0\.999/, 0);

  await s.byTestId("param-steer-set-momentum").fill("0.9");
  await s.byTestId("param-steer-set-weight_decay").fill("0.001");
  await s.byTestId("steer-set-button").click();
  assert.equal(await s.outcome("steer-set", "applied"), "applied at step 10");
  assert.deepEqual(await s.lastEntry(sim.id, 1), [10, "setRuleParams", "set momentum = 0.9, weight_decay = 0.001"]);
  const r = await rule();
  assert.equal(r.kind, "sgd");
  assert.equal(r.params.momentum, 0.9);
  assert.equal(r.params.weight_decay, 0.001);
  assert.equal(r.params.learning_rate, 0.05, "the other values stay");
  await page.screenshot({ path: resolve(RESULTS, "steer-rule.png") });
});

test("switch rule: the run's rule becomes the one chosen, its fields checked against that rule's catalogue entry", { timeout: 60_000 }, async () => {
  await s.open(server.baseUrl, sim.id, "rule");
  await s.byTestId("steer-switch-kind").selectOption("adam");
  assert.equal(await s.byTestId("param-steer-switch-beta1").inputValue(), "0.9", "adam's fields at their defaults");
  await s.byTestId("param-steer-switch-eps").fill("0");
  await s.byTestId("param-steer-switch-learning_rate").fill("0.01");
  await s.refusedInBrowser(sim.id, "steer-switch", "param-steer-switch-eps", /0 is below the minimum, 1e-12/, 1);
  assert.equal((await rule()).kind, "sgd", "still sgd");

  await s.byTestId("param-steer-switch-eps").fill("1e-8");
  await s.byTestId("steer-switch-button").click();
  await s.outcome("steer-switch", "applied");
  assert.deepEqual(await s.lastEntry(sim.id, 2), [10, "switchRule", "switch the learning rule to adam (learning_rate 0.01)"]);
  const r = await rule();
  assert.equal(r.kind, "adam");
  assert.equal(r.params.learning_rate, 0.01);
  // The hyper-parameter form follows the rule in force: adam's fields, adam's values.
  await eventually(() => s.byTestId("steer-set-rule").textContent(), (t) => t.includes("adam"));
  assert.equal(await s.byTestId("param-steer-set-learning_rate").inputValue(), "0.01");
  assert.equal(await s.byTestId("param-steer-set-beta2").inputValue(), "0.999");
  // The list says the rule in force too.
  await eventually(
    () => page.locator(`[data-testid="sim-item"][data-id="${sim.id}"] [data-testid="sim-item-kinds"]`).textContent(),
    (t) => t.includes("adam"),
  );
});

test("weight noise on one parameter changes it and no other; σ of 0 or below is refused", { timeout: 60_000 }, async () => {
  await s.open(server.baseUrl, sim.id, "weights");
  const n = (await s.log(sim.id)).length;
  await s.byTestId("steer-noise-target").selectOption("layer1.W");
  await s.byTestId("steer-noise-std").fill("0");
  await s.refusedInBrowser(sim.id, "steer-noise", "steer-noise-std", /not above 0/, n);
  await s.byTestId("steer-noise-std").fill("-1");
  await s.refusedInBrowser(sim.id, "steer-noise", "steer-noise-std", /below the minimum, 0/, n);

  const before = await s.params(sim.id);
  await s.byTestId("steer-noise-std").fill("0.05");
  await s.byTestId("steer-noise-button").click();
  await s.outcome("steer-noise", "applied");
  assert.deepEqual(await s.lastEntry(sim.id, n + 1), [10, "addWeightNoise", "add Gaussian noise of σ 0.05 to layer1.W"]);
  const after = await s.params(sim.id);
  assert.deepEqual(after["layer0.W"].data, before["layer0.W"].data, "layer0.W untouched");
  const changed = after["layer1.W"].data.filter((x, i) => x !== before["layer1.W"].data[i]).length;
  assert.ok(changed > 0.99 * before["layer1.W"].data.length, `noise on every weight of layer1.W (${changed} changed)`);
});

test("input noise is set and turned off; a value that is not a number is refused", { timeout: 60_000 }, async () => {
  await s.open(server.baseUrl, sim.id, "weights");
  const n = (await s.log(sim.id)).length;
  await s.byTestId("steer-input-noise-std").fill("abc");
  await s.refusedInBrowser(sim.id, "steer-input-noise", "steer-input-noise-std", /"abc" is not a number/, n);
  await s.byTestId("steer-input-noise-std").fill("0.1");
  await s.byTestId("steer-input-noise-button").click();
  await s.outcome("steer-input-noise", "applied");
  assert.deepEqual(await s.lastEntry(sim.id, n + 1), [10, "setInputNoise", "add Gaussian noise of σ 0.1 to every training input"]);
  await s.byTestId("steer-input-noise-std").fill("0");
  await s.byTestId("steer-input-noise-button").click();
  assert.deepEqual(await s.lastEntry(sim.id, n + 2), [10, "setInputNoise", "turn input noise off"]);
});

test("a frozen parameter keeps its values over 5 steps while the others learn; released, it learns again", { timeout: 60_000 }, async () => {
  await s.open(server.baseUrl, sim.id, "weights");
  const n = (await s.log(sim.id)).length;
  await s.byTestId("steer-freeze-target").selectOption("layer0.W");
  await s.byTestId("steer-freeze-mode").selectOption("freeze");
  await s.byTestId("steer-freeze-button").click();
  await s.outcome("steer-freeze", "applied");
  assert.deepEqual(await s.lastEntry(sim.id, n + 1), [10, "freeze", "freeze layer0.W"]);
  const before = await s.params(sim.id);
  await client.step(sim.id, 5);
  await client.waitForStep(sim.id, 15);
  const after = await s.params(sim.id);
  assert.deepEqual(after["layer0.W"].data, before["layer0.W"].data, "frozen: identical after 5 steps");
  assert.notDeepEqual(after["layer1.W"].data, before["layer1.W"].data, "the others learned");

  await s.byTestId("steer-freeze-mode").selectOption("release");
  await s.byTestId("steer-freeze-button").click();
  assert.deepEqual(await s.lastEntry(sim.id, n + 2), [15, "freeze", "unfreeze layer0.W"]);
  await client.step(sim.id, 2);
  await client.waitForStep(sim.id, 17);
  assert.notDeepEqual((await s.params(sim.id, ["layer0.W"]))["layer0.W"].data, after["layer0.W"].data, "released: it learns");
});

test("set one weight: GetParameters holds the value at [row, col]; indices beyond the shape are refused", { timeout: 60_000 }, async () => {
  await s.open(server.baseUrl, sim.id, "weights");
  const n = (await s.log(sim.id)).length;
  await s.byTestId("steer-set-weight-parameter").selectOption("layer0.W"); // [32 × 784]
  await s.byTestId("steer-set-weight-row").fill("32");
  await s.refusedInBrowser(sim.id, "steer-set-weight", "steer-set-weight-row", /32 is above the maximum, 31/, n);
  await s.byTestId("steer-set-weight-row").fill("3");
  await s.byTestId("steer-set-weight-col").fill("784");
  await s.refusedInBrowser(sim.id, "steer-set-weight", "steer-set-weight-col", /784 is above the maximum, 783/, n);
  await s.byTestId("steer-set-weight-col").fill("700");
  await s.byTestId("steer-set-weight-value").fill("1e39");
  await s.refusedInBrowser(sim.id, "steer-set-weight", "steer-set-weight-value", /above the maximum/, n);
  await s.byTestId("steer-set-weight-value").fill("0.625");
  await s.byTestId("steer-set-weight-button").click();
  await s.outcome("steer-set-weight", "applied");
  assert.deepEqual(await s.lastEntry(sim.id, n + 1), [17, "setWeight", "set layer0.W[3, 700] to 0.625"]);
  const w = (await s.params(sim.id, ["layer0.W"]))["layer0.W"];
  assert.equal(w.data[3 * 784 + 700], 0.625);
  await page.screenshot({ path: resolve(RESULTS, "steer-weights.png") });
});

test("run until a step plays and pauses there; a step not after the current one is refused", { timeout: 60_000 }, async () => {
  await s.open(server.baseUrl, sim.id, "rule");
  const n = (await s.log(sim.id)).length;
  await s.byTestId("run-until-step").fill("17");
  await s.byTestId("run-until-button").click();
  assert.match(await s.byTestId("run-until-step-error").textContent(), /17 is below the minimum, 18/);
  await new Promise((r) => setTimeout(r, 300));
  assert.equal((await s.log(sim.id)).length, n, "nothing sent");
  await s.byTestId("run-until-step").fill("25");
  await s.byTestId("run-until-button").click();
  const done = await eventually(() => client.get(sim.id), (x) => Number(x.step) === 25 && x.state === 1, 30_000);
  assert.equal(Number(done.step), 25);
  assert.deepEqual(await s.lastEntry(sim.id, n + 1), [17, "runUntil", "run until step 25"]);
});

test("prune at random per layer, from the quick row: the log says so and each layer holds that share of zeros", { timeout: 60_000 }, async () => {
  await s.open(server.baseUrl, sim.id, "rule");
  const n = (await s.log(sim.id)).length;
  await s.byTestId("steer-prune").fill("30");
  await s.byTestId("steer-prune-method").selectOption("random");
  await s.byTestId("steer-prune-scope").selectOption("per_layer");
  await s.byTestId("steer-prune-button").click();
  assert.deepEqual(await s.lastEntry(sim.id, n + 1), [25, "prune", "prune 30 % of the weights at random, per layer"]);
  const p = await s.params(sim.id);
  for (const name of ["layer0.W", "layer1.W"]) {
    const zeros = p[name].data.filter((x) => x === 0).length;
    assert.ok(Math.abs(zeros - 0.3 * p[name].data.length) <= 1, `${name}: ${zeros} of ${p[name].data.length} weights are 0`);
  }
});

test("in a 1,280 px window every tab of the Steer card fits, nothing cut off at the right", { timeout: 60_000 }, async () => {
  await page.setViewportSize({ width: 1280, height: 900 });
  try {
    for (const tab of ["rule", "weights", "units", "watchpoints"]) {
      await s.open(server.baseUrl, sim.id, tab);
      const overflow = await page.evaluate(() => {
        const card = document.querySelector('[data-testid="steer-card"]').getBoundingClientRect();
        const main = document.querySelector("main").getBoundingClientRect();
        return { page: document.documentElement.scrollWidth - window.innerWidth, card: card.right - main.right };
      });
      assert.ok(overflow.page <= 0, `${tab}: the page is ${overflow.page} px wider than the window`);
      assert.ok(overflow.card <= 0, `${tab}: the card ends ${overflow.card} px past the main column`);
    }
  } finally {
    await page.setViewportSize({ width: 1440, height: 1000 });
  }
});

test("the page raised no uncaught errors", () => {
  assert.deepEqual(pageErrors, []);
});
