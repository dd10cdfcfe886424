// What a comparison shows, as controls above its chart: the scalar (network-wide ones, then the
// catalogue's per-layer scalars: NSE, spectral radius, alignments, ΔCDF…), the layer of a
// per-layer one (the layers the runs' records hold it for), the x axis (steps, or wall time since
// each curve's first point), TensorBoard's smoothing and a log scale. compare-view.ts keeps them
// in the address.

import { type Catalogue, ObservableKind } from "@eiscope/client";
import { h, replaceChildren } from "./dom";
import type { CompareOptions } from "./routes";

/** TensorBoard's default. */
const DEFAULT_SMOOTHING = 0.6;

export type CompareChange = "y" | "layer" | "x" | "smoothing" | "log";

export interface CompareSettings {
  y: string;
  /** "" for a network-wide scalar, or while no run has recorded the per-layer one. */
  layer: string;
  x: "step" | "time";
  smoothing: number;
  log: boolean;
}

export class CompareControls {
  readonly el: HTMLElement;
  readonly settings: CompareSettings;
  private readonly network: string[];
  private readonly perLayer: string[];
  private readonly ySelect = h("select", { testid: "compare-y", title: "The scalar overlaid" });
  private readonly layerSelect = h("select", { testid: "compare-layer", title: "The layer or parameter of a per-layer scalar" });
  private readonly layerNote = h("span", { className: "muted small", testid: "compare-layer-note" });
  private readonly xSelect = h(
    "select",
    { testid: "compare-x", title: "Against steps, or against wall time since each curve's first recorded point" },
    h("option", { value: "step" }, "step"),
    h("option", { value: "time" }, "wall time"),
  );
  private readonly smoothRange = h("input", {
    type: "range",
    min: 0,
    max: 0.99,
    step: 0.01,
    testid: "compare-smoothing",
    title: "Exponential moving average of each curve, as TensorBoard's smoothing: 0 draws the raw values",
  });
  private readonly smoothValue = h("span", { className: "mono small", testid: "compare-smoothing-value" });
  private readonly logBox = h("input", { type: "checkbox", testid: "compare-log" });
  private readonly layerLabel: HTMLElement;

  constructor(catalogue: Catalogue, options: CompareOptions, changed: (what: CompareChange) => void) {
    const scalars = catalogue.observables.filter((o) => o.kind === ObservableKind.SCALAR);
    this.network = scalars.filter((o) => !o.perLayer).map((o) => o.name);
    this.perLayer = scalars.filter((o) => o.perLayer).map((o) => o.name);
    const y = options.y && this.knows(options.y) ? options.y : (this.network[0] ?? "loss");
    this.settings = {
      y,
      layer: this.isPerLayer(y) ? (options.layer ?? "") : "",
      x: options.x ?? "step",
      smoothing: options.smooth ?? DEFAULT_SMOOTHING,
      log: options.log ?? false,
    };
    const option = (name: string) => h("option", { value: name }, name.replaceAll("_", " "));
    this.ySelect.append(
      h("optgroup", { label: "network-wide" }, ...this.network.map(option)),
      h("optgroup", { label: "per layer" }, ...this.perLayer.map(option)),
    );
    this.layerLabel = h("label", { className: "steer-label" }, "layer", this.layerSelect, this.layerNote);
    this.el = h(
      "div",
      { className: "control-row compare-controls" },
      h("label", { className: "steer-label" }, "scalar", this.ySelect),
      this.layerLabel,
      h("label", { className: "steer-label" }, "x", this.xSelect),
      h("label", { className: "steer-label" }, "smoothing", this.smoothRange, this.smoothValue),
      h("label", { className: "toggle small muted", title: "Logarithmic axis for the scalar" }, this.logBox, "log scale"),
    );
    this.ySelect.addEventListener("change", () => {
      this.settings.y = this.ySelect.value;
      this.settings.layer = "";
      this.show();
      changed("y");
    });
    this.layerSelect.addEventListener("change", () => {
      this.settings.layer = this.layerSelect.value;
      changed("layer");
    });
    this.xSelect.addEventListener("change", () => {
      this.settings.x = this.xSelect.value === "time" ? "time" : "step";
      changed("x");
    });
    this.smoothRange.addEventListener("input", () => {
      this.settings.smoothing = Number(this.smoothRange.value);
      this.show();
      changed("smoothing");
    });
    this.logBox.addEventListener("change", () => {
      this.settings.log = this.logBox.checked;
      changed("log");
    });
    this.show();
  }

  isPerLayer(y: string = this.settings.y): boolean {
    return this.perLayer.includes(y);
  }

  /**
   * What a followed link asks for (what it leaves out stays); the changes made, so the view
   * reads curves again only when the scalar or layer changed.
   */
  apply(options: CompareOptions): CompareChange[] {
    const out: CompareChange[] = [];
    const s = this.settings;
    if (options.y && this.knows(options.y) && options.y !== s.y) {
      s.y = options.y;
      s.layer = "";
      out.push("y");
    }
    if (options.layer !== undefined && this.isPerLayer() && options.layer !== s.layer) {
      s.layer = options.layer;
      out.push("layer");
    }
    if (options.x && options.x !== s.x) {
      s.x = options.x;
      out.push("x");
    }
    if (options.smooth !== undefined && options.smooth !== s.smoothing) {
      s.smoothing = options.smooth;
      out.push("smoothing");
    }
    if (options.log !== undefined && options.log !== s.log) {
      s.log = options.log;
      out.push("log");
    }
    this.show();
    return out;
  }

  /** The layers the runs' records hold the per-layer scalar for; `note` says why there are none. */
  setLayers(layers: string[], note: string): void {
    const all = [...new Set([...layers, ...(this.settings.layer ? [this.settings.layer] : [])])];
    replaceChildren(this.layerSelect, ...all.map((l) => h("option", { value: l }, l)));
    this.layerSelect.value = this.settings.layer;
    this.layerSelect.disabled = all.length === 0;
    this.layerNote.textContent = note;
  }

  private knows(y: string): boolean {
    return this.network.includes(y) || this.perLayer.includes(y);
  }

  private show(): void {
    const s = this.settings;
    this.ySelect.value = s.y;
    this.layerLabel.hidden = !this.isPerLayer();
    this.xSelect.value = s.x;
    this.smoothRange.value = String(s.smoothing);
    this.smoothValue.textContent = s.smoothing.toFixed(2);
    this.logBox.checked = s.log;
  }
}
