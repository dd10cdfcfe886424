// Benchmark (not a test): the weight heatmap of a 500 × 500 matrix following a playing run at up
// to 10 reads a second, in headless Chromium on the real server over loopback. An MLP 784-500-500-10
// plays; its heatmap shows layer1.W (500 × 500: one cell per pixel, nothing pooled) and every
// animation frame's start and every long task (≥ 50 ms) are recorded (requestAnimationFrame and
// PerformanceObserver "longtask"), with the heatmap's own draw times (ImageData + drawImage) and
// the reads it made; first with the heatmap closed while the run plays (the rest of the page's
// cost), then with it following the run. A frame interval above ~16.7 ms means a frame was missed.
//
//   cd web-ui && npm run build && node bench/heatmap-bench.mjs [seconds]
//   (EISCOPE_JAR / EISCOPE_DATASETS as for the tests)

import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { EiscopeClient } from "@eiscope/client";
import { openBrowser } from "../tests/browser.mjs";
import { fmtTasks, mainThreadTasks } from "./bench-runs.mjs";

const SECONDS = Number(process.argv[2] ?? 20);

/** Installed before the page loads: each animation frame's start, and each long task. */
const probe = () => {
  window.benchFrames = [];
  window.benchLongTasks = [];
  const tick = (t) => {
    window.benchFrames.push(t);
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) window.benchLongTasks.push({ start: e.startTime, duration: e.duration });
  }).observe({ type: "longtask", buffered: true });
};

function stats(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q) => s[Math.min(s.length - 1, Math.floor(q * s.length))];
  return { n: s.length, p50: at(0.5), p95: at(0.95), max: s.at(-1) };
}

const fmt = ({ n, p50, p95, max }) => `n=${n} p50=${p50.toFixed(1)} ms p95=${p95.toFixed(1)} ms max=${max.toFixed(1)} ms`;

const { server, browser, page, pageErrors, close } = await openBrowser();
try {
  const cpuinfo = readFileSync("/proc/cpuinfo", "utf8");
  console.log(
    JSON.stringify({
      cpu: `${/model name\s*:\s*(.*)/.exec(cpuinfo)?.[1]} (${cpuinfo.match(/^processor\s*:/gm)?.length} logical cores)`,
      kernel: execFileSync("uname", ["-r"], { encoding: "utf8" }).trim(),
      node: process.version,
      chromium: browser.version(),
      viewport: page.viewportSize(),
    }),
  );
  const client = new EiscopeClient(server.baseUrl);
  const sim = await client.create({
    name: "heatmap benchmark",
    model: { kind: "mlp", params: { hidden: [500, 500] } },
    learningRule: { kind: "sgd", params: { learning_rate: 0.01 } },
    task: { kind: "fashion_mnist" },
    batchSize: 32,
    seed: 1,
  });
  await page.addInitScript(probe);
  await page.goto(`${server.baseUrl}/#/sim/${encodeURIComponent(sim.id)}`);
  const panel = page.locator('[data-testid="heatmap-panel"]');
  await page.locator('[data-testid="sim-view"]').waitFor();
  if ((await panel.getAttribute("data-open")) !== "true") await page.locator('[data-testid="heatmap-toggle"]').click();
  await page.locator('[data-testid="heatmap-target"]').selectOption("layer1.W");
  await page.waitForFunction(() => document.querySelector('[data-testid="heatmap-panel"]')?.dataset.target === "layer1.W");
  await panel.scrollIntoViewIfNeeded();
  const shape = await panel.evaluate((el) => `${el.dataset.shape} drawn of ${el.dataset.fullShape}`);
  console.log(`heatmap: ${shape}`);
  console.log(`load average before: ${readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ")}`);

  const now = () => page.evaluate(() => performance.now());
  const drawMs = () => page.locator('[data-testid="heatmap-canvas"]').evaluate((c) => c.eiscopeDrawMs());
  const phase = async (name, act) => {
    const draws0 = (await drawMs()).length;
    const reads0 = Number(await panel.getAttribute("data-reads"));
    const step0 = Number((await client.get(sim.id)).step);
    const a = await now();
    const tasks = await mainThreadTasks(browser, page, act);
    const b = await now();
    const { intervals, longTasks } = await page.evaluate(
      ([from, to]) => {
        const f = window.benchFrames.filter((t) => t >= from && t <= to);
        return {
          intervals: f.slice(1).map((t, i) => t - f[i]),
          longTasks: window.benchLongTasks.filter((l) => l.start >= from && l.start <= to).map((l) => l.duration),
        };
      },
      [a, b],
    );
    const draws = (await drawMs()).slice(draws0);
    const reads = Number(await panel.getAttribute("data-reads")) - reads0;
    const steps = Number((await client.get(sim.id)).step) - step0;
    const seconds = (b - a) / 1000;
    console.log(`${name} (${seconds.toFixed(1)} s):`);
    console.log(`  frame intervals ${fmt(stats(intervals))}; ${intervals.filter((x) => x > 17).length} over 17 ms`);
    console.log(`  long tasks (>= 50 ms): ${longTasks.length ? longTasks.map((x) => x.toFixed(0)).join(", ") + " ms" : "none"}`);
    console.log(`  ${fmtTasks(tasks)}`);
    if (draws.length) console.log(`  heatmap draws (paint 250,000 cells + drawImage) ${fmt(stats(draws))}`);
    console.log(
      `  ${reads} reads (${(reads / seconds).toFixed(1)} a second), at most ${await panel.getAttribute("data-max-in-flight")} in flight; the run advanced ${steps} steps`,
    );
  };
  const wait = (s) => new Promise((r) => setTimeout(r, s * 1000));
  await phase("paused, nothing happening", () => wait(3));
  await client.play(sim.id);
  // The same page with the heatmap closed: what the rest of it (curves, histogram) costs meanwhile.
  await page.locator('[data-testid="heatmap-toggle"]').click();
  await phase("the run playing, the heatmap closed (baseline)", () => wait(SECONDS));
  await page.locator('[data-testid="heatmap-toggle"]').click();
  await phase("the run playing, the heatmap following it", () => wait(SECONDS));
  await client.pause(sim.id);
  if (pageErrors.length) console.log(`page errors: ${pageErrors.join("; ")}`);
} finally {
  await close();
}
