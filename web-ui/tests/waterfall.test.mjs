// Browser test of the spectrum over time (run `npm run build` first): a column-E/I RNN that
// checkpoints every 20 steps, stepped to 60, opens its spectrum panel on rnn0; the waterfall's
// rows are step 0 and each kept checkpoint, each row the singular values Measure gives at that
// step through the SDK, value for value; played on, rows are added at the panel's cadence, and a
// step chosen with the scrubber adds its row, each again equal to Measure there; the NSE,
// spectral-radius and effective-rank curves are the run record's (GetHistory), also after a
// reload. Leaves test-results/waterfall.png.

import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import { after, before, test } from "node:test";
import { EiscopeClient } from "@eiscope/client";
import { eventually, openBrowser, RESULTS } from "./browser.mjs";

const SCALARS = ["nse", "spectral_radius", "effective_rank_entropy", "effective_rank_participation"];

let server;
let page;
let pageErrors;
let close;
let client;
let sim;

before(async () => {
  ({ server, page, pageErrors, close } = await openBrowser());
  client = new EiscopeClient(server.baseUrl);
});

after(async () => {
  for (const line of server?.output().split("\n") ?? []) if (/SEVERE|Exception/.test(line)) console.log(`server: ${line}`);
  await close?.();
});

const byTestId = (id) => page.locator(`[data-testid="${id}"]`);
const rowsDrawn = () => byTestId("waterfall-canvas").evaluate((c) => c.eiscopeData());

/** Measure's singular values of rnn0 at `step`, through the SDK. */
async function singularValues(step) {
  const frames = await client.measure(sim.id, ["singular_values"], { layers: ["rnn0"], step });
  const f = frames.find((x) => x.layer === "rnn0" && x.observable === "singular_values");
  assert.equal(f.step, step);
  return [...f.payload.tensor.data];
}

/** Each row drawn equals Measure at its step. */
async function assertRowsAreMeasured(d) {
  for (const [k, step] of d.steps.entries()) assert.deepEqual(d.rows[k], await singularValues(step), `the row of step ${step}`);
}

async function openSpectrum() {
  await page.locator(`[data-testid="sim-view"][data-id="${sim.id}"]`).waitFor();
  if ((await byTestId("spectrum-panel").getAttribute("data-open")) !== "true") await byTestId("spectrum-toggle").click();
  await page.locator('[data-testid="spectrum-history"][data-loaded]').waitFor({ timeout: 60_000 });
}

test("opened late, the waterfall holds step 0 and each checkpoint, each row Measure's singular values there", { timeout: 180_000 }, async () => {
  sim = await client.create({
    name: "ui-test waterfall",
    model: { kind: "column_ei_rnn", params: { hidden: [60] } },
    learningRule: { kind: "sgd", params: { learning_rate: 0.01 } },
    task: { kind: "perceptual_decision_making" },
    batchSize: 16,
    seed: 4,
    checkpoints: { everySteps: 20 },
  });
  await client.step(sim.id, 60);
  sim = await client.waitForStep(sim.id, 60, { timeoutMs: 120_000 });
  // Checkpoints are written behind the training thread: wait for the one at step 60.
  const checkpointed = await eventually(() => client.checkpoints(sim.id), (cs) => cs.some((c) => Number(c.step) === 60), 30_000);
  const kept = checkpointed.map((c) => c.step);
  await page.goto(`${server.baseUrl}/#/sim/${encodeURIComponent(sim.id)}`);
  await openSpectrum();
  assert.equal(await byTestId("spectrum-target").inputValue(), "rnn0");
  const d = await eventually(rowsDrawn, (x) => x.steps.includes(60), 30_000);
  const expected = [...new Set([0, ...kept, 60])].sort((a, b) => a - b);
  assert.deepEqual(d.steps, expected, `rows: step 0, the checkpoints kept (${kept}) and the present`);
  assert.equal(d.rows[0].length, 60, "60 singular values a row");
  await assertRowsAreMeasured(d);
  assert.match(await byTestId("waterfall-status").textContent(), /step 0, the \d+ checkpoints? kept/);
});

