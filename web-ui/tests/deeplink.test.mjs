// Browser test of a run's address and keys (run `npm run build` first), against the real server:
// #/sim/<id>?panels=…&<panel>=<choice> opens exactly those panels on those choices (the Steer
// card on its tab, the spectrum on its target, the histogram on its parameter); what is opened
// or chosen on the page is written into the address, so a reload restores it; a link followed
// while the run is open applies its panels. Space plays and pauses, → steps the step field's
// count and Shift+→ one step, as the server's step says; ? shows the keys; none of them does
// anything while typing in a field.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { EiscopeClient, SimulationState } from "@eiscope/client";
import { eventually, openBrowser } from "./browser.mjs";

let server;
let page;
let pageErrors;
let close;
let client;
let sim;

before(async () => {
  ({ server, page, pageErrors, close } = await openBrowser());
  page.setDefaultTimeout(20_000);
  client = new EiscopeClient(server.baseUrl);
  sim = await client.create({
    name: "deeplink-test",
    model: { kind: "rnn", params: { hidden: [16] } },
    learningRule: { kind: "sgd" },
    task: { kind: "adding", params: { sequence_length: 10 } },
    batchSize: 8,
    seed: 2,
  });
  await client.step(sim.id, 3);
  await client.waitForStep(sim.id, 3);
});

after(async () => {
  await close?.();
});

const byTestId = (id) => page.locator(`[data-testid="${id}"]`);
const attr = (id, name) => byTestId(id).getAttribute(name);
const query = () => page.evaluate(() => Object.fromEntries(new URLSearchParams(location.hash.split("?")[1] ?? "")));

/** What the page shows: which panels are open and what each is on. */
async function shown() {
  return {
    spectrum: await attr("spectrum-panel", "data-open"),
    dynamics: await attr("dynamics-panel", "data-open"),
    steer: await attr("steer-card", "data-open"),
    tab: await attr("steer-card", "data-choice"),
    histogram: await byTestId("param-select").inputValue(),
    spectrumTarget: await byTestId("spectrum-target").inputValue(),
  };
}

async function openAt(hash) {
  await page.goto(`${server.baseUrl}/${hash}`);
  await page.locator(`[data-testid="sim-view"][data-id="${sim.id}"][data-history-step]`).waitFor();
}

test("a link opens exactly the panels it names, on their choices, and a reload keeps them", { timeout: 90_000 }, async () => {
  const link = `#/sim/${sim.id}?panels=spectrum,steer&histogram=rnn0.U&steer=watchpoints&spectrum=rnn0.U`;
  await openAt(link);
  const want = { spectrum: "true", dynamics: "false", steer: "true", tab: "watchpoints", histogram: "rnn0.U", spectrumTarget: "rnn0.U" };
  // The spectrum's targets are found on the server first: its choice waits for them.
  assert.deepEqual(await eventually(shown, (v) => v.spectrumTarget === "rnn0.U"), want);
  assert.ok(await byTestId("steer-panel-watchpoints").isVisible());
  await page.reload();
  await page.locator(`[data-testid="sim-view"][data-id="${sim.id}"][data-history-step]`).waitFor();
  assert.deepEqual(await eventually(shown, (v) => v.spectrumTarget === "rnn0.U"), want, "the same after a reload");
});

test("what is opened or chosen on the page goes into the address, and a reload restores it", { timeout: 90_000 }, async () => {
  await openAt(`#/sim/${sim.id}?panels=steer&steer=rule`);
  await byTestId("dynamics-toggle").click();
  await byTestId("steer-tab-units").click();
  await byTestId("param-select").selectOption("rnn0.W");
  const q = await eventually(query, (x) => x.histogram === "rnn0.W" && x.steer === "units" && x.panels?.includes("dynamics"));
  assert.deepEqual(q.panels.split(",").sort(), ["dynamics", "steer"]);
  await page.reload();
  await page.locator(`[data-testid="sim-view"][data-id="${sim.id}"][data-history-step]`).waitFor();
  const v = await eventually(shown, (x) => x.histogram === "rnn0.W");
  assert.deepEqual([v.dynamics, v.steer, v.tab, v.spectrum, v.histogram], ["true", "true", "units", "false", "rnn0.W"]);
});

