// What the steering tests share: opening a run's Steer card on a tab, filling a form, and
// reading what the server holds afterwards through the SDK (the log, the rule, the parameters).

import assert from "node:assert/strict";
import { eventually } from "./browser.mjs";

/** Locators and reads for one page and one SDK client. */
export function steering(page, client) {
  const byTestId = (id) => page.locator(`[data-testid="${id}"]`);

  /** Opens the run (waits for its record to be read) and its Steer card on `tab`. */
  async function open(baseUrl, id, tab) {
    await page.goto(`${baseUrl}/#/sim/${encodeURIComponent(id)}`);
    await page.locator(`[data-testid="sim-view"][data-id="${id}"][data-history-step]`).waitFor();
    await showTab(tab);
  }

  async function showTab(tab) {
    if ((await byTestId("steer-card").getAttribute("data-open")) !== "true") await byTestId("steer-summary").click();
    await byTestId(`steer-tab-${tab}`).click();
    await byTestId(`steer-panel-${tab}`).waitFor();
  }

  /** The run's intervention log as [step, kind, description]. */
  async function log(id) {
    return (await client.interventionLog(id)).map((i) => [Number(i.step), i.command?.kind.case, i.description]);
  }

  /** Waits for the log to hold `n` entries and returns the last. */
  async function lastEntry(id, n) {
    const l = await eventually(() => log(id), (x) => x.length === n);
    assert.equal(l.length, n, `the log holds ${n} entries: ${JSON.stringify(l)}`);
    return l[n - 1];
  }

  /**
   * Submits a form expected to be refused in the browser: the field's message matches `message`,
   * nothing is sent (the log keeps `n` entries, the outcome beside the button stays empty).
   */
  async function refusedInBrowser(id, form, field, message, n) {
    await byTestId(`${form}-button`).click();
    const error = byTestId(`${field}-error`);
    await error.waitFor();
    assert.match(await error.textContent(), message);
    assert.equal(await byTestId(field).getAttribute("aria-invalid"), "true");
    assert.equal(await byTestId(`${form}-outcome`).textContent(), "", "nothing was sent, so the server said nothing");
    // A command sent would be in the log within a step boundary: a paused run applies it at once.
    await new Promise((r) => setTimeout(r, 500));
    assert.equal((await log(id)).length, n, "no intervention was logged");
  }

  /** Waits for the outcome beside `form`'s button and returns it. */
  async function outcome(form, state) {
    const el = page.locator(`[data-testid="${form}-outcome"][data-state="${state}"]`);
    await el.waitFor();
    return el.textContent();
  }

  /** The parameters as plain arrays, by name (the SDK's GetParameters). */
  async function params(id, names = []) {
    const m = await client.parameters(id, names);
    return Object.fromEntries([...m].map(([k, t]) => [k, { shape: t.shape, data: [...t.data] }]));
  }

  return { byTestId, open, showTab, log, lastEntry, refusedInBrowser, outcome, params };
}
