// Benchmark (not a test): how long a run with a million-step history takes to show its curves,
// in headless Chromium on the real server over loopback. The run (FAST_SPEC) is stepped to
// 1,000,000 first; then the page is loaded N times at #/sim/<id> and each time the probe notes,
// in ms since navigation began, when the run's record was read (GetSimulation, GetHistory
// downsampled to about two points per pixel, GetEvents) and when the loss chart first drew points.
// GetHistory's own time is measured from Node with the same max_points, for comparison.
//
//   cd web-ui && npm run build && node bench/first-paint.mjs [steps] [loads]
//   (EISCOPE_JAR / EISCOPE_DATASETS as for the tests)

import { EiscopeClient } from "@eiscope/client";
import { openBrowser } from "../tests/browser.mjs";
import { longRuns, machine, stats } from "./bench-runs.mjs";

const STEPS = Number(process.argv[2] ?? 1_000_000);
const LOADS = Number(process.argv[3] ?? 7);

/** In the page before it loads: the time the record was read and the time the loss chart first drew points. */
const PAINT_PROBE = () => {
  window.benchPaint = {};
  new MutationObserver(() => {
    const view = document.querySelector('[data-testid="sim-view"][data-history-step]');
    if (view && window.benchPaint.recordRead === undefined) window.benchPaint.recordRead = performance.now();
    const chart = document.querySelector('[data-testid="loss-chart"]');
    if (chart && Number(chart.dataset.points) > 0 && window.benchPaint.lossDrawn === undefined) {
      window.benchPaint.lossDrawn = performance.now();
      window.benchPaint.points = Number(chart.dataset.points);
    }
  }).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ["data-history-step", "data-points"] });
};

const { server, browser, page, close } = await openBrowser();
try {
  const client = new EiscopeClient(server.baseUrl);
  console.log(JSON.stringify(machine(browser)));
  const { runs, seconds } = await longRuns(client, 1, STEPS, "first-paint");
  const id = runs[0].id;
  const recorded = (await client.history(id, { observables: ["loss"], maxPoints: 4 })).series[0].recordedPoints;
  console.log(
    `stepped to ${STEPS.toLocaleString("en-US")} in ${seconds.toFixed(0)} s (${((seconds * 1e6) / STEPS).toFixed(0)} µs a step); ` +
      `${recorded.toLocaleString("en-US")} loss points recorded`,
  );

  await page.addInitScript(PAINT_PROBE);
  const read = [];
  const drawn = [];
  let points = 0;
  let maxPoints = 0;
  for (let i = 0; i < LOADS; i++) {
    await page.goto(`${server.baseUrl}/#/sim/${id}`);
    await page.waitForFunction(() => window.benchPaint?.lossDrawn !== undefined, undefined, { timeout: 60_000 });
    const p = await page.evaluate(() => window.benchPaint);
    read.push(p.recordRead);
    drawn.push(p.lossDrawn);
    points = p.points;
    maxPoints = Number(await page.locator('[data-testid="sim-view"]').getAttribute("data-history-max-points"));
    // Where the time went: the page's own files and each call, as the browser timed them.
    const calls = await page.evaluate(() =>
      performance
        .getEntriesByType("resource")
        .filter((e) => e.startTime < window.benchPaint.lossDrawn)
        .map((e) => `${e.name.replace(/^.*\//, "")} ${e.startTime.toFixed(0)}+${e.duration.toFixed(0)}`),
    );
    console.log(`load ${i + 1}: record read at ${p.recordRead.toFixed(0)} ms, loss drawn at ${p.lossDrawn.toFixed(0)} ms (${p.points} points)`);
    console.log(`  before it (start+duration, ms): ${calls.join(", ")}`);
    await page.goto("about:blank");
  }
  const h = [];
  for (let i = 0; i < LOADS; i++) {
    const t0 = performance.now();
    await client.history(id, { observables: ["loss", "accuracy", "test_loss", "test_accuracy"], maxPoints, toStep: STEPS });
    h.push(performance.now() - t0);
  }
  const f = (s) => `p50 ${s.p50.toFixed(0)} ms, max ${s.max.toFixed(0)} ms`;
  console.log(`first paint of the loss curve (${points} points drawn for ${STEPS.toLocaleString("en-US")} steps): ${f(stats(drawn))}`);
  console.log(`record read (run, history, events): ${f(stats(read))}`);
  console.log(`GetHistory of 4 scalars at max_points ${maxPoints}, from Node: ${f(stats(h))}`);
} finally {
  await close();
}
