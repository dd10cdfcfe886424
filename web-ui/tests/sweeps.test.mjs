// Browser test of sweeps in the page (run `npm run build` first), against the real server: a
// sweep made through the SDK is listed in the sidebar with its progress; its view shows the
// server's results (GetSweepResults, read here through the SDK: never the page's code) per group
// of seeds and per run, links each run, and opens all its runs as one comparison; Pause, Resume
// and Cancel act on the sweep, and are enabled only where they apply. Leaves test-results/sweep.png.

import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import { after, before, test } from "node:test";
import { EiscopeClient, integerValue, SweepState } from "@eiscope/client";
import { eventually, openBrowser, RESULTS } from "./browser.mjs";

let server;
let page;
let pageErrors;
let close;
let client;

before(async () => {
  ({ server, page, pageErrors, close } = await openBrowser());
  page.setDefaultTimeout(15_000);
  client = new EiscopeClient(server.baseUrl);
});

after(async () => {
  await close?.();
});

const byTestId = (id) => page.locator(`[data-testid="${id}"]`);

/** The base spec, as what a message's create() takes (createSweep makes the message). */
function spec(stepBudget) {
  return {
    model: { kind: "point_neuron" },
    learningRule: { kind: "sgd", params: { learning_rate: { kind: { case: "number", value: 0.05 } } } },
    task: { kind: "r_of_k", params: { inputs: integerValue(200), train_size: integerValue(1000), held_out_size: integerValue(200) } },
    batchSize: 50,
    evalEverySteps: 50,
    stepBudget: BigInt(stepBudget),
  };
}

test("a finished sweep: listed with its progress, its results are the server's, its runs open as one comparison", { timeout: 180_000 }, async () => {
  const sweep = await client.createSweep({
    name: "browser lr sweep",
    spec: spec(100),
    grid: { "learning_rule.learning_rate": [0.02, 0.2], seed: [integerValue(1), integerValue(2)] },
    concurrency: 2,
  });
  const ended = await eventually(() => client.sweep(sweep.id), (x) => x.state === SweepState.DONE, 120_000);
  assert.equal(ended.state, SweepState.DONE, "the sweep ended");
  const want = await client.sweepResults(sweep.id, ["loss", "accuracy"]);

  await page.goto(`${server.baseUrl}/#/`);
  const item = page.locator(`[data-testid="sweep-item"][data-id="${sweep.id}"]`);
  assert.equal(await eventually(() => item.locator('[data-testid="sweep-item-progress"]').textContent(), (t) => t === "4/4 done"), "4/4 done");
  await item.locator("a").click();
  await byTestId("sweep-view").waitFor();
  assert.equal(new URL(page.url()).hash, `#/sweep/${sweep.id}`);
  assert.equal(await eventually(() => byTestId("sweep-state").textContent(), (t) => t === "done"), "done");
  assert.equal(await byTestId("sweep-name").textContent(), "browser lr sweep");

  // One row per group of seeds, in the server's order, each metric's mean and standard error as the server computed them.
  const groups = page.locator('[data-testid="sweep-group"]');
  assert.equal(await eventually(() => groups.count(), (n) => n === 2), 2, "two learning rates, two seeds each");
  for (const [i, g] of want.groups.entries()) {
    const row = groups.nth(i);
    assert.match(await row.locator("td").first().textContent(), new RegExp(`learning_rule\\.learning_rate=${[0.02, 0.2][i]}`));
    for (const name of ["loss", "accuracy"]) {
      const m = g.metrics.find((x) => x.name === name);
      for (const [kind, mean, se] of [["final", m.finalMean, m.finalStderr], ["best", m.bestMean, m.bestStderr]]) {
        const cell = row.locator(`[data-testid="sweep-${name}-${kind}"]`);
        assert.equal(Number(await cell.getAttribute("data-mean")), mean, `group ${i} ${name} ${kind} mean`);
        assert.equal(Number(await cell.getAttribute("data-stderr")), se, `group ${i} ${name} ${kind} s.e.`);
        assert.ok(Number.isFinite(se) && se >= 0, "two seeds give a standard error");
      }
    }
  }
  // One row per run, linked, with its final values.
  const rows = page.locator('[data-testid="sweep-run"]');
  assert.equal(await rows.count(), 4);
  for (const [i, r] of want.runs.entries()) {
    const row = rows.nth(i);
    assert.equal(await row.getAttribute("data-run-id"), r.run.runId);
    assert.equal(await row.locator(`a[href="#/sim/${r.run.runId}"]`).count(), 1, "the run is linked");
    const loss = r.metrics.find((x) => x.name === "loss").final;
    assert.equal(Number(await row.locator("td[data-value]").first().getAttribute("data-value")), loss, `run ${i}: its final loss`);
  }
  mkdirSync(RESULTS, { recursive: true });
  await page.screenshot({ path: resolve(RESULTS, "sweep.png"), fullPage: true });
  assert.equal(await byTestId("sweep-pause").isDisabled(), true, "a finished sweep cannot be paused");
  assert.equal(await byTestId("sweep-cancel").isDisabled(), true, "nor cancelled");

  await byTestId("sweep-compare").click();
  await byTestId("compare-view").waitFor();
  const ids = want.runs.map((r) => r.run.runId);
  assert.equal(new URL(page.url()).hash, `#/compare?runs=${ids.join(",")}`, "all its runs, in the sweep's order");
  assert.equal(await eventually(() => page.locator('[data-testid="compare-run"]').count(), (n) => n === 4), 4);
});

