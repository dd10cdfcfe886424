// The API's Tensor: prod(shape) little-endian float32 values, row-major; decoding and encoding.

import { create } from "@bufbuild/protobuf";
import { type Tensor, TensorSchema } from "./gen/eiscope/v1/types_pb.js";

/** A float32 tensor received from the server. */
export interface DecodedTensor {
  /** The dimensions, e.g. [n_out, n_in] for a weight matrix; biases are [1, n]. */
  readonly shape: number[];
  /** Row-major values; for a weight matrix the shape is [n_out, n_in]. */
  readonly data: Float32Array;
}

/**
 * A tensor to send: row-major values of `shape` (for a weight matrix [n_out, n_in]). Numbers
 * other than a Float32Array's are rounded to float32. A DecodedTensor is one.
 */
export interface TensorInput {
  /** The dimensions, e.g. [n_out, n_in]. */
  readonly shape: readonly number[];
  /** prod(shape) values, row-major. */
  readonly data: Float32Array | ArrayLike<number>;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * Returns the tensor's values as a Float32Array. It is a view on the received bytes (no
 * copy) when they are 4-byte aligned, as they are in most decoded messages; otherwise a copy.
 */
export function decodeTensor(t: Tensor): DecodedTensor {
  const shape = [...t.shape];
  const n = shape.reduce((a, b) => a * b, 1);
  const bytes = t.data;
  if (bytes.byteLength !== 4 * n) {
    throw new RangeError(`tensor of shape [${shape.join(", ")}] needs ${4 * n} bytes, got ${bytes.byteLength}`);
  }
  return { shape, data: toFloat32(bytes, n) };
}

function toFloat32(bytes: Uint8Array, n: number): Float32Array {
  if (!LITTLE_ENDIAN) {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = view.getFloat32(4 * i, true);
    return out;
  }
  if (bytes.byteOffset % 4 === 0) return new Float32Array(bytes.buffer, bytes.byteOffset, n);
  // A Float32Array view must start on a multiple of 4: copy the bytes to a fresh buffer.
  return new Float32Array(bytes.slice().buffer, 0, n);
}

/**
 * Returns the API's Tensor for `t`; throws a RangeError when the value count does not match
 * the shape. A Float32Array is sent without a copy on little-endian hosts.
 */
export function encodeTensor(t: TensorInput): Tensor {
  const shape = [...t.shape];
  const n = shape.reduce((a, b) => a * b, 1);
  if (t.data.length !== n) {
    throw new RangeError(`tensor of shape [${shape.join(", ")}] needs ${n} values, got ${t.data.length}`);
  }
  return create(TensorSchema, { shape, data: toBytes(t.data) });
}

function toBytes(data: Float32Array | ArrayLike<number>): Uint8Array {
  if (LITTLE_ENDIAN) {
    const f = data instanceof Float32Array ? data : Float32Array.from(data);
    return new Uint8Array(f.buffer, f.byteOffset, f.byteLength);
  }
  const out = new Uint8Array(4 * data.length);
  const view = new DataView(out.buffer);
  for (let i = 0; i < data.length; i++) view.setFloat32(4 * i, data[i], true);
  return out;
}
