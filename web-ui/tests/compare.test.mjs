// Browser test of comparisons (run `npm run build` first), against the real server: a preset
// group's "Create all" creates every run of the group and opens them as one comparison; the
// overlaid curves are each run's GetHistory, drawn from the record and continued live, and
// again after a reload of the deep link, which keeps the scalar, smoothing and log scale;
// smoothing is TensorBoard's debiased EMA of those values; a fork's curve is its parent's up to
// the fork step, then its own; a command is marked at its step in its run's colour. Expected
// values come from the SDK, never from the page's code. Leaves test-results/compare.png.

import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import { after, before, test } from "node:test";
import { commands, EiscopeClient } from "@eiscope/client";
import { eventually, openBrowser, RESULTS } from "./browser.mjs";

const GROUP = "Mirror-descent geometry test";

let server;
let page;
let pageErrors;
let close;
let client;
/** The group's runs, in the order of its presets. */
let runs = [];

before(async () => {
  ({ server, page, pageErrors, close } = await openBrowser());
  page.setDefaultTimeout(15_000);
  client = new EiscopeClient(server.baseUrl);
});

after(async () => {
  await close?.();
});

const byTestId = (id) => page.locator(`[data-testid="${id}"]`);

/** What the chart draws, by run id: { steps, values, smoothed, inherited, color }. */
const drawn = () => byTestId("compare-chart").evaluate((el) => el.eiscopeCurves());

/** GetHistory of one scalar, every point: { steps, values }. */
async function recorded(id, observable = "loss", toStep = 0) {
  const { series } = await client.history(id, { observables: [observable], toStep });
  const s = series.find((x) => x.layer === "" && x.observable === observable);
  return { steps: s ? [...s.steps] : [], values: s ? [...s.values] : [] };
}

/** TensorBoard's smoothing, written here from its definition (not the page's code). */
function tensorBoardSmoothing(values, weight) {
  let last = 0;
  let n = 0;
  return values.map((v) => {
    last = last * weight + (1 - weight) * v;
    n++;
    return last / (1 - weight ** n);
  });
}

const sameCurve = (got, want) => got !== undefined && got.steps.length === want.steps.length && got.steps.at(-1) === want.steps.at(-1);

test(`"Create all" of a preset group creates every run and opens them as one comparison`, { timeout: 60_000 }, async () => {
  const { presets } = await client.catalogue();
  const members = presets.filter((p) => p.group === GROUP);
  assert.equal(members.length, 3, "the group compares three geometries");
  const before = new Set((await client.list()).map((s) => s.id));
  await page.goto(`${server.baseUrl}/#/new`);
  await byTestId("preset-group").filter({ hasText: GROUP }).locator('[data-testid="preset-create-group"]').click();
  await byTestId("compare-view").waitFor();
  const created = (await client.list()).filter((s) => !before.has(s.id));
  assert.deepEqual(created.map((s) => s.preset).sort(), members.map((p) => p.name).sort(), "one run per preset of the group");
  runs = members.map((p) => created.find((s) => s.preset === p.name));
  const url = new URL(page.url());
  assert.equal(url.hash, `#/compare?runs=${runs.map((s) => s.id).join(",")}`, "the address holds the comparison");
  const rows = await eventually(() => page.locator('[data-testid="compare-run-name"]').allTextContents(), (n) => n.length === 3 && n.every((t) => !t.startsWith("sim-")));
  assert.deepEqual(rows, runs.map((s) => s.spec.name), "each run in the legend by name, in the group's order");
  const colors = await page.locator('[data-testid="compare-run"] .swatch').evaluateAll((els) => els.map((e) => e.dataset.color));
  assert.equal(new Set(colors).size, 3, "a colour per run");
});

test("three runs' loss curves are their records, drawn live as they train", { timeout: 90_000 }, async () => {
  for (const s of runs) await client.step(s.id, 60);
  for (const s of runs) await client.waitForStep(s.id, 60);
  for (const s of runs) {
    const want = await recorded(s.id);
    assert.equal(want.steps.length, 60, "the record has every step");
    const got = (await eventually(drawn, (d) => sameCurve(d[s.id], want), 20_000))[s.id];
    assert.deepEqual(got.steps, want.steps, `${s.spec.name}: steps 1..60`);
    assert.deepEqual(got.values, want.values, `${s.spec.name}: the recorded values`);
    assert.equal(got.inherited, 0);
  }
  assert.match(await byTestId("compare-title").textContent(), /Comparing 3 runs · loss/);
});

