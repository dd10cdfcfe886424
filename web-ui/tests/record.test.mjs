// Browser test of the page against the run record (run `npm run build` first): the curves are
// drawn from the record on open and reload, then continued live, with every step once; a long
// run comes downsampled with its extremes and stays bounded while it runs; a run deleted
// elsewhere is shown as gone; name, tags and notes are edited on the page and read back with
// GetSimulation. Expected values come from the server through the SDK (GetHistory,
// GetSimulation), never from the page's code. Leaves test-results/record.png (a run with tags
// and notes) and gone.png (a run deleted while open).

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
  client = new EiscopeClient(server.baseUrl);
});

after(async () => {
  // What the server complained about, if anything (e.g. a record that could not be written).
  for (const line of server?.output().split("\n") ?? []) if (/SEVERE|WARNING|Exception/.test(line)) console.log(`server: ${line}`);
  await close?.();
});

const byTestId = (id) => page.locator(`[data-testid="${id}"]`);
const textOf = async (id) => (await byTestId(id).textContent()).trim();

/** GetHistory through the SDK: { observable: { steps, values, downsampled } } of the network-wide curves. */
async function recorded(id, { maxPoints = 0, toStep = 0 } = {}) {
  const { series } = await client.history(id, { observables: ["loss", "accuracy", "test_loss", "test_accuracy"], maxPoints, toStep });
  return Object.fromEntries(series.filter((s) => s.layer === "").map((s) =>
    [s.observable, { steps: [...s.steps], values: [...s.values], downsampled: s.downsampled }]));
}

/** What the page draws: { observable: { steps, values, samples, downsampled } } of both charts. */
async function drawn() {
  const loss = await byTestId("loss-chart").evaluate((el) => el.eiscopeCurves());
  const accuracy = await byTestId("accuracy-chart").evaluate((el) => el.eiscopeCurves());
  return { ...loss, ...accuracy };
}

/** [after, before] pairs of consecutive steps that are not adjacent (a missing step 1 shows as [0, first]). */
function gaps(steps) {
  const out = [];
  for (let i = 0; i < steps.length; i++) if (steps[i] !== (i === 0 ? 0 : steps[i - 1]) + 1) out.push([i === 0 ? 0 : steps[i - 1], steps[i]]);
  return out;
}

const lastOf = (a) => (a.length ? a[a.length - 1] : -1);

async function openRun(id) {
  await page.goto(`${server.baseUrl}/#/sim/${encodeURIComponent(id)}`);
  await page.locator(`[data-testid="sim-view"][data-id="${id}"][data-history-step]`).waitFor({ timeout: 30_000 });
}

async function waitForState(id, state, timeoutMs) {
  const s = await eventually(() => client.get(id), (sim) => sim.state === state, timeoutMs);
  assert.equal(SimulationState[s.state], SimulationState[state], `${id} at step ${s.step}`);
  return s;
}

const BUDGET = 700;

