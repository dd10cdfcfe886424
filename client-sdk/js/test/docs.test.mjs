// The public API is documented: TypeDoc, configured as `npm run docs` is (typedoc.config.mjs:
// every export documented, links valid, warnings are errors), converts the package without a
// warning. Nothing is written (--emit none). No server is needed.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { dirname, join, resolve } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const PACKAGE = resolve(dirname(fileURLToPath(import.meta.url)), "..");

test("TypeDoc finds no undocumented export and no other warning", { timeout: 120_000 }, () => {
  const typedoc = join(PACKAGE, "node_modules", "typedoc", "bin", "typedoc");
  const run = spawnSync(process.execPath, [typedoc, "--emit", "none"], { cwd: PACKAGE, encoding: "utf8" });
  const output = `${run.stdout}${run.stderr}`.replace(/\x1b\[[0-9;]*m/g, "");
  assert.equal(run.status, 0, output);
  assert.doesNotMatch(output, /\[warning\]/, output);
});
