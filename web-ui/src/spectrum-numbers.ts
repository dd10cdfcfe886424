// The spectrum panel's numbers: spectral radius, NSE, both effective ranks (each a per-layer
// scalar observable, shown with the step it was measured at) and the largest singular value.

import { formatScalar, h } from "./dom";
import type { Sample } from "./cadenced-watch";

export const NUMBERS: { observable: string; label: string; title: string }[] = [
  { observable: "spectral_radius", label: "spectral radius ρ", title: "Largest eigenvalue modulus (square matrices only)" },
  {
    observable: "nse",
    label: "NSE (normalised SVD entropy)",
    title: "Normalised SVD entropy H / log k: 1 for equal singular values, 0 for rank 1",
  },
  {
    observable: "effective_rank_entropy",
    label: "effective rank (entropy)",
    title: "exp(H), H the entropy of σᵢ / Σσ: between 1 and k",
  },
  { observable: "effective_rank_participation", label: "effective rank (participation)", title: "(Σσ²)² / Σσ⁴: between 1 and k" },
];

export class SpectrumNumbers {
  readonly el: HTMLElement;
  private readonly cells = new Map<string, HTMLElement>();
  private readonly sigmaMax = h("span", { className: "stat-value", testid: "spectrum-sigma-max" }, "–");

  constructor() {
    this.el = h(
      "div",
      { className: "spectrum-numbers" },
      ...NUMBERS.map((n) => this.cell(n.observable, n.label, n.title)),
      h(
        "div",
        { className: "spectrum-number", title: "Largest singular value (the operator 2-norm)" },
        h("span", { className: "stat-label" }, "largest singular value σ₁"),
        this.sigmaMax,
      ),
    );
  }

  has(observable: string): boolean {
    return this.cells.has(observable);
  }

  /** Shows each scalar (with its step) and σ₁ of `spectrum`; missing ones as "–". */
  show(scalars: Map<string, Sample<number>>, spectrum: Sample<Float32Array> | undefined): void {
    for (const [observable, el] of this.cells) {
      const s = scalars.get(observable);
      el.textContent = formatScalar(s?.value);
      el.dataset.step = s ? String(s.step) : "";
      el.dataset.value = s ? String(s.value) : "";
      el.title = s ? `at step ${s.step.toLocaleString("en-US")}` : "";
    }
    this.sigmaMax.textContent = formatScalar(spectrum && spectrum.value.length ? spectrum.value[0] : undefined);
    this.sigmaMax.dataset.step = spectrum ? String(spectrum.step) : "";
  }

  private cell(observable: string, label: string, title: string): HTMLElement {
    const value = h("span", { className: "stat-value", testid: `spectrum-${observable}` }, "–");
    this.cells.set(observable, value);
    return h("div", { className: "spectrum-number", title }, h("span", { className: "stat-label" }, label), value);
  }
}
