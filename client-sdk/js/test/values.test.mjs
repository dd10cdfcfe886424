// Offline tests of the plain-value helpers (no server needed).

import assert from "node:assert/strict";
import { test } from "node:test";
import { create } from "@bufbuild/protobuf";
import {
  ComponentInfoSchema,
  ParamType,
  SeriesSchema,
  TensorSchema,
  decodeSeries,
  decodeTensor,
  encodeTensor,
  fromValue,
  specFromForm,
  toValue,
} from "../dist/index.js";

const mlp = create(ComponentInfoSchema, {
  kind: "mlp",
  params: [
    { name: "hidden", type: ParamType.INT_LIST },
    { name: "depth", type: ParamType.INTEGER },
    { name: "gain", type: ParamType.NUMBER },
    { name: "bias", type: ParamType.FLAG },
    { name: "activation", type: ParamType.CHOICE, choices: ["relu", "tanh"] },
  ],
});

test("toValue guesses the kind from the JS type", () => {
  assert.deepEqual(toValue(0.5).kind, { case: "number", value: 0.5 });
  assert.deepEqual(toValue(3n).kind, { case: "integer", value: 3n });
  assert.deepEqual(toValue(true).kind, { case: "flag", value: true });
  assert.deepEqual(toValue("relu").kind, { case: "text", value: "relu" });
  assert.deepEqual(toValue([32, 16]).kind.value.values, [32n, 16n]);
});

test("specFromForm types each field by its ParamInfo, parsing form strings", () => {
  const spec = specFromForm(mlp, { hidden: "32, 16", depth: "2", gain: "1.5", bias: "true", activation: "tanh" });
  assert.equal(spec.kind, "mlp");
  assert.deepEqual(spec.params.hidden.kind.value.values, [32n, 16n]);
  assert.deepEqual(spec.params.depth.kind, { case: "integer", value: 2n });
  assert.deepEqual(spec.params.gain.kind, { case: "number", value: 1.5 });
  assert.deepEqual(spec.params.bias.kind, { case: "flag", value: true });
  assert.deepEqual(spec.params.activation.kind, { case: "text", value: "tanh" });
});

test("specFromForm sends a whole JS number as an integer when the catalogue says INTEGER", () => {
  assert.deepEqual(specFromForm(mlp, { depth: 3 }).params.depth.kind, { case: "integer", value: 3n });
});

test("specFromForm refuses a fractional value for an integer parameter, naming it", () => {
  assert.throws(() => specFromForm(mlp, { depth: 2.5 }), /parameter "depth" must be an integer/);
});

test("fromValue turns Values back into plain JS values", () => {
  assert.equal(fromValue(toValue(7n)), 7);
  assert.deepEqual(fromValue(toValue([1, 2])), [1, 2]);
  assert.equal(fromValue(undefined), undefined);
});

test("decodeTensor reads little-endian float32, also from an unaligned byte offset", () => {
  const values = new Float32Array([1.5, -2, 3.25, 0, 1e-3, 42]);
  const raw = new Uint8Array(values.buffer);
  const shifted = new Uint8Array(raw.length + 1);
  shifted.set(raw, 1);
  for (const data of [raw, shifted.subarray(1)]) {
    const t = decodeTensor(create(TensorSchema, { shape: [2, 3], data }));
    assert.deepEqual(t.shape, [2, 3]);
    assert.deepEqual([...t.data], [...values]);
  }
});

test("decodeTensor rejects data whose length does not match the shape", () => {
  assert.throws(() => decodeTensor(create(TensorSchema, { shape: [2, 2], data: new Uint8Array(12) })), /needs 16 bytes, got 12/);
});

test("encodeTensor writes little-endian float32 that decodeTensor reads back, from any numbers", () => {
  const values = new Float32Array([1.5, -2, 3.25, -0, 1e-3, 42]);
  const t = encodeTensor({ shape: [2, 3], data: values });
  assert.deepEqual(t.shape, [2, 3]);
  assert.equal(t.data.byteLength, 24);
  assert.deepEqual(new DataView(t.data.buffer, t.data.byteOffset).getFloat32(4, true), -2);
  assert.deepEqual([...decodeTensor(t).data], [...values]);
  const rounded = encodeTensor({ shape: [1, 2], data: [0.1, 2] });
  assert.deepEqual([...decodeTensor(rounded).data], [Math.fround(0.1), 2]);
});

test("encodeTensor rejects a value count that does not match the shape", () => {
  assert.throws(() => encodeTensor({ shape: [2, 2], data: new Float32Array(3) }), /needs 4 values, got 3/);
});

/** `bytes` of a typed array, starting one byte into a fresh buffer (as a decoded message may place them). */
function unaligned(typed) {
  const shifted = new Uint8Array(typed.byteLength + 1);
  shifted.set(new Uint8Array(typed.buffer, typed.byteOffset, typed.byteLength), 1);
  return shifted.subarray(1);
}

test("decodeSeries reads the packed little-endian columns, also from unaligned byte offsets", () => {
  const steps = new BigInt64Array([1n, 2n, 2n ** 40n]), values = new Float64Array([0.5, -1, 1e300]);
  const walls = new BigInt64Array([1_700_000_000_000_000_001n, 1_700_000_000_000_000_002n, 1_700_000_000_000_000_003n]);
  for (const shift of [(a) => new Uint8Array(a.buffer), unaligned]) {
    const s = decodeSeries(create(SeriesSchema, {
      observable: "nse", layer: "layer0.W", steps: shift(steps), values: shift(values), wallTimesUnixNanos: shift(walls),
      recordedPoints: 9n, downsampled: true, mergedSamples: 2n,
    }));
    assert.ok(s.steps instanceof Float64Array && s.values instanceof Float64Array && s.wallTimeNanos instanceof BigInt64Array);
    assert.deepEqual([...s.steps], [1, 2, 2 ** 40]);
    assert.deepEqual([...s.values], [...values]);
    assert.deepEqual([...s.wallTimeNanos], [...walls], "nanoseconds stay exact");
    assert.deepEqual([s.observable, s.layer, s.recordedPoints, s.downsampled, s.mergedSamples], ["nse", "layer0.W", 9, true, 2]);
  }
});

test("decodeSeries rejects columns whose lengths disagree", () => {
  const series = create(SeriesSchema, { observable: "loss", steps: new Uint8Array(16), values: new Uint8Array(8), wallTimesUnixNanos: new Uint8Array(16) });
  assert.throws(() => decodeSeries(series), /series loss: steps, values and wall times hold 16, 8 and 16 bytes, not 8 per point each/);
});
