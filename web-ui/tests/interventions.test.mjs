// Browser test of interventions on the timeline (run `npm run build` first), against the real
// server: commands applied from the page and through the SDK, on a paused run and on a running
// one, are listed in the run's intervention log table as GetInterventionLog returns them (step
// and the server's description), and marked on the loss and accuracy charts at their step, the
// description shown on hover; a reload shows them again from the record. Leaves
// test-results/interventions.png.

import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import { after, before, test } from "node:test";
import { commands, EiscopeClient } from "@eiscope/client";
import { eventually, openBrowser, RESULTS } from "./browser.mjs";

let server;
let page;
let pageErrors;
let close;
let client;
let sim;

before(async () => {
  ({ server, page, pageErrors, close } = await openBrowser());
  page.setDefaultTimeout(15_000);
  client = new EiscopeClient(server.baseUrl);
  sim = await client.create({
    name: "interventions-test", model: { kind: "mlp", params: { hidden: [32] } }, learningRule: { kind: "sgd", params: { learning_rate: 0.05 } },
    task: { kind: "fashion_mnist" }, batchSize: 16, seed: 5, evalEverySteps: 10,
  });
  await client.step(sim.id, 30);
  await client.waitForStep(sim.id, 30);
});

after(async () => {
  await close?.();
});

const byTestId = (id) => page.locator(`[data-testid="${id}"]`);

/** The log table as [step, description] rows. */
const tableRows = () => page.locator('[data-testid="intervention-row"]').evaluateAll((rows) =>
  rows.map((r) => [Number(r.dataset.step), r.lastElementChild.textContent]));

/** The log through the SDK, as the table should show it. */
async function logRows() {
  return (await client.interventionLog(sim.id)).map((i) => [Number(i.step), i.description]);
}

/** Each marker pin of `chart`: its step, description, and how far its centre is from where the chart puts that step. */
async function pins(chart) {
  return byTestId(chart).evaluate((el) => [...el.querySelectorAll('[data-testid="intervention-marker"]')].map((p) => {
    const over = p.closest(".u-over").getBoundingClientRect();
    const box = p.getBoundingClientRect();
    const step = Number(p.dataset.step);
    return { step, description: p.dataset.description, offset: box.left + box.width / 2 - over.left - el.eiscopeStepX(step), hidden: p.hidden };
  }));
}

async function openRun() {
  await page.goto(`${server.baseUrl}/#/sim/${encodeURIComponent(sim.id)}`);
  await page.locator(`[data-testid="sim-view"][data-id="${sim.id}"][data-history-step]`).waitFor();
}

test("commands applied on the page to a paused run are in the log table and marked on both charts at their step", { timeout: 60_000 }, async () => {
  await openRun();
  assert.equal(await page.locator('[data-testid="intervention-row"]').count(), 0);
  await byTestId("steer-lr").fill("0.02");
  await byTestId("steer-lr-button").click();
  await byTestId("steer-prune").fill("50");
  await byTestId("steer-prune-button").click();

  const expected = await eventually(logRows, (l) => l.length === 2);
  assert.deepEqual(expected.map(([step]) => step), [30, 30], "both took effect at the paused run's step");
  assert.deepEqual(expected.map(([, d]) => d), ["set learning_rate = 0.02", "prune 50 % of the weights by magnitude, over all layers"]);
  assert.deepEqual(await eventually(tableRows, (r) => r.length === 2), expected, "the table is the log");
  // The events list has them too, though they took effect at the step the record was read to.
  const events = await eventually(() => page.locator('[data-testid="event"]').allTextContents(),
    (texts) => expected.every(([, d]) => texts.some((t) => t.includes(d))));
  for (const [, d] of expected) assert.ok(events.some((t) => t.includes(`step 30`) && t.includes(d)), `events list: ${d}`);

  for (const chart of ["loss-chart", "accuracy-chart"]) {
    const shown = await eventually(() => pins(chart), (p) => p.length === 1);
    assert.equal(shown.length, 1, `${chart}: one pin for the two commands at step 30`);
    assert.equal(shown[0].step, 30);
    assert.equal(shown[0].description, expected.map(([, d]) => d).join("\n"));
    assert.ok(Math.abs(shown[0].offset) <= 1, `${chart}: the pin is at step 30 on the step axis (off by ${shown[0].offset} px)`);
  }
});

test("a command applied through the SDK while the run plays is marked where it took effect, its description on hover", { timeout: 90_000 }, async () => {
  await byTestId("play-button").click();
  // The page sends Play after click() returns: read until the run has passed step 45 (waitForStep would stop at "paused").
  await eventually(() => client.get(sim.id), (x) => x.step >= 45n, 60_000);
  const { effectiveStep } = await client.apply(sim.id, commands.prune(0.9, "magnitude", "per_layer"));
  // The run plays on while the answer comes back, maybe 15 steps and more: "run until" names a
  // step ahead of the run, so it is given from where a pause stopped it.
  const { effectiveStep: pausedAt } = await client.pause(sim.id);
  await client.apply(sim.id, commands.runUntil(pausedAt + 15));
  await client.waitForStep(sim.id, pausedAt + 15);

  // Play and "run until" are logged too: they are commands the run's replay needs.
  const expected = await logRows();
  assert.deepEqual(expected[2], [effectiveStep, "prune 90 % of the weights by magnitude, per layer"]);
  assert.deepEqual(await eventually(tableRows, (r) => r.length === expected.length), expected);
  // "Run until" is in the table but not on the curves: it only says how far to play.
  const log = await client.interventionLog(sim.id);
  assert.ok(log.some((i) => i.command.kind.case === "runUntil"));
  const steps = [...new Set(log.filter((i) => i.command.kind.case !== "runUntil").map((i) => Number(i.step)))];
  const shown = await eventually(() => pins("loss-chart"), (p) => p.length === steps.length);
  assert.deepEqual(shown.map((p) => p.step), steps);
  const pruned = shown.find((p) => p.step === effectiveStep);
  assert.ok(Math.abs(pruned.offset) <= 1, `the pin is at step ${effectiveStep} (off by ${pruned.offset} px)`);
  assert.ok(pruned.description.includes("prune 90 % of the weights by magnitude, per layer"));

  const pin = byTestId("loss-chart").locator(`[data-testid="intervention-marker"][data-step="${effectiveStep}"]`);
  await pin.hover();
  const tip = byTestId("loss-chart").locator('[data-testid="intervention-marker-tip"]');
  await tip.waitFor({ state: "visible" });
  assert.equal(await tip.textContent(), `step ${effectiveStep}\n${pruned.description}`);
  mkdirSync(RESULTS, { recursive: true });
  await page.screenshot({ path: resolve(RESULTS, "interventions.png"), fullPage: true });
  await page.mouse.move(0, 0);
  await tip.waitFor({ state: "hidden" });
});

test("after a reload the markers and the table come back from the record", { timeout: 60_000 }, async () => {
  const expected = await logRows();
  await openRun();
  assert.deepEqual(await eventually(tableRows, (r) => r.length === expected.length), expected);
  for (const chart of ["loss-chart", "accuracy-chart"]) {
    const log = await client.interventionLog(sim.id);
    const steps = [...new Set(log.filter((i) => i.command.kind.case !== "runUntil").map((i) => Number(i.step)))];
    const shown = await eventually(() => pins(chart), (p) => p.length === steps.length);
    assert.deepEqual(shown.map((p) => p.step), steps);
  }
});

test("the page raised no uncaught errors", () => {
  assert.deepEqual(pageErrors, []);
});
