// Browser test of the list of runs (run `npm run build` first), against the real server: each
// run shows its state, step, model · rule · task and tags as GetSimulation/ListSimulations say;
// forks nest under their parent (a fork of a fork two deep) in the order of their fork step,
// each saying the step; names are shown whole; the filter keeps matches and their ancestors;
// ticking runs and "Compare" opens their comparison. Leaves test-results/runs.png.

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
let parent;
let early;
let nested;
let late;
let other;

before(async () => {
  ({ server, page, pageErrors, close } = await openBrowser());
  page.setDefaultTimeout(15_000);
  client = new EiscopeClient(server.baseUrl);
  parent = await client.create({
    name: "runs-test a parent run whose name is long enough to need two lines in the list",
    model: { kind: "mlp", params: { hidden: [16] } }, learningRule: { kind: "sgd", params: { learning_rate: 0.05 } },
    task: { kind: "fashion_mnist" }, batchSize: 8, seed: 1,
  });
  await client.updateRun(parent.id, { tags: ["baseline", "dale"] });
  await client.step(parent.id, 30);
  await client.waitForStep(parent.id, 30);
  early = await client.fork(parent.id, { step: 10 });
  await client.step(early.id, 5);
  await client.waitForStep(early.id, 15);
  nested = await client.fork(early.id);
  nested = await client.updateRun(nested.id, { tags: ["nested-probe"] });
  late = await client.fork(parent.id);
  other = await client.create({
    name: "runs-test other", model: { kind: "rnn", params: { hidden: [8] } }, learningRule: { kind: "adam", params: { learning_rate: 0.01 } },
    task: { kind: "perceptual_decision_making" }, batchSize: 8, seed: 2,
  });
});

after(async () => {
  await close?.();
});

const byTestId = (id) => page.locator(`[data-testid="${id}"]`);

/** The list as shown: per row its id, depth, name, kinds, fork text, step, state, tags, whether its name is cut, and its tooltip. */
const rows = () => page.locator('[data-testid="sim-item"]').evaluateAll((items) => items.map((li) => {
  const name = li.querySelector('[data-testid="sim-item-name"]');
  return {
    id: li.dataset.id,
    depth: Number(li.dataset.depth),
    context: li.classList.contains("context"),
    name: name.textContent,
    cut: name.scrollWidth > name.clientWidth || name.scrollHeight > name.clientHeight + 1,
    kinds: li.querySelector('[data-testid="sim-item-kinds"]').textContent,
    fork: li.querySelector('[data-testid="sim-item-fork"]').textContent,
    step: li.querySelector('[data-testid="sim-item-step"]').textContent,
    state: li.querySelector(".badge").textContent,
    tags: [...li.querySelectorAll(".tag")].map((t) => t.textContent),
    title: li.querySelector("a").title,
  };
}));

test("each run shows its state, step, model · rule · task and tags; forks nest under their parent by fork step", { timeout: 60_000 }, async () => {
  await page.goto(`${server.baseUrl}/#/sim/${encodeURIComponent(other.id)}`);
  const shown = await eventually(rows, (r) => r.length === 5 && r.every((x) => x.name !== x.id));
  assert.deepEqual(shown.map((r) => [r.id, r.depth]), [
    [other.id, 0], // the newest root first
    [parent.id, 0],
    [early.id, 1], // forked at step 10
    [nested.id, 2], // a fork of that fork, at 15
    [late.id, 1], // forked at step 30
  ]);
  const sims = new Map((await client.list()).map((s) => [s.id, s]));
  for (const r of shown) {
    const s = sims.get(r.id);
    assert.equal(r.name, s.spec.name, "the whole name");
    assert.equal(r.cut, false, `${r.name}: not cut off`);
    assert.ok(r.title.startsWith(`${s.spec.name}\n${s.id}`), "the tooltip has the full name and id");
    assert.equal(r.kinds, `${s.spec.model.kind} · ${s.learningRule.kind} · ${s.spec.task.kind}`);
    assert.equal(r.step, `step ${Number(s.step)}`);
    assert.equal(r.state, SimulationState[s.state].toLowerCase());
    assert.deepEqual(r.tags, s.tags);
  }
  const byId = new Map(shown.map((r) => [r.id, r]));
  assert.equal(sims.get(early.id).spec.name, `${parent.spec.name} · fork @ step 10`, "the server names a fork after its parent and step");
  assert.equal(byId.get(early.id).fork, "↳ fork @ step 10");
  assert.equal(byId.get(nested.id).fork, "↳ fork @ step 15");
  assert.equal(byId.get(late.id).fork, "↳ fork @ step 30");
  assert.equal(byId.get(parent.id).fork, "");
  mkdirSync(RESULTS, { recursive: true });
  await page.screenshot({ path: resolve(RESULTS, "runs.png") });
});

