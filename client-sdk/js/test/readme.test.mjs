// The README's `js` blocks (the run record, time travel, tokens and TLS), run as written
// against a live server: only the server's address and the package's location are filled in.
// The tokens-and-TLS block runs against a server with --auth token --tls-self-signed, in a
// node started as its comment says (NODE_EXTRA_CA_CERTS, EISCOPE_TOKEN).

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath, pathToFileURL } from "node:url";
import { EiscopeClient } from "../dist/index.js";
import { startServer } from "./live-server.mjs";

const PACKAGE = resolve(dirname(fileURLToPath(import.meta.url)), "..");

let server;
before(async () => {
  server = await startServer();
});
after(async () => {
  await server?.stop();
});

/** Runs `source` as an ES module in a child node (`env` added to its environment); resolves with its exit code and output. */
function runModule(source, env = {}) {
  const dir = mkdtempSync(join(tmpdir(), "eiscope-readme-"));
  const file = join(dir, "block.mjs");
  writeFileSync(file, source);
  const child = spawn(process.execPath, [file], { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...env } });
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

const BLOCKS = [...readFileSync(join(PACKAGE, "README.md"), "utf8").matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]);

/** Runs the README's js block `i` with the package and the address of `to` filled in. */
function runBlock(i, to = server, env = {}) {
  const source = BLOCKS[i]
    .replace('"@eiscope/client"', JSON.stringify(pathToFileURL(join(PACKAGE, "dist/index.js")).href))
    .replace('"http://127.0.0.1:7070"', JSON.stringify(to.baseUrl))
    .replaceAll('"https://127.0.0.1:7070"', JSON.stringify(to.baseUrl));
  return runModule(source, env);
}

test("the README has three js blocks: the run record, time travel, tokens and TLS", () => {
  assert.equal(BLOCKS.length, 3);
});

test("the README's run-record block runs as written", { timeout: 60_000 }, async () => {
  const { code, stdout, stderr } = await runBlock(0);
  assert.equal(code, 0, `exit code ${code}:\n${stderr}`);
  const lines = stdout.trim().split("\n");
  assert.deepEqual(lines.slice(0, 4).map((l) => l.split(" ")[0]), ["50", "100", "150", "200"], stdout);
  assert.match(lines[4], /^200 \d/, "200 points, then the last loss");
});

test("the README's time-travel block runs as written", { timeout: 60_000 }, async () => {
  const { code, stdout, stderr } = await runBlock(1);
  assert.equal(code, 0, `exit code ${code}:\n${stderr}`);
  const lines = stdout.trim().split("\n");
  const progress = lines.filter((l) => / steps from /.test(l));
  // From the checkpoint at 200 (later if a checkpoint write was still in flight there), to done.
  const [, total, from] = /^(\d+)\/\1 steps from checkpoint (\d+)$/.exec(progress.at(-1)) ?? assert.fail(stdout);
  assert.equal(Number(total), 250 - Number(from));
  assert.ok(Number(from) >= 50 && Number(from) <= 250, stdout);
  assert.match(lines.at(-2), /^singular_values layer0\.W 250 \d/);
  assert.match(lines.at(-1), /^step 10000 is ahead of run sim-\S+, which is at step 300/);
  const client = new EiscopeClient(server.baseUrl);
  const forks = (await client.list()).filter((s) => s.forkStep === 250n);
  assert.equal(forks.length, 1, "the block forked its run at step 250");
  const saved = (await client.checkpoints(forks[0].parentId)).filter((c) => c.step === 250);
  assert.deepEqual(saved.map((c) => [c.pinned, c.reason]), [[true, "time travel"]]);
});

test("the README's tokens-and-TLS block runs as written against a server with --auth token --tls-self-signed", { timeout: 90_000 }, async () => {
  // The server generates an admin token (no token file yet) and prints it; its owner is "admin".
  const secure = await startServer(["--auth", "token", "--tls-self-signed"]);
  try {
    assert.match(secure.baseUrl, /^https:\/\/127\.0\.0\.1:\d+$/);
    const env = { NODE_EXTRA_CA_CERTS: join(secure.dataDir, "tls", "cert.pem"), EISCOPE_TOKEN: secure.token };
    const { code, stdout, stderr } = await runBlock(2, secure, env);
    assert.equal(code, 0, `exit code ${code}:\n${stderr}`);
    assert.deepEqual(stdout.trim().split("\n").map((l) => l.split(":")[0]), ["admin", "this server needs a token"], stdout);
  } finally {
    await secure.stop();
  }
});