test("each run's line is drawn through its points, in its colour, and nothing is drawn where no run is", { timeout: 60_000 }, async () => {
  await byTestId("compare-smoothing").evaluate((el) => {
    el.value = "0";
    el.dispatchEvent(new Event("input", { bubbles: true }));
  });
  const layer = byTestId("compare-chart").locator('[data-testid="line-layer"]');
  await eventually(() => byTestId("compare-chart").evaluate((el) => Object.values(el.eiscopeCurves()).every((c) => c.smoothed.length === 0)), (x) => x);
  const before = Number(await layer.getAttribute("data-pictures"));
  await byTestId("compare-chart").evaluate((el) => window.dispatchEvent(new Event("resize")) || el);
  assert.equal(await eventually(() => layer.getAttribute("data-lines"), (n) => n === "3"), "3", "one line a run, no smoothed ones");
  const colors = await page.locator('[data-testid="compare-run"] .swatch').evaluateAll((els) => els.map((e) => e.dataset.color));
  const result = await byTestId("compare-chart").evaluate((el, colors) => {
    const canvas = el.querySelector('[data-testid="line-layer"]');
    const ctx = canvas.getContext("2d");
    const dpr = window.devicePixelRatio || 1;
    const rgb = (hex) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
    /** Whether a pixel within 1 px of (x, y) (CSS pixels of the plot) is drawn in `color`. */
    const near = (x, y, color) => {
      const [r, g, b] = rgb(color);
      const px = Math.round(x * dpr), py = Math.round(y * dpr);
      const d = ctx.getImageData(px - 1, py - 1, 3, 3).data;
      for (let i = 0; i < d.length; i += 4) {
        if (d[i + 3] > 60 && Math.abs(d[i] - r) < 40 && Math.abs(d[i + 1] - g) < 40 && Math.abs(d[i + 2] - b) < 40) return true;
      }
      return false;
    };
    const curves = Object.values(el.eiscopeCurves());
    const ys = curves.map((c) => c.values.map((v) => el.eiscopeYPos(v)));
    // Points where another run's line passes within 3 px may be covered by it: only the others are checked.
    const apart = curves.map((c, k) => c.steps.flatMap((_s, i) => (ys.every((y, j) => j === k || !(Math.abs(y[i] - ys[k][i]) <= 3)) ? [i] : [])));
    const hits = curves.map((c, k) => apart[k].filter((i) => near(el.eiscopeStepX(c.xs[i]), ys[k][i], c.color)).length);
    const points = apart.map((a) => a.length);
    // Above every curve's largest value, half way across: nothing drawn.
    const top = Math.min(...curves.flatMap((c) => c.values.map((v) => el.eiscopeYPos(v))));
    const empty = ctx.getImageData(Math.round((canvas.width / 2)), 0, 1, Math.max(1, Math.floor(top * dpr) - 3)).data.every((v, i) => i % 4 !== 3 || v === 0);
    return { hits, points, empty, curveColors: curves.map((c) => c.color), colors };
  }, colors);
  assert.deepEqual([...result.curveColors].sort(), [...colors].sort(), "the legend's colours are the lines'");
  result.points.forEach((n, k) => {
    assert.ok(n >= 8, `run ${k}: ${n} points apart from the other runs' lines to check`);
    assert.ok(result.hits[k] >= 0.9 * n, `run ${k}: ${result.hits[k]} of ${n} points on a pixel of its colour`);
  });
  assert.ok(result.empty, "no pixel above the highest point");
  assert.ok(Number(await layer.getAttribute("data-pictures")) >= before);
});

