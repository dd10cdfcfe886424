// Browser test of the built UI (run `npm run build` first), served by the real server:
// create an MLP through the form, press Play, and see the loss curve and the weight
// histogram move; the spectrum and dynamics panels against the SDK. Leaves screenshots in
// test-results/ (ui.png: the running simulation; spectrum.png: the spectrum of a square
// matrix; dynamics.png: a recurrent cell's hidden states).

import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import { after, before, test } from "node:test";
import { EiscopeClient } from "@eiscope/client";
import { eventually, openBrowser, RESULTS } from "./browser.mjs";

const SCREENSHOT = resolve(RESULTS, "ui.png");

let server;
let page;
let pageErrors;
let close;

before(async () => {
  ({ server, page, pageErrors, close } = await openBrowser());
});

after(async () => {
  if (server) {
    const client = new EiscopeClient(server.baseUrl);
    for (const s of await client.list().catch(() => [])) {
      if (s.spec?.name?.startsWith("ui-test ")) await client.delete(s.id).catch(() => {});
    }
  }
  await close?.();
});

const byTestId = (id) => page.locator(`[data-testid="${id}"]`);
const textOf = async (id) => (await byTestId(id).textContent()).trim();

test("a simulation created in the form trains live: loss points grow and the loss value changes", { timeout: 90_000 }, async () => {
  await page.goto(`${server.baseUrl}/#/new`);
  await byTestId("model-select").selectOption("mlp");
  await byTestId("rule-select").selectOption("sgd");
  await byTestId("task-select").selectOption("fashion_mnist");
  await byTestId("param-model-hidden").fill("32");
  await byTestId("param-rule-learning_rate").fill("0.05");
  await byTestId("sim-name").fill("ui-test mlp");
  await byTestId("batch-size").fill("32");
  await byTestId("seed").fill("1");
  mkdirSync(RESULTS, { recursive: true });
  await page.screenshot({ path: resolve(RESULTS, "form.png"), fullPage: true });
  await byTestId("create-button").click();

  await byTestId("sim-view").waitFor({ timeout: 15_000 });
  assert.equal(await textOf("sim-title"), "ui-test mlp");
  assert.equal(await textOf("sim-state"), "paused");
  await byTestId("play-button").click();

  const points = async () => Number(await textOf("loss-points"));
  const first = await eventually(points, (n) => n > 0);
  assert.ok(first > 0, "loss points appear after Play");
  const firstLoss = await textOf("loss-last");
  const later = await eventually(points, (n) => n > first + 5);
  assert.ok(later > first + 5, `loss points grow: ${first} then ${later}`);
  const laterLoss = await eventually(() => textOf("loss-last"), (v) => v !== firstLoss);
  assert.notEqual(laterLoss, firstLoss, "the displayed loss changes");
  assert.ok(Number.isFinite(Number(laterLoss)), `a numeric loss: ${laterLoss}`);
  assert.equal(await textOf("sim-state"), "running");
  assert.ok(await byTestId("loss-chart").locator("canvas").count() > 0, "the loss chart is drawn");
});

test("choosing a parameter shows its live weight histogram", { timeout: 60_000 }, async () => {
  const select = byTestId("param-select");
  const names = await select.locator("option").evaluateAll((os) => os.map((o) => o.value));
  assert.ok(names.includes("layer0.W"), `layer0.W among ${names.join(", ")}`);
  // Switch away and back so that the test, not the default choice, opens the watch.
  await select.selectOption(names.find((n) => n !== "layer0.W") ?? "layer0.W");
  await select.selectOption("layer0.W");

  const frames = async () => Number(await byTestId("histogram-panel").getAttribute("data-frames"));
  assert.ok((await eventually(frames, (n) => n >= 2)) >= 2, "histogram frames arrive");
  assert.match(await textOf("histogram-info"), /25,088 weights/);
  // Painted bars: count colored (non-white, opaque) pixels of the canvas.
  const colored = await eventually(() => byTestId("histogram-canvas").evaluate((c) => {
    const { data } = c.getContext("2d").getImageData(0, 0, c.width, c.height);
    let n = 0;
    for (let i = 0; i < data.length; i += 4) if (data[i + 3] > 0 && data[i + 2] > data[i] + 40) n++;
    return n;
  }), (n) => n > 500);
  assert.ok(colored > 500, `blue bars painted (${colored} px)`);

  await new Promise((r) => setTimeout(r, 1500)); // let curves accumulate for the screenshot
  await page.screenshot({ path: SCREENSHOT, fullPage: true });
  await byTestId("pause-button").click();
  assert.equal(await eventually(() => textOf("sim-state"), (s) => s === "paused"), "paused");
});

