// The "Steer" card of a run: everything ApplyCommand can do beyond the quick row (learning rate,
// prune, fork), in four tabs: Rule (any hyper-parameter, switch rule), Weights (noise, input
// noise, freeze, set one weight), Units (lesion, clamp) and Watchpoints. Collapsible and closed
// at first, so the curves stay near the top; its open state (data-open) and tab (data-choice)
// join the panel registry (panel-registry.ts), so a link can open it on a tab.

import type { Simulation } from "@eiscope/client";
import { h } from "./dom";
import "./run-tools.css";
import type { LinkedPanel } from "./panel-registry";
import type { SteerContext } from "./steer-form";
import { SteerRule } from "./steer-rule";
import { SteerUnits } from "./steer-units";
import { SteerWeights } from "./steer-weights";
import { Watchpoints } from "./watchpoints";

const TABS = ["rule", "weights", "units", "watchpoints"] as const;
export type SteerTab = (typeof TABS)[number];
const TITLES: Record<SteerTab, string> = { rule: "Rule", weights: "Weights", units: "Units", watchpoints: "Watchpoints" };

export class SteerCard {
  readonly el: HTMLDetailsElement;
  private readonly rule: SteerRule;
  private readonly weights: SteerWeights;
  private readonly units: SteerUnits;
  private readonly watchpoints: Watchpoints;
  private readonly buttons = new Map<SteerTab, HTMLButtonElement>();
  private readonly bodies = new Map<SteerTab, HTMLElement>();

  constructor(ctx: SteerContext) {
    this.rule = new SteerRule(ctx);
    this.weights = new SteerWeights(ctx);
    this.units = new SteerUnits(ctx);
    this.watchpoints = new Watchpoints(ctx);
    const bodies: Record<SteerTab, HTMLElement> = {
      rule: this.rule.el,
      weights: this.weights.el,
      units: this.units.el,
      watchpoints: this.watchpoints.el,
    };
    const tablist = h("div", { className: "steer-tabs", role: "tablist" });
    for (const t of TABS) {
      const b = h("button", { type: "button", role: "tab", testid: `steer-tab-${t}`, id: `steer-tab-${t}` }, TITLES[t]);
      b.addEventListener("click", () => this.choose(t));
      tablist.append(b);
      this.buttons.set(t, b);
      const body = h("div", { role: "tabpanel", "aria-labelledby": `steer-tab-${t}`, testid: `steer-panel-${t}` }, bodies[t]);
      this.bodies.set(t, body);
    }
    this.el = h(
      "details",
      { className: "card steer-card", testid: "steer-card" },
      h(
        "summary",
        { testid: "steer-summary" },
        h("h3", {}, "Steer"),
        h("span", { className: "muted small" }, "hyper-parameters, rule, noise, freeze, weights, lesions, clamps, watchpoints"),
      ),
      tablist,
      ...this.bodies.values(),
    );
    this.el.addEventListener("toggle", () => {
      this.el.dataset.open = String(this.el.open);
      this.watchpoints.setShown(this.el.open && this.tab === "watchpoints");
    });
    this.el.dataset.open = "false";
    this.choose("rule");
  }

  /** The card as the panel registry sees it: open or not, on which tab. */
  get linked(): LinkedPanel {
    return { name: "steer", el: this.el, setOpen: (o) => this.setOpen(o), choice: () => this.tab, choose: (t) => this.choose(t) };
  }

  update(sim: Simulation): void {
    this.rule.update(sim);
    this.weights.update(sim);
    this.units.update(sim);
  }

  /** An intervention or state event arrived, or the run was reset: the watchpoints may have changed. */
  onEvent(): void {
    void this.watchpoints.reload();
  }

  /** The token may not steer: every form is disabled (the tabs still switch). */
  readOnly(message: string): void {
    for (const c of this.el.querySelectorAll<HTMLButtonElement | HTMLInputElement | HTMLSelectElement>("button, input, select")) {
      if (c.getAttribute("role") === "tab") continue;
      c.disabled = true;
      c.title = `This token may not steer runs: ${message}`;
    }
  }

  /** Opens the card (deep links, the registry). */
  setOpen(open: boolean): void {
    this.el.open = open;
    this.el.dataset.open = String(open);
    this.watchpoints.setShown(open && this.tab === "watchpoints");
  }

  /** The tab shown (data-choice, for the panel registry). */
  get tab(): string {
    return this.el.dataset.choice ?? "rule";
  }

  /** Shows `tab`; false if there is no such tab. */
  choose(tab: string): boolean {
    if (!(TABS as readonly string[]).includes(tab)) return false;
    for (const t of TABS) {
      const on = t === tab;
      this.buttons.get(t)!.setAttribute("aria-selected", String(on));
      this.buttons.get(t)!.classList.toggle("active", on);
      this.bodies.get(t)!.hidden = !on;
    }
    this.el.dataset.choice = tab;
    this.watchpoints.setShown(this.el.open && tab === "watchpoints");
    return true;
  }
}
