// The sidebar's list of sweeps (ListSweeps, read every three seconds): each with its state and
// how many of its runs are done, linking to its view (sweep-view.ts). Hidden while there is none.

import { describeError, type Sweep } from "@eiscope/client";
import { client } from "./api";
import { h, replaceChildren } from "./dom";
import { parseRoute, sweepHash } from "./routes";
import { sweepStateName } from "./sweep-view";

const POLL_MS = 3000;

export function mountSweepList(parent: HTMLElement): void {
  const list = h("ul", { className: "sim-list", testid: "sweep-list" });
  const problem = h("p", { className: "muted small" });
  const section = h(
    "section",
    { className: "sweep-section", testid: "sweep-section" },
    h("div", { className: "sidebar-heading" }, h("h2", { className: "section-title" }, "Sweeps")),
    list,
    problem,
  );
  section.hidden = true;
  parent.append(section);
  let last: Sweep[] = [];
  const render = (sweeps: Sweep[]) => {
    last = sweeps;
    section.hidden = sweeps.length === 0;
    const route = parseRoute();
    const open = route.view === "sweep" ? route.id : undefined;
    replaceChildren(
      list,
      ...[...sweeps].reverse().map((s) => {
        const item = h(
          "li",
          { className: `sim-item${s.id === open ? " active" : ""}`, testid: "sweep-item" },
          h(
            "a",
            { href: sweepHash(s.id), className: "sim-link" },
            h("span", { className: "sim-name" }, s.spec?.name || s.id),
            " ",
            h("span", { className: `badge sweep-${sweepStateName(s.state)}` }, sweepStateName(s.state)),
            " ",
            h("span", { className: "muted small", testid: "sweep-item-progress" }, `${s.doneRuns}/${s.totalRuns} done`),
          ),
        );
        item.dataset.id = s.id;
        return item;
      }),
    );
  };
  const poll = async () => {
    try {
      render(await client.sweeps());
      problem.textContent = "";
    } catch (e) {
      problem.textContent = `Cannot list the sweeps: ${describeError(e)}`;
    }
    window.setTimeout(() => void poll(), document.hidden ? POLL_MS * 5 : POLL_MS);
  };
  window.addEventListener("hashchange", () => render(last));
  void poll();
}
