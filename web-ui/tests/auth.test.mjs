// Browser test of the page on a server exposed as documented: --auth token and TLS with the
// self-signed certificate it generates. Chromium trusts exactly that certificate's public key
// (--ignore-certificate-errors-spki-list), not any certificate, so the page, its gRPC-Web calls
// and the export links go over TLS end to end. The page is opened from the URL the server
// prints (?token=), must drop the token from the address bar, keep it for the tab (a reload
// still works, a new tab asks for it with a sign-in form), and with a read-only token show the
// server's PERMISSION_DENIED and leave the run where it was. Leaves test-results/auth.png,
// signin.png and read-only.png.

import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, before, test } from "node:test";
import { assertChromium, eventually, launchChromium, RESULTS, WEB_ROOT } from "./browser.mjs";
import { startSecureServer } from "./secure-server.mjs";

const VIEWPORT = { width: 1440, height: 1000 };

let dataDir;
let server;
let browser;
const pageErrors = [];

before(async () => {
  assertChromium();
  mkdirSync(RESULTS, { recursive: true });
  dataDir = mkdtempSync(join(tmpdir(), "eiscope-auth-"));
  server = await startSecureServer(dataDir, ["--web-root", WEB_ROOT]);
  browser = await launchChromium([`--ignore-certificate-errors-spki-list=${server.spki}`]);
});

