// Browser test of the weight heatmap (run `npm run build` first): a column-E/I MLP, paused, opens
// on its first effective matrix; every cell drawn is the server's pooling of the full matrix read
// through the SDK (each block's value of largest magnitude, sign kept, blocks as the proto
// defines them), the hover of a pooled cell says which block it stands for and its value; on a
// matrix with E and I columns the hover says E or I as the run's partition does, and the
// separators are where it puts them; "change since step 0" is W(now) − W(0) computed here; while
// the run plays the heatmap follows it with never more than one call in flight and at most 10 a
// second; at a past step chosen with the scrubber it shows that step. Expected values come from
// the SDK (GetParameters, GetSimulation), never from the page's code.
// Leaves test-results/heatmap.png.

import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import { after, before, test } from "node:test";
import { commands, EiscopeClient } from "@eiscope/client";
import { eventually, openBrowser, RESULTS } from "./browser.mjs";

let server;
let page;
let pageErrors;
let close;
let client;
let sim;
const STEP = 30;

before(async () => {
  ({ server, page, pageErrors, close } = await openBrowser());
  client = new EiscopeClient(server.baseUrl);
});

after(async () => {
  for (const line of server?.output().split("\n") ?? []) if (/SEVERE|Exception/.test(line)) console.log(`server: ${line}`);
  await close?.();
});

const byTestId = (id) => page.locator(`[data-testid="${id}"]`);
const attr = (id, name) => byTestId(id).getAttribute(name);
const drawn = () => byTestId("heatmap-canvas").evaluate((c) => c.eiscopeData());

/** The server's pooling, written out here: block i of r covers ⌊i·R/r⌋ .. ⌊(i+1)·R/r⌋; the first value of largest magnitude. */
function pool(full, R, C, r, c) {
  const out = new Float32Array(r * c);
  for (let bi = 0; bi < r; bi++) {
    for (let bj = 0; bj < c; bj++) {
      let best = 0;
      let bestAbs = -1;
      for (let i = Math.floor((bi * R) / r); i < Math.floor(((bi + 1) * R) / r); i++) {
        for (let j = Math.floor((bj * C) / c); j < Math.floor(((bj + 1) * C) / c); j++) {
          const v = full[i * C + j];
          if (Math.abs(v) > bestAbs) [best, bestAbs] = [v, Math.abs(v)];
        }
      }
      out[bi * c + bj] = best;
    }
  }
  return out;
}

/** The full values of `name` through the SDK (now, or at `step`). */
async function full(name, step) {
  const t = (await client.parameters(sim.id, [name], step === undefined ? {} : { step })).get(name);
  return t;
}

/**
 * Moves the pointer over cell (i, j) and returns what the hover line says, with its data. Cells
 * of a pooled heatmap can be one pixel tall, and pointer positions are whole pixels: the cell
 * reported may be a neighbour, so callers check against the cell reported (d.i, d.j).
 */
async function hover(i, j) {
  await byTestId("heatmap-canvas").scrollIntoViewIfNeeded();
  const box = await byTestId("heatmap-canvas").boundingBox();
  const at = await byTestId("heatmap-canvas").evaluate((c, [a, b]) => c.eiscopeCellCentre(a, b), [i, j]);
  await page.mouse.move(box.x + at.x, box.y + at.y);
  const line = byTestId("heatmap-hover");
  const near = (v) => v && v.split(",").every((x, k) => Math.abs(Number(x) - [i, j][k]) <= 1);
  await eventually(() => line.evaluate((el) => el.dataset.i && `${el.dataset.i},${el.dataset.j}`), near, 5_000);
  const d = await line.evaluate((el) => ({ ...el.dataset, text: el.textContent }));
  assert.ok(near(`${d.i},${d.j}`), `the pointer is over cell (${i}, ${j}) or a neighbour: (${d.i}, ${d.j})`);
  return { ...d, i: Number(d.i), j: Number(d.j) };
}

