// The README's `js` blocks (the run record, time travel, tokens and TLS), run as written
// against a live server: only the server's address and the package's location are filled in.
// Its two `ts` blocks (the tour, then steering and forks, which goes on from the tour's
// client and run) run too, as one module, compiled by TypeScript's own transpiler.
// The tokens-and-TLS block runs against a server with --auth token --tls-self-signed, in a
// node started as its comment says (NODE_EXTRA_CA_CERTS, EISCOPE_TOKEN).

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath, pathToFileURL } from "node:url";
import ts from "typescript";
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

const README = readFileSync(join(PACKAGE, "README.md"), "utf8");
const BLOCKS = [...README.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]);
const TS_BLOCKS = [...README.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);

/** `source` with the package and the address of `to` filled in. */
function filledIn(source, to) {
  return source
    .replaceAll('"@eiscope/client"', JSON.stringify(pathToFileURL(join(PACKAGE, "dist/index.js")).href))
    .replace('"http://127.0.0.1:7070"', JSON.stringify(to.baseUrl))
    .replaceAll('"https://127.0.0.1:7070"', JSON.stringify(to.baseUrl));
}

/** Runs the README's js block `i` with the package and the address of `to` filled in. */
function runBlock(i, to = server, env = {}) {
  return runModule(filledIn(BLOCKS[i], to), env);
}

test("the README has three js blocks: the run record, time travel, tokens and TLS", () => {
  assert.equal(BLOCKS.length, 3);
});

test("the README's two ts blocks, the tour then steering and forks, run as written", { timeout: 90_000 }, async () => {
  assert.equal(TS_BLOCKS.length, 2);
  const { outputText, diagnostics } = ts.transpileModule(TS_BLOCKS.join("\n"), {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    reportDiagnostics: true,
  });
  assert.deepEqual(diagnostics, [], "the blocks are valid TypeScript");
  const { code, stdout, stderr } = await runModule(filledIn(outputText, server));
  assert.equal(code, 0, `exit code ${code}:\n${stderr}`);
  const lines = stdout.trim().split("\n");
  const steps = lines.filter((l) => /^\d+ \d/.test(l)).map((l) => Number(l.split(" ")[0]));
  assert.ok(steps.length > 0 && steps.at(-1) >= 500, `the loss is printed up to step 500 at least: ${steps.slice(-3)}`);
  assert.ok(lines.some((l) => l.startsWith("[ 32, 784 ] Float32Array(25088)")), "the weights' shape and values");
  assert.ok(lines.includes("no simulation 'nope'; ListSimulations shows the existing ids"), `the NotFound message:\n${stdout.slice(-2000)}`);
  const client = new EiscopeClient(server.baseUrl);
  const forks = (await client.list()).filter((s) => s.parentId !== "" && s.learningRule?.kind === "adam");
  assert.equal(forks.length, 1, "the block forked its run and switched the fork to adam");
  const log = await client.interventionLog(forks[0].id);
  assert.deepEqual(log.map((i) => i.command?.kind.case), ["runUntil", "lesion", "switchRule"]);
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