test("smoothing is TensorBoard's EMA of the same values; scalar, smoothing and log scale survive a reload of the address", { timeout: 60_000 }, async () => {
  await byTestId("compare-smoothing").evaluate((el) => {
    el.value = "0.9";
    el.dispatchEvent(new Event("input", { bubbles: true }));
  });
  await byTestId("compare-log").check();
  assert.equal(await eventually(() => byTestId("compare-chart").getAttribute("data-log"), (v) => v === "true"), "true", "redrawn on a log axis");
  for (const s of runs) {
    const want = await recorded(s.id);
    const got = (await eventually(drawn, (d) => d[s.id]?.smoothed.length === want.values.length))[s.id];
    const expected = tensorBoardSmoothing(want.values, 0.9);
    got.smoothed.forEach((v, i) => assert.ok(Math.abs(v - expected[i]) <= 1e-12 * Math.abs(expected[i]), `${s.spec.name} step ${want.steps[i]}: ${v} vs ${expected[i]}`));
  }
  const hash = new URL(page.url()).hash;
  assert.equal(hash, `#/compare?runs=${runs.map((s) => s.id).join(",")}&y=loss&smooth=0.9&log=1`);

  await page.reload();
  await byTestId("compare-view").waitFor();
  assert.equal(await byTestId("compare-smoothing").inputValue(), "0.9");
  assert.equal(await byTestId("compare-log").isChecked(), true);
  assert.equal(await byTestId("compare-y").inputValue(), "loss");
  for (const s of runs) {
    const want = await recorded(s.id);
    const got = (await eventually(drawn, (d) => sameCurve(d[s.id], want)))[s.id];
    assert.deepEqual(got.values, want.values, `${s.spec.name}: from the record after the reload`);
  }
  // A link followed while the comparison is open changes what it shows, without a reload.
  await page.evaluate((h) => (location.hash = h), `#/compare?runs=${runs.map((s) => s.id).join(",")}&y=loss&smooth=0.3`);
  assert.equal(await eventually(() => byTestId("compare-smoothing").inputValue(), (v) => v === "0.3"), "0.3");
  assert.equal(await byTestId("compare-log").isChecked(), true, "what the link leaves out stays");
  await byTestId("compare-log").uncheck();
});

test("on the log scale each run's values are where the log axis's labels put them; toggling redraws the same plot", { timeout: 60_000 }, async () => {
  const chart = byTestId("compare-chart");
  await chart.evaluate((el) => (window.compareCanvas = el.querySelector("canvas")));
  await byTestId("compare-log").check();
  await eventually(() => chart.getAttribute("data-log"), (v) => v === "true");
  // The labels of the y axis after the toggle: values (not their logs), at pixels linear in their log.
  const ticks = await eventually(
    () => chart.evaluate((el) => el.eiscopeYTicks()),
    (t) => t.length >= 2 && t.every((k) => Number(k.label) > 0),
  );
  assert.ok(ticks.length >= 2, `the log axis has labelled ticks: ${JSON.stringify(ticks)}`);
  const [a, b] = [ticks[0], ticks.at(-1)];
  const la = Math.log10(Number(a.label));
  const lb = Math.log10(Number(b.label));
  const expectedY = (v) => a.y + ((b.y - a.y) * (Math.log10(v) - la)) / (lb - la);
  // Labels are rounded to three digits: a pixel of slack.
  for (const k of ticks) assert.ok(Math.abs(k.y - expectedY(Number(k.label))) <= 1, `tick ${k.label} at ${k.y}, log spacing puts it at ${expectedY(Number(k.label))}`);
  for (const s of runs) {
    const want = await recorded(s.id);
    const got = (await eventually(drawn, (d) => sameCurve(d[s.id], want)))[s.id];
    assert.deepEqual(got.values, want.values, `${s.spec.name}: the SDK's values on the log scale`);
    for (const i of [0, Math.floor(want.values.length / 2), want.values.length - 1]) {
      const v = want.values[i];
      if (!(v > 0)) continue;
      const y = await chart.evaluate((el, x) => el.eiscopeYPos(x), v);
      assert.ok(Math.abs(y - expectedY(v)) <= 1, `${s.spec.name} step ${want.steps[i]}: ${v} drawn at ${y}, the axis puts it at ${expectedY(v)}`);
    }
  }
  await byTestId("compare-log").uncheck();
  await eventually(() => chart.getAttribute("data-log"), (v) => v === "false");
  await byTestId("compare-x").selectOption("time");
  await eventually(() => chart.getAttribute("data-x"), (v) => v === "time");
  await byTestId("compare-x").selectOption("step");
  await eventually(() => chart.getAttribute("data-x"), (v) => v === "step");
  const linear = await chart.evaluate((el) => el.eiscopeYTicks());
  assert.ok(linear.length >= 2, "linear ticks again");
  assert.equal(await chart.evaluate((el) => el.querySelector("canvas") === window.compareCanvas), true, "no new plot for the scale or the x axis");
});

