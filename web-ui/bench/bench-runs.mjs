// What the web UI's benchmarks share: the machine they ran on, long runs made quickly (a point
// neuron on a 10-dimensional linear regression, batch 1: about 60 µs a step with its record, the
// cheapest model of the catalogue to step), and frame-time statistics. Benchmarks, not tests:
// run by hand (see docs/benchmarks.md, "Web UI").

import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

/** A spec that steps fast and records loss and accuracy at every step. */
export const FAST_SPEC = {
  model: { kind: "point_neuron" },
  learningRule: { kind: "sgd", params: { learning_rate: 0.001 } },
  task: { kind: "linear_regression", params: { dimension: 10 } },
  batchSize: 1,
};

/** Creates `count` runs of FAST_SPEC and steps each to `steps` (all at once: the server runs them side by side). */
export async function longRuns(client, count, steps, name) {
  const runs = [];
  for (let i = 0; i < count; i++) runs.push(await client.create({ ...FAST_SPEC, name: `${name}-${i}`, seed: i + 1 }));
  const t0 = performance.now();
  await Promise.all(runs.map((r) => client.step(r.id, steps)));
  for (const r of runs) await client.waitForStep(r.id, steps, { timeoutMs: 3_600_000 });
  return { runs, seconds: (performance.now() - t0) / 1000 };
}

/** p50, p95, max and mean of `xs`. */
export function stats(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q) => s[Math.min(s.length - 1, Math.floor(q * s.length))];
  return { n: s.length, p50: at(0.5), p95: at(0.95), max: s.at(-1), mean: s.reduce((a, b) => a + b, 0) / s.length };
}

export function fmt({ n, p50, p95, max }) {
  return `n=${n} p50=${p50.toFixed(1)} ms p95=${p95.toFixed(1)} ms max=${max.toFixed(1)} ms`;
}

/** CPU model, kernel, Node and Chromium: what every figure is quoted with. */
export function machine(browser) {
  const cpu = /model name\s*:\s*(.*)/.exec(readFileSync("/proc/cpuinfo", "utf8"))?.[1] ?? "unknown CPU";
  const cores = readFileSync("/proc/cpuinfo", "utf8").match(/^processor\s*:/gm)?.length ?? 0;
  return {
    cpu: `${cpu} (${cores} logical cores)`,
    kernel: execFileSync("uname", ["-r"], { encoding: "utf8" }).trim(),
    node: process.version,
    chromium: browser.version(),
  };
}

/**
 * Installed in the page before it loads: every animation frame's start time and every long task
 * (≥ 50 ms on the main thread), so frames can be measured over any stretch of time.
 */
