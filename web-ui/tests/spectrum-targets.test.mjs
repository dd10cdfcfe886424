// Browser test of where the spectrum panel opens and what it says for matrices without
// eigenvalues (run `npm run build` first), against the real server: a column-E/I RNN (the
// li2023-column-ei preset) opens on its recurrent matrix rnn0, with its eigenvalues, not on its
// 10 x 100 readout; the readout and the 100 x 28 input map show their singular values, equal to
// what Measure returns, and say why there are no eigenvalues instead of waiting for them.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { EiscopeClient } from "@eiscope/client";
import { eventually, openBrowser } from "./browser.mjs";

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
  sim = await client.create({ preset: "li2023-column-ei" });
  await page.goto(`${server.baseUrl}/#/sim/${encodeURIComponent(sim.id)}`);
  await page.locator(`[data-testid="sim-view"][data-id="${sim.id}"]`).waitFor();
  await byTestId("spectrum-toggle").click();
});

after(async () => {
  await close?.();
});

const byTestId = (id) => page.locator(`[data-testid="${id}"]`);
const textOf = async (id) => (await byTestId(id).textContent()).trim();

/** The singular values Measure gives for `layer` now (the run is paused at step 0). */
async function measuredSingularValues(layer) {
  const frames = await client.measure(sim.id, ["singular_values"], { layers: [layer] });
  const f = frames.find((x) => x.layer === layer && x.observable === "singular_values");
  return [...f.payload.tensor.data];
}

const drawnSingularValues = () => byTestId("spectrum-sv-canvas").evaluate((c) => c.eiscopeData());

test("a column-E/I RNN opens on its recurrent matrix rnn0, with eigenvalues, its readout last among the effective matrices", { timeout: 90_000 }, async () => {
  const target = byTestId("spectrum-target");
  const chosen = await eventually(async () => (await target.isDisabled()) ? "" : target.inputValue(), (v) => v !== "", 60_000);
  assert.equal(chosen, "rnn0", "the recurrent matrix is the one of interest, not the readout");
  const effective = await target.locator('optgroup[label="Effective matrices"] option').evaluateAll((os) => os.map((o) => o.value));
  assert.deepEqual(effective, ["rnn0", "rnn0.input", "rnn1", "rnn1.input", "rnn2", "rnn2.input", "readout"], "in the network's order");
  // the two spectra arrive as frames of their own, in either order: wait for both
  const info = await eventually(() => textOf("spectrum-info"), (t) => /singular values · 100 eigenvalues/.test(t), 30_000);
  assert.match(info, /100 singular values · 100 eigenvalues · rnn0 is 100 × 100 \(effective\)/);
  const shown = await drawnSingularValues();
  assert.deepEqual(shown, await measuredSingularValues("rnn0"), "rnn0's singular values as Measure gives them");
});

for (const [layer, shape] of [["readout", "10 × 100"], ["rnn0.input", "100 × 28"]]) {
  test(`the non-square ${layer} (${shape}) shows its singular values and says why there are no eigenvalues`, { timeout: 60_000 }, async () => {
    await byTestId("spectrum-target").selectOption(layer);
    const expected = await measuredSingularValues(layer);
    const shown = await eventually(drawnSingularValues, (v) => v !== null && v.length === expected.length, 30_000);
    assert.deepEqual(shown, expected, `${layer}'s ${expected.length} singular values as Measure gives them`);
    const message = await byTestId("spectrum-eig-canvas").getAttribute("data-message");
    assert.equal(message, `no eigenvalues: ${layer} is ${shape}, not square (only a square matrix has them); its singular values are beside`);
    assert.match(await textOf("spectrum-info"), new RegExp(`${expected.length} singular values · no eigenvalues \\(not square\\) · ${layer.replace(".", "\\.")} is ${shape}`));
    assert.equal(await textOf("spectrum-spectral_radius"), "–", "no spectral radius either");
    assert.notEqual(await textOf("spectrum-nse"), "–", "but its NSE");
  });
}

test("the page raised no uncaught errors", () => {
  assert.deepEqual(pageErrors, []);
});