test("a fork's curve is its parent's up to the fork step, then its own; ticking it in the list adds it", { timeout: 90_000 }, async () => {
  const parent = runs[0];
  const fork = await client.fork(parent.id, { step: 20 });
  assert.equal(fork.forkStep, 20n);
  await client.step(fork.id, 30);
  await client.waitForStep(fork.id, 50);
  const item = page.locator(`[data-testid="sim-item"][data-id="${fork.id}"]`);
  await item.locator('[data-testid="sim-select"]').check();
  await eventually(() => page.url(), (u) => u.includes(fork.id));
  assert.match(new URL(page.url()).hash, new RegExp(`runs=${runs.map((s) => s.id).join(",")},${fork.id}&y=loss`), "added to the comparison and its address");

  const inherited = await recorded(parent.id, "loss", 20);
  const own = await recorded(fork.id);
  assert.deepEqual(own.steps[0], 21, "the fork's own record starts after the fork step");
  const want = { steps: [...inherited.steps, ...own.steps], values: [...inherited.values, ...own.values] };
  const got = (await eventually(drawn, (d) => sameCurve(d[fork.id], want) && d[fork.id].inherited === 20))[fork.id];
  assert.deepEqual(got.steps, Array.from({ length: 50 }, (_, i) => i + 1), "one curve from step 1 to 50");
  assert.deepEqual(got.values, want.values, "the parent's values up to step 20, then the fork's");
  assert.equal(got.inherited, 20, "the first 20 points are inherited (drawn dashed)");
  const parentCurve = (await drawn())[parent.id];
  assert.deepEqual(got.values.slice(0, 20), parentCurve.values.slice(0, 20), "it coincides with its parent up to the fork");
  // The row is drawn at once with the id, and filled in when the run's view arrives.
  const lineage = new RegExp(`fork of ${parent.id} @ step 20`);
  const about = await eventually(() => page.locator(`[data-testid="compare-run"][data-id="${fork.id}"]`).textContent(), (t) => lineage.test(t));
  assert.match(about, lineage);
});

test("a command on one run is marked at its step in that run's colour, described on hover", { timeout: 60_000 }, async () => {
  const target = runs[1];
  const { effectiveStep } = await client.apply(target.id, commands.prune(0.5));
  const log = await client.interventionLog(target.id);
  const color = await page.locator(`[data-testid="compare-run"][data-id="${target.id}"] .swatch`).getAttribute("data-color");
  const pin = byTestId("compare-chart").locator(`[data-testid="compare-marker"][data-step="${effectiveStep}"]`);
  await pin.waitFor();
  assert.equal(await pin.evaluate((p) => p.style.getPropertyValue("--marker-color")), color);
  const description = `${target.spec.name}: ${log.at(-1).description}`;
  assert.equal(await pin.getAttribute("data-description"), description);
  await pin.hover();
  const tip = byTestId("compare-marker-tip");
  await tip.waitFor({ state: "visible" });
  assert.equal(await tip.textContent(), `step ${effectiveStep}\n${description}`);
  mkdirSync(RESULTS, { recursive: true });
  await page.screenshot({ path: resolve(RESULTS, "compare.png"), fullPage: true });
});

test("another scalar: the held-out loss of each run, as recorded", { timeout: 60_000 }, async () => {
  await page.mouse.move(0, 0);
  for (const s of runs) await client.step(s.id, 50);
  for (const s of runs) await client.waitForStep(s.id, 110);
  await byTestId("compare-y").selectOption("test_loss");
  assert.match(new URL(page.url()).hash, /&y=test_loss&/);
  for (const s of runs) {
    const want = await recorded(s.id, "test_loss");
    assert.ok(want.steps.length >= 2, `${s.spec.name}: evaluated at ${want.steps}`);
    const got = (await eventually(drawn, (d) => sameCurve(d[s.id], want), 20_000))[s.id];
    assert.deepEqual(got.steps, want.steps);
    assert.deepEqual(got.values, want.values);
  }
});

test("eight runs at once: every curve follows its run, and the rest of the page stays live", { timeout: 90_000 }, async () => {
  // Each open stream holds one of the browser's six connections to a plain-HTTP server: a
  // comparison must not hold one per run, or the list (and every other call) would stall.
  const extra = [];
  for (let i = 0; i < 4; i++) extra.push(await client.create({ preset: "geometry-2-norm", name: `compare-test extra ${i}`, seed: 10 + i }));
  const all = [...runs.map((s) => s.id), ...extra.map((s) => s.id)];
  await page.evaluate((h) => (location.hash = h), `#/compare?runs=${all.join(",")}&y=loss`);
  await eventually(() => page.locator('[data-testid="compare-run"]').count(), (n) => n === 8);
  for (const s of extra) await client.step(s.id, 25);
  for (const s of extra) await client.waitForStep(s.id, 25);
  for (const s of extra) {
    const want = await recorded(s.id);
    const got = (await eventually(drawn, (d) => sameCurve(d[s.id], want), 20_000))[s.id];
    assert.deepEqual(got.values, want.values, `${s.spec.name}: its record, drawn as it trained`);
    const listed = page.locator(`[data-testid="sim-item"][data-id="${s.id}"] [data-testid="sim-item-step"]`);
    assert.equal(await eventually(() => listed.textContent(), (t) => t === "step 25", 10_000), "step 25", "the list keeps up");
  }
});

