// What the spectral observables of one simulation can be measured on: its weight-matrix
// parameters (e.g. "layer1.W"; not biases) and its effective matrices (an E/I layer's signed
// matrix "layer0", a recurrent cell's "rnn0" and "rnn0.input"). Only the server knows which
// these are, so ask it: a watch of one spectral scalar with no layer restriction gets one
// frame per target at once (a new subscriber's first values), at so low a rate that nothing
// is measured after that. A simulation's targets never change, so each is asked once a page.

import { liveWatch } from "./live-watch";

/** One SVD per target: the cheapest spectral observable that every target has. */
const OBSERVABLE = "nse";
/** Once per 1,000 s: in practice only the measurement at subscription. */
const ONCE_HZ = 1e-3;
/** The answers come together, one SVD apart; this long without one ends the search. */
const QUIET_MS = 1500;
/** A model without weight matrices never answers: give up after this. */
const GIVE_UP_MS = 20_000;

const known = new Map<string, string[]>();

/**
 * Finds the targets of simulation `id` (when `offered` includes the observable it asks):
 * `update` gets the names so far after each new one, `done` the final list. The returned
 * function stops the search. Costs the server one SVD per target, the first time only.
 */
export function findSpectralTargets(
  id: string,
  offered: Set<string>,
  update: (targets: string[]) => void,
  done: (targets: string[]) => void,
): () => void {
  const cached = known.get(id);
  if (cached || !offered.has(OBSERVABLE)) {
    let stopped = false;
    queueMicrotask(() => stopped || done([...(cached ?? [])]));
    return () => (stopped = true);
  }
  const targets: string[] = [];
  let quiet: number | undefined;
  let stopWatch = () => {};
  const stop = () => {
    window.clearTimeout(quiet);
    window.clearTimeout(giveUp);
    stopWatch();
  };
  const finish = () => {
    stop();
    if (targets.length) known.set(id, targets);
    done([...targets]);
  };
  const giveUp = window.setTimeout(finish, GIVE_UP_MS);
  stopWatch = liveWatch(
    id,
    { observables: [OBSERVABLE], maxHz: ONCE_HZ },
    {
      frame: (f) => {
        if (f.observable !== OBSERVABLE || f.layer === "") return;
        if (!targets.includes(f.layer)) {
          targets.push(f.layer);
          update([...targets]);
        }
        window.clearTimeout(quiet);
        quiet = window.setTimeout(finish, QUIET_MS);
      },
    },
  );
  return stop;
}

/**
 * The [rows, cols] of a spectral target: a parameter's own shape, or for an effective matrix
 * the shape of the parameter it stands for (post x pre): a layer "L" → L.W, L.W_pos or L.Wex
 * (its E→E block has the effective matrix's shape); a cell's input map "L.input" → L.U,
 * L.U_pos or L.Uex. Undefined when none of these exists.
 */
export function targetShape(target: string, shapes: Map<string, number[]>): number[] | undefined {
  const own = shapes.get(target);
  if (own) return own;
  const input = target.endsWith(".input");
  const layer = input ? target.slice(0, -".input".length) : target;
  const base = input ? "U" : "W";
  for (const suffix of ["", "_pos", "ex"]) {
    const shape = shapes.get(`${layer}.${base}${suffix}`);
    if (shape) return shape;
  }
  return undefined;
}

/**
 * Where the spectrum panel opens: a recurrent network on its first cell's recurrent matrix
 * (rnn0, square: it has eigenvalues, the object of Li et al. 2023), else the first effective
 * E/I matrix, else the first square weight matrix, else the first target.
 */
export function defaultTarget(targets: string[], shapes: Map<string, number[]>): string | undefined {
  const square = (t: string) => {
    const s = targetShape(t, shapes);
    return s !== undefined && s[0] === s[1];
  };
  return targets.find((t) => t === "rnn0") ?? targets.find((t) => !shapes.has(t)) ?? targets.find(square) ?? targets[0];
}

/** Effective matrices in the model's layer order (rnn0, rnn0.input, rnn1, …, readout), not alphabetical. */
export function layerOrder(targets: string[], parameterNames: string[]): string[] {
  const rank = (t: string) => {
    const layer = t.endsWith(".input") ? t.slice(0, -".input".length) : t;
    const i = parameterNames.findIndex((p) => p.startsWith(`${layer}.`));
    return i < 0 ? parameterNames.length : i;
  };
  return [...targets].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b, "en", { numeric: true }));
}
