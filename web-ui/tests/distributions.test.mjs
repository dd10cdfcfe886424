// Browser test of the weight distributions (run `npm run build` first). On a column-E/I MLP the
// histograms of w and log|w| are counted here from GetParameters' values, E and I columns apart
// as the run's partition says, bin for bin; the log-normal fit is NumPy's mean and standard
// deviation of log|w| (.tools/venv/bin/python) and the server's lognormal_mu / lognormal_sigma;
// after a real 90 % magnitude prune (ApplyCommand), "exclude zeros" leaves exactly the pruned
// weights out, and without it they are one bin. On a mirror-descent preset the ΔCDF curves per
// potential are the run record's (GetHistory), and the potential that trained it is the lowest.
// Expected values come from the SDK and NumPy, never from the page's code.
// Leaves test-results/distributions.png and distributions-geometry.png.

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, before, test } from "node:test";
import { commands, EiscopeClient } from "@eiscope/client";
import { eventually, openBrowser, RESULTS } from "./browser.mjs";
import { serverPaths } from "../../client-sdk/js/test/live-server.mjs";

const PYTHON = resolve(serverPaths().repo, ".tools/venv/bin/python");

let server;
let page;
let pageErrors;
let close;
let client;
let sim;

before(async () => {
  ({ server, page, pageErrors, close } = await openBrowser());
  client = new EiscopeClient(server.baseUrl);
  mkdirSync(RESULTS, { recursive: true });
});

after(async () => {
  for (const line of server?.output().split("\n") ?? []) if (/SEVERE|Exception/.test(line)) console.log(`server: ${line}`);
  await close?.();
});

const byTestId = (id) => page.locator(`[data-testid="${id}"]`);
const attr = (id, name) => byTestId(id).getAttribute(name);
const drawn = (id) => byTestId(id).evaluate((c) => c.eiscopeData());

/** Counts per bin of `values` (edges[b] <= v < edges[b+1], the last bin closed), split by `second(k, v)`. */
function countBins(values, edges, keep, second, map = (v) => v) {
  const bins = edges.length - 1;
  const counts = [new Array(bins).fill(0), new Array(bins).fill(0)];
  values.forEach((v, k) => {
    if (!keep(v)) return;
    const x = map(v);
    let b = edges.findIndex((e, i) => i < bins && x >= e && (x < edges[i + 1] || i === bins - 1));
    assert.ok(b >= 0, `${x} is within the histogram's range ${edges[0]} .. ${edges[bins]}`);
    counts[second(k, v) ? 1 : 0][b]++;
  });
  return counts;
}

/** NumPy's mean and (population) standard deviation of log|w| over the non-zero weights. */
function numpyFit(values) {
  const dir = mkdtempSync(join(tmpdir(), "eiscope-dist-"));
  const file = join(dir, "w.f32");
  writeFileSync(file, Buffer.from(values.buffer, values.byteOffset, values.byteLength));
  const out = execFileSync(PYTHON, [
    "-c",
    "import numpy as np, sys; w = np.fromfile(sys.argv[1], dtype='<f4').astype(np.float64); l = np.log(np.abs(w[w != 0])); print(l.mean(), l.std(), l.size)",
    file,
  ]);
  const [mu, sigma, n] = out.toString().trim().split(/\s+/).map(Number);
  return { mu, sigma, n };
}

async function openPanel() {
  await page.goto(`${server.baseUrl}/#/sim/${encodeURIComponent(sim.id)}`);
  await page.locator(`[data-testid="sim-view"][data-id="${sim.id}"]`).waitFor();
  if ((await attr("dist-panel", "data-open")) !== "true") await byTestId("distributions-toggle").click();
}

async function waitFor(target, step) {
  await eventually(
    () => byTestId("dist-panel").evaluate((el) => `${el.dataset.target}@${el.dataset.step}`),
    (v) => v === `${target}@${step}`,
    30_000,
  );
}