test("Reset brings the simulation back to step 0 and clears its curves", { timeout: 30_000 }, async () => {
  await byTestId("reset-button").click();
  assert.equal(await eventually(() => textOf("sim-step"), (s) => s === "0"), "0");
  assert.equal(await eventually(() => textOf("loss-points"), (n) => n === "0"), "0");
  assert.equal(await textOf("loss-last"), "–");
  assert.equal(await textOf("sim-state"), "paused");
  const newest = page.locator('[data-testid="event"]').first();
  assert.match(await newest.textContent(), /step 0.*paused/i, "the reset's state event is listed first");
});

test("a paper's comparison is created side by side with one click", { timeout: 60_000 }, async () => {
  const client = new EiscopeClient(server.baseUrl);
  const before = new Set((await client.list()).map((s) => s.id));
  await page.goto(`${server.baseUrl}/#/new`);
  const group = byTestId("preset-group").filter({ hasText: "Cornford et al. 2021" });
  await group.locator('[data-testid="preset-create-group"]').click();
  const created = await eventually(
    async () => (await client.list()).filter((s) => !before.has(s.id)),
    (sims) => sims.length === 7, 30_000);
  assert.deepEqual(created.map((s) => s.spec.model.kind).sort(),
    ["batchnorm_mlp", "column_ei_mlp", "dann", "dann", "dann", "layernorm_mlp", "mlp"]);
  const listed = await eventually(async () => page.locator('[data-testid="sim-item"]').count(), (n) => n >= 7);
  assert.ok(listed >= 7, `${listed} simulations listed`);
  await page.locator('[data-testid="compare-view"]').waitFor({ timeout: 15_000 });
  const compared = new URL(page.url()).hash.replace(/^#\/compare\?runs=/, "").split(",");
  assert.deepEqual(compared.sort(), created.map((s) => s.id).sort(), "all seven open as one comparison");
  for (const s of created) await client.delete(s.id);
});

test("the form is built from the catalogue for every model, a recurrent one included", { timeout: 60_000 }, async () => {
  const client = new EiscopeClient(server.baseUrl);
  const { models } = await client.catalogue();
  await page.goto(`${server.baseUrl}/#/new`);
  for (const m of models) {
    await byTestId("model-select").selectOption(m.kind);
    for (const p of m.params) assert.equal(await byTestId(`param-model-${p.name}`).count(), 1, `${m.kind}: a field for ${p.name}`);
  }
  await byTestId("model-select").selectOption("rnn");
  await byTestId("param-model-hidden").fill("16");
  await byTestId("task-select").selectOption("fashion_mnist");
  await byTestId("sim-name").fill("ui-test rnn");
  await byTestId("create-button").click();
  await byTestId("sim-view").waitFor({ timeout: 15_000 });
  assert.equal(await textOf("sim-title"), "ui-test rnn");
  const params = await byTestId("param-select").locator("option").evaluateAll((os) => os.map((o) => o.value));
  assert.ok(params.includes("rnn0.W"), `the recurrent matrix among ${params.join(", ")}`);
  const id = await byTestId("sim-view").getAttribute("data-id");
  assert.equal((await client.get(id)).spec.model.kind, "rnn");
  await client.delete(id);
});

test("steering from the page: set the learning rate, prune 90 %, fork", { timeout: 60_000 }, async () => {
  const client = new EiscopeClient(server.baseUrl);
  const sim = await client.create({ preset: "mlp-fashion-mnist" });
  await page.goto(`${server.baseUrl}/#/sim/${encodeURIComponent(sim.id)}`);
  await page.locator(`[data-testid="sim-view"][data-id="${sim.id}"]`).waitFor({ timeout: 15_000 });

  await byTestId("steer-lr").fill("0.01");
  await byTestId("steer-lr-button").click();
  const rate = await eventually(async () => (await client.get(sim.id)).learningRule?.params?.learning_rate?.kind?.value,
    (v) => v === 0.01);
  assert.equal(rate, 0.01);

  await byTestId("steer-prune").fill("90");
  await byTestId("steer-prune-button").click();
  const zeros = await eventually(async () => {
    const w = (await client.parameters(sim.id, ["layer0.W"])).get("layer0.W").data;
    return w.filter((x) => x === 0).length / w.length;
  }, (f) => f >= 0.85);
  assert.ok(zeros >= 0.85, `only ${zeros} of layer0.W pruned`);
  const logged = await eventually(async () => page.locator('[data-testid="event"]').allTextContents(),
    (texts) => texts.some((t) => /prune 90 %/.test(t)));
  assert.ok(logged.some((t) => /prune 90 %/.test(t)), `the events list shows the command in words: ${logged}`);

  const before = new Set((await client.list()).map((s) => s.id));
  await byTestId("fork-button").click();
  const forks = await eventually(async () => (await client.list()).filter((s) => !before.has(s.id)), (l) => l.length === 1);
  assert.equal(forks.length, 1);
  assert.equal(forks[0].parentId, sim.id);
  await eventually(async () => page.url(), (u) => u.includes(encodeURIComponent(forks[0].id)));
  assert.ok(page.url().includes(encodeURIComponent(forks[0].id)), "the page shows the fork");
  await client.delete(forks[0].id);
  await client.delete(sim.id);
});

/** The first value of each of `observables` for `layer` at `step`, read through the SDK (not the page). */
async function valuesAt(client, id, layer, step, observables) {
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), 15_000);
  const got = new Map();
  try {
    for await (const f of client.watch(id, { observables, layers: [layer] }, ac.signal)) {
      if (f.layer !== layer || f.step !== step || got.has(f.observable)) continue;
      got.set(f.observable, f.payload.kind === "scalar" ? f.payload.value : f.payload.tensor);
      if (got.size === observables.length) break;
    }
  } catch (e) {
    if (!ac.signal.aborted) throw e;
  } finally {
    clearTimeout(timer);
    ac.abort();
  }
  return got;
}

