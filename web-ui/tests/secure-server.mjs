// Starts the server jar as someone would expose it: --auth token and TLS with the self-signed
// certificate it generates into its data directory. (live-server.mjs, shared with the SDK's
// tests, waits for an http:// URL; this one reads the https:// URL with its ?token=.)

import { spawn } from "node:child_process";
import { createHash, X509Certificate } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { serverPaths } from "../../client-sdk/js/test/live-server.mjs";

// Up to the line's end, so that a line split across two reads is not taken half-way.
const READY = /eiscope listening on (https:\/\/\S+)\r?\n/;
const START_TIMEOUT_MS = 60_000;

/**
 * Spawns `$EISCOPE_JAVA -jar <jar> --host 127.0.0.1 --port 0 --data-dir <dataDir> --auth token
 * --tls-self-signed ...extraArgs` and resolves once it prints its listening line.
 * @returns {Promise<{origin: string, url: string, token: string | null, certificate: X509Certificate,
 *   spki: string, output: () => string, stop: () => Promise<void>}>} `url` as printed (with
 *   ?token= when the server generated the token file); `spki`: the base64 SHA-256 of the
 *   certificate's public key, as chromium's --ignore-certificate-errors-spki-list takes it
 */
export async function startSecureServer(dataDir, extraArgs = []) {
  const { jar } = serverPaths();
  if (!existsSync(jar)) throw new Error(`eiscope server jar not found at ${jar}: build it first (./mvnw -q package) or set EISCOPE_JAR`);
  const args = ["-jar", jar, "--host", "127.0.0.1", "--port", "0", "--data-dir", dataDir, "--auth", "token", "--tls-self-signed", ...extraArgs];
  const child = spawn(process.env.EISCOPE_JAVA ?? "java", args, { stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  child.stderr.on("data", (d) => (log += d));
  const exited = new Promise((res) => child.once("exit", (code, sig) => res({ code, sig })));
  const url = await new Promise((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`server did not start in ${START_TIMEOUT_MS} ms:\n${log}`)), START_TIMEOUT_MS);
    child.stdout.on("data", (d) => {
      log += d;
      const m = READY.exec(log);
      if (m) {
        clearTimeout(timer);
        res(m[1]);
      }
    });
    exited.then(({ code, sig }) => {
      clearTimeout(timer);
      rej(new Error(`server exited (code ${code}, signal ${sig}) before listening:\n${log}`));
    });
  });
  const certificate = new X509Certificate(readFileSync(join(dataDir, "tls", "cert.pem")));
  const spki = createHash("sha256").update(certificate.publicKey.export({ type: "spki", format: "der" })).digest("base64");
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    const killer = setTimeout(() => child.kill("SIGKILL"), 5_000);
    await exited;
    clearTimeout(killer);
  };
  const parsed = new URL(url);
  return { origin: parsed.origin, url, token: parsed.searchParams.get("token"), certificate, spki, output: () => log, stop };
}
