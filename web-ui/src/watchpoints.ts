// The "Watchpoints" tab of the steering card: add a watchpoint (pause when a scalar observable
// is above or below a threshold, or not finite; network-wide, or per layer at its own cadence),
// the list of those set, and × to remove one. The API has no call that lists watchpoints, so
// the list is the intervention log read in order (each add sets or replaces one by name, each
// remove drops it) less those that fired: a watchpoint is one-shot, and the server's state event
// when it pauses the run says "watchpoint '<name>': …". A reset starts the log afresh. Read only
// while the tab is shown (events of a long run take a while to read, and the page has other
// reads to make first); marked stale otherwise, and read when shown.

import { commands, describeError, type Intervention, ObservableKind, type RunEvent } from "@eiscope/client";
import { client } from "./api";
import { checkNumber } from "./checks";
import { formatStep, h, replaceChildren } from "./dom";
import { checkAll, type Field, selectField, type SteerContext, SteerForm, textField } from "./steer-form";

/** One watchpoint the log set: standing, or fired at `firedAt`. */
export interface WatchpointRow {
  name: string;
  description: string;
  since: number;
  firedAt?: number;
  firedMessage?: string;
}

/** The watchpoints of a log, in the order they were set, with those that fired (per `events`) marked. */
export function watchpointsOf(log: Intervention[], events: RunEvent[]): WatchpointRow[] {
  const byName = new Map<string, WatchpointRow>();
  for (const i of log) {
    const k = i.command?.kind;
    if (k?.case === "addWatchpoint") {
      byName.delete(k.value.name); // replaced: listed where it was set last
      byName.set(k.value.name, { name: k.value.name, description: i.description, since: Number(i.step) });
    } else if (k?.case === "removeWatchpoint") {
      byName.delete(k.value.name);
    }
  }
  for (const w of byName.values()) {
    // It can only fire after a step taken once it was set: strictly after `since`.
    const fired = events.find((e) => e.kind === "state" && e.step > w.since && e.message.startsWith(`watchpoint '${w.name}':`));
    if (fired) {
      w.firedAt = fired.step;
      w.firedMessage = fired.message;
    }
  }
  return [...byName.values()];
}

export class Watchpoints {
  readonly el: HTMLElement;
  private readonly body = h("tbody");
  private readonly empty = h("p", { className: "muted small", testid: "watchpoints-empty" }, "No watchpoint set.");
  private readonly problem = h("span", { className: "warn small", testid: "watchpoints-problem" });
  private readonly name;
  private readonly observable: Field<string>;
  private readonly layer;
  private readonly condition;
  private readonly threshold;
  private readonly every;
  private readonly perLayer: Set<string>;
  private reading = 0;
  private shown = false;
  /** Something may have changed since the list was read. */
  private stale = true;

