// State changes and steering commands as the server records and streams them: a run that
// diverged or failed says where and why here, and every command shows the step at which it
// took effect. Opened on a run, it starts from the recorded events (GetEvents), then live ones.

import type { SimulationState } from "@eiscope/client";
import { setStateBadge } from "./api";
import { formatStep, h, replaceChildren } from "./dom";

const MAX_EVENTS = 50;

export interface ShownEvent {
  step: number;
  wallTimeMillis: number;
  state: SimulationState;
  message: string;
}

export class EventsPanel {
  readonly el: HTMLElement;
  private readonly list = h("ol", { className: "events", testid: "events" });
  private readonly empty = h("p", { className: "muted small" }, "No events yet.");

  constructor() {
    this.el = h(
      "section",
      { className: "card" },
      h("header", { className: "card-header" }, h("h3", {}, "Events")),
      this.empty,
      this.list,
    );
  }

  /** Replaces the list with `events` (oldest first), of which the newest MAX_EVENTS are shown. */
  load(events: ShownEvent[]): void {
    replaceChildren(this.list);
    this.empty.hidden = false;
    for (const e of events.slice(-MAX_EVENTS)) this.add(e);
  }

  add(e: ShownEvent): void {
    const badge = h("span");
    setStateBadge(badge, e.state);
    const time = new Date(e.wallTimeMillis || Date.now()).toLocaleTimeString();
    this.list.prepend(
      h(
        "li",
        { testid: "event" },
        h("span", { className: "muted mono" }, time),
        h("span", { className: "muted" }, `step ${formatStep(e.step)}`),
        badge,
        h("span", {}, e.message),
      ),
    );
    while (this.list.children.length > MAX_EVENTS) this.list.lastElementChild!.remove();
    this.empty.hidden = true;
  }
}
