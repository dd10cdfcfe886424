// Markers on a uPlot chart at the steps where steering commands took effect: a dashed vertical
// line on the plot and a small pin above it which, hovered or focused, shows what was done, in
// the server's words ("prune 90 % of the weights by magnitude, per layer"). Commands at one
// step share a pin. Pins are DOM elements over the plot (uPlot's `over` layer), kept per step
// and only moved on redraws, so a hover survives live updates.

import type uPlot from "uplot";

export interface ChartMarker {
  step: number;
  /** What was done, as the server describes it. */
  text: string;
  color: string;
}

const PIN_PX = 12;

export class MarkerLayer {
  private markers: ChartMarker[] = [];
  private layer?: HTMLElement;
  private readonly pins = new Map<number, HTMLElement>();
  private readonly tip: HTMLElement;

  /** `testid` names the pins (data-testid) and, with "-tip", the tooltip. */
  constructor(private readonly testid: string) {
    this.tip = document.createElement("div");
    this.tip.className = "marker-tip";
    this.tip.dataset.testid = `${testid}-tip`;
    this.tip.setAttribute("role", "tooltip");
    this.tip.hidden = true;
  }

  /** The hooks a chart adds to its uPlot options (again for every plot it creates). */
  hooks(): uPlot.Hooks.Arrays {
    return {
      ready: [(u) => this.attach(u)],
      draw: [(u) => this.draw(u)],
    };
  }

  /** Replaces the markers; the chart's next redraw shows them. */
  set(markers: ChartMarker[]): void {
    this.markers = [...markers].sort((a, b) => a.step - b.step);
  }

  get all(): ChartMarker[] {
    return this.markers;
  }

  private attach(u: uPlot): void {
    this.pins.clear();
    this.layer = document.createElement("div");
    this.layer.className = "marker-layer";
    this.layer.append(this.tip);
    u.over.append(this.layer);
  }

  private draw(u: uPlot): void {
    const groups = new Map<number, ChartMarker[]>();
    for (const m of this.markers) groups.set(m.step, [...(groups.get(m.step) ?? []), m]);
    this.drawLines(u, groups);
    if (!this.layer) return;
    for (const [step, pin] of this.pins) {
      if (!groups.has(step)) {
        pin.remove();
        this.pins.delete(step);
      }
    }
    const width = u.over.clientWidth;
    for (const [step, group] of groups) {
      const x = u.valToPos(step, "x");
      let pin = this.pins.get(step);
      if (!pin) {
        pin = this.pin(step);
        this.pins.set(step, pin);
        this.layer.append(pin);
      }
      const text = group.map((m) => m.text).join("\n");
      pin.dataset.description = text;
      pin.setAttribute("aria-label", `step ${step.toLocaleString("en-US")}: ${text}`);
      pin.style.left = `${x - PIN_PX / 2}px`;
      pin.style.setProperty("--marker-color", group[0].color);
      pin.hidden = !(x >= 0 && x <= width);
    }
  }

  /** The dashed lines, on the plot's canvas (device pixels). */
  private drawLines(u: uPlot, groups: Map<number, ChartMarker[]>): void {
    const { left, top, width, height } = u.bbox;
    const dpr = window.devicePixelRatio || 1;
    const g = u.ctx;
    g.save();
    g.lineWidth = dpr;
    g.setLineDash([3 * dpr, 3 * dpr]);
    for (const [step, group] of groups) {
      const x = Math.round(u.valToPos(step, "x", true)) + 0.5;
      if (x < left || x > left + width) continue;
      g.strokeStyle = group[0].color;
      g.beginPath();
      g.moveTo(x, top);
      g.lineTo(x, top + height);
      g.stroke();
    }
    g.restore();
  }

  private pin(step: number): HTMLElement {
    const pin = document.createElement("div");
    pin.className = "marker-pin";
    pin.dataset.testid = this.testid;
    pin.dataset.step = String(step);
    pin.tabIndex = 0;
    const show = () => {
      this.tip.textContent = `step ${step.toLocaleString("en-US")}\n${pin.dataset.description ?? ""}`;
      this.tip.hidden = false;
      // Beside the pin, kept inside the plot.
      const room = (this.layer?.clientWidth ?? 0) - pin.offsetLeft;
      this.tip.style.left = room > 260 ? `${pin.offsetLeft + PIN_PX + 4}px` : "";
      this.tip.style.right = room > 260 ? "" : `${room + 4}px`;
    };
    const hide = () => (this.tip.hidden = true);
    pin.addEventListener("mouseenter", show);
    pin.addEventListener("focus", show);
    pin.addEventListener("mouseleave", hide);
    pin.addEventListener("blur", hide);
    return pin;
  }
}