test("reloading the page mid-run draws the whole curve: the record from step 1, then live, each step once, as GetHistory has it", { timeout: 300_000 }, async (t) => {
  // Slow enough per step (a 784-256-10 MLP, batch 64) that the page reloads long before the end.
  const sim = await client.create({
    name: "ui-test reload", model: { kind: "mlp", params: { hidden: [256] } }, learningRule: { kind: "sgd", params: { learning_rate: 0.05 } },
    task: { kind: "fashion_mnist" }, batchSize: 64, seed: 7, evalEverySteps: 100, stepBudget: BUDGET,
  });
  await openRun(sim.id);
  const maxPoints = Number(await byTestId("sim-view").getAttribute("data-history-max-points"));
  assert.ok(maxPoints >= BUDGET, `the page asks for ${maxPoints} points per series: the whole run fits undownsampled`);
  await byTestId("play-button").click();

  const midRun = await eventually(() => client.get(sim.id), (s) => Number(s.recordedStep) >= 300, 200_000);
  assert.ok(Number(midRun.recordedStep) >= 300, `trained past 300 steps (recorded ${midRun.recordedStep})`);
  assert.equal(SimulationState[midRun.state], "RUNNING", "still running when the page reloads");
  await page.reload();
  await page.locator('[data-testid="sim-view"][data-history-step]').waitFor({ timeout: 30_000 });
  const fromRecord = Number(await byTestId("sim-view").getAttribute("data-history-step"));
  assert.ok(fromRecord >= 300 && fromRecord < BUDGET,
    `the reloaded page read the record up to step ${fromRecord} while the run went on (budget ${BUDGET})`);

  const watchFrom = Number(await byTestId("sim-view").getAttribute("data-watch-from"));
  t.diagnostic(`record read to step ${fromRecord}; watch from step ${watchFrom}` +
    (watchFrom <= fromRecord ? " (a held-out evaluation due by then was not recorded yet)" : ""));
  await waitForState(sim.id, SimulationState.FINISHED, 200_000);
  const curves = await eventually(drawn, (d) => lastOf(d.loss.steps) === BUDGET && lastOf(d.accuracy.steps) === BUDGET, 30_000);
  const truth = await recorded(sim.id);
  const everyStep = Array.from({ length: BUDGET }, (_, i) => i + 1);
  for (const o of ["loss", "accuracy"]) {
    assert.deepEqual(truth[o].steps, everyStep, `the record holds ${o} at every step`);
    assert.deepEqual(curves[o].steps, everyStep, `the page draws ${o} at every step from 1 to ${BUDGET}, each once`);
    assert.deepEqual(curves[o].values, truth[o].values, `${o}: the page's values are the record's, step for step`);
    assert.equal(curves[o].downsampled, false);
  }
  for (const o of ["test_loss", "test_accuracy"]) {
    assert.deepEqual(truth[o].steps, [100, 200, 300, 400, 500, 600, 700], `held-out ${o} every 100 steps`);
    assert.deepEqual(curves[o].steps, truth[o].steps, `the page draws held-out ${o} at the recorded steps`);
    assert.deepEqual(curves[o].values, truth[o].values);
  }
  assert.equal(await textOf("loss-points"), String(BUDGET));
  const recordedText = `recorded to step ${BUDGET}`;
  assert.equal(await eventually(() => textOf("sim-recorded-step"), (t) => t === recordedText), recordedText);
  await client.delete(sim.id);
});

test("a long run comes from the record downsampled with its extremes, and live it stays bounded", { timeout: 300_000 }, async () => {
  const sim = await client.create({
    name: "ui-test long", model: { kind: "mlp", params: { hidden: [16] } }, learningRule: { kind: "sgd", params: { learning_rate: 0.05 } },
    task: { kind: "fashion_mnist" }, batchSize: 16, seed: 8,
  });
  await openRun(sim.id);
  const maxPoints = Number(await byTestId("sim-view").getAttribute("data-history-max-points"));
  const bound = 2 * maxPoints;

  // Live from step 0: past `bound` points the page downsamples what it holds.
  await byTestId("play-button").click();
  const live = await eventually(drawn, (d) => d.loss.downsampled && lastOf(d.loss.steps) > 3 * maxPoints, 250_000);
  await byTestId("pause-button").click();
  assert.ok(live.loss.downsampled, `downsampled live past ${bound} points (at step ${lastOf(live.loss.steps)})`);
  assert.ok(live.loss.steps.length <= bound, `${live.loss.steps.length} points held live, at most ${bound}`);
  assert.equal(live.loss.steps[0], 1, "the curve still starts at step 1");
  const paused = await waitForState(sim.id, SimulationState.PAUSED, 30_000);
  const end = Number(paused.step);
  // The record trails the run by a commit interval (about 100 ms); the page is to draw all of it.
  const caughtUp = await eventually(() => client.get(sim.id), (x) => Number(x.recordedStep) === end, 30_000);
  assert.equal(Number(caughtUp.recordedStep), end, `the record holds the run's ${end} steps`);

  // Opened again: the record, downsampled by the server to what the page asked for. The form
  // must be shown first: a link back to the open run before the page left it only applies its
  // panels to the view it has (which was loaded when the run was at step 0).
  await page.goto(`${server.baseUrl}/#/new`);
  await byTestId("new-sim").waitFor();
  await openRun(sim.id);
  // The page reads the record when it opens the run; under load that can take a moment.
  const historyStep = await eventually(async () => Number(await byTestId("sim-view").getAttribute("data-history-step")), (s) => s === end, 30_000);
  assert.equal(historyStep, end);
  const curves = await drawn();
  const expected = await recorded(sim.id, { maxPoints, toStep: end });
  assert.ok(expected.loss.downsampled, `${end} steps are more than ${maxPoints} points`);
  for (const o of ["loss", "accuracy"]) {
    assert.deepEqual(curves[o].steps, expected[o].steps, `${o}: the page draws GetHistory's downsampled steps`);
    assert.deepEqual(curves[o].values, expected[o].values, `${o}: and its values`);
    assert.ok(curves[o].steps.length <= maxPoints + 4, `${curves[o].steps.length} points for ${end} steps`);
  }
  const full = await recorded(sim.id);
  assert.deepEqual(gaps(full.loss.steps), [], `the record holds every step of ${end}`);
  assert.equal(full.loss.steps.length, end);
  for (const extreme of [Math.min(...full.loss.values), Math.max(...full.loss.values)]) {
    assert.ok(curves.loss.values.includes(extreme), `the extreme loss ${extreme} of all ${end} steps is drawn`);
  }
  assert.equal(curves.loss.steps[0], 1);
  assert.equal(lastOf(curves.loss.steps), end);
  // The count beside the chart is refreshed when the chart redraws (throttled), which can come after its series
  // hold the record (CI once read the count still at its initial 0).
  const count = await eventually(() => textOf("loss-points"), (t) => t === String(end), 10_000);
  assert.equal(count, String(end), "the count says how many samples the curve stands for");
  assert.ok(await byTestId("curve-downsampled").isVisible(), "the chart says it is downsampled");
  await client.delete(sim.id);
});