test("played on, rows come at the panel's cadence; a scrubbed step adds its row; every row is Measure's", { timeout: 180_000 }, async () => {
  await byTestId("spectrum-every").selectOption("20");
  // The panel measures only what its watch asks for, and reopens the watch at the cadence once
  // the run plays: a burst of steps ending before that (CI once ran 60 -> 140 in the gap) leaves
  // no rows. So the run plays until that watch drew three rows, then pauses.
  await client.play(sim.id);
  await eventually(() => byTestId("spectrum-panel").getAttribute("data-every-steps"), (v) => v === "20", 30_000);
  const cadencesDrawn = () => byTestId("spectrum-history").evaluate((el) => el.eiscopeRowCadences());
  await eventually(cadencesDrawn, (rows) => rows.filter((r) => r.everySteps === 20).length >= 3, 60_000);
  await client.pause(sim.id);
  sim = await client.get(sim.id);
  const paused = Number(sim.step);
  let d = await eventually(rowsDrawn, (x) => x.steps.at(-1) === paused, 30_000);
  // A row may come from the watch opened while paused (any step) in the moment before the page
  // hears the run started, and the watch at the cadence is measured for at once when it opens;
  // every row it measured after that is at a multiple of 20.
  const cadences = await cadencesDrawn();
  assert.deepEqual(cadences.map((r) => r.step), d.steps, "a cadence for each row drawn");
  const atCadence = cadences.filter((r) => r.everySteps === 20).map((r) => r.step);
  // The first is measured as the watch opens: at the step where play found the run (60) when
  // the page heard of it before the run's first step, or later.
  assert.ok(atCadence.length >= 3 && atCadence[0] >= 60, `rows the cadence's watch measured: ${atCadence}`);
  assert.ok(
    atCadence.slice(1).every((s) => s % 20 === 0),
    `rows of the watch every 20 steps, after the one measured as it opened, at multiples of 20: ${atCadence}`,
  );
  await byTestId("scrub-step").fill("75");
  await byTestId("scrub-step").press("Enter");
  await eventually(() => byTestId("scrubber").getAttribute("data-shown-step"), (s) => s === "75", 60_000);
  d = await eventually(rowsDrawn, (x) => x.steps.includes(75), 20_000);
  assert.deepEqual(
    d.steps,
    [...d.steps].sort((a, b) => a - b),
    "oldest at the top, newest at the bottom",
  );
  await assertRowsAreMeasured(d);
  await byTestId("scrub-live").click();
  // Hovering a cell says its step, index and value.
  const box = await byTestId("waterfall-canvas").boundingBox();
  await byTestId("waterfall-canvas").scrollIntoViewIfNeeded();
  const b = await byTestId("waterfall-canvas").boundingBox();
  await page.mouse.move(b.x + b.width / 2, b.y + 20);
  const hover = await eventually(() => byTestId("waterfall-hover").evaluate((el) => ({ ...el.dataset })), (h) => h.step, 5_000);
  const row = d.steps.indexOf(Number(hover.step));
  assert.ok(row >= 0, `a row's step: ${hover.step}`);
  assert.equal(Number(hover.value), d.rows[row][Number(hover.index) - 1]);
  assert.ok(box.height > 200);
});

test("the NSE, spectral radius and effective ranks are the run record's curves, also after a reload", { timeout: 120_000 }, async () => {
  const history = await client.history(sim.id, { observables: SCALARS, layers: ["rnn0"] });
  const recorded = Object.fromEntries(history.series.filter((s) => s.layer === "rnn0").map((s) => [s.observable, s]));
  for (const o of SCALARS) assert.ok(recorded[o]?.steps.length >= 3, `${o} recorded while the panel watched: ${recorded[o]?.steps}`);
  await page.reload();
  await openSpectrum();
  const curves = async () => {
    const [a, b] = await Promise.all([0, 1].map((i) => byTestId(`spectral-curves-${i}`).evaluate((el) => el.eiscopeCurves())));
    return { ...a, ...b };
  };
  const c = await eventually(curves, (x) => SCALARS.every((o) => x[o]?.steps.length >= recorded[o].steps.length), 20_000);
  for (const o of SCALARS) {
    const n = recorded[o].steps.length;
    assert.deepEqual(c[o].steps.slice(0, n), [...recorded[o].steps], `${o}: the record's steps`);
    assert.deepEqual(c[o].values.slice(0, n), [...recorded[o].values], `${o}: the record's values`);
  }
  mkdirSync(RESULTS, { recursive: true });
  await byTestId("spectrum-panel").screenshot({ path: resolve(RESULTS, "waterfall.png") });
  assert.deepEqual(pageErrors, []);
});