  constructor(private readonly ctx: SteerContext) {
    const scalars = ctx.catalogue.observables.filter((o) => o.kind === ObservableKind.SCALAR);
    this.perLayer = new Set(scalars.filter((o) => o.perLayer).map((o) => o.name));
    this.name = textField(
      "steer-watch-name",
      "name",
      "watch1",
      "Its name, to remove it; a name in use is replaced",
      (t) => (t.trim() === "" ? { ok: false, error: "required: enter a name" } : { ok: true, value: t.trim() }),
      "text",
    );
    const select = h("select", { testid: "steer-watch-observable", id: "steer-watch-observable", title: "The scalar watched" });
    for (const [label, perLayer] of [
      ["network-wide", false],
      ["per layer", true],
    ] as const) {
      const group = h("optgroup", { label });
      for (const o of scalars.filter((x) => x.perLayer === perLayer))
        group.append(h("option", { value: o.name, title: o.doc }, o.name));
      select.append(group);
    }
    this.observable = {
      control: select,
      el: h("div", { className: "field steer-field" }, h("label", { for: "steer-watch-observable" }, "observable"), select),
      check: () => select.value,
    };
    this.condition = selectField(
      "steer-watch-condition",
      "pause when",
      [
        ["above", "≥ threshold"],
        ["below", "≤ threshold"],
        ["non_finite", "not finite"],
      ],
      "The condition that pauses the run (once: the watchpoint is then dropped)",
    );
    this.threshold = textField("steer-watch-threshold", "threshold", "", "A finite number", (t) =>
      this.condition.control.value === "non_finite" ? { ok: true, value: 0 } : checkNumber(t),
    );
    const targets = h("datalist", { id: "steer-watch-layers" });
    this.layer = textField(
      "steer-watch-layer",
      "layer",
      "",
      "The layer or parameter a per-layer scalar is measured on",
      (t) =>
        !this.isPerLayer()
          ? { ok: true, value: "" }
          : t.trim() === ""
            ? { ok: false, error: `required: ${select.value} is measured per layer` }
            : { ok: true, value: t.trim() },
      "text",
    );
    this.layer.control.setAttribute("list", targets.id);
    this.every = textField(
      "steer-watch-every",
      "every (steps)",
      "0",
      "Per-layer scalars: measured every this many steps while it stands (0: every step, every 10 for expensive ones)",
      (t) => (this.isPerLayer() ? checkNumber(t, { integer: true, min: 0, max: 2 ** 32 - 1 }) : { ok: true, value: 0 }),
      "numeric",
    );
    const form = new SteerForm(
      ctx,
      "steer-watch",
      "Add a watchpoint",
      "Pause the run when a scalar meets the condition; the state event says which fired, the value and the step.",
      [this.name.el, this.observable.el, this.condition.el, this.threshold.el, this.layer.el, targets, this.every.el],
      "Add",
      () => {
        const v = checkAll<[string, string, string, number, string, number]>([
          this.name,
          this.observable,
          this.condition,
          this.threshold,
          this.layer,
          this.every,
        ]);
        return (
          v && commands.watchpoint(v[0], v[1], v[2] as "above" | "below" | "non_finite", v[3], { layer: v[4], everySteps: v[5] })
        );
      },
    );
    const fit = () => {
      this.layer.control.disabled = !this.isPerLayer();
      this.every.control.disabled = !this.isPerLayer();
      this.threshold.control.disabled = this.condition.control.value === "non_finite";
    };
    select.addEventListener("change", fit);
    this.condition.control.addEventListener("change", fit);
    fit();
    const sim = ctx.sim();
    for (const t of [...sim.layers, ...sim.parameters.map((p) => p.name)]) targets.append(h("option", { value: t }));
    const table = h(
      "table",
      { className: "log-table", testid: "watchpoints" },
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          h("th", {}, "name"),
          h("th", {}, "condition"),
          h("th", { className: "num" }, "set at"),
          h("th", {}, "status"),
          h("th", {}, ""),
        ),
      ),
      this.body,
    );
    this.el = h(
      "div",
      { className: "steer-tab-body steer-watch" },
      form.el,
      h("div", { className: "steer-form" }, h("h4", {}, "Watchpoints set ", this.problem), this.empty, table),
    );
    this.show([]);
  }

  /** Whether the list is on screen: only then is it read (a long run's events are not free to read). */
  setShown(shown: boolean): void {
    this.shown = shown;
    if (shown && this.stale) void this.reload();
  }

  /** Reads the log and the events again (shown, and on every intervention or state event, on reset). */
  async reload(): Promise<void> {
    this.stale = !this.shown;
    if (this.stale) return;
    const ticket = ++this.reading;
    try {
      const [log, events] = await Promise.all([client.interventionLog(this.ctx.id), client.events(this.ctx.id)]);
      if (ticket !== this.reading) return;
      this.problem.textContent = "";
      this.show(watchpointsOf(log, events));
    } catch (e) {
      if (ticket === this.reading) this.problem.textContent = `cannot read them: ${describeError(e)}`;
    }
  }

  private isPerLayer(): boolean {
    return this.perLayer.has(this.observable.control.value);
  }

  private show(rows: WatchpointRow[]): void {
    replaceChildren(this.body, ...rows.map((w) => this.row(w)));
    this.empty.hidden = rows.length > 0;
    this.body.parentElement!.hidden = rows.length === 0;
    this.el.dataset.watchpoints = rows
      .filter((w) => w.firedAt === undefined)
      .map((w) => w.name)
      .join(",");
  }

  private row(w: WatchpointRow): HTMLElement {
    const remove = new SteerForm(this.ctx, "steer-unwatch", "", "", [], "×", () => commands.removeWatchpoint(w.name));
    remove.button.title = `Remove watchpoint '${w.name}'`;
    remove.el.classList.add("inline-form");
    const status = w.firedAt === undefined ? "set" : `fired at step ${formatStep(w.firedAt)}`;
    return h(
      "tr",
      { testid: "watchpoint-row", "data-name": w.name, "data-fired": w.firedAt === undefined ? "" : String(w.firedAt) },
      h("td", { className: "mono" }, w.name),
      h("td", {}, w.description.replace(/^watchpoint '.*?': /, "")), // the name is in its own column
      h("td", { className: "num" }, formatStep(w.since)),
      h("td", { title: w.firedMessage ?? "" }, status),
      h("td", {}, w.firedAt === undefined ? remove.el : ""),
    );
  }
}