export const FRAME_PROBE = () => {
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

/** Frame intervals (ms) and long tasks between page times `from` and `to`. */
export async function framesBetween(page, from, to) {
  return page.evaluate(
    ([a, b]) => {
      const f = window.benchFrames.filter((t) => t >= a && t <= b);
      return {
        intervals: f.slice(1).map((t, i) => t - f[i]),
        longTasks: window.benchLongTasks.filter((l) => l.start >= a && l.start <= b).map((l) => l.duration),
      };
    },
    [from, to],
  );
}

/**
 * Runs `act` under a Chromium trace of the renderer's main thread ("toplevel" only: each task's
 * wall time and the thread's own CPU time in it) and sums it up. A frame interval or a long task
 * measured by the Performance API is wall time: on a machine whose cores the server, the
 * browser's other threads and the benchmark share, a task can last 100 ms of which the page
 * worked 9 (the rest the thread waited for a core). The CPU time tells the page's own cost:
 * `cpuWindowMax` is the most main-thread CPU spent by tasks starting within any 16.7 ms.
 */
export async function mainThreadTasks(browser, page, act) {
  // EISCOPE_BENCH_DETAIL=1: also what ran inside each task over 16.7 ms of CPU (the timeline's events).
  const detail = process.env.EISCOPE_BENCH_DETAIL === "1";
  const categories = ["toplevel", "__metadata", ...(detail ? ["devtools.timeline", "v8", "disabled-by-default-devtools.timeline"] : [])];
  await browser.startTracing(page, { categories });
  let trace;
  try {
    await act();
  } finally {
    trace = JSON.parse((await browser.stopTracing()).toString());
  }
  const events = trace.traceEvents ?? trace;
  const main = new Set(
    events.filter((e) => e.name === "thread_name" && e.args?.name === "CrRendererMain").map((e) => `${e.pid}:${e.tid}`),
  );
  const tasks = events
    .filter((e) => e.ph === "X" && e.name === "ThreadControllerImpl::RunTask" && main.has(`${e.pid}:${e.tid}`))
    .map((e) => ({ ts: e.ts / 1000, wall: e.dur / 1000, cpu: (e.tdur ?? e.dur) / 1000 }))
    .sort((a, b) => a.ts - b.ts);
  let cpuWindowMax = 0;
  for (let i = 0, j = 0, sum = 0; i < tasks.length; i++) {
    sum += tasks[i].cpu;
    while (tasks[i].ts - tasks[j].ts >= 16.7) sum -= tasks[j++].cpu;
    cpuWindowMax = Math.max(cpuWindowMax, sum);
  }
  const longOnes = [];
  if (detail) {
    const inside = events.filter((e) => e.ph === "X" && main.has(`${e.pid}:${e.tid}`) && e.name !== "ThreadControllerImpl::RunTask");
    for (const t of tasks.filter((x) => x.cpu > 16.7)) {
      const parts = inside
        .filter((e) => e.ts / 1000 >= t.ts && e.ts / 1000 < t.ts + t.wall && e.dur / 1000 >= 1)
        .map((e) => `${e.name}${e.args?.data?.functionName ? ` ${e.args.data.functionName}` : ""}${e.args?.data?.type ? ` ${e.args.data.type}` : ""} ${(e.dur / 1000).toFixed(1)}`);
      longOnes.push(`${t.cpu.toFixed(1)} ms CPU: ${parts.join("; ")}`);
    }
  }
  const q = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))] ?? 0;
  if (detail) {
    const layouts = events.filter((e) => e.ph === "X" && e.name === "Layout" && main.has(`${e.pid}:${e.tid}`)).map((e) => (e.tdur ?? e.dur) / 1000);
    longOnes.push(`layouts ${layouts.length}: p50 ${q(layouts, 0.5).toFixed(2)} / p99 ${q(layouts, 0.99).toFixed(2)} / max ${q(layouts, 1).toFixed(2)} ms CPU`);
  }
  const wall = tasks.map((t) => t.wall), cpu = tasks.map((t) => t.cpu);
  return {
    tasks: tasks.length,
    wallP99: q(wall, 0.99),
    wallMax: q(wall, 1),
    cpuP99: q(cpu, 0.99),
    cpuMax: q(cpu, 1),
    over16Wall: wall.filter((x) => x > 16.7).length,
    over16Cpu: cpu.filter((x) => x > 16.7).length,
    cpuWindowMax,
    cpuSeconds: cpu.reduce((a, b) => a + b, 0) / 1000,
    longOnes,
  };
}

/** One line for mainThreadTasks' figures. */
export function fmtTasks(t) {
  const f = (x) => x.toFixed(1);
  return (
    `main-thread tasks ${t.tasks}: wall p99 ${f(t.wallP99)} / max ${f(t.wallMax)} ms (${t.over16Wall} over 16.7); ` +
    `own CPU p99 ${f(t.cpuP99)} / max ${f(t.cpuMax)} ms (${t.over16Cpu} over 16.7); ` +
    `most CPU in any 16.7 ms ${f(t.cpuWindowMax)} ms; ${f(t.cpuSeconds)} s CPU in all` +
    t.longOnes.map((l) => `\n    ${l}`).join("")
  );
}
