// Starts the real eiscope server jar on a free port for tests, and stops it.
// Shared with web-ui/tests (same repository), so both suites start the server one way.

import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
// "http://127.0.0.1:PORT", or with TLS "https://...", and "/?token=..." when it generated a
// token; up to the line's end, so that a line split across reads is not taken half-way.
const READY = /eiscope listening on (https?:\/\/[^/\s]+)(?:\/\?token=(\S+))?\r?\n/;
const START_TIMEOUT_MS = 60_000;

/**
 * The jar (EISCOPE_JAR, default the repository's build) and the run record's directory
 * (EISCOPE_DATA_DIR; undefined: each server gets a fresh temporary one, so test runs neither
 * land in nor meet the developer's own record). The server finds the datasets that
 * `./eiscope build` fetched whatever the data directory.
 */
export function serverPaths() {
  return {
    jar: process.env.EISCOPE_JAR ?? resolve(REPO, "server/app/target/eiscope-server.jar"),
    dataDir: process.env.EISCOPE_DATA_DIR,
    repo: REPO,
  };
}

/**
 * Spawns `$EISCOPE_JAVA -jar <jar> --host 127.0.0.1 --port 0 --data-dir <dir> ...extraArgs` and
 * resolves once it prints its listening line. Rejects (never skips) when the jar is missing,
 * the process exits early, or it stays silent too long. A temporary data directory is removed
 * by stop(). `baseUrl` is the origin printed (https:// with --tls-self-signed, whose
 * certificate is `<dataDir>/tls/cert.pem`); `token` the admin token it printed when it
 * generated one (--auth token without a token file), else undefined.
 * @returns {Promise<{baseUrl: string, token?: string, dataDir: string, stop: () => Promise<void>, output: () => string}>}
 */
export async function startServer(extraArgs = []) {
  const { jar, dataDir: configured } = serverPaths();
  if (!existsSync(jar)) {
    throw new Error(
      `eiscope server jar not found at ${jar}: build the server first ` +
        "(./mvnw -q package in the repository root) or set EISCOPE_JAR",
    );
  }
  const dataDir = configured ?? mkdtempSync(join(tmpdir(), "eiscope-js-"));
  const removeTemporary = () => configured === undefined && rmSync(dataDir, { recursive: true, force: true });
  const args = ["-jar", jar, "--host", "127.0.0.1", "--port", "0", "--data-dir", dataDir, ...extraArgs];
  const child = spawn(process.env.EISCOPE_JAVA ?? "java", args, { stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  child.stderr.on("data", (d) => (log += d));
  const exited = new Promise((res) => child.once("exit", (code, sig) => res({ code, sig })));

  const [baseUrl, token] = await new Promise((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`server did not start in ${START_TIMEOUT_MS} ms:\n${log}`)), START_TIMEOUT_MS);
    child.stdout.on("data", (d) => {
      log += d;
      const m = READY.exec(log);
      if (m) {
        clearTimeout(timer);
        res([m[1], m[2]]);
      }
    });
    exited.then(({ code, sig }) => {
      clearTimeout(timer);
      removeTemporary();
      rej(new Error(`server exited (code ${code}, signal ${sig}) before listening:\n${log}`));
    });
  });

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    const killer = setTimeout(() => child.kill("SIGKILL"), 5_000);
    await exited;
    clearTimeout(killer);
    removeTemporary();
  };
  return { baseUrl, token, dataDir, stop, output: () => log };
}
