// One steering form: labelled fields, a button that sends one command (ApplyCommand), and, beside
// the button, what happened: "applied at step N", or the server's message when only the server
// could refuse it (e.g. "layer 'layer0' has no inhibitory units"). Every field is checked in the
// browser first (checks.ts), each message under its field, all at once; nothing is sent until
// every field is right. The steering tabs (steer-*.ts, watchpoints.ts) are built from these.

import {
  type Catalogue,
  Code,
  type Command,
  ConnectError,
  type ControlResult,
  describeError,
  type Simulation,
} from "@eiscope/client";
import { client } from "./api";
import type { Checked } from "./checks";
import { formatStep, h } from "./dom";
import { FieldError } from "./field-error";
import { noteRefusal } from "./session";
import { store } from "./store";

/** What every steering form needs of its run. */
export interface SteerContext {
  readonly id: string;
  readonly catalogue: Catalogue;
  /** The run as last polled (the rule in force, layers, parameters and their shapes). */
  sim(): Simulation;
  /** The server answered that the run does not exist (NOT_FOUND). */
  gone(): void;
}

/** A labelled control with the message under it; check() gives its value or shows why not. */
export interface Field<T> {
  readonly el: HTMLElement;
  readonly control: HTMLInputElement | HTMLSelectElement;
  check(): T | undefined;
}

/** A text box checked by `check` (checks.ts), its message under it. */
export function textField<T>(
  testid: string,
  label: string,
  value: string,
  title: string,
  check: (text: string) => Checked<T>,
  inputmode: "decimal" | "numeric" | "text" = "decimal",
): Field<T> {
  const control = h("input", { type: "text", inputmode, value, testid, id: testid, title, className: "steer-input" });
  return field(testid, label, control, () => check(control.value));
}

/** A choice among `options` ([value, label]); `check` may refuse a choice that is not possible now. */
export function selectField(
  testid: string,
  label: string,
  options: [string, string][],
  title: string,
  check: (value: string) => Checked<string> = (v) => ({ ok: true, value: v }),
): Field<string> & { setOptions(options: [string, string][]): void } {
  const control = h("select", { testid, id: testid, title });
  const setOptions = (opts: [string, string][]) => {
    const keep = control.value;
    control.replaceChildren(...opts.map(([v, l]) => h("option", { value: v }, l)));
    if (opts.some(([v]) => v === keep)) control.value = keep;
  };
  setOptions(options);
  return { ...field(testid, label, control, () => check(control.value)), setOptions };
}

function field<T>(
  testid: string,
  label: string,
  control: HTMLInputElement | HTMLSelectElement,
  read: () => Checked<T>,
): Field<T> {
  const error = new FieldError(control, `${testid}-error`);
  control.addEventListener("change", () => error.show(undefined));
  return {
    control,
    el: h("div", { className: "field steer-field" }, h("label", { for: testid }, label), control, error.el),
    check: () => {
      const c = read();
      error.show(c.ok ? undefined : c.error);
      return c.ok ? c.value : undefined;
    },
  };
}

/**
 * Checks every field at once (each shows its own message); the values in order, or undefined
 * when any is wrong (the first wrong one then has the focus).
 */
export function checkAll<T extends unknown[]>(fields: { [K in keyof T]: Field<T[K]> }): T | undefined {
  const values = fields.map((f) => f.check());
  const wrong = fields.findIndex((_, i) => values[i] === undefined);
  if (wrong < 0) return values as T;
  fields[wrong].control.focus();
  return undefined;
}

export class SteerForm {
  readonly el: HTMLElement;
  readonly button: HTMLButtonElement;
  /** "applied at step N", or the server's refusal, beside the button. */
  private readonly outcome: HTMLElement;

  /**
   * @param testid names the form, its button (`<testid>-button`) and its outcome (`<testid>-outcome`)
   * @param build  the command from the fields, or undefined after they said what is wrong
   */
  constructor(
    private readonly ctx: SteerContext,
    testid: string,
    title: string,
    doc: string,
    fields: HTMLElement[],
    label: string,
    private readonly build: () => Command | undefined,
  ) {
    this.button = h("button", { type: "submit", testid: `${testid}-button` }, label);
    this.outcome = h("span", { className: "steer-outcome small", testid: `${testid}-outcome`, role: "status" });
    const form = h(
      "form",
      { className: "steer-form", testid, novalidate: true },
      title ? h("h4", { title: doc }, title) : null,
      doc ? h("p", { className: "muted small steer-doc" }, doc) : null,
      h("div", { className: "steer-fields" }, ...fields),
      h("div", { className: "steer-actions" }, this.button, this.outcome),
    );
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      void this.send();
    });
    this.el = form;
  }

  /** Checks the fields and sends the command; resolves when the server answered. */
  async send(): Promise<void> {
    this.say("", false);
    const command = this.build();
    if (!command) return;
    this.button.disabled = true;
    try {
      const r: ControlResult = await client.apply(this.ctx.id, command);
      store.upsert(r.simulation);
      this.say(`applied at step ${formatStep(r.effectiveStep)}`, false);
      void store.refresh();
    } catch (e) {
      if (e instanceof ConnectError && e.code === Code.NotFound) this.ctx.gone();
      else if (!noteRefusal(e)) this.say(describeError(e), true); // a refusal makes the whole view read-only
    } finally {
      this.button.disabled = this.el.closest("[data-read-only]") !== null;
    }
  }

  /** A note beside the button that is not the server's (e.g. "nothing changed"). */
  say(text: string, bad: boolean): void {
    this.outcome.textContent = text;
    this.outcome.classList.toggle("action-error", bad);
    this.outcome.dataset.state = text === "" ? "" : bad ? "refused" : "applied";
  }
}

/** A whole number from 0 to `count` − 1 (an index into `count` rows, columns or units). */
export function indexRule(count: number | undefined): { integer: true; min: number; max?: number } {
  return count === undefined ? { integer: true, min: 0, max: 2 ** 31 - 1 } : { integer: true, min: 0, max: count - 1 };
}
