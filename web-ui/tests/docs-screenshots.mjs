// Takes the screenshots of the web UI that the documentation shows (docs/ui-*.png), against a
// real server with real runs: `npm run build && npm run screenshots` (about two minutes; not a
// test, so `npm test` does not run it). Each image is what a user sees after the steps below.
// `npm run screenshots -- steer compare-layer` takes only the sections named (each section's
// name is in its `wanted(...)`), leaving the other images as they are.

import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import { commands, EiscopeClient, SimulationState } from "@eiscope/client";
import { eventually, openBrowser, WEB_ROOT } from "./browser.mjs";

const DOCS = resolve(WEB_ROOT, "../../docs");
const GROUP = "DANN vs MLP vs column-E/I on Fashion-MNIST (Cornford et al. 2021)";
const STEPS = 300;

const { server, page, close } = await openBrowser();
page.setDefaultTimeout(60_000);
const client = new EiscopeClient(server.baseUrl);
const byTestId = (id) => page.locator(`[data-testid="${id}"]`);
const shot = (name, options = {}) => page.screenshot({ path: resolve(DOCS, name), ...options });
mkdirSync(DOCS, { recursive: true });
const only = process.argv.slice(2);
const wanted = (section) => only.length === 0 || only.includes(section);

/** A small MLP on Fashion-MNIST, stepped to `steps`; `record`: recording `weight_change` of layer0.W at every step. */
async function smallRun(name, rate, steps, record = true) {
  const sim = await client.create({
    name,
    model: { kind: "mlp", params: { hidden: [32] } },
    learningRule: { kind: "sgd", params: { learning_rate: rate } },
    task: { kind: "fashion_mnist" },
    batchSize: 16,
    seed: 1,
  });
  // A per-layer scalar is recorded while measured: a watchpoint that never fires measures it.
  if (record)
    await client.apply(
      sim.id,
      commands.watchpoint("record", "weight_change", "above", 1e9, { layer: "layer0.W", everySteps: 1 }),
    );
  await client.step(sim.id, steps);
  await client.waitForStep(sim.id, steps, { timeoutMs: 600_000 });
  return sim;
}

