// Browser test of the "New simulation" form and the steering inputs (run `npm run build`
// first), against the real server: the form fits windows from 1,280 px wide; what the browser
// can check (types and ranges from the catalogue's ParamInfo, the API's own rules for seed,
// batch size and steps) is checked before anything is sent, each message under its field;
// what only the server can judge is shown beside the button that sent it. Expected bounds and
// counts come from the catalogue and the SDK, never from the page's code. Leaves
// test-results/form-errors.png.

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
  ({ server, page, pageErrors, close } = await openBrowser());
  page.setDefaultTimeout(10_000);
  client = new EiscopeClient(server.baseUrl);
});

after(async () => {
  await close?.();
});

const byTestId = (id) => page.locator(`[data-testid="${id}"]`);
const textOf = async (id) => (await byTestId(id).textContent()).trim();
const runCount = async () => (await client.list()).length;

/** How far the page and the custom form reach to the right, and the window's width. */
async function widths() {
  return page.evaluate(() => {
    const form = document.querySelector(".custom-form").getBoundingClientRect();
    const task = document.querySelector('[data-testid="task-select"]').closest("fieldset").getBoundingClientRect();
    return { window: window.innerWidth, page: document.documentElement.scrollWidth, form: form.right, task: task.right };
  });
}

for (const width of [1280, 1440, 1920]) {
  test(`the custom-simulation form fits a ${width} px window, its Task column included`, { timeout: 30_000 }, async () => {
    await page.setViewportSize({ width, height: 900 });
    await page.goto(`${server.baseUrl}/#/new`);
    await byTestId("task-select").waitFor();
    // The widest entries of the catalogue, which pushed the form out before.
    for (const [select, kind] of [["model-select", "column_ei_rnn"], ["rule-select", "sign_frozen_sgd"], ["task-select", "perceptual_decision_making"]]) {
      await byTestId(select).selectOption(kind);
    }
    const w = await widths();
    assert.ok(w.page <= w.window, `the page is ${w.page} px wide in a ${w.window} px window`);
    assert.ok(w.task <= w.window, `the Task column ends at ${w.task} px, inside the ${w.window} px window`);
  });
}

test("a seed of 1.5, an empty learning rate, hidden sizes out of range and a batch of 0 are refused under their fields, nothing sent", { timeout: 30_000 }, async () => {
  await page.setViewportSize({ width: 1440, height: 1000 });
  const { models, learningRules } = await client.catalogue();
  const hidden = models.find((m) => m.kind === "mlp").params.find((p) => p.name === "hidden");
  const rate = learningRules.find((r) => r.kind === "sgd").params.find((p) => p.name === "learning_rate");
  await page.goto(`${server.baseUrl}/#/new`);
  await byTestId("model-select").selectOption("mlp");
  await byTestId("rule-select").selectOption("sgd");
  const before = await runCount();

  await byTestId("seed").fill("1.5");
  await byTestId("param-rule-learning_rate").fill("");
  await byTestId("param-model-hidden").fill(`32, ${hidden.max + 1}`);
  await byTestId("batch-size").fill("0");
  await byTestId("create-button").click();

  assert.match(await textOf("seed-error"), /1\.5 is not a whole number/);
  assert.match(await textOf("param-rule-learning_rate-error"), /required/);
  assert.match(await textOf("param-rule-learning_rate-error"), new RegExp(`from 1e-9 to ${rate.max.toLocaleString("en-US")}`));
  assert.match(await textOf("param-model-hidden-error"), new RegExp(`${hidden.max + 1} is above the maximum, ${hidden.max.toLocaleString("en-US")}`));
  assert.match(await textOf("batch-size-error"), /0 is below the minimum, 1/);
  for (const id of ["seed", "param-rule-learning_rate", "param-model-hidden", "batch-size"]) {
    assert.equal(await byTestId(id).getAttribute("aria-invalid"), "true", `${id} is marked invalid`);
    // The message is next to its field: just below it, within the same column.
    const [field, message] = [await byTestId(id).boundingBox(), await byTestId(`${id}-error`).boundingBox()];
    assert.ok(message.y >= field.y + field.height - 1 && message.y - (field.y + field.height) < 40, `${id}: message right under the field`);
    assert.ok(Math.abs(message.x - field.x) < 20, `${id}: message aligned with the field`);
  }
  // The first wrong field is in view and focused: no hunting on a long page.
  const focused = await page.evaluate(() => document.activeElement?.dataset.testid);
  assert.equal(focused, "param-model-hidden", "the first wrong field (in form order) has the focus");
  mkdirSync(RESULTS, { recursive: true });
  await page.screenshot({ path: resolve(RESULTS, "form-errors.png") });
  assert.equal(await runCount(), before, "nothing was sent");

  // Typing in a field clears its message; fixed, the form creates the run.
  await byTestId("seed").fill("2");
  assert.ok(await byTestId("seed-error").isHidden(), "the seed's message goes once it is edited");
  await byTestId("param-rule-learning_rate").fill("0.05");
  await byTestId("param-model-hidden").fill("32");
  await byTestId("batch-size").fill("16");
  await byTestId("sim-name").fill("form-test fixed");
  await byTestId("create-button").click();
  await byTestId("sim-view").waitFor({ timeout: 15_000 });
  const id = await byTestId("sim-view").getAttribute("data-id");
  const sim = await client.get(id);
  assert.equal(sim.spec.seed, 2n);
  assert.equal(sim.spec.batchSize, 16);
  assert.equal(sim.learningRule.params.learning_rate.kind.value, 0.05);
  await client.delete(id);
});

