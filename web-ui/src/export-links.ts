// A run's downloads, in its header: the run record's HTTP exports (every recorded scalar as CSV,
// the latest checkpoint as .npz), which the server serves beside gRPC-Web, and the parameters as
// .npz at the step shown: now, or the step the scrubber is at (GetParameters at that step,
// rebuilt exactly by the server), written in the browser (npz.ts). A link cannot carry a header,
// so the session's token goes in its URL (?token=).
//
// Why both .npz: latest.npz is the newest checkpoint, the whole state (parameters as
// "param/<name>", optimiser buffers, random streams, masks) as the server wrote it, on pause and
// every 10,000 steps or 30 s of running: while a run plays it is older than its step.
// parameters.npz holds just the parameters ("<name>"), of the exact step shown.

import { decodeTensor, describeError, EiscopeClient, type Simulation } from "@eiscope/client";
import { serverUrl } from "./api";
import { saveBlob } from "./chart-export";
import { formatStep, h } from "./dom";
import { npzBlob } from "./npz";
import { authorizedFetch, withToken } from "./session";

/** GetParameters with the step the values are of, which the SDK's parameters() leaves out. */
class ParameterReader extends EiscopeClient {
  async all(id: string, step: number | undefined) {
    const res = await this.rpc.getParameters({ id, names: [], step: step === undefined ? undefined : BigInt(step) });
    return {
      step: Number(res.step),
      arrays: res.parameters.map((p) => ({ name: p.name, ...decodeTensor(p.tensor!) })),
    };
  }
}
const reader = new ParameterReader(serverUrl, { fetch: authorizedFetch });

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
    {
      testid: "export-npz",
      title:
        "The run's latest checkpoint: the whole state (parameters as param/<name>, optimiser, random streams, masks) as NumPy reads it. " +
        "Written on pause and every 10,000 steps or 30 s of running, so while it plays it is older than the step shown",
    },
    "latest.npz",
  );
  private readonly params = h(
    "button",
    { type: "button", className: "link-button", testid: "export-params-npz" },
    "parameters.npz",
  );
  private readonly problem = h("span", { className: "warn small", testid: "export-problem" });
  readonly el = h("span", { className: "exports" }, "export ", this.csv, " ", this.npz, " ", this.params, " ", this.problem);
  private id = "";
  /** The scrubber's step (undefined: live). */
  private step?: number;

  constructor() {
    this.params.addEventListener("click", () => void this.saveParameters());
    this.setStep(undefined);
  }

  /** Called with each fresher copy of the run, so that a token typed after the page opened is the one used. */
  update(sim: Simulation): void {
    this.id = sim.id;
    const run = `${serverUrl}/api/runs/${encodeURIComponent(sim.id)}`;
    this.csv.href = withToken(`${run}/scalars.csv`);
    this.npz.href = withToken(`${run}/checkpoints/latest.npz`);
  }

  /** The step the scrubber shows (undefined: live): parameters.npz is of that step. */
  setStep(step: number | undefined): void {
    this.step = step;
    this.params.title =
      (step === undefined ? "The parameters now" : `The parameters at step ${formatStep(step)} (the step shown)`) +
      ", as .npz: numpy.load(f)['layer0.W'] (float32, post × pre)";
  }

  private async saveParameters(): Promise<void> {
    this.problem.textContent = "";
    this.params.disabled = true;
    try {
      const { step, arrays } = await reader.all(this.id, this.step);
      saveBlob(await npzBlob(arrays), `${this.id}-step-${step}-parameters.npz`);
    } catch (e) {
      this.problem.textContent = `parameters.npz: ${describeError(e)}`;
    } finally {
      this.params.disabled = false;
    }
  }
}