test("runs at a single step each draw without an error: one point per run, the x axis widened around it", { timeout: 120_000 }, async () => {
  const one = [];
  for (const seed of [31, 32]) {
    const r = await client.create({ preset: "mlp-fashion-mnist", name: `one-step ${seed}`, seed });
    await client.step(r.id, 1);
    one.push(r.id);
  }
  for (const id of one) await eventually(() => client.get(id), (x) => Number(x.recordedStep) === 1, 30_000);
  const errorsBefore = pageErrors.length;
  await page.goto(`${server.baseUrl}/#/compare?runs=${one.join(",")}`);
  const curves = await eventually(drawn, (d) => one.every((id) => d[id]?.steps.length === 1), 30_000);
  for (const id of one) assert.deepEqual(curves[id].steps, (await recorded(id)).steps, `${id}: its one recorded step`);
  await page.waitForTimeout(300); // uPlot lays the axes out in a microtask after the data: its error came there
  assert.deepEqual(pageErrors.slice(errorsBefore), [], "no page error (uPlot's mode 2 threw 'Invalid array length' on a zero-width x range)");
  for (const id of one) await client.delete(id);
});

test("a run that records far more than the chart holds between two reads: the page reads it downsampled, extremes kept", { timeout: 120_000 }, async () => {
  const run = await client.create({
    name: "compare-test fast",
    model: { kind: "point_neuron" },
    learningRule: { kind: "sgd", params: { learning_rate: 0.001 } },
    task: { kind: "linear_regression", params: { dimension: 10 } },
    batchSize: 1,
    seed: 41,
  });
  await client.step(run.id, 10);
  await eventually(() => client.get(run.id), (x) => Number(x.recordedStep) === 10, 30_000);
  await page.goto(`${server.baseUrl}/#/compare?runs=${run.id}`);
  await eventually(drawn, (d) => d[run.id]?.steps.length === 10, 20_000);
  // The page may be the earlier tests' (a hash change does not reload it): its resource timing buffer starts afresh.
  await page.evaluate(() => {
    performance.setResourceTimingBufferSize(100_000);
    performance.clearResourceTimings();
  });
  await client.step(run.id, 40_000);
  await eventually(() => client.get(run.id), (x) => Number(x.recordedStep) === 40_010, 60_000);
  const got = (await eventually(drawn, (d) => d[run.id]?.steps.at(-1) === 40_010, 20_000))[run.id];
  const want = await recorded(run.id);
  assert.equal(want.steps.length, 40_010, "every step is in the record");
  assert.ok(got.steps.length < 5_000, `the chart holds a bounded curve (${got.steps.length} points for 40,010 steps)`);
  assert.equal(Math.min(...got.values), Math.min(...want.values), "the smallest recorded loss is drawn");
  assert.equal(Math.max(...got.values), Math.max(...want.values), "the largest recorded loss is drawn");
  const index = new Map(want.steps.map((s, i) => [s, i]));
  for (let i = 0; i < got.steps.length; i++) assert.equal(got.values[i], want.values[index.get(got.steps[i])], `step ${got.steps[i]}: its recorded value`);
  // The 40,000 new points as they are recorded would be about a megabyte (step, value, wall time
  // each); downsampled to the chart's width they are a few tens of kilobytes.
  const later = await page.evaluate(() =>
    performance.getEntriesByType("resource").filter((e) => e.name.endsWith("/GetHistory")).map((e) => e.encodedBodySize),
  );
  assert.ok(later.length > 0, "the page read the record again");
  assert.ok(Math.max(...later) < 100_000, `each later GetHistory answer is small (${Math.max(...later)} bytes at most)`);
  await client.delete(run.id);
});

test("the page raised no uncaught errors", () => {
  assert.deepEqual(pageErrors, []);
});
