// Benchmark (not a test): frame times of a comparison of 10 runs × 100,000 recorded steps each,
// in headless Chromium on the real server over loopback. The runs are stepped first (FAST_SPEC),
// then the comparison opens and, for each phase, the page's animation frames are recorded while
// something happens: the page settling after the first read, the pointer sweeping the chart
// (cursor, table), the smoothing slider dragged, the log scale and the x axis toggled, and the
// ten runs playing on (the chart grows once a second, each curve staying bounded). Frame
// intervals above ~16.7 ms mean the main thread held a frame; long tasks are ≥ 50 ms.
//
//   cd web-ui && npm run build && node bench/compare-frames.mjs [runs] [steps]
//   (EISCOPE_JAR / EISCOPE_DATASETS as for the tests)

import { EiscopeClient } from "@eiscope/client";
import { openBrowser } from "../tests/browser.mjs";
import { fmt, fmtTasks, FRAME_PROBE, framesBetween, longRuns, machine, mainThreadTasks, stats } from "./bench-runs.mjs";

const RUNS = Number(process.argv[2] ?? 10);
const STEPS = Number(process.argv[3] ?? 100_000);

const { server, browser, page, pageErrors, close } = await openBrowser();
try {
  const client = new EiscopeClient(server.baseUrl);
  console.log(JSON.stringify(machine(browser)));
  const { runs, seconds } = await longRuns(client, RUNS, STEPS, "frames");
  console.log(`${RUNS} runs stepped to ${STEPS.toLocaleString("en-US")} in ${seconds.toFixed(0)} s`);
  const recorded = await Promise.all(
    runs.map(async (r) => (await client.history(r.id, { observables: ["loss"], maxPoints: 4 })).series[0].recordedPoints),
  );
  console.log(`recorded loss points per run: ${recorded.map((n) => n.toLocaleString("en-US")).join(", ")}`);

  await page.addInitScript(FRAME_PROBE);
  const ids = runs.map((r) => r.id).join(",");
  const t0 = Date.now();
  await page.goto(`${server.baseUrl}/#/compare?runs=${ids}&y=loss&smooth=0.6`);
  const curves = () => page.locator('[data-testid="compare-chart"]').evaluate((el) => el.eiscopeCurves?.() ?? {});
  for (;;) {
    const c = await curves();
    if (runs.every((r) => c[r.id]?.steps.length > 0)) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  console.log(`all ${RUNS} curves drawn ${Date.now() - t0} ms after navigation`);
  const drawn = await page.locator('[data-testid="compare-chart"]').getAttribute("data-points");
  console.log(`points drawn in all: ${Number(drawn).toLocaleString("en-US")} (each run's record read at about two points per pixel)`);

  const now = () => page.evaluate(() => performance.now());
  const chart = await page.locator('[data-testid="compare-chart"] .u-over').boundingBox();
  const phases = {
    "settled (nothing happening, 3 s)": async () => new Promise((r) => setTimeout(r, 3000)),
    "pointer sweeping the chart (cursor + table)": async () => {
      for (let k = 0; k < 3; k++) {
        for (let x = 0; x <= 1; x += 0.01) await page.mouse.move(chart.x + x * chart.width, chart.y + chart.height / 2);
      }
    },
    "smoothing slider dragged across, and back": async () => {
      // Real pointer input (CDP), not Playwright's fill, whose injected script runs on the page's main thread.
      const box = await page.locator('[data-testid="compare-smoothing"]').boundingBox();
      const y = box.y + box.height / 2;
      await page.mouse.move(box.x + 2, y);
      await page.mouse.down();
      for (let x = 0; x <= 1; x += 0.02) await page.mouse.move(box.x + 2 + x * (box.width - 4), y);
      for (let x = 1; x >= 0.3; x -= 0.02) await page.mouse.move(box.x + 2 + x * (box.width - 4), y);
      await page.mouse.up();
    },
    "log scale and x axis toggled 4 times": async () => {
      for (let k = 0; k < 4; k++) {
        await page.locator('[data-testid="compare-log"]').click();
        await new Promise((r) => setTimeout(r, 250));
        await page.locator('[data-testid="compare-x"]').selectOption(k % 2 === 0 ? "time" : "step");
        await new Promise((r) => setTimeout(r, 250));
      }
    },
    "the 10 runs playing on, 5 s (a poll a second per run)": async () => {
      await Promise.all(runs.map((r) => client.play(r.id)));
      await new Promise((r) => setTimeout(r, 5000));
      await Promise.all(runs.map((r) => client.pause(r.id)));
    },
  };
  const drawMs = () => page.locator('[data-testid="compare-chart"]').evaluate((el) => el.eiscopeDrawMs());
  const all = [];
  const draws = [];
  for (const [name, act] of Object.entries(phases)) {
    const before = (await drawMs()).length;
    const a = await now();
    const tasks = await mainThreadTasks(browser, page, act);
    const b = await now();
    const { intervals, longTasks } = await framesBetween(page, a, b);
    const d = (await drawMs()).slice(before);
    all.push(...intervals);
    draws.push(...d);
    const over = intervals.filter((x) => x > 17).length;
    const long = longTasks.length ? `${longTasks.map((x) => x.toFixed(0)).join(", ")} ms` : "none";
    console.log(`${name}:\n  frame intervals ${fmt(stats(intervals))}; ${over} over 17 ms; long tasks ${long}`);
    if (d.length) console.log(`  chart redraws ${fmt(stats(d))}`);
    console.log(`  ${fmtTasks(tasks)}`);
  }
  console.log(`all phases: frame intervals ${fmt(stats(all))}; chart redraws ${fmt(stats(draws))}`);
  if (pageErrors.length) console.log(`page errors: ${pageErrors.join("; ")}`);
} finally {
  await close();
}