/** Pixels of `canvas` whose color is mostly blue (the spectra) or mostly orange (the radius circle). */
async function coloredPixels(testid) {
  return byTestId(testid).evaluate((c) => {
    const { data } = c.getContext("2d").getImageData(0, 0, c.width, c.height);
    let blue = 0;
    let orange = 0;
    for (let i = 0; i < data.length; i += 4) {
      if (data[i + 3] === 0) continue;
      if (data[i + 2] > data[i] + 40) blue++;
      else if (data[i] > data[i + 2] + 80) orange++;
    }
    return { blue, orange };
  });
}

test("the spectrum panel shows a square matrix's spectrum, equal to the SDK's at the same step", { timeout: 90_000 }, async () => {
  const client = new EiscopeClient(server.baseUrl);
  const sim = await client.create({
    name: "ui-test spectrum",
    model: { kind: "mlp", params: { hidden: [64, 64] } },
    learningRule: { kind: "sgd", params: { learning_rate: 0.1 } },
    task: { kind: "fashion_mnist" },
    batchSize: 32,
    seed: 3,
  });
  await page.goto(`${server.baseUrl}/#/sim/${encodeURIComponent(sim.id)}`);
  await page.locator(`[data-testid="sim-view"][data-id="${sim.id}"]`).waitFor({ timeout: 15_000 });
  const panel = byTestId("spectrum-panel");
  assert.equal(await panel.getAttribute("data-open"), "false", "closed until asked for: spectra cost O(n^3)");
  assert.ok(await byTestId("dynamics-panel").isHidden(), "no dynamics panel for a feed-forward network");
  await byTestId("spectrum-toggle").click();

  // The server says what has a spectrum: the weight matrices, not the biases.
  const target = byTestId("spectrum-target");
  const options = () => target.locator("option").evaluateAll((os) => os.map((o) => o.value));
  assert.deepEqual(await eventually(options, (n) => n.length === 3), ["layer0.W", "layer1.W", "layer2.W"]);
  // 64 x 784 has singular values but no eigenvalues.
  await target.selectOption("layer0.W");
  assert.match(await eventually(() => textOf("spectrum-info"), (t) => /64 singular values/.test(t)), /64 singular values/);
  assert.equal(await eventually(() => textOf("spectrum-nse"), (t) => t !== "–"), await textOf("spectrum-nse"));
  assert.equal(await textOf("spectrum-spectral_radius"), "–");

  await target.selectOption("layer1.W");
  const numbers = ["spectral_radius", "nse", "effective_rank_entropy", "effective_rank_participation"];
  const valuesShown = () => Promise.all(numbers.map((o) => byTestId(`spectrum-${o}`).getAttribute("data-value")));
  const atStart = await eventually(valuesShown, (vs) => vs.every((v) => v !== ""));
  assert.equal(await panel.getAttribute("data-step"), "0");

  await byTestId("step-count").fill("40");
  await byTestId("step-button").click();
  assert.equal(await eventually(() => textOf("sim-step"), (s) => s === "40"), "40");
  assert.equal(await eventually(() => textOf("sim-state"), (s) => s === "paused"), "paused");
  assert.equal(await eventually(() => panel.getAttribute("data-step"), (s) => s === "40", 20_000), "40",
    "a paused simulation shows the spectrum of the step it paused at");

  const sdk = await valuesAt(client, sim.id, "layer1.W", 40, [...numbers, "singular_values", "eigenvalues"]);
  assert.equal(sdk.size, 6, `the SDK got ${[...sdk.keys()]} at step 40`);
  const shown = await valuesShown();
  numbers.forEach((o, i) => {
    assert.equal(Number(shown[i]), sdk.get(o), `${o}: the page shows what the SDK reads at step 40`);
    assert.notEqual(shown[i], atStart[i], `${o} moved since step 0`);
  });
  // What a reader sees: four significant digits of the same numbers.
  for (const o of [...numbers, "sigma-max"]) {
    const expected = o === "sigma-max" ? sdk.get("singular_values").data[0] : sdk.get(o);
    const text = await textOf(`spectrum-${o}`);
    const shownNumber = Number(text);
    assert.ok(Number.isFinite(shownNumber), `${o} shows a number: ${text}`);
    assert.ok(Math.abs(shownNumber - expected) <= 5e-4 * Math.abs(expected), `${o}: ${text} vs ${expected}`);
  }
  // And they mean what they say: ρ is the largest |λ|, NSE the entropy of σ normalised by log k.
  const lambda = sdk.get("eigenvalues").data;
  let rho = 0;
  for (let i = 0; i < lambda.length; i += 2) rho = Math.max(rho, Math.hypot(lambda[i], lambda[i + 1]));
  assert.ok(Math.abs(rho - sdk.get("spectral_radius")) < 1e-4 * rho, `ρ ${sdk.get("spectral_radius")} vs max |λ| ${rho}`);
  const sigma = [...sdk.get("singular_values").data];
  const total = sigma.reduce((a, b) => a + b, 0);
  const entropy = -sigma.reduce((a, s) => a + (s > 0 ? (s / total) * Math.log(s / total) : 0), 0);
  assert.ok(Math.abs(entropy / Math.log(sigma.length) - sdk.get("nse")) < 1e-4, "NSE = H / log k");
  assert.match(await textOf("spectrum-info"), /step 40 · 64 singular values · 64 eigenvalues/);

  const sv = await eventually(() => coloredPixels("spectrum-sv-canvas"), (p) => p.blue > 300);
  assert.ok(sv.blue > 300, `singular values drawn (${sv.blue} px)`);
  const eig = await eventually(() => coloredPixels("spectrum-eig-canvas"), (p) => p.blue > 300 && p.orange > 100);
  assert.ok(eig.blue > 300, `64 eigenvalues drawn (${eig.blue} px)`);
  assert.ok(eig.orange > 100, `the spectral-radius circle drawn (${eig.orange} px)`);

  await page.screenshot({ path: resolve(RESULTS, "spectrum.png"), fullPage: true });
  await byTestId("spectrum-toggle").click();
  assert.equal(await panel.getAttribute("data-open"), "false");
  await client.delete(sim.id);
});

