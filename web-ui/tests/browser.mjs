// What the browser tests share: the real server serving the built UI (the same launcher as
// the SDK's tests), Debian's chromium driven by playwright-core, and small waiting helpers.

import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { chromium } from "playwright-core";
import { serverPaths, startServer } from "../../client-sdk/js/test/live-server.mjs";

export const WEB_ROOT = resolve(serverPaths().repo, "web-ui/dist");
export const RESULTS = resolve(serverPaths().repo, "web-ui/test-results");
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const CHROMIUM_ARGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
];

/**
 * Starts the server on the built UI (recording into a fresh temporary data directory unless
 * EISCOPE_DATA_DIR is set: see live-server.mjs), with `serverArgs` after its flags, and a chromium page of 1440 x 1000.
 * @returns {Promise<{server, browser, page, pageErrors: string[], close: () => Promise<void>}>}
 */
export async function openBrowser(serverArgs = []) {
  assert.ok(existsSync(resolve(WEB_ROOT, "index.html")), `no built UI in ${WEB_ROOT}: run npm run build first`);
  assertChromium(); // before the server starts, which a failed assert would leave running
  const server = await startServer(["--web-root", WEB_ROOT, ...serverArgs]);
  const browser = await launchChromium();
  const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
  const pageErrors = [];
  page.on("pageerror", (e) => { pageErrors.push(e.message); if (process.env.EISCOPE_PAGE_STACKS) console.log("PAGE ERROR", e.stack); });
  const close = async () => {
    await browser.close();
    await server.stop();
  };
  return { server, browser, page, pageErrors, close };
}

/** Debian's chromium, headless, with `extraArgs` after the usual flags. */
export function launchChromium(extraArgs = []) {
  assertChromium();
  return chromium.launch({ executablePath: CHROMIUM, args: [...CHROMIUM_ARGS, ...extraArgs] });
}

export function assertChromium() {
  assert.ok(existsSync(CHROMIUM), `no chromium at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH)`);
}

/** Polls `read` until `ok(value)` holds; returns the last value (the assert reports it). */
export async function eventually(read, ok, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  let v = await read();
  while (!ok(v) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    v = await read();
  }
  return v;
}
