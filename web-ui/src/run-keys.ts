// Keys on a run's page: Space plays or pauses, → steps the step field's count, Shift+→ one step,
// ? shows the keys (Escape or ? again hides them). Typing is never taken: a key pressed in a
// text box, a choice, a button, a link, a slider or anything editable does what it does there,
// and so does any key with Ctrl, Alt or Meta (the browser's and the system's shortcuts).

import { h } from "./dom";
import "./run-tools.css";

/** What the keys do (Controls). */
export interface RunKeyActions {
  togglePlay(): void;
  /** The step field's count, or `one` step. */
  stepFromField(one: boolean): void;
}

/** Elements whose own keys come first: typing, choosing, pressing a focused button or link. */
const OWN_KEYS = "input, textarea, select, button, a[href], summary, [contenteditable], [role=slider], [role=tab]";

export const KEYS: [string, string][] = [
  ["Space", "play, or pause a running run"],
  ["→", "step: the step field's count"],
  ["Shift + →", "one step"],
  ["?", "show or hide this list"],
  ["Esc", "hide this list"],
];

/** Listens on the document until the returned function is called. */
export function bindRunKeys(actions: RunKeyActions): () => void {
  const help = keyHelp();
  const onKey = (e: KeyboardEvent) => {
    if (e.defaultPrevented || e.ctrlKey || e.altKey || e.metaKey || e.isComposing) return;
    const target = e.target instanceof Element ? e.target : null;
    if (target?.closest(OWN_KEYS) || (target instanceof HTMLElement && target.isContentEditable)) return;
    if (e.key === "?") {
      help.hidden = !help.hidden;
    } else if (e.key === "Escape" && !help.hidden) {
      help.hidden = true;
    } else if (e.key === " " && !e.shiftKey) {
      actions.togglePlay();
    } else if (e.key === "ArrowRight") {
      actions.stepFromField(e.shiftKey);
    } else {
      return;
    }
    e.preventDefault(); // Space would scroll the page
  };
  document.addEventListener("keydown", onKey);
  document.body.append(help);
  return () => {
    document.removeEventListener("keydown", onKey);
    help.remove();
  };
}

function keyHelp(): HTMLElement {
  const close = h("button", { type: "button", className: "subtle small-button", testid: "keys-close" }, "close");
  const el = h(
    "div",
    { className: "keys-help", testid: "keys-help", role: "dialog", "aria-label": "Keyboard keys" },
    h("h3", {}, "Keys on a run's page"),
    h("table", {}, h("tbody", {}, ...KEYS.map(([k, what]) => h("tr", {}, h("td", {}, h("kbd", {}, k)), h("td", {}, what))))),
    h(
      "p",
      { className: "muted small" },
      "Keys do nothing while a text box, a choice or a button has the focus: typing stays typing.",
    ),
    close,
  );
  el.hidden = true;
  close.addEventListener("click", () => (el.hidden = true));
  return el;
}