test("E and I columns are counted apart, bin for bin, and the fit is NumPy's", { timeout: 180_000 }, async () => {
  assert.ok(existsSync(PYTHON), `NumPy's Python at ${PYTHON} (./eiscope build makes it)`);
  sim = await client.create({
    name: "ui-test distributions",
    model: { kind: "column_ei_mlp", params: { hidden: [200, 40], ei_ratio: 4 } },
    learningRule: { kind: "sgd", params: { learning_rate: 0.05 } },
    task: { kind: "fashion_mnist" },
    batchSize: 16,
    seed: 5,
  });
  await client.step(sim.id, 20);
  sim = await client.waitForStep(sim.id, 20, { timeoutMs: 120_000 });
  await openPanel();
  await byTestId("distributions-target").selectOption("layer1");
  await waitFor("layer1", 20);
  const p = sim.effectiveMatrices.find((m) => m.name === "layer1").partition;
  assert.ok(p.excitatoryCols > 0 && p.inhibitoryCols > 0, "layer1 reads E and I units");
  assert.equal(await attr("dist-legend", "data-groups"), "E columns|I columns");
  const W = (await client.parameters(sim.id, ["layer1"])).get("layer1");
  const cols = W.shape[1];
  const inI = (k) => k % cols >= p.excitatoryCols;

  // log|w|: the range of the non-zero weights, then the counts of each group.
  const logs = [...W.data].filter((v) => v !== 0).map((v) => Math.log(Math.abs(v)));
  const logAbs = await drawn("dist-log-abs");
  assert.equal(logAbs.edges.length, 65);
  assert.equal(logAbs.edges[0], Math.min(...logs));
  assert.equal(logAbs.edges[64], Math.max(...logs));
  assert.deepEqual(logAbs.counts, countBins(W.data, logAbs.edges, (v) => v !== 0, inI, (v) => Math.log(Math.abs(v))));
  // Dale's law, seen in the signed histogram: every I weight is at or below 0, every E one at or above.
  const signed = await drawn("dist-signed");
  assert.deepEqual(signed.counts, countBins(W.data, signed.edges, (v) => v !== 0, inI));
  signed.counts[1].forEach((c, b) => c > 0 && assert.ok(signed.edges[b] <= 0, `an I weight in bin ${b}, from ${signed.edges[b]}`));

  const fit = numpyFit(W.data);
  const shown = await byTestId("dist-fit").evaluate((el) => ({ mu: Number(el.dataset.mu), sigma: Number(el.dataset.sigma), n: Number(el.dataset.n) }));
  assert.equal(shown.n, fit.n);
  assert.ok(Math.abs(shown.mu - fit.mu) <= 1e-9 * Math.abs(fit.mu), `μ ${shown.mu} vs NumPy's ${fit.mu}`);
  assert.ok(Math.abs(shown.sigma - fit.sigma) <= 1e-9 * fit.sigma, `σ ${shown.sigma} vs NumPy's ${fit.sigma}`);
  await byTestId("dist-log-count").check();
  assert.equal(await byTestId("dist-log-abs").getAttribute("data-log-count"), "true");
  await byTestId("dist-panel").screenshot({ path: resolve(RESULTS, "distributions.png") });
});

test("after a 90 % prune, 'exclude zeros' leaves exactly the pruned weights out; the fit matches the server's", { timeout: 120_000 }, async () => {
  const name = "layer0.W_pos";
  await byTestId("distributions-target").selectOption(name);
  await waitFor(name, 20);
  await client.apply(sim.id, commands.prune(0.9, "magnitude", "per_layer"));
  const W = (await client.parameters(sim.id, [name])).get(name);
  const zeros = W.data.filter((v) => v === 0).length;
  assert.ok(zeros >= 0.9 * W.data.length - 1, `90 % pruned: ${zeros} of ${W.data.length}`);
  await eventually(() => attr("dist-panel", "data-zeros"), (z) => z === String(zeros), 20_000);
  assert.equal(await attr("dist-panel", "data-exclude-zeros"), "true");
  const total = (d) => d.counts.flat().reduce((a, b) => a + b, 0);
  let signed = await drawn("dist-signed");
  assert.equal(total(signed), W.data.length - zeros, "only the weights left are counted");
  assert.ok(signed.edges[0] > 0, "all left are positive (W_pos), so the range starts above 0");
  assert.equal(total(await drawn("dist-log-abs")), W.data.length - zeros);

  await byTestId("dist-exclude-zeros").uncheck();
  signed = await eventually(() => drawn("dist-signed"), (d) => total(d) === W.data.length, 10_000);
  assert.equal(total(signed), W.data.length);
  const zeroBin = signed.counts[0][0] + signed.counts[1][0];
  assert.ok(zeroBin >= zeros, `the pruned weights are one spike at 0 (${zeroBin} in the first bin)`);
  await byTestId("dist-exclude-zeros").check();

  // The server measures the same fit (WeightStatistics): lognormal_mu and lognormal_sigma at this step.
  const frames = await client.measure(sim.id, ["lognormal_mu", "lognormal_sigma"], { layers: [name] });
  const server = Object.fromEntries(frames.filter((f) => f.layer === name).map((f) => [f.observable, f.payload.value]));
  const shown = await byTestId("dist-fit").evaluate((el) => ({ mu: Number(el.dataset.mu), sigma: Number(el.dataset.sigma) }));
  assert.ok(Math.abs(shown.mu - server.lognormal_mu) <= 1e-9 * Math.abs(server.lognormal_mu), `μ ${shown.mu} vs ${server.lognormal_mu}`);
  assert.ok(Math.abs(shown.sigma - server.lognormal_sigma) <= 1e-9 * server.lognormal_sigma);
  const fit = numpyFit(W.data);
  assert.ok(Math.abs(shown.mu - fit.mu) <= 1e-9 * Math.abs(fit.mu));
});