test("a column-E/I run's effective matrix is drawn as the server pools it, cell for cell", { timeout: 180_000 }, async () => {
  sim = await client.create({
    name: "ui-test heatmap",
    model: { kind: "column_ei_mlp", params: { hidden: [800, 50], ei_ratio: 10 } },
    learningRule: { kind: "sgd", params: { learning_rate: 0.05 } },
    task: { kind: "fashion_mnist" },
    batchSize: 16,
    seed: 3,
    checkpoints: { everySteps: 10 },
  });
  await client.step(sim.id, STEP);
  sim = await client.waitForStep(sim.id, STEP, { timeoutMs: 120_000 });
  await page.goto(`${server.baseUrl}/#/sim/${encodeURIComponent(sim.id)}`);
  await page.locator(`[data-testid="sim-view"][data-id="${sim.id}"]`).waitFor();
  await byTestId("heatmap-toggle").click();
  assert.equal(await byTestId("heatmap-target").inputValue(), "layer0", "opens on the first effective matrix");
  assert.equal(await eventually(() => attr("heatmap-panel", "data-step"), (s) => s === String(STEP), 30_000), String(STEP));

  const W = await full("layer0");
  assert.deepEqual(W.shape, [800, 784]);
  const d = await drawn();
  assert.deepEqual(d.fullShape, [800, 784]);
  const [r, c] = d.shape;
  assert.ok(r < 800, `rows pooled to the plot's height in pixels (${r})`);
  assert.ok(c <= 784 && r > 50 && c > 50, `a heatmap of ${r} x ${c}`);
  const expected = pool(W.data, 800, 784, r, c);
  assert.equal(d.data.length, expected.length);
  const wrong = d.data.findIndex((v, k) => v !== expected[k]);
  assert.equal(wrong, -1, `cell ${wrong} is ${d.data[wrong]}, the block's largest |w| is ${expected[wrong]}`);
  const limit = expected.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  assert.equal(d.limit, limit, "the colour scale is symmetric about 0 at the largest magnitude shown");
  // The read (fetch and protobuf decode, about 1 MB for 500 x 500) is the heatmap worker's, off the page's main
  // thread: the page's own resource timing has no GetParameters call (the worker's calls are in its own timeline).
  const pageReads = await page.evaluate(() =>
    performance.getEntriesByType("resource").filter((e) => e.name.endsWith("/GetParameters")).length,
  );
  assert.equal(pageReads, 0, "the page's main thread read no matrix");

  // A pooled cell says which block of rows it stands for, and the block's largest |w|.
  const h = await hover(Math.floor(r / 2), Math.floor(c / 3));
  const { i, j } = h;
  const rows = [Math.floor((i * 800) / r), Math.floor(((i + 1) * 800) / r)];
  const cols = [Math.floor((j * 784) / c), Math.floor(((j + 1) * 784) / c)];
  assert.deepEqual([Number(h.rowStart), Number(h.rowEnd)], rows);
  assert.deepEqual([Number(h.colStart), Number(h.colEnd)], cols);
  let best = 0;
  for (let a = rows[0]; a < rows[1]; a++) {
    for (let b = cols[0]; b < cols[1]; b++) if (Math.abs(W.data[a * 784 + b]) > Math.abs(best)) best = W.data[a * 784 + b];
  }
  assert.equal(Number(h.value), best);
  if (rows[1] - rows[0] > 1) assert.match(h.text, /largest \|w\| of this \d+ × \d+ block/);
  assert.equal(h.step, String(STEP));
});

test("a matrix with E and I columns says which a cell is, as the run's partition does", { timeout: 60_000 }, async () => {
  const info = (await client.get(sim.id)).effectiveMatrices.find((m) => m.name === "layer1");
  const p = info.partition;
  // 800 units at E:I ratio 10 feed layer1 (727 E, 73 I); its 50 units feed the readout (45 E, 5 I).
  assert.deepEqual([p.excitatoryRows, p.inhibitoryRows, p.excitatoryCols, p.inhibitoryCols], [45, 5, 727, 73]);
  await byTestId("heatmap-target").selectOption("layer1");
  await eventually(() => drawn(), (d) => d?.name === "layer1", 20_000);
  const W = await full("layer1");
  const d = await drawn();
  assert.deepEqual(d.shape, [50, 800], "small enough to draw one cell per weight");
  assert.deepEqual(d.partition && [d.partition.excitatoryRows, d.partition.excitatoryCols], [45, 727]);
  for (const [i0, j0] of [
    [3, 10],
    [3, 760],
    [47, 20],
    [48, 798],
  ]) {
    const h = await hover(i0, j0);
    const { i, j } = h;
    assert.equal(Number(h.value), W.data[i * 800 + j], `layer1[${i}, ${j}]`);
    assert.equal(h.rowKind, i < 45 ? "E" : "I");
    assert.equal(h.colKind, j < 727 ? "E" : "I");
    // Dale's law: an inhibitory column's weights are <= 0, an excitatory one's >= 0.
    assert.ok(j < 727 ? W.data[i * 800 + j] >= 0 : W.data[i * 800 + j] <= 0);
    assert.match(h.text, new RegExp(`layer1\\[${i}, ${j}\\] = .* row ${i} \\(${h.rowKind}\\), column ${j} \\(${h.colKind}\\)`));
  }
});

