// Browser test of time travel on the page (run `npm run build` first): a recurrent run that
// checkpoints every 50 steps, stepped to 200; the step scrubber moves the histogram,
// spectrum and dynamics panels to step 130, rebuilt from the checkpoint at 100 with its progress
// shown; what they draw equals what Measure at 130 returns, read through the SDK (not the
// page); live frames do not replace it while the run plays on; a step ahead of the run is
// refused with the server's message; "Live" follows the run again; "Fork here" makes a run
// that starts from step 130. Leaves test-results/time-travel.png (the panels at step 130).

import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import { after, before, test } from "node:test";
import { EiscopeClient, SimulationState } from "@eiscope/client";
import { eventually, openBrowser, RESULTS } from "./browser.mjs";

const CHECKPOINT_EVERY = 50;
const RUN_TO = 200;
const PAST = 130;
const TRIAL = 5;

let server;
let page;
let pageErrors;
let close;
let client;
let sim;
/** The Reconstruct calls the page made, in order. */
const reconstructCalls = [];

before(async () => {
  ({ server, page, pageErrors, close } = await openBrowser());
  client = new EiscopeClient(server.baseUrl);
  page.on("request", (r) => r.url().endsWith("/eiscope.v1.SimulationService/Reconstruct") && reconstructCalls.push(r));
});

after(async () => {
  for (const line of server?.output().split("\n") ?? []) if (/SEVERE|Exception/.test(line)) console.log(`server: ${line}`);
  await close?.();
});

const byTestId = (id) => page.locator(`[data-testid="${id}"]`);
const textOf = async (id) => (await byTestId(id).textContent()).trim();
const attr = (id, name) => byTestId(id).getAttribute(name);

/** Measure at `step` through the SDK: the payload of each of `observables` on `layer`, independent of the page. */
async function measured(step, observables, layer) {
  const out = new Map();
  for (const f of await client.measure(sim.id, observables, { layers: [layer], step })) {
    assert.equal(f.step, step);
    if (f.layer === layer) out.set(f.observable, f.payload);
  }
  return out;
}

/** The hidden states of one probe trial as the heatmap takes them: values[t * units + u]. */
function trialOf(tensor, trial) {
  const [steps, trials, units] = tensor.shape;
  const out = [];
  for (let t = 0; t < steps; t++) for (let u = 0; u < units; u++) out.push(tensor.data[(t * trials + trial) * units + u]);
  return out;
}

const drawn = (testid) => byTestId(testid).evaluate((c) => c.eiscopeData());

/** Waits until the scrubber says every panel shows `step`; fails with what it says instead. */
async function waitShown(step, timeoutMs = 60_000) {
  const shown = await eventually(() => attr("scrubber", "data-shown-step"), (s) => s === String(step), timeoutMs);
  const says = `${await attr("scrubber", "data-state")}: ${await textOf("scrub-status")} ${await textOf("scrub-error")}`;
  assert.equal(shown, String(step), `the scrubber shows step ${step} (it says ${says})`);
}

test("a run stepped to 200 shows its present in every panel, live", { timeout: 120_000 }, async () => {
  sim = await client.create({
    name: "ui-test time travel",
    model: { kind: "rnn", params: { hidden: [16] } },
    learningRule: { kind: "sgd", params: { learning_rate: 0.05 } },
    task: { kind: "perceptual_decision_making" },
    batchSize: 16,
    seed: 11,
    checkpoints: { everySteps: CHECKPOINT_EVERY },
  });
  await client.step(sim.id, RUN_TO);
  const paused = await client.waitForStep(sim.id, RUN_TO, { timeoutMs: 60_000 });
  assert.equal(SimulationState[paused.state], "PAUSED");
  assert.equal(Number(paused.step), RUN_TO);
  // At least 50 steps apart, and none taken while the previous one is being written: where
  // they fall depends on the disk, so the test reads them rather than assuming 50, 100, ...
  // Checkpoints are written off the training thread: the list may trail the pause (CI once read it empty).
  const kept = await eventually(
    async () => (await client.checkpoints(sim.id)).map((c) => c.step),
    (steps) => steps.some((s) => s > 0 && s <= PAST),
    30_000,
  );
  assert.ok(kept.some((s) => s > 0 && s <= PAST), `a checkpoint before step ${PAST} to rebuild it from: ${kept.join(", ")}`);

  await page.goto(`${server.baseUrl}/#/sim/${encodeURIComponent(sim.id)}`);
  await page.locator(`[data-testid="sim-view"][data-id="${sim.id}"][data-history-step]`).waitFor({ timeout: 30_000 });
  await byTestId("dynamics-toggle").click();
  await byTestId("spectrum-toggle").click();
  await byTestId("dynamics-trial").fill(String(TRIAL));
  assert.equal(await attr("scrubber", "data-state"), "live");
  assert.equal(await byTestId("scrub-range").getAttribute("max"), String(RUN_TO));
  assert.equal(await byTestId("scrub-step").inputValue(), String(RUN_TO), "live, the step field says the run's step");
  assert.ok(await byTestId("fork-here").isDisabled(), "nothing to fork from while live (Fork forks the present)");
  for (const panel of ["histogram-panel", "dynamics-panel"]) {
    assert.equal(await eventually(() => attr(panel, "data-step"), (s) => s === String(RUN_TO), 30_000), String(RUN_TO), `${panel} live at ${RUN_TO}`);
  }
  assert.equal(await eventually(() => attr("spectrum-panel", "data-step"), (s) => s === String(RUN_TO), 30_000), String(RUN_TO));
  for (const badge of ["histogram-past", "spectrum-past", "dynamics-past"]) assert.ok(await byTestId(badge).isHidden(), `${badge} hidden while live`);
});

