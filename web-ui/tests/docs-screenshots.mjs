// Takes the screenshots of the web UI that the documentation shows (docs/ui-*.png), against a
// real server with real runs: `npm run build && npm run screenshots` (about two minutes; not a
// test, so `npm test` does not run it). Each image is what a user sees after the steps below.

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

try {
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
    await eventually(() => client.get(s.id), (x) => Number(x.step) === STEPS && x.state === SimulationState.PAUSED, 600_000);
  }

  await page.goto(`${server.baseUrl}/#/compare?runs=${[...ids, fork.id].join(",")}&y=loss&smooth=0.8`);
  await eventually(() => byTestId("compare-chart").getAttribute("data-points"), (n) => Number(n) >= STEPS * 5, 30_000);
  await page.locator(`[data-testid="compare-marker"]:not([hidden])`).first().hover();
  await shot("ui-compare.png");

  // One run: its commands on the curves and in the log.
  await page.mouse.move(0, 0);
  await page.goto(`${server.baseUrl}/#/sim/${encodeURIComponent(mlp.id)}`);
  await page.locator('[data-testid="sim-view"][data-history-step]').waitFor();
  await eventually(() => page.locator('[data-testid="intervention-row"]').count(), (n) => n > 0);
  const pin = byTestId("loss-chart").locator(`[data-testid="intervention-marker"][data-step="${STEPS / 2}"]`);
  await pin.hover();
  await shot("ui-interventions.png", { fullPage: true });

  // The spectrum of a column-E/I RNN: opened on rnn0, and a non-square readout.
  const rnn = await client.create({ preset: "li2023-column-ei" });
  await page.goto(`${server.baseUrl}/#/sim/${encodeURIComponent(rnn.id)}`);
  await byTestId("sim-view").waitFor();
  if ((await byTestId("spectrum-panel").getAttribute("data-open")) !== "true") await byTestId("spectrum-toggle").click();
  await eventually(() => byTestId("spectrum-info").textContent(), (t) => /eigenvalues/.test(t));
  await byTestId("spectrum-target").selectOption("readout");
  await eventually(() => byTestId("spectrum-eig-canvas").getAttribute("data-message"), (m) => m?.startsWith("no eigenvalues"));
  await byTestId("spectrum-panel").screenshot({ path: resolve(DOCS, "ui-spectrum-readout.png") });

  // The form: what is wrong, under each field.
  await page.goto(`${server.baseUrl}/#/new`);
  await byTestId("model-select").selectOption("mlp");
  await byTestId("seed").fill("1.5");
  await byTestId("param-rule-learning_rate").fill("");
  await byTestId("param-model-hidden").fill("32, 9000");
  await byTestId("create-button").click();
  await page.locator(".custom-form").screenshot({ path: resolve(DOCS, "ui-form-errors.png") });
  console.log(`screenshots in ${DOCS}`);
} finally {
  await close();
}
