// Offline tests of the plain-value helpers (no server needed).

import assert from "node:assert/strict";
import { test } from "node:test";
import { create } from "@bufbuild/protobuf";
import {
  ComponentInfoSchema,
  ParamType,
  TensorSchema,
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