test("scrubbing to step 130 rebuilds it from the nearest checkpoint before it, with progress, once for the last position", { timeout: 120_000 }, async () => {
  // Every state and status the scrubber goes through, recorded in the page.
  await byTestId("scrubber").evaluate((el) => {
    window.scrubLog = [];
    new MutationObserver(() => {
      const entry = `${el.dataset.state}|${el.querySelector('[data-testid="scrub-status"]').textContent}`;
      if (window.scrubLog.at(-1) !== entry) window.scrubLog.push(entry);
    }).observe(el, { attributes: true, subtree: true, childList: true, characterData: true });
  });
  const before = reconstructCalls.length;
  // A drag: the range moves through several positions within the debounce; only the last counts.
  for (const v of [180, 150, 110, PAST]) await byTestId("scrub-range").fill(String(v));
  await waitShown(PAST);
  assert.equal(reconstructCalls.length - before, 1, "one Reconstruct, for the position the slider stopped at");

  const from = Math.max(...(await client.checkpoints(sim.id)).map((c) => c.step).filter((s) => s <= PAST));
  // The checkpoint itself, or its state already rebuilt: the spectrum panel's waterfall measures
  // every kept checkpoint when it opens, which leaves their states in the server's replay cache.
  const source = await attr("scrubber", "data-source");
  assert.ok(["checkpoint", "cache"].includes(source), source);
  assert.equal(await attr("scrubber", "data-from-step"), String(from), "the nearest checkpoint at or before the step");
  assert.equal(await attr("scrubber", "data-total"), String(PAST - from));
  assert.equal(await attr("scrubber", "data-replayed"), String(PAST - from));
  const replayed = `${PAST - from} step${PAST - from === 1 ? "" : "s"} replayed`;
  const origin =
    source === "checkpoint"
      ? from === PAST
        ? "a checkpoint"
        : `from the checkpoint at step ${from}, ${replayed}`
      : `from the state rebuilt at step ${from}, ${replayed}`;
  assert.equal(await textOf("scrub-status"), `showing step ${PAST} · ${origin}`);
  const log = await page.evaluate(() => window.scrubLog);
  const states = log.map((e) => e.split("|")[0]).filter((s, i, a) => s !== a[i - 1] && !(i === 0 && s === "live"));
  assert.deepEqual(states, ["rebuilding", "measuring", "shown"], `the scrubber went through ${log.join(" / ")}`);
  assert.ok(log.some((e) => e.startsWith(`rebuilding|rebuilding step ${PAST}`)), `the rebuilding was shown: ${log.join(" / ")}`);
  assert.equal(await byTestId("scrub-step").inputValue(), String(PAST));
  assert.equal(await attr("loss-chart", "data-marker"), String(PAST), "the loss curve marks the step shown");
  assert.equal(await attr("accuracy-chart", "data-marker"), String(PAST));
  assert.ok(await byTestId("fork-here").isEnabled());
});