test("a link to the open run, followed, applies its panels without reopening the run", { timeout: 60_000 }, async () => {
  await openAt(`#/sim/${sim.id}?panels=steer,dynamics`);
  await page.evaluate(() => (document.querySelector('[data-testid="sim-view"]').dataset.marker = "same-view"));
  await page.evaluate((id) => (location.hash = `#/sim/${id}?panels=spectrum`), sim.id);
  const v = await eventually(shown, (x) => x.spectrum === "true" && x.steer === "false");
  assert.deepEqual([v.spectrum, v.dynamics, v.steer], ["true", "false", "false"]);
  assert.equal(await byTestId("sim-view").getAttribute("data-marker"), "same-view", "the view stayed");
});

test("panels that mark themselves (data-panel) join the address with no code: the heatmap and the distributions", { timeout: 60_000 }, async () => {
  await openAt(`#/sim/${sim.id}?panels=heatmap,distributions&heatmap=rnn0.U`);
  const open = () =>
    Promise.all([attr("heatmap-panel", "data-open"), attr("dist-panel", "data-open"), byTestId("heatmap-target").inputValue()]);
  assert.deepEqual(await eventually(open, (v) => v[2] === "rnn0.U"), ["true", "true", "rnn0.U"]);
  await byTestId("heatmap-toggle").click();
  const q = await eventually(query, (x) => !x.panels?.includes("heatmap"));
  assert.deepEqual(q.panels.split(","), ["distributions"], "closed on the page: gone from the address");
});

test("Space plays and pauses, → steps the step field's count, Shift+→ one step; ? shows the keys", { timeout: 60_000 }, async () => {
  await openAt(`#/sim/${sim.id}?panels=`);
  const step0 = Number((await client.get(sim.id)).step);
  await byTestId("step-count").fill("7");
  await page.evaluate(() => document.activeElement?.blur()); // keys go to the page, not the field
  // The key sends the page's command after press() returns: until it arrives the run is paused where it was, which
  // waitForStep would take as "stopped before the step". So read until the run has moved and paused again.
  const movedTo = (target) =>
    eventually(() => client.get(sim.id), (x) => Number(x.step) >= target && x.state === SimulationState.PAUSED);
  await page.keyboard.press("ArrowRight");
  assert.equal(Number((await movedTo(step0 + 7)).step), step0 + 7);
  await page.keyboard.press("Shift+ArrowRight");
  assert.equal(Number((await movedTo(step0 + 8)).step), step0 + 8);

  // Space acts on what the page knows: press it once the page has seen the run paused again.
  await eventually(() => client.get(sim.id), (x) => x.state === SimulationState.PAUSED);
  await page.locator('[data-testid="play-button"]:not([disabled])').waitFor();
  await page.keyboard.press(" ");
  await eventually(() => client.get(sim.id), (x) => x.state === SimulationState.RUNNING);
  await page.locator('[data-testid="pause-button"]:not([disabled])').waitFor(); // the page knows it runs
  await page.keyboard.press(" ");
  const paused = await eventually(() => client.get(sim.id), (x) => x.state === SimulationState.PAUSED);
  assert.equal(paused.state, SimulationState.PAUSED);

  assert.ok(await byTestId("keys-help").isHidden());
  await page.keyboard.press("?");
  assert.ok(await byTestId("keys-help").isVisible());
  assert.match(await byTestId("keys-help").textContent(), /Space.*play.*→.*step/s);
  await page.keyboard.press("Escape");
  assert.ok(await byTestId("keys-help").isHidden());
});

test("while typing in a field, Space, → and ? type; the run does not move", { timeout: 60_000 }, async () => {
  await openAt(`#/sim/${sim.id}?panels=steer&steer=watchpoints`);
  const before = await client.get(sim.id);
  await byTestId("steer-watch-name").fill("");
  await byTestId("steer-watch-name").focus();
  await page.keyboard.type("a b?");
  await page.keyboard.press("ArrowRight");
  await page.keyboard.press(" ");
  await byTestId("step-count").focus();
  await page.keyboard.press("ArrowRight");
  await page.keyboard.press(" ");
  await new Promise((r) => setTimeout(r, 1000));
  assert.equal(await byTestId("steer-watch-name").inputValue(), "a b? ", "the keys were typed into the field");
  assert.ok(await byTestId("keys-help").isHidden(), "? was typed, not taken");
  const now = await client.get(sim.id);
  assert.equal(now.state, SimulationState.PAUSED);
  assert.equal(Number(now.step), Number(before.step), "no step was taken");
  assert.equal((await client.interventionLog(sim.id)).length, 0);
});

test("the page raised no uncaught errors", () => {
  assert.deepEqual(pageErrors, []);
});