try {
  if (wanted("steer")) {
    // Steering a run: the Watchpoints tab with one fired and one standing, and a refused value.
    const sim = await smallRun("steered MLP", 0.05, 40, false);
    await client.apply(sim.id, commands.watchpoint("learned", "accuracy", "above", 0.5));
    await client.apply(sim.id, commands.watchpoint("diverging", "loss", "above", 10));
    await client.play(sim.id);
    await eventually(
      () => client.get(sim.id),
      (x) => x.state === SimulationState.PAUSED && x.statusMessage.includes("learned"),
      600_000,
    );
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(`${server.baseUrl}/#/sim/${encodeURIComponent(sim.id)}?panels=steer&steer=watchpoints`);
    await page.locator('[data-testid="watchpoint-row"][data-fired]:not([data-fired=""])').waitFor();
    await byTestId("steer-watch-name").fill("unstable");
    await byTestId("steer-watch-observable").selectOption("weight_change");
    await byTestId("steer-watch-threshold").fill("");
    await byTestId("steer-watch-button").click();
    await byTestId("steer-card").screenshot({ path: resolve(DOCS, "ui-steer.png") });
    await page.setViewportSize({ width: 1440, height: 1000 });
  }

  if (wanted("compare-layer")) {
    // A per-layer scalar of three runs, against wall time.
    const runs = [];
    for (const [name, rate] of [
      ["lr 0.01", 0.01],
      ["lr 0.05", 0.05],
      ["lr 0.2", 0.2],
    ])
      runs.push(await smallRun(name, rate, 200));
    await page.goto(
      `${server.baseUrl}/#/compare?runs=${runs.map((r) => r.id).join(",")}&y=weight_change&layer=layer0.W&smooth=0`,
    );
    await eventually(
      () => byTestId("compare-chart").getAttribute("data-points"),
      (n) => Number(n) >= 600,
      60_000,
    );
    await shot("ui-compare-layer.png");
  }

  if (wanted("papers")) {
    // The paper's comparison, then one of its runs, a column-E/I RNN's spectrum and the form.
    // A paper's comparison, from its preset group's "Create all".
    await page.goto(`${server.baseUrl}/#/new`);
    await byTestId("preset-group").filter({ hasText: GROUP }).locator('[data-testid="preset-create-group"]').click();
    await byTestId("compare-view").waitFor();
    const ids = new URL(page.url()).hash.replace(/^#\/compare\?runs=/, "").split(",");
    const runs = await Promise.all(ids.map((id) => client.get(id)));
    const mlp = runs.find((s) => s.preset === "cornford2021-mlp");
    const dann = runs.find((s) => s.preset === "cornford2021-dann");
    for (const s of runs) await client.apply(s.id, commands.runUntil(STEPS / 2));
    for (const s of runs) await client.waitForStep(s.id, STEPS / 2, { timeoutMs: 600_000 });
    // Steer one, fork another: the markers and the fork's continuation.
    await client.apply(mlp.id, commands.prune(0.9, "magnitude", "per_layer"));
    const fork = await client.fork(dann.id);
    await client.apply(fork.id, commands.setRuleParams({ learning_rate: 0.001 }));
    for (const s of [...runs, fork]) await client.apply(s.id, commands.runUntil(STEPS));
    for (const s of [...runs, fork]) {
      await eventually(
        () => client.get(s.id),
        (x) => Number(x.step) === STEPS && x.state === SimulationState.PAUSED,
        600_000,
      );
    }

    await page.goto(`${server.baseUrl}/#/compare?runs=${[...ids, fork.id].join(",")}&y=loss&smooth=0.8`);
    await eventually(
      () => byTestId("compare-chart").getAttribute("data-points"),
      (n) => Number(n) >= STEPS * 5,
      30_000,
    );
    await page.locator(`[data-testid="compare-marker"]:not([hidden])`).first().hover();
    await shot("ui-compare.png");

    // One run: its commands on the curves and in the log.
    await page.mouse.move(0, 0);
    await page.goto(`${server.baseUrl}/#/sim/${encodeURIComponent(mlp.id)}`);
    await page.locator('[data-testid="sim-view"][data-history-step]').waitFor();
    await eventually(
      () => page.locator('[data-testid="intervention-row"]').count(),
      (n) => n > 0,
    );
    const pin = byTestId("loss-chart").locator(`[data-testid="intervention-marker"][data-step="${STEPS / 2}"]`);
    await pin.hover();
    await shot("ui-interventions.png", { fullPage: true });

    // The spectrum of a column-E/I RNN: opened on rnn0, and a non-square readout.
    const rnn = await client.create({ preset: "li2023-column-ei" });
    await page.goto(`${server.baseUrl}/#/sim/${encodeURIComponent(rnn.id)}`);
    await page.locator(`[data-testid="sim-view"][data-id="${rnn.id}"]`).waitFor();
    if ((await byTestId("spectrum-panel").getAttribute("data-open")) !== "true") await byTestId("spectrum-toggle").click();
    await eventually(
      () => byTestId("spectrum-info").textContent(),
      (t) => /eigenvalues/.test(t),
    );
    await byTestId("spectrum-target").selectOption("readout");
    await eventually(
      () => byTestId("spectrum-eig-canvas").getAttribute("data-message"),
      (m) => m?.startsWith("no eigenvalues"),
    );
    await byTestId("spectrum-panel").screenshot({ path: resolve(DOCS, "ui-spectrum-readout.png") });

    // The form: what is wrong, under each field.
    await page.goto(`${server.baseUrl}/#/new`);
    await byTestId("model-select").selectOption("mlp");
    await byTestId("seed").fill("1.5");
    await byTestId("param-rule-learning_rate").fill("");
    await byTestId("param-model-hidden").fill("32, 9000");
    await byTestId("create-button").click();
    await page.locator(".custom-form").screenshot({ path: resolve(DOCS, "ui-form-errors.png") });
  }
  if (wanted("weights")) {
    // A column-E/I MLP's weights: the heatmap of an effective matrix with its E and I blocks, a
    // pooled cell hovered, and the distributions of its E and I columns with the log-normal fit.
    const colei = await client.create({ preset: "cornford2021-column-ei", checkpoints: { everySteps: 50 } });
    await client.step(colei.id, 100);
    await client.waitForStep(colei.id, 100, { timeoutMs: 600_000 });
    await page.goto(`${server.baseUrl}/#/sim/${encodeURIComponent(colei.id)}`);
    await page.locator(`[data-testid="sim-view"][data-id="${colei.id}"]`).waitFor();
    for (const panel of ["heatmap", "distributions"]) {
      if ((await page.locator(`[data-panel="${panel}"]`).getAttribute("data-open")) !== "true")
        await byTestId(`${panel}-toggle`).click();
      await byTestId(`${panel}-target`).selectOption("layer1");
    }
    await eventually(
      () => byTestId("heatmap-panel").getAttribute("data-target"),
      (t) => t === "layer1",
    );
    await byTestId("heatmap-clip").check(); // the excitatory weights are a tenth of the inhibitory ones
    const canvas = byTestId("heatmap-canvas");
    await canvas.scrollIntoViewIfNeeded();
    const box = await canvas.boundingBox();
    const at = await canvas.evaluate((c) => c.eiscopeCellCentre(515, 530));
    await page.mouse.move(box.x + at.x, box.y + at.y);
    await byTestId("heatmap-panel").screenshot({ path: resolve(DOCS, "ui-heatmap.png") });
    await eventually(
      () => byTestId("dist-panel").getAttribute("data-target"),
      (t) => t === "layer1",
    );
    await byTestId("dist-panel").screenshot({ path: resolve(DOCS, "ui-distributions.png") });

    // The mirror-descent geometry test: each potential's ΔCDF over the run.
    const md = await client.create({ preset: "geometry-negative-entropy" });
    await page.goto(`${server.baseUrl}/#/sim/${encodeURIComponent(md.id)}`);
    await page.locator(`[data-testid="sim-view"][data-id="${md.id}"]`).waitFor();
    await eventually(
      () => byTestId("dist-panel").getAttribute("data-target"),
      (t) => t === "neuron.w",
    );
    await client.apply(md.id, commands.runUntil(300));
    await client.waitForStep(md.id, 300, { timeoutMs: 600_000 });
    await eventually(
      () => byTestId("dist-panel").getAttribute("data-step"),
      (s) => s === "300",
    );
    await byTestId("dist-panel").screenshot({ path: resolve(DOCS, "ui-geometry.png") });

    // A column-E/I RNN's spectrum over time: rows at its checkpoints, then live.
    const rnn = await client.create({ preset: "li2023-column-ei", checkpoints: { everySteps: 25 } });
    await client.step(rnn.id, 100);
    await client.waitForStep(rnn.id, 100, { timeoutMs: 600_000 });
    await page.goto(`${server.baseUrl}/#/sim/${encodeURIComponent(rnn.id)}`);
    await page.locator(`[data-testid="sim-view"][data-id="${rnn.id}"]`).waitFor();
    for (const panel of ["heatmap", "distributions"])
      if ((await page.locator(`[data-panel="${panel}"]`).getAttribute("data-open")) === "true")
        await byTestId(`${panel}-toggle`).click();
    if ((await byTestId("spectrum-panel").getAttribute("data-open")) !== "true") await byTestId("spectrum-toggle").click();
    await page.locator('[data-testid="spectrum-history"][data-loaded]').waitFor();
    await byTestId("spectrum-every").selectOption("20");
    await client.apply(rnn.id, commands.runUntil(200));
    await client.waitForStep(rnn.id, 200, { timeoutMs: 600_000 });
    await eventually(
      () => byTestId("waterfall-canvas").evaluate((c) => c.eiscopeData().steps.at(-1)),
      (s) => s === 200,
    );
    await byTestId("spectrum-panel").screenshot({ path: resolve(DOCS, "ui-spectrum-waterfall.png") });
  }
  console.log(`screenshots in ${DOCS}`);
} finally {
  await close();
}
