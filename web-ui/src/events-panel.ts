// State changes and steering commands as the server reports them (frames of observables
// "state" and "intervention" carry an Event): a run that diverged or failed says where and
// why here, and every command shows the step at which it took effect.

import type { WatchFrame } from "@eiscope/client";
import { setStateBadge } from "./api";
import { formatStep, h } from "./dom";

const MAX_EVENTS = 50;

export class EventsPanel {
  readonly el: HTMLElement;
  private readonly list = h("ol", { className: "events", testid: "events" });
  private readonly empty = h("p", { className: "muted small" }, "No events yet.");

  constructor() {
    this.el = h("section", { className: "card" }, h("header", { className: "card-header" }, h("h3", {}, "Events")), this.empty, this.list);
  }

  add(f: WatchFrame): void {
    if (f.payload.kind !== "event") return;
    const badge = h("span");
    setStateBadge(badge, f.payload.state);
    const time = new Date(f.wallTimeMillis || Date.now()).toLocaleTimeString();
    this.list.prepend(
      h("li", { testid: "event" },
        h("span", { className: "muted mono" }, time),
        h("span", { className: "muted" }, `step ${formatStep(f.step)}`),
        badge,
        h("span", {}, f.payload.message)),
    );
    while (this.list.children.length > MAX_EVENTS) this.list.lastElementChild!.remove();
    this.empty.hidden = true;
  }
}
