// The matrices a weight panel can show: the effective signed matrices the server computes (an
// E/I layer's, a recurrent cell's and its input map: Simulation.effective_matrices) and every
// parameter, each with its shape and E/I partition; GetParameters reads both by name.

import type { ParameterInfo, Simulation } from "@eiscope/client";
import { h, replaceChildren } from "./dom";

/**
 * Fills `select` with the matrices of `sim` (effective ones first, in the network's order) and
 * chooses the first effective matrix, else the first parameter that is a matrix. Returns them by name.
 */
export function fillMatrixPicker(select: HTMLSelectElement, sim: Simulation): Map<string, ParameterInfo> {
  const option = (p: ParameterInfo, effective: boolean) =>
    h("option", { value: p.name }, `${p.name}  [${p.shape.join(" × ")}]${effective ? " (effective)" : ""}`);
  const effective = sim.effectiveMatrices;
  replaceChildren(
    select,
    effective.length ? h("optgroup", { label: "Effective matrices" }, ...effective.map((p) => option(p, true))) : null,
    h("optgroup", { label: "Parameters" }, ...sim.parameters.map((p) => option(p, false))),
  );
  const matrix = sim.parameters.find((p) => p.shape.length === 2 && p.shape[0] > 1 && p.shape[1] > 1);
  const first = effective[0] ?? matrix ?? sim.parameters[0];
  if (first) select.value = first.name;
  return new Map([...effective, ...sim.parameters].map((p) => [p.name, p]));
}
