// What a user keeps about a run: its name, tags and notes, each shown as it is and edited in
// place (✎), saved with UpdateRun; a refusal (e.g. a tag over 64 characters) is shown beside
// the field it is about, and the field stays open with what was typed.

import { describeError, type Simulation } from "@eiscope/client";
import { client } from "./api";
import { h, replaceChildren } from "./dom";
import { noteRefusal } from "./session";
import { store } from "./store";

type Editor = HTMLInputElement | HTMLTextAreaElement;

interface FieldOptions {
  /** "name", "tags" or "notes": names the test ids (run-<key>, run-<key>-edit, -input, -save, -cancel, -error). */
  key: string;
  /** Test id of the shown value, when not run-<key>. */
  valueTestid?: string;
  /** Text of the edit button and its tooltip. */
  label: string;
  title: string;
  multiline?: boolean;
  placeholder: string;
  /** Draws the saved value. */
  show: (into: HTMLElement, value: string) => void;
  save: (text: string) => Promise<Simulation>;
}

/** One field: its value, a ✎ button, and when editing an input with Save / Cancel and an error. */
class EditableField {
  readonly el: HTMLElement;
  private readonly shown: HTMLElement;
  private readonly editButton: HTMLButtonElement;
  private readonly editor: HTMLElement;
  private readonly input: Editor;
  private readonly saveButton: HTMLButtonElement;
  private readonly cancelButton: HTMLButtonElement;
  private readonly error: HTMLElement;
  private value = "";
  private editing = false;

  constructor(
    private readonly o: FieldOptions,
    tag: "div" | "span" = "div",
  ) {
    this.shown = h("span", { className: `run-${o.key}-value`, testid: o.valueTestid ?? `run-${o.key}` });
    this.editButton = h(
      "button",
      { type: "button", className: "edit-button", testid: `run-${o.key}-edit`, title: o.title },
      o.label,
    );
    this.input = o.multiline
      ? h("textarea", { rows: 3, className: "run-input", testid: `run-${o.key}-input`, placeholder: o.placeholder })
      : h("input", { type: "text", className: "run-input", testid: `run-${o.key}-input`, placeholder: o.placeholder });
    this.saveButton = h("button", { type: "button", className: "primary", testid: `run-${o.key}-save` }, "Save");
    this.cancelButton = h("button", { type: "button", testid: `run-${o.key}-cancel` }, "Cancel");
    this.error = h("span", { className: "field-error", testid: `run-${o.key}-error`, role: "alert" });
    this.editor = h("span", { className: "run-editor" }, this.input, this.saveButton, this.cancelButton);
    this.el = h(tag, { className: `run-field run-field-${o.key}` }, this.shown, this.editButton, this.editor, this.error);
    this.editor.hidden = true;
    this.error.hidden = true;

    this.editButton.addEventListener("click", () => this.open());
    this.cancelButton.addEventListener("click", () => this.close());
    this.saveButton.addEventListener("click", () => void this.save());
    this.input.addEventListener("keydown", (e) => {
      const ke = e as KeyboardEvent;
      if (ke.key === "Escape") this.close();
      // Enter saves a one-line field; notes take Ctrl/⌘ + Enter (Enter is a new line there).
      else if (ke.key === "Enter" && (!o.multiline || ke.ctrlKey || ke.metaKey)) {
        e.preventDefault();
        void this.save();
      }
    });
  }

  /** The value saved on the server; what is being typed is left alone. */
  set(value: string): void {
    this.value = value;
    this.o.show(this.shown, value);
  }

  disable(why?: string): void {
    this.close();
    this.editButton.disabled = true;
    if (why !== undefined) this.editButton.title = why;
  }

  private open(): void {
    this.editing = true;
    this.input.value = this.value;
    this.shown.hidden = true;
    this.editButton.hidden = true;
    this.editor.hidden = false;
    this.input.focus();
    this.input.select();
  }

  private close(): void {
    this.editing = false;
    this.shown.hidden = false;
    this.editButton.hidden = false;
    this.editor.hidden = true;
    this.error.hidden = true;
  }

  private async save(): Promise<void> {
    if (!this.editing) return;
    this.error.hidden = true;
    for (const c of [this.input, this.saveButton, this.cancelButton]) c.disabled = true;
    try {
      const sim = await this.o.save(this.input.value);
      store.upsert(sim);
      this.close();
    } catch (e) {
      noteRefusal(e);
      this.error.textContent = describeError(e);
      this.error.hidden = false;
    } finally {
      for (const c of [this.input, this.saveButton, this.cancelButton]) c.disabled = false;
    }
  }
}

/** "a, b ,c" → ["a", "b", "c"]: tags are typed comma-separated (a tag cannot hold a comma). */
export function parseTags(text: string): string[] {
  return text
    .split(",")
    .map((t) => t.trim())
    .filter((t) => t !== "");
}

/** The name (as the page's title), tags and notes of one run. */
export class RunDetails {
  readonly name: HTMLElement;
  readonly tags: HTMLElement;
  readonly notes: HTMLElement;
  private readonly fields: EditableField[];

  constructor(id: string) {
    const name = new EditableField(
      {
        key: "name",
        valueTestid: "sim-title",
        label: "✎",
        title: "Rename the run",
        placeholder: "name",
        show: (el, v) => (el.textContent = v || id),
        save: (text) => client.updateRun(id, { name: text.trim() }),
      },
      "span",
    );
    const tags = new EditableField({
      key: "tags",
      label: "✎ tags",
      title: "Tags, separated by commas (each 1 to 64 characters)",
      placeholder: "baseline, dale, lr-sweep",
      show: (el, v) =>
        replaceChildren(
          el,
          ...(v
            ? parseTags(v).map((t) => h("span", { className: "tag", testid: "run-tag" }, t))
            : [h("span", { className: "muted small" }, "no tags")]),
        ),
      save: (text) => client.updateRun(id, { tags: parseTags(text) }),
    });
    const notes = new EditableField({
      key: "notes",
      label: "✎ notes",
      title: "Notes about the run (Ctrl+Enter saves)",
      placeholder: "what this run is for, what you saw…",
      multiline: true,
      show: (el, v) => {
        el.textContent = v || "no notes";
        el.classList.toggle("muted", !v);
      },
      save: (text) => client.updateRun(id, { notes: text }),
    });
    this.fields = [name, tags, notes];
    this.name = h("h1", {}, name.el);
    this.tags = tags.el;
    this.notes = notes.el;
  }

  update(sim: Simulation): void {
    const [name, tags, notes] = this.fields;
    name.set(sim.spec?.name ?? "");
    tags.set(sim.tags.join(", "));
    notes.set(sim.notes);
  }

  /** No more edits (a run gone, a token that may not steer: `why`, as the buttons' tooltip). */
  disable(why?: string): void {
    for (const f of this.fields) f.disable(why);
  }
}
