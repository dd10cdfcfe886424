// A run's address follows its panels: #/sim/<id>?panels=spectrum,steer&histogram=layer0.W&...
// (routes.ts). Written with history.replaceState whenever a registered panel opens, closes or
// changes what it shows, so the back button is not filled with every click, and applied when
// the run is opened from such an address or a link to it is followed while it is open.

import { domPanel, type LinkedPanel, PanelRegistry, type PanelState } from "./panel-registry";
import { parseRoute, simHash } from "./routes";

/** The panels of a run's page that do not mark themselves (by test id): the histogram's parameter, spectrum, dynamics. */
const KNOWN: { name: string; panel: string; toggle?: string; select?: string }[] = [
  { name: "histogram", panel: "histogram-panel", select: "param-select" },
  { name: "spectrum", panel: "spectrum-panel", toggle: "spectrum-toggle", select: "spectrum-target" },
  { name: "dynamics", panel: "dynamics-panel", toggle: "dynamics-toggle", select: "dynamics-cell" },
];

export class RunAddress {
  private readonly registry = new PanelRegistry(() => this.save());
  private readonly names = new Set<string>();
  private stopped = false;

  /** Adds `panels`, the page's own panels (KNOWN) and any marked data-panel under `root`. */
  constructor(
    private readonly id: string,
    root: HTMLElement,
    panels: LinkedPanel[],
  ) {
    this.add(...panels);
    for (const k of KNOWN) {
      const el = root.querySelector<HTMLElement>(`[data-testid="${k.panel}"]`);
      const part = (testid?: string) => (testid ? `[data-testid="${testid}"]` : undefined);
      if (el) this.add(domPanel(k.name, el, { toggle: part(k.toggle), select: part(k.select) }));
    }
    this.discover(root);
  }

  add(...panels: LinkedPanel[]): void {
    for (const p of panels) {
      this.names.add(p.name);
      this.registry.add(p);
    }
  }

  /**
   * Adds every panel under `root` that names itself (data-panel="<name>") and is not added yet,
   * with the conventional parts: its open/close button [data-testid="<name>-toggle"] and the
   * <select> of what it shows [data-testid="<name>-target"] (either may be missing).
   */
  discover(root: HTMLElement): void {
    for (const el of root.querySelectorAll<HTMLElement>("[data-panel]")) {
      const name = el.dataset.panel!;
      if (this.names.has(name)) continue;
      this.add(domPanel(name, el, { toggle: `[data-testid="${name}-toggle"]`, select: `[data-testid="${name}-target"]` }));
    }
  }

  /** Opens what `state` names (from the address); undefined: keeps what the panels remembered, and writes it. */
  apply(state: PanelState | undefined): void {
    if (state) this.registry.restore(state);
    this.save();
  }

  destroy(): void {
    this.stopped = true;
    this.registry.destroy();
  }

  private save(): void {
    const r = parseRoute();
    if (this.stopped || r.view !== "sim" || r.id !== this.id) return; // the page has moved on
    const hash = simHash(this.id, this.registry.state());
    if (location.hash !== hash) history.replaceState(history.state, "", hash);
  }
}
