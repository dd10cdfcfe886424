// Converting plain JS values to the API's typed `Value`s.
//
// JS numbers do not say whether they are integers or floats, so when a catalogue entry is at
// hand its ParamInfo type decides; without one a number travels as a float (`number`).

import { create } from "@bufbuild/protobuf";
import {
  type ComponentInfo,
  type ComponentSpec,
  ComponentSpecSchema,
  type ParamInfo,
  ParamType,
  type Value,
  ValueSchema,
} from "./gen/eiscope/v1/types_pb.js";

/** What a parameter may be given as. Strings are parsed when the ParamInfo says a number. */
export type PlainValue = number | bigint | boolean | string | readonly (number | bigint)[];

/** A float parameter value. */
export const numberValue = (x: number): Value => create(ValueSchema, { kind: { case: "number", value: x } });
/** An integer parameter value; a number that is not an integer throws a TypeError. */
export const integerValue = (x: number | bigint): Value =>
  create(ValueSchema, { kind: { case: "integer", value: toBigInt(x, "integer") } });
/** A boolean parameter value. */
export const flagValue = (x: boolean): Value => create(ValueSchema, { kind: { case: "flag", value: x } });
/** A text (or choice) parameter value. */
export const textValue = (x: string): Value => create(ValueSchema, { kind: { case: "text", value: x } });
/** An int-list parameter value, e.g. hidden layer sizes [100, 100]. */
export const intsValue = (xs: readonly (number | bigint)[]): Value =>
  create(ValueSchema, {
    kind: { case: "ints", value: { values: xs.map((x) => toBigInt(x, "int list element")) } },
  });

/** Guesses the Value kind from the JS type alone: number→number, bigint→integer, ... */
export function toValue(x: PlainValue | Value): Value {
  if (isValue(x)) return x;
  switch (typeof x) {
    case "number":
      return numberValue(x);
    case "bigint":
      return integerValue(x);
    case "boolean":
      return flagValue(x);
    case "string":
      return textValue(x);
    default:
      return intsValue(x);
  }
}

/** Converts `x` to the Value the parameter's declared type asks for. */
export function toTypedValue(info: ParamInfo, x: PlainValue | Value): Value {
  if (isValue(x)) return x;
  const what = `parameter "${info.name}"`;
  switch (info.type) {
    case ParamType.NUMBER:
      return numberValue(parseNumber(x, what));
    case ParamType.INTEGER:
      return integerValue(parseInteger(x, what));
    case ParamType.FLAG:
      return flagValue(typeof x === "string" ? x === "true" : Boolean(x));
    case ParamType.CHOICE:
      return textValue(String(x));
    case ParamType.INT_LIST:
      return intsValue(parseIntList(x, what));
    default:
      return toValue(x);
  }
}

/**
 * Builds a ComponentSpec for a catalogue entry from plain values (e.g. a form's fields),
 * typing each by its ParamInfo. Names the entry does not declare are passed on as guessed,
 * so that the server, not this helper, reports them.
 */
export function specFromForm(entry: ComponentInfo, values: Readonly<Record<string, PlainValue | Value>>): ComponentSpec {
  const infos = new Map(entry.params.map((p) => [p.name, p]));
  const params: Record<string, Value> = {};
  for (const [name, x] of Object.entries(values)) {
    const info = infos.get(name);
    params[name] = info ? toTypedValue(info, x) : toValue(x);
  }
  return create(ComponentSpecSchema, { kind: entry.kind, params });
}

/** The plain JS form of a Value (integers as numbers when safe), e.g. to fill a form. */
export function fromValue(v: Value | undefined): PlainValue | undefined {
  if (v === undefined) return undefined;
  const k = v.kind;
  switch (k.case) {
    case "integer":
      return safeNumber(k.value);
    case "ints":
      return k.value.values.map(safeNumber);
    case undefined:
      return undefined;
    default:
      return k.value;
  }
}

function isValue(x: unknown): x is Value {
  return typeof x === "object" && x !== null && "$typeName" in x;
}

function safeNumber(x: bigint): number | bigint {
  return x >= BigInt(Number.MIN_SAFE_INTEGER) && x <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(x) : x;
}

function toBigInt(x: number | bigint, what: string): bigint {
  if (typeof x === "bigint") return x;
  if (!Number.isInteger(x)) throw new TypeError(`${what} must be an integer, got ${x}`);
  return BigInt(x);
}

function parseNumber(x: PlainValue, what: string): number {
  const n = typeof x === "string" ? Number(x.trim()) : Number(x);
  if (typeof x === "string" && x.trim() === "") throw new TypeError(`${what} is empty`);
  if (!Number.isFinite(n)) throw new TypeError(`${what} must be a finite number, got ${String(x)}`);
  return n;
}

function parseInteger(x: PlainValue, what: string): bigint {
  if (typeof x === "bigint") return x;
  const n = parseNumber(x, what);
  if (!Number.isInteger(n)) throw new TypeError(`${what} must be an integer, got ${String(x)}`);
  return BigInt(n);
}

function parseIntList(x: PlainValue, what: string): bigint[] {
  if (Array.isArray(x)) return x.map((e) => parseInteger(e, what));
  if (typeof x === "string") {
    const parts = x.split(/[\s,]+/).filter((s) => s !== "");
    return parts.map((s) => parseInteger(s, what));
  }
  return [parseInteger(x as PlainValue, what)];
}
