// docs/sdk-parity.md against the service and this SDK, so the table cannot drift: the rpcs come
// from the generated descriptor of eiscope.v1.SimulationService (regenerated from the protos by
// every build), the methods from EiscopeClient. The Python and Java suites check their own
// columns the same way. No server is needed.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { EiscopeClient, SimulationService } from "../dist/index.js";

const TABLE = resolve(dirname(fileURLToPath(import.meta.url)), "../../../docs/sdk-parity.md");
const SDKS = ["Python", "JS", "Java"];
const KINDS = { unary: "unary", server_streaming: "server stream", client_streaming: "client stream", bidi_streaming: "bidi stream" };

/** The rows of the table whose header starts with `headerStart`, as arrays of cells. */
function rows(headerStart) {
  const lines = readFileSync(TABLE, "utf8").split("\n");
  const start = lines.findIndex((l) => l.startsWith(headerStart));
  assert.ok(start >= 0, `no table headed "${headerStart}" in ${TABLE}`);
  const out = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith("|")) break;
    out.push(line.trim().replace(/^\||\|$/g, "").split("|").map((c) => c.trim()));
  }
  return out;
}

/** The method names of a cell: every backticked span must be a call `name(...)`. */
function methodsNamed(cell) {
  return [...cell.matchAll(/`([^`]*)`/g)].map(([, span]) => {
    const call = /^([A-Za-z_]\w*)\(/.exec(span);
    assert.ok(call, `${JSON.stringify(span)} in ${JSON.stringify(cell)} is not a call name(...)`);
    return call[1];
  });
}

const rpcRows = rows("| RPC | kind |");
const allRows = [...rpcRows, ...rows("| what | built on |")];
const methods = new Map(SimulationService.methods.map((m) => [m.name, m]));

test("every rpc of the service has exactly one row, and no row names a missing rpc", () => {
  const named = rpcRows.map((r) => /^`(\w+)`$/.exec(r[0])?.[1]);
  assert.deepEqual([...named].sort(), [...methods.keys()].sort());
  assert.equal(new Set(named).size, named.length, "an rpc has two rows");
});

test("each row has the rpc's kind and an entry for every SDK", () => {
  for (const row of rpcRows) {
    assert.equal(row.length, 2 + SDKS.length, `${row[0]}: cells`);
    assert.equal(row[1], KINDS[methods.get(row[0].replaceAll("`", "")).methodKind], `${row[0]}: kind`);
    row.slice(2).forEach((cell, i) => {
      assert.ok(methodsNamed(cell).length > 0 || cell.startsWith("none:"), `${row[0]}, ${SDKS[i]}: no method, and no "none:" saying why`);
    });
  }
});

test("each JS method the table names is a method of EiscopeClient", () => {
  for (const row of allRows) {
    for (const name of methodsNamed(row[3])) {
      assert.equal(typeof EiscopeClient.prototype[name], "function", `${row[0]}: EiscopeClient has no ${name}()`);
    }
  }
});
