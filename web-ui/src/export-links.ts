// Links to the run record's HTTP exports (scalars as CSV, the latest checkpoint as .npz), which
// the server serves beside gRPC-Web. A link cannot carry a header, so the session's token goes
// in its URL (?token=).

import type { Simulation } from "@eiscope/client";
import { serverUrl } from "./api";
import { h } from "./dom";
import { withToken } from "./session";

export class ExportLinks {
  private readonly csv = h(
    "a",
    {
      testid: "export-csv",
      title: "Every recorded scalar of this run as CSV (step, wall time, observable, layer, value)",
    },
    "scalars.csv",
  );
  private readonly npz = h(
    "a",
    { testid: "export-npz", title: "The run's latest checkpoint, as the .npz file NumPy reads" },
    "latest.npz",
  );
  readonly el = h("span", { className: "exports" }, "export ", this.csv, " ", this.npz);

  /** Called with each fresher copy of the run, so that a token typed after the page opened is the one used. */
  update(sim: Simulation): void {
    const run = `${serverUrl}/api/runs/${encodeURIComponent(sim.id)}`;
    this.csv.href = withToken(`${run}/scalars.csv`);
    this.npz.href = withToken(`${run}/checkpoints/latest.npz`);
  }
}
