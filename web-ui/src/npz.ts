// A NumPy .npz written in the browser: a ZIP archive, entries stored uncompressed, one
// `<name>.npy` per array (format 1.0: magic, a header dict padded to 64 bytes, then the raw
// little-endian float32 values in C order), which numpy.load(f)["<name>"] reads. The CRC-32 of
// every entry is computed a megabyte at a time, yielding to the page in between, so a model of
// tens of megabytes never holds the main thread for more than a few milliseconds.

export interface NpzArray {
  name: string;
  shape: number[];
  /** prod(shape) values, row-major. */
  data: Float32Array;
}

const CHUNK_BYTES = 1 << 20;
const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** The .npz of `arrays` (names must be unique; each becomes `<name>.npy`). */
export async function npzBlob(arrays: NpzArray[]): Promise<Blob> {
  const parts: BlobPart[] = [];
  const central: Uint8Array<ArrayBuffer>[] = [];
  let offset = 0;
  for (const a of arrays) {
    const name = new TextEncoder().encode(`${a.name}.npy`);
    const header = npyHeader(a.shape);
    // A copy: the tensor's view may not start at a 4-byte boundary of its own buffer.
    const body = new Uint8Array(a.data.byteLength);
    body.set(new Uint8Array(a.data.buffer, a.data.byteOffset, a.data.byteLength));
    const size = header.length + body.length;
    const crc = await crc32([header, body]);
    const local = zipHeader(0x04034b50, name, crc, size, offset, false);
    parts.push(local, header, body);
    central.push(zipHeader(0x02014b50, name, crc, size, offset, true));
    offset += local.length + size;
  }
  const cdSize = central.reduce((n, c) => n + c.length, 0);
  const end = new DataView(new ArrayBuffer(22));
  end.setUint32(0, 0x06054b50, true);
  end.setUint16(8, arrays.length, true);
  end.setUint16(10, arrays.length, true);
  end.setUint32(12, cdSize, true);
  end.setUint32(16, offset, true);
  return new Blob([...parts, ...central, end.buffer], { type: "application/octet-stream" });
}

/** NPY 1.0 header for float32 little-endian, C order; padded so the data starts at a multiple of 64. */
function npyHeader(shape: number[]): Uint8Array<ArrayBuffer> {
  const dims = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(", ")})`;
  let dict = `{'descr': '<f4', 'fortran_order': False, 'shape': ${dims}, }`;
  const unpadded = 10 + dict.length + 1;
  dict += " ".repeat((64 - (unpadded % 64)) % 64) + "\n";
  const out = new Uint8Array(10 + dict.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]); // \x93NUMPY, version 1.0
  new DataView(out.buffer).setUint16(8, dict.length, true);
  out.set(new TextEncoder().encode(dict), 10);
  return out;
}

/** A local file header, or (central) its central-directory entry: stored, no extra fields, 1980-01-01. */
function zipHeader(
  signature: number,
  name: Uint8Array,
  crc: number,
  size: number,
  offset: number,
  central: boolean,
): Uint8Array<ArrayBuffer> {
  const fixed = central ? 46 : 30;
  const out = new Uint8Array(fixed + name.length);
  const v = new DataView(out.buffer);
  v.setUint32(0, signature, true);
  let i = 4;
  if (central) v.setUint16((i += 2) - 2, 20, true); // version made by
  v.setUint16(i, 20, true); // version needed: 2.0
  v.setUint16(i + 4, 0, true); // method: stored
  v.setUint16(i + 8, (1 << 5) | 1, true); // date: 1980-01-01
  v.setUint32(i + 10, crc, true);
  v.setUint32(i + 14, size, true);
  v.setUint32(i + 18, size, true);
  v.setUint16(i + 22, name.length, true);
  if (central) v.setUint32(42, offset, true);
  out.set(name, fixed);
  return out;
}

async function crc32(chunks: Uint8Array[]): Promise<number> {
  let c = 0xffffffff;
  for (const bytes of chunks) {
    for (let start = 0; start < bytes.length; start += CHUNK_BYTES) {
      const end = Math.min(bytes.length, start + CHUNK_BYTES);
      for (let i = start; i < end; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
      if (end < bytes.length) await new Promise((r) => setTimeout(r, 0));
    }
  }
  return (c ^ 0xffffffff) >>> 0;
}
