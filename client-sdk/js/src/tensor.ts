// Decoding the API's Tensor: prod(shape) little-endian float32 values, row-major.

import type { Tensor } from "./gen/eiscope/v1/types_pb.js";

export interface DecodedTensor {
  readonly shape: number[];
  /** Row-major values; for a weight matrix the shape is [n_out, n_in]. */
  readonly data: Float32Array;
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
    throw new RangeError(
      `tensor of shape [${shape.join(", ")}] needs ${4 * n} bytes, got ${bytes.byteLength}`,
    );
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