after(async () => {
  await browser?.close();
  await server?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

async function newPage() {
  const context = await browser.newContext({ viewport: VIEWPORT });
  const page = await context.newPage();
  page.on("pageerror", (e) => pageErrors.push(e.message));
  const byTestId = (id) => page.locator(`[data-testid="${id}"]`);
  const textOf = async (id) => (await byTestId(id).first().textContent()).trim();
  return { context, page, byTestId, textOf };
}

/** Creates a small MLP through the form and waits for its view. */
async function createInForm({ page, byTestId }, name) {
  await page.goto(new URL("#/new", page.url()).toString());
  await byTestId("model-select").selectOption("mlp");
  await byTestId("rule-select").selectOption("sgd");
  await byTestId("task-select").selectOption("fashion_mnist");
  await byTestId("param-model-hidden").fill("32");
  await byTestId("param-rule-learning_rate").fill("0.05");
  await byTestId("sim-name").fill(name);
  await byTestId("batch-size").fill("32");
  await byTestId("seed").fill("1");
  await byTestId("create-button").click();
  await page.locator(`[data-testid="sim-view"]`).waitFor({ timeout: 30_000 });
}

async function stepBy(p, n) {
  const before = Number((await p.textOf("sim-step")).replace(/,/g, ""));
  await p.byTestId("step-count").fill(String(n));
  await p.byTestId("step-button").click();
  const after = await eventually(async () => Number((await p.textOf("sim-step")).replace(/,/g, "")), (s) => s === before + n, 30_000);
  assert.equal(after, before + n, `stepped from ${before} by ${n}`);
}

const points = async (p) => Number(await p.textOf("loss-points"));

test("opened from the URL the server printed, over https: the token leaves the address bar, calls carry it, a reload keeps it", { timeout: 120_000 }, async () => {
  assert.ok(server.token, `the server printed a URL with its generated token: ${server.url}`);
  const p = await newPage();
  const response = await p.page.goto(server.url);
  assert.equal(new URL(p.page.url()).protocol, "https:", "the page was loaded over https");
  const tls = await response.securityDetails();
  assert.match(tls.protocol, /^TLS/);
  assert.equal(`CN=${tls.subjectName}`, server.certificate.subject, "served with the certificate in <data-dir>/tls/cert.pem");
  assert.equal(tls.validFrom, Date.parse(server.certificate.validFrom) / 1000);

  await p.byTestId("create-button").waitFor({ timeout: 30_000 }); // no run yet: the form
  assert.ok(!p.page.url().includes("token"), `no token in the address bar: ${p.page.url()}`);
  assert.equal(await p.page.evaluate(() => sessionStorage.getItem("eiscope.token")), server.token, "kept for the tab");
  assert.equal(await p.byTestId("signin-form").count(), 0);

  await createInForm(p, "auth-test mlp");
  assert.equal(await p.textOf("identity-owner"), "signed in as admin", "the generated token's owner, from its run");
  await stepBy(p, 20);
  const first = await eventually(() => points(p), (n) => n >= 20);
  assert.ok(first >= 20, `the loss curve has the 20 steps: ${first}`);
  await stepBy(p, 20);
  const grown = await eventually(() => points(p), (n) => n >= 40);
  assert.ok(grown >= 40, `the curve grows with the next 20 steps: ${first} then ${grown}`);

  // Export links carry the token in their URL (a link cannot send a header); without it the server answers 401.
  const csv = await p.byTestId("export-csv").getAttribute("href");
  assert.ok(csv.startsWith(`${server.origin}/api/runs/`) && csv.includes(`token=${server.token}`), csv);
  const exported = await p.page.evaluate(async (url) => {
    const withToken = await fetch(url);
    const u = new URL(url);
    u.searchParams.delete("token");
    return { status: withToken.status, body: await withToken.text(), without: (await fetch(u)).status };
  }, csv);
  assert.equal(exported.status, 200);
  assert.match(exported.body, /^step,wall_time_unix_nanos,observable,layer,value\n/);
  assert.ok(exported.body.split("\n").filter((l) => l.includes(",loss,")).length >= 40, "the CSV holds the 40 losses");
  assert.equal(exported.without, 401);

  await p.page.reload();
  await p.byTestId("sim-view").waitFor({ timeout: 30_000 });
  assert.equal(await eventually(() => points(p), (n) => n === grown), grown, "after a reload the curve is read again with the kept token");
  assert.equal(await p.byTestId("signin-form").count(), 0);
  assert.equal(await p.textOf("connection"), "connected");
  await p.page.screenshot({ path: resolve(RESULTS, "auth.png"), fullPage: true });
  await p.context.close();
});

test("a new tab without the token gets the sign-in form: a wrong token is refused with the server's message, the right one signs in", { timeout: 60_000 }, async () => {
  const p = await newPage();
  await p.page.goto(`${server.origin}/`);
  await p.byTestId("signin-form").waitFor({ timeout: 30_000 });
  assert.match(await p.byTestId("signin-form").textContent(), /needs a token/);
  assert.equal(await p.byTestId("signin-error").isVisible(), false, "no token sent yet: nothing to explain");
  await p.page.screenshot({ path: resolve(RESULTS, "signin.png") });

  await p.byTestId("signin-token").fill("not-a-token-this-server-knows");
  await p.byTestId("signin-button").click();
  await p.byTestId("signin-error").filter({ hasText: "not one this server knows" }).waitFor({ timeout: 15_000 });

  await p.byTestId("signin-token").fill(server.token);
  await p.byTestId("signin-button").click();
  await p.byTestId("sim-view").waitFor({ timeout: 30_000 });
  assert.equal(await p.byTestId("signin-form").count(), 0);
  assert.equal(await p.textOf("sim-title"), "auth-test mlp");
  assert.equal(await p.textOf("sim-step"), "40");
  await p.context.close();
});

test("a read-only token sees its owner's run, but Step is refused with the server's message, the run stays, and the controls say why", { timeout: 120_000 }, async () => {
  // The same data directory (same certificate, kept) with a token file of an admin and a
  // read-only token of the owner "lab".
  await server.stop();
  const admin = randomBytes(24).toString("base64url");
  const reader = randomBytes(24).toString("base64url");
  const tokens = join(dataDir, "lab-tokens");
  writeFileSync(tokens, `${admin} admin lab\n${reader} read lab\n`, { mode: 0o600 });
  const spki = server.spki;
  server = await startSecureServer(dataDir, ["--web-root", WEB_ROOT, "--tokens", tokens]);
  assert.equal(server.spki, spki, "the certificate was kept");
  assert.equal(server.token, null, "no token generated when the file exists");

  const a = await newPage();
  await a.page.goto(`${server.origin}/?token=${admin}`);
  await a.byTestId("sim-view").waitFor({ timeout: 30_000 }); // the first run, owned by "admin"
  await createInForm(a, "auth-test lab run");
  await stepBy(a, 10);
  assert.equal(await eventually(() => a.textOf("identity-owner"), (t) => t === "signed in as admin"), "signed in as admin",
    "an admin token sees the runs of two owners");
  await a.context.close();

  const r = await newPage();
  await r.page.goto(`${server.origin}/?token=${reader}`);
  await r.byTestId("sim-view").waitFor({ timeout: 30_000 });
  assert.equal(await r.byTestId("sim-item").count(), 1, "only the runs of the token's owner");
  assert.equal(await r.textOf("sim-title"), "auth-test lab run");
  assert.equal(await r.textOf("identity-owner"), "signed in as lab");
  assert.equal(await r.textOf("sim-step"), "10");
  assert.ok(await eventually(() => points(r), (n) => n === 10), "it may read the run's curve");

  await r.byTestId("step-count").fill("5");
  await r.byTestId("step-button").click();
  const error = r.byTestId("control-error");
  await error.filter({ hasText: "read-only" }).waitFor({ timeout: 15_000 });
  assert.match(await error.textContent(), /Control.*'lab' is read-only \(role read\)/, "the server's message");
  for (const id of ["step-button", "play-button", "reset-button", "delete-button", "fork-button", "steer-lr-button", "run-name-edit"]) {
    assert.equal(await r.byTestId(id).isDisabled(), true, `${id} disabled`);
  }
  assert.match(await r.byTestId("step-button").getAttribute("title"), /read-only/);
  assert.equal(await r.textOf("identity-role"), "· read-only");
  await r.page.screenshot({ path: resolve(RESULTS, "read-only.png") });

  // The run did not advance: read again after a reload, which keeps the token and what it may do.
  await r.page.reload();
  await r.byTestId("sim-view").waitFor({ timeout: 30_000 });
  assert.equal(await r.textOf("sim-step"), "10");
  assert.equal(await r.byTestId("step-button").isDisabled(), true, "still explained after a reload");
  await r.context.close();
  assert.deepEqual(pageErrors, []);
});