test("the filter keeps the runs whose name, kinds or tags match, and the runs they were forked from", { timeout: 30_000 }, async () => {
  const filter = byTestId("sim-filter");
  await filter.fill("rnn adam");
  assert.deepEqual((await eventually(rows, (r) => r.length === 1)).map((r) => r.id), [other.id], "model and rule words");
  await filter.fill("dale");
  assert.deepEqual((await eventually(rows, (r) => r.length === 1)).map((r) => r.id), [parent.id], "a tag");
  // A word no other run holds (a step number may be in a random id): a tag of the nested fork.
  await filter.fill("nested-probe");
  const shown = await eventually(rows, (r) => r.length === 3);
  assert.deepEqual(shown.map((r) => [r.id, r.context]), [[parent.id, true], [early.id, true], [nested.id, false]],
    "the match, under its ancestors (shown as context)");
  await filter.fill("no such run");
  assert.equal((await eventually(rows, (r) => r.length === 0)).length, 0);
  assert.equal(await byTestId("sim-list-empty").textContent(), "No run matches the filter.");
  await filter.fill("");
  assert.equal((await eventually(rows, (r) => r.length === 5)).length, 5);
});

test("ticking runs and pressing Compare opens their comparison", { timeout: 30_000 }, async () => {
  for (const id of [late.id, other.id]) {
    await page.locator(`[data-testid="sim-item"][data-id="${id}"] [data-testid="sim-select"]`).check();
  }
  assert.equal(await byTestId("selection-count").textContent(), "2 runs selected");
  await byTestId("compare-button").click();
  await byTestId("compare-view").waitFor();
  assert.equal(new URL(page.url()).hash, `#/compare?runs=${other.id},${late.id}`, "in the list's order");
  const names = await eventually(() => page.locator('[data-testid="compare-run-name"]').allTextContents(), (n) => n.length === 2 && n[0] !== other.id);
  assert.deepEqual(names, [other.spec.name, late.spec.name]);
  // Unticking one takes it out of the comparison.
  await page.locator(`[data-testid="sim-item"][data-id="${other.id}"] [data-testid="sim-select"]`).uncheck();
  await eventually(() => page.url(), (u) => !u.includes(other.id));
  assert.equal(new URL(page.url()).hash.split("&")[0], `#/compare?runs=${late.id}`);
  assert.equal(await eventually(() => page.locator('[data-testid="compare-run"]').count(), (n) => n === 1), 1);
});

test("in a 1,280 px window the run view and the comparison fit, nothing cut off at the right", { timeout: 60_000 }, async () => {
  await page.setViewportSize({ width: 1280, height: 900 });
  const fits = () => page.evaluate(() => ({ page: document.documentElement.scrollWidth, window: window.innerWidth }));
  await page.goto(`${server.baseUrl}/#/sim/${encodeURIComponent(parent.id)}`);
  await page.locator('[data-testid="sim-view"][data-history-step]').waitFor();
  // With the longest messages the steering row can show.
  await byTestId("step-count").fill("-5");
  await byTestId("step-button").click();
  await byTestId("steer-prune").fill("150");
  await byTestId("steer-prune-button").click();
  let w = await fits();
  assert.ok(w.page <= w.window, `run view: ${w.page} px in a ${w.window} px window`);
  await page.goto(`${server.baseUrl}/#/compare?runs=${parent.id},${early.id},${nested.id},${late.id},${other.id}`);
  await eventually(() => page.locator('[data-testid="compare-run"]').count(), (n) => n === 5);
  w = await fits();
  assert.ok(w.page <= w.window, `comparison: ${w.page} px in a ${w.window} px window`);
  await page.setViewportSize({ width: 1440, height: 1000 });
});

test("the page raised no uncaught errors", () => {
  assert.deepEqual(pageErrors, []);
});
