// The spectrum panel's choice of matrix: the targets the server measures spectra of, effective
// matrices first then parameters, each in the network's order with its shape; why a target has
// no eigenvalues (it is not square); and the line that says what is shown.

import type { Sample } from "./cadenced-watch";
import { formatStep, h, replaceChildren } from "./dom";
import { layerOrder, targetShape } from "./spectral-targets";

/**
 * Fills `select` with `targets` (answers come in any order): effective matrices (names that are
 * not parameters, i.e. not in `parameterNames`) first, then parameters, each in the model's order.
 */
export function fillSpectrumPicker(
  select: HTMLSelectElement,
  targets: string[],
  shapes: Map<string, number[]>,
  parameterNames: string[],
): void {
  const isParameter = (t: string) => parameterNames.includes(t);
  const effective = layerOrder(
    targets.filter((t) => !isParameter(t)),
    parameterNames,
  );
  const params = targets.filter(isParameter).sort((a, b) => parameterNames.indexOf(a) - parameterNames.indexOf(b));
  const option = (t: string) => {
    const shape = targetShape(t, shapes);
    const size = shape ? `[${shape.join(" × ")}]` : "";
    return h("option", { value: t }, `${t}  ${isParameter(t) ? size : `(effective) ${size}`}`);
  };
  replaceChildren(
    select,
    effective.length ? h("optgroup", { label: "Effective matrices" }, ...effective.map(option)) : null,
    params.length ? h("optgroup", { label: "Weight parameters" }, ...params.map(option)) : null,
  );
}

/** Why `target` has no eigenvalues, when its shape (its own, or its parameter's for an effective matrix) says it is not square. */
export function whyNoEigenvalues(target: string, shapes: Map<string, number[]>): string | undefined {
  const shape = targetShape(target, shapes);
  if (!shape || shape[0] === shape[1]) return undefined;
  return `no eigenvalues: ${target} is ${shape.join(" × ")}, not square (only a square matrix has them); its singular values are beside`;
}

/** The panel's footer: "step 40 · 64 singular values · 64 eigenvalues · layer1.W is 64 × 64". */
export function describeShown(
  target: string,
  sv: Sample<Float32Array> | undefined,
  eigenvalues: Sample<Float32Array> | undefined,
  shapes: Map<string, number[]>,
  parameterNames: string[],
): string {
  const shape = targetShape(target, shapes);
  return [
    sv ? `step ${formatStep(sv.step)}` : "",
    sv ? `${sv.value.length} singular values` : "",
    eigenvalues
      ? `${eigenvalues.value.length / 2} eigenvalues`
      : sv && whyNoEigenvalues(target, shapes)
        ? "no eigenvalues (not square)"
        : "",
    shape ? `${target} is ${shape.join(" × ")}${parameterNames.includes(target) ? "" : " (effective)"}` : "",
  ]
    .filter(Boolean)
    .join(" · ");
}
