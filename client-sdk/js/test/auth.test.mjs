// Tokens and TLS against a server started with --auth token --tokens FILE --tls-self-signed.
//
// Node trusts a certificate only from NODE_EXTRA_CA_CERTS, read when it starts, and the server
// writes its certificate at its own start: what needs that trust runs in a child node started
// with NODE_EXTRA_CA_CERTS=<data dir>/tls/cert.pem (trusting() below), as a user would run a
// script. This process does not trust it, and checks the error that gives.

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Code, ConnectError, EiscopeClient } from "../dist/index.js";
import { startServer } from "./live-server.mjs";

const DIST = pathToFileURL(resolve(dirname(fileURLToPath(import.meta.url)), "../dist/index.js")).href;
const ADMIN = "admin-token-0123456789abcdef";
const ALICE = "alice-steer-0123456789abcdef";
const ALICE_READ = "alice-read-0123456789abcdef";
const BOB = "bob-steer-0123456789abcdef";

let server, cert, tokensDir;
before(async () => {
  tokensDir = mkdtempSync(join(tmpdir(), "eiscope-tokens-"));
  const tokens = join(tokensDir, "tokens");
  writeFileSync(tokens, `${ADMIN} admin root\n${ALICE} steer alice\n${ALICE_READ} read alice\n${BOB} steer bob\n`);
  server = await startServer(["--auth", "token", "--tokens", tokens, "--tls-self-signed"]);
  cert = join(server.dataDir, "tls", "cert.pem");
});
after(async () => {
  await server?.stop();
  if (tokensDir) rmSync(tokensDir, { recursive: true, force: true });
});

/**
 * Runs `scenario(sdk, args, outcome)` in a child node that trusts the server's certificate and
 * resolves with what it returns (through JSON; bigints become numbers). The scenario travels as
 * its source, so it may use only its arguments: `sdk` (this package), `args` (with `baseUrl`
 * added) and `outcome(promise)`, which resolves to "OK" or "<Code>: <server's message>".
 * `env` is added to the child's environment, from which EISCOPE_TOKEN is otherwise removed.
 */
function trusting(scenario, args = {}, env = {}) {
  const source = `import * as sdk from ${JSON.stringify(DIST)};
const args = ${JSON.stringify({ ...args, baseUrl: server.baseUrl })};
const outcome = (p) => p.then(() => "OK", (e) => e instanceof sdk.ConnectError ? sdk.Code[e.code] + ": " + e.rawMessage : String(e));
const result = await (${scenario.toString()})(sdk, args, outcome);
process.stdout.write(JSON.stringify(result, (k, v) => (typeof v === "bigint" ? Number(v) : v)));
`;
  const { EISCOPE_TOKEN, ...inherited } = process.env;
  const child = spawn(process.execPath, ["--input-type=module", "-e", source], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...inherited, NODE_EXTRA_CA_CERTS: cert, ...env },
  });
  let stdout = "", stderr = "";
  child.stdout.on("data", (d) => (stdout += d));
  child.stderr.on("data", (d) => (stderr += d));
  return new Promise((res, rej) =>
    child.once("exit", (code) => (code === 0 ? res(JSON.parse(stdout)) : rej(new Error(`scenario exited ${code}:\n${stderr}`)))),
  );
}

const SPEC = {
  model: { kind: "mlp", params: { hidden: [16] } },
  learningRule: { kind: "sgd" },
  task: { kind: "fashion_mnist" },
  batchSize: 32,
  seed: 1,
};

test("with its token over TLS, a client creates, steps, watches and reads the history of a run", { timeout: 60_000 }, async () => {
  const r = await trusting(
    async ({ EiscopeClient }, { baseUrl, token, spec }) => {
      const client = new EiscopeClient(baseUrl, { token });
      const sim = await client.create(spec);
      await client.step(sim.id, 20);
      const reached = await client.waitForStep(sim.id, 20);
      const watched = [];
      for await (const f of client.watch(sim.id, { observables: ["loss"], fromStep: 1, untilPaused: true })) watched.push(f.step);
      const [loss] = (await client.history(sim.id, { observables: ["loss"] })).series;
      const rebuilt = await client.reconstruct(sim.id, 10);
      return { owner: sim.owner, reached: reached.step, watched, recorded: [...loss.steps], rebuilt: rebuilt.done };
    },
    { token: ALICE, spec: SPEC },
  );
  const steps = Array.from({ length: 20 }, (_, i) => i + 1);
  assert.deepEqual(r, { owner: "alice", reached: 20, watched: steps, recorded: steps, rebuilt: true });
});