test("a run deleted through the API is shown as gone: deleted, greyed, every control disabled, out of the list", { timeout: 120_000 }, async () => {
  const sim = await client.create({ preset: "mlp-fashion-mnist", name: "ui-test doomed" });
  await openRun(sim.id);
  await byTestId("play-button").click();
  assert.equal(await eventually(() => textOf("sim-state"), (s) => s === "running"), "running");
  const row = page.locator(`[data-testid="sim-item"][data-id="${sim.id}"]`);
  assert.equal(await row.count(), 1, "listed in the sidebar");

  await client.delete(sim.id);
  assert.equal(await eventually(() => textOf("sim-state"), (s) => s === "deleted"), "deleted", "no stale RUNNING");
  assert.equal(await byTestId("sim-view").getAttribute("data-gone"), "true");
  assert.match(await textOf("status-message"), /no longer exists/);
  for (const id of ["play-button", "pause-button", "step-button", "reset-button", "delete-button", "fork-button",
    "steer-lr-button", "steer-prune-button", "run-name-edit", "run-tags-edit", "run-notes-edit", "param-select"]) {
    assert.ok(await byTestId(id).isDisabled(), `${id} is disabled`);
  }
  assert.equal(await eventually(() => row.count(), (n) => n === 0), 0, "dropped from the sidebar");
  mkdirSync(RESULTS, { recursive: true });
  await page.screenshot({ path: resolve(RESULTS, "gone.png"), fullPage: true });

  // Reloaded, or opened from a link: the page says there is no such run.
  await page.reload();
  assert.match(await eventually(() => byTestId("sim-missing").textContent().catch(() => ""), (t) => t !== ""), /no run .* deleted/);
});

