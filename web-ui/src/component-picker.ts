// A choice among catalogue entries of one kind (models, rules or tasks) and the fields of
// the chosen entry's parameters, rebuilt when the choice changes.

import { type ComponentInfo, type ComponentSpec, type PlainValue, specFromForm } from "@eiscope/client";
import { h, replaceChildren } from "./dom";
import { type ParamField, paramField } from "./param-field";

export class ComponentPicker {
  readonly el: HTMLElement;
  private readonly select: HTMLSelectElement;
  private readonly doc = h("p", { className: "muted small doc" });
  private readonly fieldsEl = h("div", { className: "fields" });
  private fields: ParamField[] = [];

  /** `role` names the fieldset and the test ids: "model", "rule", "task". */
  constructor(
    private readonly role: string,
    title: string,
    private readonly entries: ComponentInfo[],
    preferred?: string,
  ) {
    this.select = h("select", { testid: `${role}-select`, id: `${role}-select` });
    for (const e of entries) this.select.append(h("option", { value: e.kind }, e.title ? `${e.title} (${e.kind})` : e.kind));
    if (preferred && entries.some((e) => e.kind === preferred)) this.select.value = preferred;
    this.select.addEventListener("change", () => this.build());
    this.el = h(
      "fieldset",
      { className: "card component" },
      h("legend", {}, title),
      h("div", { className: "field" }, h("label", { for: `${role}-select` }, "kind"), this.select),
      this.doc,
      this.fieldsEl,
    );
    this.build();
  }

  /**
   * The ComponentSpec the form describes, typed by the catalogue; undefined when a field is
   * wrong, each such field then saying why under it. Every field is checked, not just the first.
   */
  check(): ComponentSpec | undefined {
    const values = this.fields.map((f) => [f.info.name, f.check()] as const);
    if (values.some(([, v]) => v === undefined)) return undefined;
    return specFromForm(this.entry(), Object.fromEntries(values) as Record<string, PlainValue>);
  }

  /** The first field showing an error, to scroll to and focus. */
  firstInvalid(): HTMLElement | undefined {
    return this.fieldsEl.querySelector<HTMLElement>("[aria-invalid]") ?? undefined;
  }

  private entry(): ComponentInfo {
    return this.entries.find((e) => e.kind === this.select.value)!;
  }

  private build(): void {
    const e = this.entry();
    if (!e) return;
    this.doc.textContent = [e.doc, e.citation].filter(Boolean).join(" — ");
    this.fields = e.params.map((p) => paramField(this.role, p));
    replaceChildren(this.fieldsEl, ...this.fields.map((f) => f.el));
  }
}
