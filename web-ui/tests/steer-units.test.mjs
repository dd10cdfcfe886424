// Browser test of the Steer card's Units tab (run `npm run build` first), against the real
// server: a lesion and a clamp applied on the page are in the intervention log and, for the
// lesion, in GetParameters (the unit's row and its column in the next layer are zero); a unit
// index beyond the layer is refused under its field, nothing sent; what only the server knows
// (a layer without inhibitory units) is refused beside the button with the server's message,
// nothing logged. And for one run of every model of the catalogue, the unit count the page
// bounds each layer's index by is the server's: the last unit is accepted and the next refused.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { commands, EiscopeClient } from "@eiscope/client";
import { openBrowser } from "./browser.mjs";
import { steering } from "./steer-helpers.mjs";

let server;
let page;
let pageErrors;
let close;
let client;
let sim;
let s;

before(async () => {
  ({ server, page, pageErrors, close } = await openBrowser());
  page.setDefaultTimeout(15_000);
  client = new EiscopeClient(server.baseUrl);
  sim = await client.create({
    name: "units-test",
    model: { kind: "mlp", params: { hidden: [32] } },
    learningRule: { kind: "sgd" },
    task: { kind: "fashion_mnist" },
    batchSize: 16,
    seed: 4,
  });
  await client.step(sim.id, 5);
  await client.waitForStep(sim.id, 5);
  s = steering(page, client);
});

after(async () => {
  await close?.();
});

test("lesion: the unit's incoming row and outgoing column are zero in GetParameters; beyond the layer is refused", { timeout: 60_000 }, async () => {
  await s.open(server.baseUrl, sim.id, "units");
  await s.byTestId("steer-lesion-layer").selectOption("layer0");
  await s.byTestId("steer-lesion-unit").fill("32");
  await s.refusedInBrowser(sim.id, "steer-lesion", "steer-lesion-unit", /32 is above the maximum, 31/, 0);
  await s.byTestId("steer-lesion-unit").fill("5");
  await s.byTestId("steer-lesion-button").click();
  assert.equal(await s.outcome("steer-lesion", "applied"), "applied at step 5");
  assert.deepEqual(await s.lastEntry(sim.id, 1), [5, "lesion", "lesion excitatory unit 5 of layer0"]);
  await client.step(sim.id, 3); // and it stays lesioned through learning
  await client.waitForStep(sim.id, 8);
  const p = await s.params(sim.id, ["layer0.W", "layer1.W"]);
  assert.deepEqual(p["layer0.W"].data.slice(5 * 784, 6 * 784), new Array(784).fill(0), "incoming weights of unit 5");
  const column = p["layer1.W"].data.filter((_, i) => i % 32 === 5);
  assert.deepEqual(column, new Array(10).fill(0), "its outgoing weights");
  assert.ok(p["layer0.W"].data.slice(4 * 784, 5 * 784).some((x) => x !== 0), "unit 4 is untouched");
});

test("what only the server knows is refused beside the button with its message, and nothing is logged", { timeout: 60_000 }, async () => {
  await s.open(server.baseUrl, sim.id, "units");
  await s.byTestId("steer-lesion-layer").selectOption("layer0");
  await s.byTestId("steer-lesion-population").selectOption("inhibitory");
  await s.byTestId("steer-lesion-unit").fill("0");
  await s.byTestId("steer-lesion-button").click();
  const said = await s.outcome("steer-lesion", "refused");
  assert.match(said, /InvalidArgument: .*layer 'layer0' has no inhibitory units/);
  assert.equal((await s.log(sim.id)).length, 1, "nothing logged");
});

test("clamp a unit at a value, then release it; a value that is not a number is refused", { timeout: 60_000 }, async () => {
  await s.open(server.baseUrl, sim.id, "units");
  await s.byTestId("steer-clamp-layer").selectOption("layer0");
  await s.byTestId("steer-clamp-unit").fill("2");
  await s.byTestId("steer-clamp-value").fill("x");
  await s.refusedInBrowser(sim.id, "steer-clamp", "steer-clamp-value", /"x" is not a number/, 1);
  await s.byTestId("steer-clamp-value").fill("1.5");
  await s.byTestId("steer-clamp-button").click();
  assert.deepEqual(await s.lastEntry(sim.id, 2), [8, "clampUnit", "clamp unit 2 of layer0 at 1.5"]);
  await s.byTestId("steer-clamp-mode").selectOption("release");
  assert.ok(await s.byTestId("steer-clamp-value").isDisabled(), "a release needs no value");
  await s.byTestId("steer-clamp-button").click();
  assert.deepEqual(await s.lastEntry(sim.id, 3), [8, "clampUnit", "release unit 2 of layer0"]);
});

/** The index bound the page shows for the chosen layer and population ("" when it leaves the range to the server). */
async function shownUnits(field) {
  return s.byTestId(field).getAttribute("data-units");
}

test("for a run of every model in the catalogue, each layer's unit count is the server's", { timeout: 300_000 }, async () => {
  const catalogue = await client.catalogue();
  const seen = new Set();
  const clamped = new Set();
  for (const preset of catalogue.presets) {
    const kind = preset.spec.model.kind;
    if (seen.has(kind)) continue;
    seen.add(kind);
    const run = await client.create({ preset: preset.name });
    await s.open(server.baseUrl, run.id, "units");
    for (const layer of run.layers) {
      await s.byTestId("steer-lesion-layer").selectOption(layer);
      for (const inhibitory of [false, true]) {
        await s.byTestId("steer-lesion-population").selectOption(inhibitory ? "inhibitory" : "excitatory");
        const units = await shownUnits("steer-lesion-unit");
        const what = `${kind} ${layer} ${inhibitory ? "I" : "E"}`;
        if (units === "") {
          // No bound in the browser: only inhibitory units of a layer without any, which the server refuses.
          assert.ok(inhibitory, `${what}: the page knows every layer's excitatory count`);
          await assert.rejects(client.apply(run.id, commands.lesion(layer, 0, true)), /has no inhibitory units/, what);
          continue;
        }
        const n = Number(units);
        await client.apply(run.id, commands.lesion(layer, n - 1, inhibitory)); // accepted
        await assert.rejects(client.apply(run.id, commands.lesion(layer, n, inhibitory)), new RegExp(`\\[0, ${n}\\)`), what);
      }
      await s.byTestId("steer-clamp-layer").selectOption(layer);
      const n = Number(await shownUnits("steer-clamp-unit"));
      try {
        await client.apply(run.id, commands.clampUnit(layer, n - 1, 0));
      } catch (e) {
        // Recurrent networks and the point neuron clamp nothing: the server says so, whatever the unit.
        assert.match(e.rawMessage, /this model cannot clamp unit activity/, `${kind} ${layer}`);
        continue;
      }
      await assert.rejects(client.apply(run.id, commands.clampUnit(layer, n, 0)), new RegExp(`\\[0, ${n}\\)`), `${kind} ${layer}: clamp`);
      clamped.add(kind);
    }
    await client.delete(run.id);
  }
  assert.equal(seen.size, new Set(catalogue.models.map((m) => m.kind)).size, "a preset for every model kind");
  assert.ok(clamped.has("mlp") && clamped.has("dann"), `feed-forward models clamp: ${[...clamped]}`);
});

test("the page raised no uncaught errors", () => {
  assert.deepEqual(pageErrors, []);
});