test("rename, tag and annotate on the page: GetSimulation reads them back; a refused tag is shown beside the field", { timeout: 120_000 }, async () => {
  const sim = await client.create({ preset: "mlp-fashion-mnist", name: "ui-test unnamed" });
  await client.step(sim.id, 50);
  await openRun(sim.id);

  await byTestId("run-name-edit").click();
  await byTestId("run-name-input").fill("ui-test baseline, lr 0.05");
  await byTestId("run-name-save").click();
  assert.equal(await eventually(async () => (await client.get(sim.id)).spec.name, (n) => n === "ui-test baseline, lr 0.05"),
    "ui-test baseline, lr 0.05");
  assert.equal(await eventually(() => textOf("sim-title"), (t) => t === "ui-test baseline, lr 0.05"), "ui-test baseline, lr 0.05");

  await byTestId("run-tags-edit").click();
  await byTestId("run-tags-input").fill("baseline,  dale , lr sweep");
  await byTestId("run-tags-input").press("Enter");
  assert.deepEqual(await eventually(async () => (await client.get(sim.id)).tags, (t) => t.length === 3), ["baseline", "dale", "lr sweep"]);
  assert.deepEqual(await eventually(() => byTestId("run-tag").allTextContents(), (t) => t.length === 3), ["baseline", "dale", "lr sweep"]);
  const row = page.locator(`[data-testid="sim-item"][data-id="${sim.id}"]`);
  assert.equal(await eventually(() => row.locator(".tag").count(), (n) => n === 3), 3, "the sidebar shows the tags");

  const notes = "SGD at 0.05 on Fashion-MNIST.\nThe baseline for the Dale's-law runs.";
  await byTestId("run-notes-edit").click();
  await byTestId("run-notes-input").fill(notes);
  await byTestId("run-notes-save").click();
  assert.equal(await eventually(async () => (await client.get(sim.id)).notes, (n) => n === notes), notes);
  assert.equal(await eventually(() => byTestId("run-notes").textContent(), (t) => t === notes), notes);

  // A tag over 64 characters: the server refuses, the page says why beside the tags and keeps what was typed.
  const long = "x".repeat(65);
  await byTestId("run-tags-edit").click();
  await byTestId("run-tags-input").fill(`baseline, ${long}`);
  await byTestId("run-tags-save").click();
  const error = await eventually(() => byTestId("run-tags-error").textContent(), (t) => t !== "");
  assert.match(error, /InvalidArgument: each tag must be 1\.\.64 characters/);
  assert.ok(await byTestId("run-tags-error").isVisible());
  assert.equal(await byTestId("run-tags-input").inputValue(), `baseline, ${long}`);
  assert.deepEqual((await client.get(sim.id)).tags, ["baseline", "dale", "lr sweep"], "nothing changed");
  await byTestId("run-tags-cancel").click();
  assert.ok(await byTestId("run-tags-error").isHidden());

  // What the page shows after a reload comes from the server.
  await page.reload();
  await page.locator('[data-testid="sim-view"][data-history-step]').waitFor({ timeout: 30_000 });
  assert.equal(await textOf("sim-title"), "ui-test baseline, lr 0.05");
  assert.deepEqual(await byTestId("run-tag").allTextContents(), ["baseline", "dale", "lr sweep"]);
  assert.equal(await byTestId("run-notes").textContent(), notes);
  assert.equal(await eventually(() => textOf("sim-recorded-step"), (t) => t === "recorded to step 50"), "recorded to step 50");
  assert.equal(await eventually(() => textOf("loss-points"), (t) => t === "50"), "50", "the 50 steps taken before the page opened are drawn");
  mkdirSync(RESULTS, { recursive: true });
  await page.screenshot({ path: resolve(RESULTS, "record.png"), fullPage: true });

  // An empty tag list removes every tag (clear_tags).
  await byTestId("run-tags-edit").click();
  await byTestId("run-tags-input").fill("");
  await byTestId("run-tags-save").click();
  assert.deepEqual(await eventually(async () => (await client.get(sim.id)).tags, (t) => t.length === 0), []);
  await client.delete(sim.id);
});

test("Play on a run paused where its record ends is listed: the page's events are the record's, each once", { timeout: 120_000 }, async () => {
  const sim = await client.create({ preset: "mlp-fashion-mnist", name: "ui-test play where the record ends" });
  await client.step(sim.id, 20);
  await waitForState(sim.id, SimulationState.PAUSED, 60_000);
  await openRun(sim.id);
  const shown = async () => (await byTestId("event").allTextContents()).map((t) => t.replace(/^.*?(step )/, "$1"));
  const before = await eventually(shown, (l) => l.some((t) => t.startsWith("step 20")));
  await byTestId("play-button").click();
  const listed = await eventually(shown, (l) => l.length > before.length && l.some((t) => /step 20.*playing/.test(t)));
  assert.ok(listed.some((t) => /step 20.*playing/.test(t)), `the 'playing' event at step 20 is listed: ${JSON.stringify(listed)}`);
  await byTestId("pause-button").click();
  const paused = await waitForState(sim.id, SimulationState.PAUSED, 60_000);
  // The record's events, each listed once by the page (newest first there): "step S", the state, the message.
  const recorded = await client.events(sim.id);
  const listedNow = await eventually(shown, (l) => l.length >= recorded.length);
  assert.equal(listedNow.length, recorded.length,
    `as many events as the record holds at step ${paused.step}: ${JSON.stringify(listedNow)} vs ${JSON.stringify(recorded)}`);
  const plain = listedNow.map((t) => t.replace(/^step ([\d,]+)/, (_, n) => `step ${n.replace(/,/g, "")}|`));
  for (const e of recorded)
    assert.equal(plain.filter((t) => t.startsWith(`step ${e.step}|`) && t.endsWith(e.message)).length, 1, `${e.step} ${e.message}: ${JSON.stringify(plain)}`);
  await client.delete(sim.id);
});

test("the page raised no uncaught errors", () => {
  assert.deepEqual(pageErrors, []);
});