test("Pause, Resume and Cancel from the page act on a playing sweep", { timeout: 120_000 }, async () => {
  const sweep = await client.createSweep({ name: "browser long sweep", spec: spec(10_000_000), grid: { seed: [integerValue(1), integerValue(2), integerValue(3)] }, concurrency: 1 });
  assert.equal((await eventually(() => client.sweep(sweep.id), (x) => x.playingRuns === 1, 60_000)).playingRuns, 1, "a run plays");
  await page.goto(`${server.baseUrl}/#/sweep/${sweep.id}`);
  await eventually(() => byTestId("sweep-state").textContent(), (t) => t === "running");
  await byTestId("sweep-pause").click();
  assert.equal(await eventually(async () => (await client.sweep(sweep.id)).state, (s) => s === SweepState.PAUSED), SweepState.PAUSED, "paused on the server");
  assert.equal(await eventually(() => byTestId("sweep-resume").isDisabled(), (d) => d === false), false, "Resume is offered");
  await byTestId("sweep-resume").click();
  assert.equal(await eventually(async () => (await client.sweep(sweep.id)).state, (s) => s === SweepState.RUNNING), SweepState.RUNNING, "running again");
  await eventually(() => byTestId("sweep-cancel").isDisabled(), (d) => d === false);
  await byTestId("sweep-cancel").click();
  assert.equal(await eventually(async () => (await client.sweep(sweep.id)).state, (s) => s === SweepState.CANCELLED), SweepState.CANCELLED, "cancelled on the server");
  assert.equal(await eventually(() => byTestId("sweep-state").textContent(), (t) => t === "cancelled"), "cancelled");
  const s = await client.sweep(sweep.id);
  assert.equal(s.playingRuns, 0, "its playing run was paused");
});

test("a paper's grid starts from the New simulation page, cut to one seed and 2 steps a run", { timeout: 120_000 }, async () => {
  await page.goto(`${server.baseUrl}/#/new`);
  const name = "liu2024-rich-lazy";
  await byTestId(`sweep-preset-start-${name}`).waitFor();
  assert.equal(await byTestId(`sweep-preset-seeds-${name}`).inputValue(), "2, 3, 4", "the grid's own seeds");
  assert.match(await byTestId(`sweep-preset-runs-${name}`).textContent(), /^12 runs$/);
  const before = (await client.sweeps()).length;
  // A bad seed is refused in the page, and nothing is made.
  await byTestId(`sweep-preset-seeds-${name}`).fill("2, 1.5");
  await byTestId(`sweep-preset-start-${name}`).click();
  assert.match(await byTestId(`sweep-preset-error-${name}`).textContent(), /"1\.5" is not one/);
  assert.equal((await client.sweeps()).length, before, "nothing was made");

  await byTestId(`sweep-preset-seeds-${name}`).fill("2");
  assert.match(await byTestId(`sweep-preset-runs-${name}`).textContent(), /^4 runs$/, "the count follows the seeds");
  await byTestId(`sweep-preset-steps-${name}`).fill("2");
  await byTestId(`sweep-preset-start-${name}`).click();
  const hash = await eventually(() => new URL(page.url()).hash, (x) => x.startsWith("#/sweep/"), 15_000);
  const id = decodeURIComponent(hash.slice("#/sweep/".length));
  const done = await eventually(() => client.sweep(id), (x) => x.state === SweepState.DONE, 90_000);
  assert.equal(done.totalRuns, 4);
  for (const r of done.runs) {
    const sim = await client.get(r.runId);
    assert.equal(Number(sim.step), 2);
    assert.equal(Number(sim.spec.seed), 2);
  }
  assert.equal(await eventually(() => byTestId("sweep-state").textContent(), (t) => t === "done"), "done");
});

test("an unknown sweep says so", async () => {
  await page.goto(`${server.baseUrl}/#/sweep/no-such-sweep`);
  assert.match(await eventually(() => byTestId("sweep-error").textContent(), (t) => t !== ""), /not.?found|no sweep/i);
});

test("the page raised no uncaught errors", () => {
  assert.deepEqual(pageErrors, []);
});
