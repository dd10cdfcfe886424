// Entry point: the page frame (top bar, sidebar, main area) and the hash routes (routes.ts)
//   #/new                  the "New simulation" form
//   #/sim/<id>?panels=…    one simulation, live (with those panels open: routes.ts)
//   #/compare?runs=a,b,…   several runs overlaid (compare-view.ts)
//   #/sweep/<id>           a sweep's progress, controls and results (sweep-view.ts)
// An empty hash opens the newest simulation, or the form when there is none. A server started
// with --auth token is asked with the token of the address bar or the session; when it answers
// UNAUTHENTICATED, the sign-in form asks for one (sign-in.ts, session.ts).

import { type Catalogue, Code, ConnectError, describeError, type Simulation } from "@eiscope/client";
import { client, serverUrl } from "./api";
import { CompareView } from "./compare-view";
import { h, replaceChildren } from "./dom";
import { newSimulationView } from "./new-simulation";
import { parseRoute } from "./routes";
import { adoptTokenFromAddress, onSteerRefusal } from "./session";
import { Identity, isUnauthenticated, signedIn } from "./sign-in";
import { mountSidebar } from "./sidebar";
import { SimulationView } from "./simulation-view";
import { store } from "./store";
import { mountSweepList } from "./sweep-list";
import { SweepView } from "./sweep-view";
import "./style.css";

const connection = h("span", { className: "connection", testid: "connection" });
const identity = new Identity();
const sidebar = h("aside", { className: "sidebar" });
const content = h("main", { className: "content" });
let view: SimulationView | undefined;
let comparison: CompareView | undefined;
let sweep: SweepView | undefined;
let catalogue: Catalogue | undefined;
/**
 * The run the address opens, read as the page starts, beside the list and the catalogue: its
 * record is read from it (RecordedWatch), not after another GetSimulation. Used once.
 */
let early: { id: string; sim: Promise<Simulation> } | undefined;

function routeId(): string | undefined {
  const r = parseRoute();
  return r.view === "sim" ? r.id : undefined;
}

async function route(): Promise<void> {
  const r = parseRoute();
  // A comparison whose runs changed (ticks in the sidebar) keeps its chart and what it read.
  if (r.view === "compare" && comparison) {
    comparison.setOptions(r.options);
    return comparison.setRuns(r.runs);
  }
  const id = routeId();
  const panels = r.view === "sim" ? r.panels : undefined;
  if (view && view.id === id) return view.applyLink(panels); // a link to the open run: its panels
  view?.destroy();
  view = undefined;
  comparison?.destroy();
  comparison = undefined;
  sweep?.destroy();
  sweep = undefined;
  if (!catalogue) return; // route() runs again once the catalogue is in
  if (r.view === "sweep") {
    sweep = new SweepView(r.id);
    replaceChildren(content, sweep.el);
  } else if (r.view === "compare") {
    comparison = new CompareView(r.runs, r.options, catalogue);
    comparison.update(store.sims);
    replaceChildren(content, comparison.el);
  } else if (r.view === "new" || (!id && store.sims.length === 0)) {
    replaceChildren(content, newSimulationView(catalogue));
  } else if (!id) {
    location.replace(`#/sim/${encodeURIComponent(store.sims[0].id)}`);
  } else {
    try {
      const first = early?.id === id ? early.sim : undefined;
      early = undefined;
      const sim = store.find(id) ?? (await (first ?? client.get(id)));
      if (routeId() !== id || view) return; // the user moved on while we waited
      view = new SimulationView(sim, catalogue, first);
      replaceChildren(content, view.el);
      view.applyLink(panels);
    } catch (e) {
      if (routeId() !== id || view) return;
      const missing = e instanceof ConnectError && e.code === Code.NotFound;
      replaceChildren(
        content,
        h(
          "div",
          { className: "error-banner", testid: missing ? "sim-missing" : "open-error" },
          missing
            ? `There is no run ${id} on this server: it was deleted, or never existed.`
            : `Cannot open ${id}: ${describeError(e)}`,
        ),
      );
    }
  }
}

/**
 * The open run is missing from the list: it is gone if the server says NOT_FOUND (a list read
 * just before the run was created, e.g. a fork, misses it too, and then it is not gone).
 */
let confirming: SimulationView | undefined;
async function confirmGone(v: SimulationView): Promise<void> {
  if (confirming === v) return;
  confirming = v;
  try {
    await client.get(v.id);
  } catch (e) {
    if (e instanceof ConnectError && e.code === Code.NotFound) v.markGone();
  } finally {
    confirming = undefined;
  }
}

function connectionStatus(error?: unknown): void {
  const signIn = isUnauthenticated(error);
  connection.className = error === undefined ? "connection up" : signIn ? "connection signin" : "connection down";
  connection.textContent = error === undefined ? "connected" : signIn ? "sign-in needed" : "server unreachable";
  connection.title = error === undefined ? `gRPC-Web at ${serverUrl}` : describeError(error);
}

/** The token was refused while the page ran (e.g. the server restarted with other tokens): ask once for another. */
let signingIn: Promise<void> | undefined;
function signInAgain(): void {
  signingIn ??= signedIn(() => client.list())
    .then(
      () => store.refresh(),
      () => {},
    ) // not UNAUTHENTICATED: the polls report it
    .finally(() => (signingIn = undefined));
}

async function main(): Promise<void> {
  adoptTokenFromAddress(); // before any call, so that the first one carries it
  const firstId = routeId();
  if (firstId) {
    early = { id: firstId, sim: client.get(firstId) };
    early.sim.catch(() => {}); // its reader reports a failure (e.g. NOT_FOUND: the run is gone)
  }
  const app = document.getElementById("app")!;
  replaceChildren(
    app,
    h(
      "header",
      { className: "topbar" },
      h("span", { className: "logo" }, "eiscope"),
      h("span", { className: "tagline" }, "watch and steer learning in brain-like networks"),
      h("span", { className: "spacer" }),
      identity.el,
      connection,
    ),
    h("div", { className: "layout" }, sidebar, content),
  );
  mountSidebar(sidebar, routeId, () => catalogue);
  mountSweepList(sidebar);
  replaceChildren(content, h("p", { className: "muted" }, "Loading the catalogue…"));

  let firstList = true;
  onSteerRefusal(() => identity.update(store.sims));
  store.subscribe((sims, error) => {
    connectionStatus(error);
    if (isUnauthenticated(error)) signInAgain();
    else if (error === undefined) identity.update(sims);
    if (!error) comparison?.update(sims);
    const current = view && sims.find((s) => s.id === view!.id);
    if (current) view!.update(current);
    else if (view && !view.isGone && !error) void confirmGone(view);
    if (firstList && !error) {
      firstList = false;
      void route();
    }
  });
  window.addEventListener("hashchange", () => void route());
  store.start();

  for (;;) {
    try {
      catalogue = await signedIn(() => client.catalogue());
      break;
    } catch (e) {
      replaceChildren(
        content,
        h("div", { className: "error-banner" }, `Cannot load the catalogue: ${describeError(e)}. Retrying…`),
      );
      await new Promise((r) => setTimeout(r, 2000));
    }
  }
  if (!firstList) void route();
}

void main();