test("the histogram, spectrum and dynamics panels draw what Measure returns at step 130, not the present", { timeout: 60_000 }, async () => {
  for (const panel of ["histogram", "spectrum", "dynamics"]) {
    assert.equal(await attr(`${panel}-panel`, "data-step"), String(PAST), `${panel} shows step ${PAST}`);
    assert.equal(await textOf(`${panel}-past`), `step ${PAST}`, `${panel} says it is not live`);
  }

  const param = await byTestId("param-select").inputValue();
  const [then, now] = [await measured(PAST, ["weight_histogram"], param), await measured(RUN_TO, ["weight_histogram"], param)];
  const histogram = await drawn("histogram-canvas");
  assert.deepEqual(histogram, { edges: then.get("weight_histogram").edges, counts: then.get("weight_histogram").counts },
    `the histogram of ${param} drawn is Measure's at step ${PAST}, bin for bin`);
  assert.notDeepEqual(histogram.edges, now.get("weight_histogram").edges, `and not the one at step ${RUN_TO}`);
  const weights = histogram.counts.reduce((a, b) => a + b, 0);
  assert.equal(await textOf("histogram-info"), `step ${PAST} · ${weights.toLocaleString("en-US")} weights`);

  const laziness = ["kernel_alignment", "representation_alignment", "relative_weight_change", "activation_fraction_active"];
  const dyn = await measured(PAST, ["hidden_states", ...laziness], "rnn0");
  const hidden = dyn.get("hidden_states").tensor;
  const heatmap = await drawn("dynamics-heatmap");
  assert.equal(heatmap.steps, hidden.shape[0]);
  assert.equal(heatmap.units, hidden.shape[2]);
  assert.deepEqual(heatmap.values, trialOf(hidden, TRIAL), `the heatmap is trial ${TRIAL} of Measure's hidden states at step ${PAST}, value for value`);
  const hiddenNow = (await measured(RUN_TO, ["hidden_states"], "rnn0")).get("hidden_states").tensor;
  assert.notDeepEqual(heatmap.values, trialOf(hiddenNow, TRIAL), `and not the one at step ${RUN_TO}`);
  assert.match(await textOf("dynamics-info"), new RegExp(`^step ${PAST} · trial ${TRIAL} of 32 probe trials`));
  for (const o of laziness) {
    assert.equal(Number(await attr(`dynamics-${o}`, "data-value")), dyn.get(o).value, `${o} is Measure's at step ${PAST}`);
    assert.equal(await textOf(`dynamics-${o}-step`), String(PAST));
  }

  const target = await byTestId("spectrum-target").inputValue();
  const numbers = ["spectral_radius", "nse", "effective_rank_entropy", "effective_rank_participation"];
  const spec = await measured(PAST, ["singular_values", ...numbers], target);
  assert.deepEqual(await drawn("spectrum-sv-canvas"), [...spec.get("singular_values").tensor.data],
    `the singular values of ${target} drawn are Measure's at step ${PAST}`);
  for (const o of numbers) {
    assert.equal(Number(await attr(`spectrum-${o}`, "data-value")), spec.get(o).value, `${o} of ${target} at step ${PAST}`);
  }
  mkdirSync(RESULTS, { recursive: true });
  await page.screenshot({ path: resolve(RESULTS, "time-travel.png"), fullPage: true });
});

test("while the run plays on, the curves go on live and the scrubbed panels keep step 130", { timeout: 120_000 }, async () => {
  const pointsBefore = Number(await textOf("loss-points"));
  await byTestId("play-button").click();
  const later = await eventually(async () => Number(await textOf("loss-points")), (n) => n >= RUN_TO + 60, 60_000);
  assert.ok(later >= RUN_TO + 60, `the loss curve went on live: ${pointsBefore} then ${later} points`);
  await byTestId("pause-button").click();
  await eventually(() => client.get(sim.id), (s) => s.state === SimulationState.PAUSED, 30_000);
  for (const panel of ["histogram", "spectrum", "dynamics"]) {
    assert.equal(await attr(`${panel}-panel`, "data-step"), String(PAST), `${panel} still shows step ${PAST}`);
  }
  const param = await byTestId("param-select").inputValue();
  const { edges, counts } = (await measured(PAST, ["weight_histogram"], param)).get("weight_histogram");
  assert.deepEqual(await drawn("histogram-canvas"), { edges, counts }, "no live frame replaced the histogram");
  assert.ok(Number(await byTestId("scrub-range").getAttribute("max")) > RUN_TO, "the slider's end follows the run");
  assert.equal(await attr("scrubber", "data-shown-step"), String(PAST));
});

test("a step ahead of the run is refused with the server's message, shown on the page", { timeout: 60_000 }, async () => {
  const ahead = 1_000_000;
  await byTestId("scrub-step").fill(String(ahead));
  await byTestId("scrub-step").press("Enter");
  const error = await eventually(() => byTestId("scrub-error").textContent(), (t) => t !== "", 30_000);
  assert.match(error, /^Cannot show step 1,000,000: OutOfRange: /);
  assert.ok(await byTestId("scrub-error").isVisible());
  assert.equal(await attr("scrubber", "data-state"), "error");
  assert.ok(await byTestId("fork-here").isDisabled(), "nothing to fork from a step that could not be rebuilt");

  await byTestId("scrub-step").fill("1.5");
  await byTestId("scrub-step").press("Enter");
  assert.match(await eventually(() => byTestId("scrub-error").textContent(), (t) => t.includes("1.5")), /"1\.5" is not a step/);
});

