// One form field for one catalogue parameter, shaped by its ParamInfo: a number box with the
// declared bounds, a checkbox, a choice list, or a comma-separated list of integers.

import { fromValue, type ParamInfo, ParamType } from "@eiscope/client";
import { h } from "./dom";

export interface ParamField {
  readonly info: ParamInfo;
  readonly el: HTMLElement;
  /** The raw form value; specFromForm parses it by the parameter's type. */
  read(): string | boolean;
}

export function paramField(component: string, info: ParamInfo): ParamField {
  const id = `param-${component}-${info.name}`;
  const input = control(info, id);
  // Bounds mean something for numbers and integer lists only (a flag's 0 – 1 says nothing).
  const numeric = [ParamType.NUMBER, ParamType.INTEGER, ParamType.INT_LIST].includes(info.type);
  const bounded = numeric && info.max > info.min;
  const hint = [
    bounded ? `${info.min} – ${info.max}` : "",
    info.type === ParamType.INT_LIST ? "comma-separated" : "",
  ].filter(Boolean).join(" · ");
  const label = h("label", { for: id, title: info.doc }, info.name.replaceAll("_", " "));
  const el = h(
    "div",
    { className: info.type === ParamType.FLAG ? "field field-flag" : "field", title: info.doc },
    label,
    input,
    hint ? h("span", { className: "hint" }, hint) : null,
  );
  return {
    info,
    el,
    read: () => (input instanceof HTMLInputElement && input.type === "checkbox" ? input.checked : input.value),
  };
}

function control(info: ParamInfo, id: string): HTMLInputElement | HTMLSelectElement {
  const initial = fromValue(info.defaultValue);
  const common = { id, name: info.name, testid: id, title: info.doc };
  const bounds = info.max > info.min ? { min: info.min, max: info.max } : {};
  switch (info.type) {
    case ParamType.FLAG:
      return h("input", { ...common, type: "checkbox", checked: initial === true });
    case ParamType.CHOICE: {
      const select = h("select", common);
      for (const c of info.choices) select.append(h("option", { value: c }, c));
      if (typeof initial === "string") select.value = initial;
      return select;
    }
    case ParamType.INT_LIST:
      return h("input", { ...common, type: "text", value: Array.isArray(initial) ? initial.join(", ") : "", placeholder: "e.g. 128, 64" });
    case ParamType.INTEGER:
      return h("input", { ...common, ...bounds, type: "number", step: 1, value: initial === undefined ? "" : String(initial) });
    case ParamType.NUMBER:
      return h("input", { ...common, ...bounds, type: "number", step: "any", value: initial === undefined ? "" : String(initial) });
    default:
      // A type this page does not know yet: the text is sent as typed, for the server to judge.
      return h("input", { ...common, type: "text", value: initial === undefined ? "" : String(initial) });
  }
}
