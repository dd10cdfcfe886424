// Browser test of a run's downloads (run `npm run build` first), against the real server: the
// loss chart's CSV holds GetHistory's values at every step (train and held-out, aligned by step),
// its SVG parses as SVG in the browser with one polyline per series of that series' points, its
// PNG is a PNG of the chart canvas' size; parameters.npz, now and at a past step chosen with the
// scrubber, read by NumPy (.tools/venv), equals GetParameters there bit for bit; and the
// latest.npz link is the checkpoint written on pause, whose param/ arrays are the parameters now.

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { after, before, test } from "node:test";
import { EiscopeClient } from "@eiscope/client";
import { serverPaths } from "../../client-sdk/js/test/live-server.mjs";
import { eventually, openBrowser } from "./browser.mjs";

const PYTHON = resolve(serverPaths().repo, ".tools/venv/bin/python");

let server;
let page;
let pageErrors;
let close;
let client;
let sim;

before(async () => {
  ({ server, page, pageErrors, close } = await openBrowser());
  page.setDefaultTimeout(15_000);
  client = new EiscopeClient(server.baseUrl);
  sim = await client.create({
    name: "export-test",
    model: { kind: "mlp", params: { hidden: [24] } },
    learningRule: { kind: "sgd" },
    task: { kind: "fashion_mnist" },
    batchSize: 16,
    seed: 8,
    evalEverySteps: 10,
    checkpoints: { everySteps: 10 },
  });
  await client.step(sim.id, 30);
  await client.waitForStep(sim.id, 30);
  // the checkpoint at step 30 is written in the background, after the run pauses there
  await eventually(() => client.checkpoints(sim.id), (cs) => cs.some((c) => Number(c.step) === 30), 30_000);
  await page.goto(`${server.baseUrl}/#/sim/${encodeURIComponent(sim.id)}`);
  await page.locator(`[data-testid="sim-view"][data-id="${sim.id}"][data-history-step="30"]`).waitFor();
  await page.locator('[data-testid="loss-chart"][data-points="30"]').waitFor();
});

after(async () => {
  await close?.();
});

const byTestId = (id) => page.locator(`[data-testid="${id}"]`);

/** Clicks `testid` and returns the download's file name and bytes. */
async function download(testid) {
  const [d] = await Promise.all([page.waitForEvent("download"), byTestId(testid).click()]);
  return { name: d.suggestedFilename(), bytes: readFileSync(await d.path()) };
}

/** Every array of an .npz as NumPy reads it: name → {shape, dtype, values as float32 bytes (base64)}. */
function readNpz(path) {
  assert.ok(existsSync(PYTHON), `no Python with NumPy at ${PYTHON}: ./eiscope build installs it`);
  const script =
    "import base64, json, sys, numpy as np\n" +
    "f = np.load(sys.argv[1])\n" +
    "print(json.dumps({k: {'shape': list(f[k].shape), 'dtype': str(f[k].dtype), 'b64': base64.b64encode(np.ascontiguousarray(f[k]).tobytes()).decode() if f[k].dtype == np.float32 else ''} for k in f.files}))";
  return JSON.parse(execFileSync(PYTHON, ["-c", script, path], { encoding: "utf8" }));
}

/** Asserts that the .npz arrays named `prefix + name` equal GetParameters' tensors bit for bit. */
function assertSameParameters(npz, params, prefix = "") {
  for (const [name, t] of params) {
    const a = npz[prefix + name];
    assert.ok(a, `${prefix}${name} is in the archive (it has ${Object.keys(npz)})`);
    assert.equal(a.dtype, "float32");
    assert.deepEqual(a.shape, t.shape, `${name}: shape`);
    const bytes = Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    assert.ok(Buffer.from(a.b64, "base64").equals(bytes), `${name}: every value equal`);
  }
}

test("the loss chart's CSV is GetHistory's loss and test_loss, aligned by step", { timeout: 60_000 }, async () => {
  const { name, bytes } = await download("loss-export-csv");
  assert.equal(name, `${sim.id}-loss.csv`);
  const [header, ...rows] = bytes.toString("utf8").trim().split("\n");
  assert.equal(header, "step,loss,test_loss");
  const h = await client.history(sim.id, { observables: ["loss", "test_loss"] });
  const series = (o) => h.series.find((x) => x.observable === o && x.layer === "");
  const loss = series("loss");
  const test = series("test_loss");
  assert.equal(rows.length, loss.steps.length, "one row per step drawn");
  rows.forEach((r, i) => {
    const [step, l, t] = r.split(",");
    assert.equal(Number(step), loss.steps[i]);
    assert.equal(Number(l), loss.values[i], `loss at step ${step}`);
    const j = [...test.steps].indexOf(Number(step));
    assert.equal(t === "" ? undefined : Number(t), j < 0 ? undefined : test.values[j], `test_loss at step ${step}`);
  });
  assert.deepEqual([...test.steps], [10, 20, 30]);
});

