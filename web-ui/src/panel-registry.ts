// Which panels of a run are open, and what each shows, for the address (#/sim/<id>?panels=...):
// a reload or a shared link opens the same panels on the same choices. A panel joins with a
// name, its root element and, as it has them, a way to open it and a choice (a parameter, a
// target, a tab). Two DOM conventions keep the panels free of this module:
//   - the root element's data-open is "true" or "false" (absent: always open);
//   - the choice is a <select> inside it (its 'change' event), or the root's data-choice.
// domPanel() builds an entry from a toggle button and a select; a panel that already follows
// these conventions joins with one line in simulation-view.ts.

/** A panel a link can name. */
export interface LinkedPanel {
  readonly name: string;
  readonly el: HTMLElement;
  /** Opens or closes it; absent for a panel that is always open. */
  setOpen?(open: boolean): void;
  /** What it shows (undefined: nothing to remember). */
  choice?(): string | undefined;
  /** Shows `value`; false while it cannot (its options are not in yet): tried again as the panel changes. */
  choose?(value: string): boolean;
}

/** What a link holds: the open panels, in registration order, and each panel's choice. */
export interface PanelState {
  panels: string[];
  choices: Record<string, string>;
}

/** How long a choice from a link waits for its panel's options (e.g. the spectrum's targets). */
const RESTORE_TIMEOUT_MS = 20_000;

export class PanelRegistry {
  private readonly entries: LinkedPanel[] = [];
  private readonly observer: MutationObserver;
  private readonly pending = new Map<string, { value: string; until: number }>();

  /** `changed` runs when a panel opens, closes or changes its choice (not while a link is being applied). */
  constructor(private readonly changed: () => void) {
    this.observer = new MutationObserver((records) => {
      this.retryPending();
      if (records.some((r) => r.type === "attributes")) this.changed();
    });
  }

  add(p: LinkedPanel): void {
    this.entries.push(p);
    this.observer.observe(p.el, {
      attributes: true,
      attributeFilter: ["data-open", "data-choice"],
      childList: true,
      subtree: true,
    });
    p.el.addEventListener("change", (e) => {
      if (e.target instanceof HTMLSelectElement && p.choice?.() === e.target.value) this.changed();
    });
  }

  /** Open and shown: a panel that does not apply to the run (hidden, e.g. dynamics of an MLP) is not. */
  isOpen(p: LinkedPanel): boolean {
    return !p.el.hidden && (!p.setOpen || p.el.dataset.open === "true");
  }

  /** The open panels that can be closed (an always-open panel says nothing) and the choice of each open one. */
  state(): PanelState {
    const panels = this.entries.filter((p) => p.setOpen && this.isOpen(p)).map((p) => p.name);
    const choices: Record<string, string> = {};
    for (const p of this.entries.filter((e) => this.isOpen(e) || this.pending.has(e.name))) {
      // A choice from a link that is still waiting for its options is what the address keeps.
      const c = this.pending.get(p.name)?.value ?? p.choice?.();
      if (c !== undefined && c !== "") choices[p.name] = c;
    }
    return { panels, choices };
  }

  /** Opens exactly the panels named, closes the others, and shows each choice given (when possible). */
  restore(state: PanelState): void {
    for (const p of this.entries) {
      if (p.setOpen && !p.el.hidden && this.isOpen(p) !== state.panels.includes(p.name)) p.setOpen(state.panels.includes(p.name));
    }
    for (const [name, value] of Object.entries(state.choices)) {
      const p = this.entries.find((e) => e.name === name);
      if (!p?.choose || p.choice?.() === value) continue;
      if (!p.choose(value)) this.pending.set(name, { value, until: Date.now() + RESTORE_TIMEOUT_MS });
    }
  }

  destroy(): void {
    this.observer.disconnect();
    this.pending.clear();
  }

  private retryPending(): void {
    for (const [name, { value, until }] of this.pending) {
      const p = this.entries.find((e) => e.name === name);
      if (!p?.choose || Date.now() > until || p.choose(value)) this.pending.delete(name);
    }
  }
}

/**
 * An entry for a panel that follows the conventions: `toggle` (a button inside it that opens and
 * closes it) and `select` (the <select> of its choice), found by CSS selector within `el`.
 */
export function domPanel(name: string, el: HTMLElement, parts: { toggle?: string; select?: string }): LinkedPanel {
  const select = () => (parts.select ? el.querySelector<HTMLSelectElement>(parts.select) : null);
  return {
    name,
    el,
    setOpen: parts.toggle
      ? (open) => {
          if ((el.dataset.open === "true") !== open) el.querySelector<HTMLElement>(parts.toggle!)?.click();
        }
      : undefined,
    choice: parts.select ? () => select()?.value : undefined,
    choose: parts.select
      ? (value) => {
          const s = select();
          if (!s || s.disabled || ![...s.options].some((o) => o.value === value)) return false;
          s.value = value;
          s.dispatchEvent(new Event("change", { bubbles: true }));
          return true;
        }
      : undefined,
  };
}