test("'clip at 99 %' scales the colours to the 99th percentile of |w| (of every k-th value for big matrices)", { timeout: 30_000 }, async () => {
  const W = await full("layer1");
  await byTestId("heatmap-clip").check();
  const stride = Math.max(1, Math.floor(W.data.length / 20_000));
  const sample = [...W.data].filter((_, k) => k % stride === 0).map(Math.abs).sort((a, b) => a - b);
  const p99 = sample[Math.floor(0.99 * sample.length)];
  const max = W.data.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  const limit = Number(await eventually(() => attr("heatmap-panel", "data-limit"), (l) => Number(l) !== max, 10_000));
  assert.equal(limit, p99);
  assert.ok(limit < max, `${limit} < ${max}`);
  assert.match(await byTestId("heatmap-info").textContent(), /99th percentile of \|w\|; larger values saturate/);
  // Read afresh with the clip on (another matrix, then this one again): the worker scales it the same way.
  await byTestId("heatmap-target").selectOption("layer0");
  await eventually(() => drawn(), (d) => d?.name === "layer0", 20_000);
  await byTestId("heatmap-target").selectOption("layer1");
  await eventually(() => drawn(), (d) => d?.name === "layer1", 20_000);
  assert.equal(Number(await attr("heatmap-panel", "data-limit")), p99, "a new read with the clip on is scaled to the 99th percentile");
  await byTestId("heatmap-clip").uncheck();
  assert.equal(Number(await eventually(() => attr("heatmap-panel", "data-limit"), (l) => Number(l) === max, 10_000)), max);
});

test("'change since step 0' is W now minus W at step 0, computed here", { timeout: 60_000 }, async () => {
  await byTestId("heatmap-mode").selectOption("change");
  await eventually(() => attr("heatmap-panel", "data-mode"), (m) => m === "change", 20_000);
  const now = await full("layer1");
  const start = await full("layer1", 0);
  const change = now.data.map((v, k) => Math.fround(v - start.data[k]));
  const d = await drawn();
  assert.equal(d.step, STEP);
  assert.deepEqual(d.data, [...change]);
  const h = await hover(10, 760);
  assert.equal(Number(h.value), change[h.i * 800 + h.j]);
  assert.match(h.text, new RegExp(`^Δlayer1\\[${h.i}, ${h.j}\\]`));
  await byTestId("heatmap-mode").selectOption("values");
});

test("while the run plays it follows, one call at a time, at most 10 a second; paused, it shows the last step", { timeout: 120_000 }, async () => {
  await byTestId("heatmap-target").selectOption("layer0");
  await eventually(() => attr("heatmap-panel", "data-target"), (t) => t === "layer0", 20_000);
  const reads0 = Number(await attr("heatmap-panel", "data-reads"));
  const t0 = Date.now();
  await client.apply(sim.id, commands.runUntil(STEP + 60));
  const moved = await eventually(() => attr("heatmap-panel", "data-step"), (s) => Number(s) > STEP, 30_000);
  assert.ok(Number(moved) > STEP, "the heatmap follows the run");
  sim = await client.waitForStep(sim.id, STEP + 60, { timeoutMs: 120_000 });
  await eventually(() => attr("heatmap-panel", "data-step"), (s) => s === String(STEP + 60), 30_000);
  const seconds = (Date.now() - t0) / 1000;
  const reads = Number(await attr("heatmap-panel", "data-reads")) - reads0;
  assert.equal(await attr("heatmap-panel", "data-max-in-flight"), "1", "never two calls at once");
  assert.ok(reads >= 2, `read again as it ran (${reads} reads)`);
  assert.ok(reads <= 10 * seconds + 2, `${reads} reads in ${seconds.toFixed(1)} s: at most 10 a second`);
  const d = await drawn();
  const W = await full("layer0");
  assert.deepEqual(d.data, [...pool(W.data, 800, 784, ...d.shape)], "paused: the values of the step it stopped on");
});

test("a prune shows at once on a paused run; at a past step chosen with the scrubber it shows that step", { timeout: 120_000 }, async () => {
  await client.apply(sim.id, commands.prune(0.9, "magnitude", "per_layer"));
  const W = await full("layer0");
  const zeros = W.data.filter((v) => v === 0).length;
  assert.ok(zeros > 0.85 * W.data.length, `pruned: ${zeros} zeros`);
  const pooled = [...pool(W.data, 800, 784, ...(await drawn()).shape)];
  await eventually(() => drawn(), (d) => d.data.every((v, k) => v === pooled[k]), 20_000);

  const past = 10;
  await byTestId("scrub-step").fill(String(past));
  await byTestId("scrub-step").press("Enter");
  await eventually(() => attr("scrubber", "data-shown-step"), (s) => s === String(past), 60_000);
  assert.equal(await attr("heatmap-panel", "data-step"), String(past));
  assert.ok(await byTestId("heatmap-past").isVisible(), "the panel says it is not live");
  const at = await full("layer0", past);
  const d = await drawn();
  assert.deepEqual(d.data, [...pool(at.data, 800, 784, ...d.shape)]);
  await byTestId("scrub-live").click();
  await eventually(() => attr("heatmap-panel", "data-step"), (s) => s === String(STEP + 60), 20_000);
  mkdirSync(RESULTS, { recursive: true });
  await byTestId("heatmap-panel").screenshot({ path: resolve(RESULTS, "heatmap.png") });
  assert.deepEqual(pageErrors, []);
});
