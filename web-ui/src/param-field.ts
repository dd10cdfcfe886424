// One form field for one catalogue parameter, shaped by its ParamInfo: a number box with the
// declared bounds, a checkbox, a choice list, or a comma-separated list of integers. check()
// types what was typed by the catalogue (checks.ts) and shows what is wrong under the field.

import { fromValue, type ParamInfo, ParamType, type PlainValue } from "@eiscope/client";
import { checkParam, formatBound } from "./checks";
import { h } from "./dom";
import { FieldError } from "./field-error";

export interface ParamField {
  readonly info: ParamInfo;
  readonly el: HTMLElement;
  /** The typed value, or undefined after showing under the field why there is none. */
  check(): PlainValue | undefined;
}

/** `initial`: the value to show first (default: the catalogue's default). */
export function paramField(component: string, info: ParamInfo, initial?: PlainValue): ParamField {
  const id = `param-${component}-${info.name}`;
  const input = control(info, id, initial ?? fromValue(info.defaultValue));
  // Bounds mean something for numbers and integer lists only (a flag's 0 – 1 says nothing).
  const numeric = [ParamType.NUMBER, ParamType.INTEGER, ParamType.INT_LIST].includes(info.type);
  const bounded = numeric && info.max > info.min;
  const hint = [
    bounded ? `${formatBound(info.min)} – ${formatBound(info.max)}` : "",
    info.type === ParamType.INT_LIST ? "comma-separated" : "",
  ]
    .filter(Boolean)
    .join(" · ");
  const error = new FieldError(input, `${id}-error`);
  const label = h("label", { for: id, title: info.doc }, info.name.replaceAll("_", " "));
  const el = h(
    "div",
    { className: info.type === ParamType.FLAG ? "field field-flag" : "field", title: info.doc },
    label,
    input,
    hint ? h("span", { className: "hint" }, hint) : null,
    error.el,
  );
  const read = () => (input instanceof HTMLInputElement && input.type === "checkbox" ? input.checked : input.value);
  return {
    info,
    el,
    check: () => {
      const c = checkParam(info, read());
      error.show(c.ok ? undefined : c.error);
      return c.ok ? c.value : undefined;
    },
  };
}

function control(info: ParamInfo, id: string, initial: PlainValue | undefined): HTMLInputElement | HTMLSelectElement {
  const common = { id, name: info.name, testid: id, title: info.doc };
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
      return h("input", {
        ...common,
        type: "text",
        value: Array.isArray(initial) ? initial.join(", ") : "",
        placeholder: "e.g. 128, 64",
      });
    case ParamType.INTEGER:
    case ParamType.NUMBER:
      // Text, not type=number: a number box hides what was typed when it is not a number (its
      // value reads ""), so the message could not quote it. inputmode keeps a numeric keypad.
      return h("input", {
        ...common,
        type: "text",
        inputmode: info.type === ParamType.INTEGER ? "numeric" : "decimal",
        value: initial === undefined ? "" : String(initial),
      });
    default:
      // A type this page does not know yet: the text is sent as typed, for the server to judge.
      return h("input", { ...common, type: "text", value: initial === undefined ? "" : String(initial) });
  }
}