test("what only the server can refuse is shown beside the Create button, with its message", { timeout: 30_000 }, async () => {
  await page.goto(`${server.baseUrl}/#/new`);
  // Every field is well typed and in range, but a recurrent network cannot read images: the
  // server refuses the pair.
  await byTestId("model-select").selectOption("ctrnn");
  await byTestId("task-select").selectOption("linear_regression");
  const before = await runCount();
  await byTestId("create-button").click();
  const message = await eventually(() => byTestId("create-error").textContent(), (t) => t !== "");
  assert.match(message, /invalid_argument|INVALID_ARGUMENT|invalid/i);
  const [button, error] = [await byTestId("create-button").boundingBox(), await byTestId("create-error").boundingBox()];
  assert.ok(Math.abs(error.y - button.y) < 60 && error.x + error.width <= button.x + 1, "the message is on the button's row, before it");
  assert.equal(await runCount(), before);
  assert.equal(await byTestId("form-error").count(), 0, "no banner at the top of the page");
});

test("steering inputs are checked in the browser: a step count of −5, an empty learning rate and a 150 % prune are refused beside them", { timeout: 60_000 }, async () => {
  const sim = await client.create({ name: "form-test steer", preset: "mlp-fashion-mnist" });
  const rule = (await client.catalogue()).learningRules.find((r) => r.kind === sim.spec.learningRule.kind);
  const rate = rule.params.find((p) => p.name === "learning_rate");
  await page.goto(`${server.baseUrl}/#/sim/${encodeURIComponent(sim.id)}`);
  await page.locator(`[data-testid="sim-view"][data-id="${sim.id}"]`).waitFor({ timeout: 15_000 });

  await byTestId("step-count").fill("-5");
  await byTestId("step-button").click();
  assert.match(await textOf("step-count-error"), /−5|-5/);
  assert.match(await textOf("step-count-error"), /below the minimum, 1/);

  await byTestId("steer-lr").fill("");
  await byTestId("steer-lr-button").click();
  assert.match(await textOf("steer-lr-error"), /required/);
  await byTestId("steer-lr").fill(String(rate.max * 10));
  await byTestId("steer-lr-button").click();
  assert.match(await textOf("steer-lr-error"), new RegExp(`above the maximum, ${rate.max.toLocaleString("en-US")}`));

  await byTestId("steer-prune").fill("150");
  await byTestId("steer-prune-button").click();
  assert.match(await textOf("steer-prune-error"), /150 % is above the maximum, 100 %/);

  await new Promise((r) => setTimeout(r, 500));
  const after = await client.get(sim.id);
  assert.equal(after.step, 0n, "no step was taken");
  assert.equal(after.learningRule.params.learning_rate.kind.value, sim.learningRule.params.learning_rate.kind.value, "the rate is unchanged");
  assert.deepEqual(await client.interventionLog(sim.id), [], "nothing was applied");

  // Fixed, each works.
  await byTestId("step-count").fill("3");
  await byTestId("step-button").click();
  // The page sends the command after click() returns; until it arrives the run is paused at 0 (waitForStep's "stopped").
  const stepped = await eventually(() => client.get(sim.id), (x) => x.step >= 3n && x.state === SimulationState.PAUSED);
  assert.equal(stepped.step, 3n);
  assert.ok(await byTestId("step-count-error").isHidden());
  await client.delete(sim.id);
});

test("the page raised no uncaught errors", () => {
  assert.deepEqual(pageErrors, []);
});
