// The intervention log of one run as a table (GetInterventionLog: each command with the step
// at which it took effect and the server's description of it), and the markers it puts on the
// curves (every command but "run until"). Read when the run is opened and again whenever an "intervention" event arrives or the
// run is reset; reads that overlap are coalesced (the newest answer wins).

import { describeError, type Intervention } from "@eiscope/client";
import { client } from "./api";
import type { ChartMarker } from "./chart-markers";
import { formatStep, h, replaceChildren } from "./dom";

/** Apart from the curves' blue and orange and the scrubber's violet. */
export const MARKER_COLOR = "#be185d";

export class InterventionLog {
  readonly el: HTMLElement;
  private readonly body = h("tbody");
  private readonly empty = h(
    "p",
    { className: "muted small" },
    "No commands yet: what you apply (learning rate, prune, …) is listed here and marked on the curves.",
  );
  private readonly problem = h("span", { className: "warn small", testid: "intervention-log-problem" });
  private reading = 0;
  private stopped = false;

  /** `markers` gets the chart markers after each read. */
  constructor(
    private readonly simId: string,
    private readonly markers: (m: ChartMarker[]) => void,
  ) {
    const table = h(
      "table",
      { className: "log-table", testid: "intervention-log" },
      h("thead", {}, h("tr", {}, h("th", { className: "num" }, "step"), h("th", {}, "command"), h("th", {}, "what it did"))),
      this.body,
    );
    this.el = h(
      "section",
      { className: "card interventions" },
      h(
        "header",
        { className: "card-header" },
        h("h3", {}, "Intervention log"),
        h("span", { className: "spacer" }),
        this.problem,
      ),
      this.empty,
      table,
    );
    this.el.dataset.rows = "0";
  }

  /** Reads the log again (after an intervention event, a reset, on open). */
  async reload(): Promise<void> {
    if (this.stopped) return;
    const ticket = ++this.reading;
    try {
      const log = await client.interventionLog(this.simId);
      if (ticket !== this.reading || this.stopped) return;
      this.problem.textContent = "";
      this.show(log);
    } catch (e) {
      if (ticket === this.reading && !this.stopped) this.problem.textContent = `cannot read the log: ${describeError(e)}`;
    }
  }

  stop(): void {
    this.stopped = true;
  }

  private show(log: Intervention[]): void {
    replaceChildren(
      this.body,
      ...log.map((i) =>
        h(
          "tr",
          { testid: "intervention-row", "data-step": String(i.step) },
          h("td", { className: "num" }, formatStep(i.step)),
          h("td", { className: "mono" }, commandKind(i)),
          h("td", {}, i.description),
        ),
      ),
    );
    this.empty.hidden = log.length > 0;
    this.body.parentElement!.hidden = log.length === 0;
    this.el.dataset.rows = String(log.length);
    this.markers(
      log
        .filter(changesTheRun)
        .map((i) => ({ step: Number(i.step), text: i.description || commandKind(i), color: MARKER_COLOR })),
    );
  }
}

/**
 * Whether a command is marked on the curves: every one that changes the network or its training
 * (rule, rates, pruning, lesions, noise, …), not "run until", which only says how far to play
 * (it is logged because a replay needs it, and listed in the table).
 */
export function changesTheRun(i: Intervention): boolean {
  return i.command?.kind.case !== "runUntil";
}

/** The command's kind as the API names it ("prune", "set_rule_params"). */
function commandKind(i: Intervention): string {
  const k = i.command?.kind.case;
  return k ? k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`) : "?";
}
