// The README's run-record block (its one `js` block), run as written against a live server:
// only the server's address and the package's location are filled in.

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath, pathToFileURL } from "node:url";
import { startServer } from "./live-server.mjs";

const PACKAGE = resolve(dirname(fileURLToPath(import.meta.url)), "..");

let server;
before(async () => {
  server = await startServer();
});
after(async () => {
  await server?.stop();
});

/** Runs `source` as an ES module in a child node; resolves with its exit code and output. */
function runModule(source) {
  const dir = mkdtempSync(join(tmpdir(), "eiscope-readme-"));
  const file = join(dir, "block.mjs");
  writeFileSync(file, source);
  const child = spawn(process.execPath, [file], { stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "", stderr = "";
  child.stdout.on("data", (d) => (stdout += d));
  child.stderr.on("data", (d) => (stderr += d));
  return new Promise((res) =>
    child.once("exit", (code) => {
      rmSync(dir, { recursive: true, force: true });
      res({ code, stdout, stderr });
    }),
  );
}

test("the README's run-record block runs as written", { timeout: 60_000 }, async () => {
  const blocks = [...readFileSync(join(PACKAGE, "README.md"), "utf8").matchAll(/```js\n([\s\S]*?)```/g)];
  assert.equal(blocks.length, 1, "one js block");
  const source = blocks[0][1]
    .replace('"@eiscope/client"', JSON.stringify(pathToFileURL(join(PACKAGE, "dist/index.js")).href))
    .replace('"http://127.0.0.1:7070"', JSON.stringify(server.baseUrl));
  const { code, stdout, stderr } = await runModule(source);
  assert.equal(code, 0, `exit code ${code}:\n${stderr}`);
  const lines = stdout.trim().split("\n");
  assert.deepEqual(lines.slice(0, 4).map((l) => l.split(" ")[0]), ["50", "100", "150", "200"], stdout);
  assert.match(lines[4], /^200 \d/, "200 points, then the last loss");
});