/** Opaque pixels of `canvas` with a saturated color (the heatmap's cells, not gray labels), and how many distinct colors they have. */
async function heatmapPixels(testid) {
  return byTestId(testid).evaluate((c) => {
    const { data } = c.getContext("2d").getImageData(0, 0, c.width, c.height);
    let colored = 0;
    const colors = new Set();
    for (let i = 0; i < data.length; i += 4) {
      const [r, g, b, a] = [data[i], data[i + 1], data[i + 2], data[i + 3]];
      if (a === 0 || Math.max(r, g, b) - Math.min(r, g, b) <= 40) continue;
      colored++;
      colors.add((r << 16) | (g << 8) | b);
    }
    return { colored, colors: colors.size };
  });
}

test("the dynamics panel shows a recurrent cell's hidden states and laziness, equal to the SDK's at the same step", { timeout: 120_000 }, async () => {
  const client = new EiscopeClient(server.baseUrl);
  const sim = await client.create({
    name: "ui-test dynamics",
    model: { kind: "rnn", params: { hidden: [16] } },
    learningRule: { kind: "sgd", params: { learning_rate: 0.05 } },
    task: { kind: "perceptual_decision_making" },
    batchSize: 16,
    seed: 4,
  });
  await page.goto(`${server.baseUrl}/#/sim/${encodeURIComponent(sim.id)}`);
  // This run's view (not the one before it), and its panels, which come once the run's model is read.
  await page.locator(`[data-testid="sim-view"][data-id="${sim.id}"]`).waitFor({ timeout: 15_000 });
  const panel = byTestId("dynamics-panel");
  await panel.waitFor({ timeout: 15_000 });
  assert.ok(await panel.isVisible(), "a recurrent network has a dynamics panel");
  assert.equal(await panel.getAttribute("data-open"), "false", "closed until asked for: the kernel alignment costs a BPTT per output");
  await byTestId("dynamics-toggle").click();
  const cells = await byTestId("dynamics-cell").locator("option").evaluateAll((os) => os.map((o) => o.value));
  assert.deepEqual(cells, ["rnn0"]);
  assert.equal(await eventually(() => panel.getAttribute("data-step"), (s) => s === "0", 20_000), "0", "everything measured at step 0");

  // Opened before the run, so the values at step 30 come from the watch made afresh on pausing.
  await byTestId("step-count").fill("30");
  await byTestId("step-button").click();
  assert.equal(await eventually(() => textOf("sim-step"), (s) => s === "30"), "30");
  assert.equal(await eventually(() => textOf("sim-state"), (s) => s === "paused"), "paused");
  await byTestId("dynamics-trial").fill("5");
  assert.equal(await eventually(() => panel.getAttribute("data-step"), (s) => s === "30", 30_000), "30",
    "a paused simulation shows the hidden states and laziness of the step it paused at, the deferred kernel alignment included");

  const sdk = await valuesAt(client, sim.id, "rnn0", 30, ["hidden_states", "kernel_alignment"]);
  assert.equal(sdk.size, 2, `the SDK got ${[...sdk.keys()]} at step 30`);
  const hidden = sdk.get("hidden_states");
  assert.deepEqual(hidden.shape, [8, 32, 16], "time x probe trial x unit");
  const [steps, trials, units] = hidden.shape;
  let max = -Infinity;
  for (let t = 0; t < steps; t++) for (let u = 0; u < units; u++) max = Math.max(max, hidden.data[(t * trials + 5) * units + u]);
  const maxEl = byTestId("dynamics-max");
  assert.equal(await maxEl.getAttribute("data-trial"), "5");
  assert.equal(await maxEl.getAttribute("data-step"), "30");
  const maxText = await textOf("dynamics-max");
  assert.ok(Math.abs(Number(maxText) - max) <= 5e-4 * Math.abs(max), `max activity of trial 5: shown ${maxText}, SDK ${max}`);
  assert.equal(Number(await maxEl.getAttribute("data-value")), max);
  assert.match(await textOf("dynamics-info"), /step 30 · trial 5 of 32 probe trials · 8 steps × 16 units/);

  const ka = sdk.get("kernel_alignment");
  assert.ok(ka >= -1 && ka <= 1, `kernel alignment ${ka} in [-1, 1]`);
  const kaEl = byTestId("dynamics-kernel_alignment");
  assert.equal(await kaEl.getAttribute("data-step"), "30");
  assert.equal(Number(await kaEl.getAttribute("data-value")), ka, "the page shows the SDK's kernel alignment at step 30");
  const kaText = await textOf("dynamics-kernel_alignment");
  assert.ok(Math.abs(Number(kaText) - ka) <= 5e-4 * Math.abs(ka), `kernel alignment shown ${kaText}, SDK ${ka}`);
  assert.equal(await textOf("dynamics-kernel_alignment-step"), "30");
  for (const o of ["representation_alignment", "relative_weight_change", "activation_fraction_active"]) {
    assert.equal(await byTestId(`dynamics-${o}-step`).textContent(), "30", `${o} measured at step 30`);
    assert.ok(Number.isFinite(Number(await textOf(`dynamics-${o}`))), `${o} shows a number`);
  }

  const pixels = await eventually(() => heatmapPixels("dynamics-heatmap"), (p) => p.colored > 5000 && p.colors >= 8);
  assert.ok(pixels.colored > 5000, `heatmap cells painted (${pixels.colored} px)`);
  assert.ok(pixels.colors >= 8, `activity varies across cells (${pixels.colors} colors)`);

  await page.screenshot({ path: resolve(RESULTS, "dynamics.png"), fullPage: true });
  await byTestId("dynamics-toggle").click();
  assert.equal(await panel.getAttribute("data-open"), "false");
  await client.delete(sim.id);
});

test("the page raised no uncaught errors", () => {
  assert.deepEqual(pageErrors, []);
});
