// What the browser checks before it sends anything: a typed value from what was typed in a
// field, or a message that says what to type instead. Bounds come from the catalogue
// (ParamInfo: type, min, max, choices) or, for the fields the catalogue does not describe
// (seed, batch size, steps, prune %), from the API's own rules. Messages are in the field's
// units (prune in %, not as a fraction).

import { ParamType, type ParamInfo, type PlainValue } from "@eiscope/client";

export type Checked<T> = { ok: true; value: T } | { ok: false; error: string };

const ok = <T>(value: T): Checked<T> => ({ ok: true, value });
const fail = <T>(error: string): Checked<T> => ({ ok: false, error });

/** A bound as a reader writes it: 0.001, 1e-9, 8,192 (not 1.1754943508222875e-38). */
export function formatBound(x: number): string {
  if (x === 0) return "0";
  const a = Math.abs(x);
  if (a < 1e-3 || a >= 1e7) return Number(x.toPrecision(3)).toExponential().replace("e+", "e");
  return Number.isInteger(x) ? x.toLocaleString("en-US") : String(Number(x.toPrecision(6)));
}

export interface NumberRule {
  /** Whole numbers only. */
  integer?: boolean;
  min?: number;
  max?: number;
  /** Appended to the bound in messages, e.g. " %". */
  unit?: string;
}

/** A finite number from `text` within the rule, or why not. Empty text is "required". */
export function checkNumber(text: string, rule: NumberRule = {}): Checked<number> {
  const t = text.trim();
  const unit = rule.unit ?? "";
  const what = rule.integer ? "a whole number" : "a number";
  const range = describeRange(rule);
  if (t === "") return fail(`required: enter ${what}${range}`);
  // Number("") is 0 and Number("0x10") is 16: accept decimal notation only.
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) return fail(`${JSON.stringify(t)} is not ${what}${range}`);
  const x = Number(t);
  if (!Number.isFinite(x)) return fail(`${t} is too large: enter ${what}${range}`);
  if (rule.integer && !Number.isInteger(x)) return fail(`${t} is not a whole number${range}`);
  if (rule.min !== undefined && x < rule.min) return fail(`${t}${unit} is below the minimum, ${formatBound(rule.min)}${unit}`);
  if (rule.max !== undefined && x > rule.max) return fail(`${t}${unit} is above the maximum, ${formatBound(rule.max)}${unit}`);
  return ok(x);
}

/** A finite number greater than 0 (a standard deviation), or why not. */
export function checkPositive(text: string): Checked<number> {
  const c = checkNumber(text, { min: 0 });
  if (c.ok && c.value === 0) return fail(`${text.trim()} is not above 0: enter a number greater than 0`);
  return c.ok || text.trim() !== "" ? c : fail("required: enter a number greater than 0");
}

function describeRange(rule: NumberRule): string {
  const unit = rule.unit ?? "";
  if (rule.min !== undefined && rule.max !== undefined)
    return ` from ${formatBound(rule.min)}${unit} to ${formatBound(rule.max)}${unit}`;
  if (rule.min !== undefined) return ` of at least ${formatBound(rule.min)}${unit}`;
  if (rule.max !== undefined) return ` of at most ${formatBound(rule.max)}${unit}`;
  return "";
}

/** Largest int64: seeds and step counts travel as int64. */
const INT64_MAX = 2n ** 63n - 1n;

/** A non-negative whole number as a bigint (seed, step budget), exact beyond 2^53. */
export function checkBigInt(text: string, label = "a whole number"): Checked<bigint> {
  const t = text.trim();
  if (t === "") return fail(`required: enter ${label} of at least 0`);
  if (!/^\+?\d+$/.test(t)) {
    const n = Number(t);
    return fail(
      Number.isFinite(n) && !Number.isInteger(n)
        ? `${t} is not a whole number`
        : `${JSON.stringify(t)} is not ${label} of at least 0`,
    );
  }
  const v = BigInt(t.replace("+", ""));
  if (v > INT64_MAX) return fail(`${t} is above the maximum, 2^63 − 1`);
  return ok(v);
}

/** Bounds of a catalogue parameter, when it declares any (a flag's or a choice's 0 – 0 says nothing). */
function paramRule(info: ParamInfo, integer: boolean): NumberRule {
  return info.max > info.min ? { integer, min: info.min, max: info.max } : { integer };
}

/** The value of a catalogue parameter from its field, typed as the catalogue says, or why not. */
export function checkParam(info: ParamInfo, raw: string | boolean): Checked<PlainValue> {
  if (typeof raw === "boolean") return ok(raw);
  switch (info.type) {
    case ParamType.NUMBER:
      return checkNumber(raw, paramRule(info, false));
    case ParamType.INTEGER:
      return checkNumber(raw, paramRule(info, true));
    case ParamType.INT_LIST:
      return checkIntList(raw, paramRule(info, true));
    case ParamType.CHOICE:
      return info.choices.length === 0 || info.choices.includes(raw) ? ok(raw) : fail(`choose one of ${info.choices.join(", ")}`);
    case ParamType.FLAG:
      return ok(raw === "true");
    default:
      return ok(raw); // a type this page does not know: the server judges the text
  }
}

/** "128, 64" → [128, 64]: every element a whole number within the bounds. */
function checkIntList(text: string, rule: NumberRule): Checked<number[]> {
  const parts = text.split(/[\s,]+/).filter((s) => s !== "");
  if (parts.length === 0) return fail(`required: enter whole numbers separated by commas, e.g. 128, 64${describeRange(rule)}`);
  const out: number[] = [];
  for (const p of parts) {
    const c = checkNumber(p, rule);
    if (!c.ok) return fail(parts.length > 1 ? `in the list: ${c.error}` : c.error);
    out.push(c.value);
  }
  return ok(out);
}