test("moving on aborts the Reconstruct under way: the step chosen last is the one shown", { timeout: 60_000 }, async () => {
  // Hold the first Reconstruct in the network, as a long replay would be, until the page lets go of it.
  let held;
  const heldRequest = new Promise((resolve) => (held = resolve));
  const aborted = new Promise((resolve) => page.on("requestfailed", (r) => r.url().endsWith("/Reconstruct") && resolve(r.failure()?.errorText)));
  await page.route("**/eiscope.v1.SimulationService/Reconstruct", (route) => {
    if (held) {
      held(route.request());
      held = undefined;
    } else {
      void route.continue();
    }
  });
  try {
    await byTestId("scrub-step").fill("60");
    await byTestId("scrub-step").press("Enter");
    await heldRequest;
    assert.equal(await attr("scrubber", "data-state"), "rebuilding");
    assert.match(await textOf("scrub-status"), /^rebuilding step 60/);
    assert.ok(await byTestId("scrub-progress").isVisible(), "the progress bar shows while rebuilding");

    await byTestId("scrub-step").fill("140");
    await byTestId("scrub-step").press("Enter");
    assert.equal(await aborted, "net::ERR_ABORTED", "the page cancelled the superseded Reconstruct");
    await waitShown(140);
    for (const panel of ["histogram", "spectrum", "dynamics"]) assert.equal(await attr(`${panel}-panel`, "data-step"), "140");
  } finally {
    await page.unroute("**/eiscope.v1.SimulationService/Reconstruct");
  }
});

test("Live follows the run again: the panels show its present step", { timeout: 60_000 }, async () => {
  const now = Number((await client.get(sim.id)).step);
  await byTestId("scrub-live").click();
  assert.equal(await attr("scrubber", "data-state"), "live");
  assert.ok(await byTestId("scrub-error").isHidden());
  assert.equal(await attr("loss-chart", "data-marker"), null, "no marker while live");
  for (const panel of ["histogram", "spectrum", "dynamics"]) {
    assert.equal(await eventually(() => attr(`${panel}-panel`, "data-step"), (s) => s === String(now), 30_000), String(now), `${panel} live at ${now}`);
    assert.ok(await byTestId(`${panel}-past`).isHidden());
  }
  const param = await byTestId("param-select").inputValue();
  const { edges, counts } = (await measured(now, ["weight_histogram"], param)).get("weight_histogram");
  assert.deepEqual(await drawn("histogram-canvas"), { edges, counts }, `the histogram is the one at step ${now}`);
});

test("Fork here makes a paused run that starts from step 130 and opens it", { timeout: 60_000 }, async () => {
  await byTestId("scrub-step").fill(String(PAST));
  await byTestId("scrub-step").press("Enter");
  await waitShown(PAST);
  const before = new Set((await client.list()).map((s) => s.id));
  await byTestId("fork-here").click();
  const forks = await eventually(async () => (await client.list()).filter((s) => !before.has(s.id)), (l) => l.length === 1, 30_000);
  assert.equal(forks.length, 1, "one new run");
  const fork = forks[0];
  assert.equal(fork.parentId, sim.id);
  assert.equal(Number(fork.forkStep), PAST);
  assert.equal(Number(fork.step), PAST, "it starts at the step it was forked from");
  assert.equal(SimulationState[fork.state], "PAUSED");
  await page.locator(`[data-testid="sim-view"][data-id="${fork.id}"]`).waitFor({ timeout: 15_000 });
  assert.match(await page.locator(".sim-header").textContent(), new RegExp(`forked from ${sim.id} at step ${PAST}`));
  assert.equal(await eventually(() => textOf("sim-step"), (s) => s === String(PAST)), String(PAST));

  // Its weights are the parent's at step 130, bit for bit (GetParameters at a past step).
  const parentThen = await client.parameters(sim.id, [], { step: PAST });
  const forkNow = await client.parameters(fork.id);
  assert.deepEqual([...forkNow.keys()], [...parentThen.keys()]);
  for (const [name, t] of parentThen) {
    assert.deepEqual([...forkNow.get(name).data], [...t.data], `${name} of the fork = the parent's at step ${PAST}`);
  }
  await client.delete(fork.id);
  await client.delete(sim.id);
});

test("the page raised no uncaught errors", () => {
  assert.deepEqual(pageErrors, []);
});