test("the SVG parses in the browser and holds one polyline per series, of its points", { timeout: 60_000 }, async () => {
  const { name, bytes } = await download("loss-export-svg");
  assert.equal(name, `${sim.id}-loss.svg`);
  const parsed = await page.evaluate(async (text) => {
    const doc = new DOMParser().parseFromString(text, "image/svg+xml");
    const img = new Image();
    img.src = URL.createObjectURL(new Blob([text], { type: "image/svg+xml" }));
    await img.decode(); // the browser can draw it
    return {
      error: doc.querySelector("parsererror")?.textContent ?? null,
      root: doc.documentElement.nodeName,
      lines: [...doc.querySelectorAll("polyline")].map((p) => ({
        label: p.querySelector("title").textContent,
        points: p.getAttribute("points").trim().split(/\s+/).length,
      })),
      ticks: doc.querySelectorAll("text").length,
      size: [img.naturalWidth, img.naturalHeight],
    };
  }, bytes.toString("utf8"));
  assert.equal(parsed.error, null);
  assert.equal(parsed.root, "svg");
  assert.deepEqual(parsed.lines, [
    { label: "loss", points: 30 },
    { label: "test_loss", points: 3 },
  ]);
  assert.ok(parsed.ticks > 6, "axes have tick labels");
  assert.ok(parsed.size[0] > 200 && parsed.size[1] > 200, `drawn at ${parsed.size}`);
});

test("the PNG is a PNG of the chart canvas' size", { timeout: 60_000 }, async () => {
  const { name, bytes } = await download("accuracy-export-png");
  assert.equal(name, `${sim.id}-accuracy.png`);
  assert.ok(bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])), "PNG signature");
  assert.equal(bytes.toString("latin1", 12, 16), "IHDR");
  const canvas = await page.locator('[data-testid="accuracy-chart"] canvas').evaluate((c) => [c.width, c.height]);
  assert.deepEqual([bytes.readUInt32BE(16), bytes.readUInt32BE(20)], canvas);
});

test("parameters.npz holds GetParameters' values now, and at the step the scrubber shows", { timeout: 90_000 }, async () => {
  const now = await download("export-params-npz");
  assert.equal(now.name, `${sim.id}-step-30-parameters.npz`);
  const file = resolve(serverPaths().repo, "web-ui/test-results/export-now.npz");
  writeFileSync(file, now.bytes);
  assertSameParameters(readNpz(file), await client.parameters(sim.id));

  await byTestId("scrub-step").fill("12");
  await byTestId("scrub-step").press("Enter");
  await page.locator('[data-testid="scrubber"][data-shown-step="12"]').waitFor({ timeout: 60_000 });
  const past = await download("export-params-npz");
  assert.equal(past.name, `${sim.id}-step-12-parameters.npz`);
  writeFileSync(file, past.bytes);
  const at12 = await client.parameters(sim.id, [], { step: 12 });
  assertSameParameters(readNpz(file), at12);
  assert.notDeepEqual([...at12.get("layer0.W").data], [...(await client.parameters(sim.id)).get("layer0.W").data]);
});

test("latest.npz is the checkpoint written on pause: its param/ arrays are the parameters now", { timeout: 60_000 }, async () => {
  const href = await byTestId("export-npz").getAttribute("href");
  const res = await fetch(href);
  assert.equal(res.status, 200);
  const file = resolve(serverPaths().repo, "web-ui/test-results/export-latest.npz");
  writeFileSync(file, Buffer.from(await res.arrayBuffer()));
  const checkpoints = await client.checkpoints(sim.id);
  assert.equal(Number(checkpoints.at(-1).step), 30, "the newest checkpoint is the run's step");
  assertSameParameters(readNpz(file), await client.parameters(sim.id), "param/");
});

test("the page raised no uncaught errors", () => {
  assert.deepEqual(pageErrors, []);
});
