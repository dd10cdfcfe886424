// Browser test of a comparison's extras (run `npm run build` first), against the real server:
// a per-layer scalar of three runs, chosen with its layer, is each run's GetHistory of that
// scalar and layer, point for point, and the address keeps scalar and layer across a reload;
// the wall-time axis draws each point at its recorded wall time (seconds since the curve's
// first point, from GetHistory's wall_time_unix_nanos); the overlay's CSV has a column per run,
// aligned by step, equal to GetHistory; and the list groups runs by the preset group they were
// created from, a group's "compare" opening its runs. Leaves test-results/compare-layer.png.

import assert from "node:assert/strict";
import { mkdirSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { after, before, test } from "node:test";
import { commands, EiscopeClient } from "@eiscope/client";
import { eventually, openBrowser, RESULTS } from "./browser.mjs";

const LAYER_SCALAR = "weight_change";

let server;
let page;
let pageErrors;
let close;
let client;
const runs = [];

before(async () => {
  ({ server, page, pageErrors, close } = await openBrowser());
  page.setDefaultTimeout(20_000);
  mkdirSync(RESULTS, { recursive: true });
  client = new EiscopeClient(server.baseUrl);
  for (const [i, rate] of [0.01, 0.05, 0.2].entries()) {
    const sim = await client.create({
      name: `layer-scalar-${i}`,
      model: { kind: "mlp", params: { hidden: [16] } },
      learningRule: { kind: "sgd", params: { learning_rate: rate } },
      task: { kind: "fashion_mnist" },
      batchSize: 16,
      seed: 10 + i,
    });
    // A per-layer scalar is recorded while it is measured: a watchpoint that never fires measures
    // it at every step (layer0.W), and so records it.
    await client.apply(sim.id, commands.watchpoint("record", LAYER_SCALAR, "above", 1e9, { layer: "layer0.W", everySteps: 1 }));
    await client.step(sim.id, 15 + 5 * i);
    runs.push(sim);
  }
  for (const [i, sim] of runs.entries()) await client.waitForStep(sim.id, 15 + 5 * i);
});

after(async () => {
  await close?.();
});

const byTestId = (id) => page.locator(`[data-testid="${id}"]`);
const drawn = () => byTestId("compare-chart").evaluate((el) => el.eiscopeCurves());
const ids = () => runs.map((r) => r.id);

async function recorded(id, observable, layer = "") {
  const h = await client.history(id, { observables: [observable], layers: layer ? [layer] : [] });
  const s = h.series.find((x) => x.observable === observable && x.layer === layer);
  return { steps: [...s.steps], values: [...s.values], times: [...s.wallTimeNanos].map((t) => Number(t) / 1e9) };
}

test("a per-layer scalar of three runs, chosen with its layer, is each run's GetHistory of that layer", { timeout: 90_000 }, async () => {
  await page.goto(`${server.baseUrl}/#/compare?runs=${ids().join(",")}`);
  await byTestId("compare-view").waitFor();
  await byTestId("compare-y").selectOption(LAYER_SCALAR);
  // The layer is one the records hold the scalar for: here only layer0.W.
  await page.locator('[data-testid="compare-view"][data-layer="layer0.W"]').waitFor();
  assert.deepEqual(await byTestId("compare-layer").evaluate((s) => [...s.options].map((o) => o.value)), ["layer0.W"]);
  for (const [i, sim] of runs.entries()) {
    const want = await recorded(sim.id, LAYER_SCALAR, "layer0.W");
    assert.equal(want.steps.length, 15 + 5 * i, "measured and recorded at every step");
    const got = await eventually(drawn, (d) => d[sim.id]?.steps.length === want.steps.length);
    assert.deepEqual(got[sim.id].steps, want.steps, `${sim.id}: steps`);
    assert.deepEqual(got[sim.id].values, want.values, `${sim.id}: values`);
  }
  assert.match(await byTestId("compare-title").textContent(), /weight change of layer0\.W/);
  const hash = await page.evaluate(() => location.hash);
  assert.match(hash, new RegExp(`y=${LAYER_SCALAR}&.*layer=layer0\\.W`));
  await page.reload();
  await page.locator('[data-testid="compare-view"][data-layer="layer0.W"]').waitFor();
  assert.equal(await byTestId("compare-y").inputValue(), LAYER_SCALAR, "the address kept the scalar");
  const again = await eventually(drawn, (d) => runs.every((r) => d[r.id]?.steps.length > 0));
  assert.deepEqual(again[runs[0].id].values, (await recorded(runs[0].id, LAYER_SCALAR, "layer0.W")).values);
  await page.screenshot({ path: resolve(RESULTS, "compare-layer.png") });
});

test("a scalar no run has recorded says so, and how it gets recorded", { timeout: 60_000 }, async () => {
  await page.goto(`${server.baseUrl}/#/compare?runs=${ids().join(",")}&y=nse`);
  await byTestId("compare-view").waitFor();
  await eventually(() => byTestId("compare-layer-note").textContent(), (t) => t !== "");
  assert.match(await byTestId("compare-layer-note").textContent(), /no run has nse recorded yet: .* recorded while it is measured/);
  assert.ok(await byTestId("compare-layer").isDisabled());
});

test("the wall-time axis draws each point at its recorded time since the curve's first point", { timeout: 60_000 }, async () => {
  await page.goto(`${server.baseUrl}/#/compare?runs=${ids().join(",")}&y=loss&smooth=0`);
  await byTestId("compare-view").waitFor();
  await eventually(drawn, (d) => runs.every((r, i) => d[r.id]?.steps.length === 15 + 5 * i));
  await byTestId("compare-x").selectOption("time");
  await page.locator('[data-testid="compare-chart"][data-x="time"]').waitFor();
  const got = await drawn();
  for (const sim of runs) {
    const want = await recorded(sim.id, "loss");
    assert.deepEqual(got[sim.id].steps, want.steps);
    const xs = want.times.map((t) => t - want.times[0]);
    assert.equal(got[sim.id].xs.length, xs.length);
    got[sim.id].xs.forEach((x, i) => assert.ok(Math.abs(x - xs[i]) < 1e-6, `${sim.id} point ${i}: ${x} s, recorded ${xs[i]} s`));
    assert.ok(xs.at(-1) > 0, "time goes on");
  }
  assert.match(await page.evaluate(() => location.hash), /x=time/);
  await page.reload();
  await page.locator('[data-testid="compare-chart"][data-x="time"]').waitFor();
  assert.equal(await byTestId("compare-x").inputValue(), "time", "a reload keeps the time axis");
});

test("the overlay's CSV has a column per run, aligned by step, equal to each run's GetHistory", { timeout: 60_000 }, async () => {
  await page.goto(`${server.baseUrl}/#/compare?runs=${ids().join(",")}&y=loss&x=step`);
  await eventually(drawn, (d) => runs.every((r, i) => d[r.id]?.steps.length === 15 + 5 * i));
  const [d] = await Promise.all([page.waitForEvent("download"), byTestId("compare-export-csv").click()]);
  assert.equal(d.suggestedFilename(), "compare-loss.csv");
  const [header, ...rows] = readFileSync(await d.path(), "utf8").trim().split("\n");
  assert.deepEqual(header.split(","), ["step", ...runs.map((r) => `${r.spec.name} (${r.id})`)]);
  assert.equal(rows.length, 25, "steps 1 to 25: the longest run");
  const want = await Promise.all(runs.map((r) => recorded(r.id, "loss")));
  for (const row of rows) {
    const [step, ...cells] = row.split(",");
    cells.forEach((c, k) => {
      const i = want[k].steps.indexOf(Number(step));
      assert.equal(c === "" ? undefined : Number(c), i < 0 ? undefined : want[k].values[i], `run ${k} at step ${step}`);
    });
  }
});

test("the overlay's SVG parses, with one polyline per run", { timeout: 60_000 }, async () => {
  const [d] = await Promise.all([page.waitForEvent("download"), byTestId("compare-export-svg").click()]);
  const lines = await page.evaluate((text) => {
    const doc = new DOMParser().parseFromString(text, "image/svg+xml");
    if (doc.querySelector("parsererror")) return "parse error";
    return [...doc.querySelectorAll("polyline")].map((p) => [p.querySelector("title").textContent, p.getAttribute("points").trim().split(/\s+/).length]);
  }, readFileSync(await d.path(), "utf8"));
  assert.deepEqual(lines, runs.map((r, i) => [`${r.spec.name} (${r.id})`, 15 + 5 * i]));
});

test("the list groups runs by the preset group they were created from; a group's compare opens them", { timeout: 60_000 }, async () => {
  const cat = await client.catalogue();
  const group = cat.presets.find((p) => p.name === "geometry-2-norm").group;
  const members = cat.presets.filter((p) => p.group === group).map((p) => p.name);
  const made = [];
  for (const name of members.slice(0, 2)) made.push(await client.create({ preset: name }));
  await page.goto(`${server.baseUrl}/#/sim/${runs[0].id}`);
  await page.locator(`[data-testid="sim-view"][data-id="${runs[0].id}"]`).waitFor();
  if (!(await byTestId("sim-group-toggle").isChecked())) await byTestId("sim-group-toggle").check();
  const list = () =>
    byTestId("sim-list").evaluate((ul) =>
      [...ul.children].map((li) => (li.dataset.testid === "sim-group" ? `# ${li.dataset.group}` : li.dataset.id)),
    );
  const shown = await eventually(list, (l) => l.includes(`# ${group}`) && l.includes(made[1].id));
  const at = shown.indexOf(`# ${group}`);
  assert.deepEqual(shown.slice(at + 1, at + 3).sort(), made.map((m) => m.id).sort(), "the group's runs under its heading");
  assert.equal(shown.at(-4), "# ", "runs of no preset come last, under their own heading");
  assert.deepEqual(shown.slice(-3).sort(), ids().sort());
  await page.locator(`[data-testid="sim-group"][data-group="${group}"] [data-testid="sim-group-compare"]`).click();
  await page.locator('[data-testid="compare-view"]').waitFor();
  assert.deepEqual((await byTestId("compare-view").getAttribute("data-runs")).split(",").sort(), made.map((m) => m.id).sort());
  await byTestId("sim-group-toggle").uncheck(); // leave the list as the other tests expect it
});

test("the page raised no uncaught errors", () => {
  assert.deepEqual(pageErrors, []);
});