test("a matrix without E and I columns is coloured by sign, and says so", { timeout: 60_000 }, async () => {
  await byTestId("distributions-target").selectOption("layer1.b");
  await eventually(() => attr("dist-legend", "data-groups"), (g) => g === "w ≥ 0|w < 0", 20_000);
  const b = (await client.parameters(sim.id, ["layer1.b"])).get("layer1.b");
  // The legend can change before the new matrix's histogram is drawn: wait for one of all its (non-zero) weights.
  const nonZero = [...b.data].filter((v) => v !== 0).length;
  const signed = await eventually(() => drawn("dist-signed"), (d) => d != null && d.counts.flat().reduce((x, y) => x + y, 0) === nonZero, 20_000);
  assert.deepEqual(signed.counts, countBins(b.data, signed.edges, (v) => v !== 0, (_k, v) => v < 0));
  assert.match(await byTestId("dist-legend").textContent(), /colours are the signs/);
});

test("the geometry test: each potential's ΔCDF over time is the run record's, and the trained one is lowest", { timeout: 240_000 }, async () => {
  sim = await client.create({ preset: "geometry-negative-entropy" });
  await openPanel();
  await waitFor("neuron.w", 0);
  assert.ok(await byTestId("dcdf-section").isVisible());
  await byTestId("dcdf-every").selectOption("20");
  // Measured while the panel watches, every 20 steps, and recorded.
  await client.apply(sim.id, commands.runUntil(200));
  sim = await client.waitForStep(sim.id, 200, { timeoutMs: 180_000 });
  // A page opened later draws the curves from the record (the panel stays open: remembered).
  await page.reload();
  await waitFor("neuron.w", 200);
  const observables = (await client.catalogue()).observables.map((o) => o.name).filter((n) => n.startsWith("dual_change_delta_cdf_"));
  assert.ok(observables.length >= 3, observables.join());
  const history = await client.history(sim.id, { observables, layers: ["neuron.w"] });
  const recorded = Object.fromEntries(history.series.map((s) => [s.observable, { steps: [...s.steps], values: [...s.values] }]));
  for (const o of observables) assert.ok(recorded[o]?.steps.length >= 3, `${o} recorded at several steps: ${recorded[o]?.steps}`);
  const chart = () => byTestId("dcdf-chart").evaluate((el) => el.eiscopeCurves());
  const curves = await eventually(chart, (c) => observables.every((o) => c[o].steps.length >= recorded[o].steps.length), 20_000);
  for (const o of observables) {
    const steps = recorded[o].steps;
    assert.deepEqual(curves[o].steps.slice(0, steps.length), steps, `${o}: the record's steps`);
    assert.deepEqual(curves[o].values.slice(0, steps.length), recorded[o].values, `${o}: the record's values`);
  }
  // Pogodin et al. 2024: the dual change of the potential that trained the weights is the most Gaussian.
  const last = Object.fromEntries(observables.map((o) => [o, recorded[o].values.at(-1)]));
  const lowest = observables.reduce((a, b) => (last[a] <= last[b] ? a : b));
  assert.equal(lowest, "dual_change_delta_cdf_negative_entropy", JSON.stringify(last));
  await byTestId("dist-panel").screenshot({ path: resolve(RESULTS, "distributions-geometry.png") });
  assert.deepEqual(pageErrors, []);
});