test("without a token, or with an unknown one, every kind of call is Unauthenticated", { timeout: 60_000 }, async () => {
  const r = await trusting(
    async ({ EiscopeClient }, { baseUrl }, outcome) => {
      const none = new EiscopeClient(baseUrl, { token: "" });
      const watchOne = async () => {
        for await (const f of none.watch("any")) return f;
      };
      return {
        list: await outcome(none.list()),
        watch: await outcome(watchOne()),
        reconstruct: await outcome(none.reconstruct("any", 1)),
        unknown: await outcome(new EiscopeClient(baseUrl, { token: "not-a-token-0123456789" }).catalogue()),
      };
    },
    {},
    { EISCOPE_TOKEN: ALICE }, // token "" sends none even so
  );
  for (const call of ["list", "watch", "reconstruct"]) {
    assert.match(r[call], /^Unauthenticated: this server needs a token: send the header 'authorization: Bearer <token>'/, call);
  }
  assert.equal(r.unknown, "Unauthenticated: the token is not one this server knows");
});

test("in Node the token defaults to $EISCOPE_TOKEN", { timeout: 60_000 }, async () => {
  const owners = await trusting(
    async ({ EiscopeClient }, { baseUrl }) => (await new EiscopeClient(baseUrl).list()).map((s) => s.owner),
    {},
    { EISCOPE_TOKEN: `${BOB}\n` }, // as read from a file
  );
  assert.ok(owners.every((o) => o === "bob"), JSON.stringify(owners));
});

test("a read-only token reads its owner's runs but cannot steer them", { timeout: 60_000 }, async () => {
  const r = await trusting(
    async ({ EiscopeClient }, { baseUrl, steer, read, spec }, outcome) => {
      const sim = await new EiscopeClient(baseUrl, { token: steer }).create(spec);
      const reader = new EiscopeClient(baseUrl, { token: read });
      const stop = new AbortController();
      let first;
      for await (const f of reader.watch(sim.id, { observables: ["state"] }, stop.signal)) {
        first = f.observable;
        stop.abort();
      }
      return {
        owner: (await reader.get(sim.id)).owner,
        shape: (await reader.parameters(sim.id, ["layer0.W"])).get("layer0.W").shape,
        first,
        step: await outcome(reader.step(sim.id, 1)),
        create: await outcome(reader.create(spec)),
        stepAfter: (await reader.get(sim.id)).step,
      };
    },
    { steer: ALICE, read: ALICE_READ, spec: SPEC },
  );
  assert.deepEqual([r.owner, r.shape, r.first, r.stepAfter], ["alice", [16, 784], "state", 0]);
  assert.match(r.step, /^PermissionDenied: Control changes runs; the token of 'alice' is read-only/);
  assert.match(r.create, /^PermissionDenied: CreateSimulation changes runs/);
});

test("another owner's run is PermissionDenied, and an admin reaches every run", { timeout: 60_000 }, async () => {
  const r = await trusting(
    async ({ EiscopeClient }, { baseUrl, alice, bob, admin, spec }, outcome) => {
      const alices = await new EiscopeClient(baseUrl, { token: alice }).create(spec);
      const bobs = new EiscopeClient(baseUrl, { token: bob });
      const mine = await bobs.create(spec);
      return {
        get: await outcome(bobs.get(alices.id)),
        step: await outcome(bobs.step(alices.id, 1)),
        bobSees: (await bobs.list()).map((s) => s.id).filter((id) => id === alices.id || id === mine.id),
        adminSees: (await new EiscopeClient(baseUrl, { token: admin }).list()).map((s) => s.id).filter((id) => id === alices.id || id === mine.id),
        ids: [alices.id, mine.id],
      };
    },
    { alice: ALICE, bob: BOB, admin: ADMIN, spec: SPEC },
  );
  assert.match(r.get, /^PermissionDenied: .*belongs to 'alice'/);
  assert.match(r.step, /^PermissionDenied: /);
  assert.deepEqual(r.bobSees, [r.ids[1]]);
  assert.deepEqual([...r.adminSees].sort(), [...r.ids].sort());
});

test("a client that does not trust the certificate fails with Unavailable saying what to do", { timeout: 30_000 }, async () => {
  const client = new EiscopeClient(server.baseUrl, { token: ALICE }); // this process has no NODE_EXTRA_CA_CERTS
  for (const call of [() => client.list(), async () => { for await (const f of client.watch("any")) return f; }]) {
    const e = await call().then(() => assert.fail("a call over an untrusted certificate succeeded"), (e) => e);
    assert.ok(e instanceof ConnectError, String(e));
    assert.equal(e.code, Code.Unavailable);
    assert.match(e.rawMessage, /^the server's TLS certificate is not trusted \(DEPTH_ZERO_SELF_SIGNED_CERT: self[- ]signed certificate\)/);
    assert.match(e.rawMessage, /NODE_EXTRA_CA_CERTS=/);
  }
});

test("a token with whitespace inside is refused when the client is made", () => {
  assert.throws(() => new EiscopeClient("http://127.0.0.1:1", { token: "two words" }), /no whitespace inside/);
});
