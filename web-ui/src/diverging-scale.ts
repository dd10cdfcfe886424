// The colour scale of signed matrices: diverging and centred at 0, with symmetric limits ±a,
// so that white is exactly 0 and equal magnitudes of either sign are equally strong. Positive
// (excitatory) weights are red, negative (inhibitory) ones blue: ColorBrewer's RdBu, reversed.
// Colours come from a 256-entry lookup table of packed RGBA pixels, so painting a 500 x 500
// matrix into an ImageData costs a multiply and an array read per value.

const STOPS = [
  "#053061",
  "#2166ac",
  "#4393c3",
  "#92c5de",
  "#d1e5f0",
  "#f7f7f7",
  "#fddbc7",
  "#f4a582",
  "#d6604d",
  "#b2182b",
  "#67001f",
];
const LEVELS = 256;
/** NaN (a diverged weight) is drawn in a grey no value can have. */
const NAN_RGB: Rgb = [150, 150, 150];

type Rgb = [number, number, number];

const rgbStops = STOPS.map((hex): Rgb => {
  const n = parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
});

/** The colour at `f` in [0, 1] along the stops (0: most negative, 0.5: zero, 1: most positive). */
export function colourAt(f: number): Rgb {
  const x = Math.min(1, Math.max(0, f)) * (rgbStops.length - 1);
  const i = Math.min(rgbStops.length - 2, Math.floor(x));
  const w = x - i;
  return [0, 1, 2].map((k) => Math.round(rgbStops[i][k] * (1 - w) + rgbStops[i + 1][k] * w)) as Rgb;
}

export function css([r, g, b]: Rgb): string {
  return `rgb(${r},${g},${b})`;
}

// ImageData holds bytes R, G, B, A; a Uint32Array over it reads them in the machine's byte order.
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
const pack = ([r, g, b]: Rgb): number =>
  LITTLE_ENDIAN ? ((255 << 24) | (b << 16) | (g << 8) | r) >>> 0 : ((r << 24) | (g << 16) | (b << 8) | 255) >>> 0;
const LUT = Uint32Array.from({ length: LEVELS }, (_, i) => pack(colourAt(i / (LEVELS - 1))));
const NAN_PIXEL = pack(NAN_RGB);

/** The limit a of the scale [-a, a]: the largest finite magnitude (1 when there is none, e.g. all zeros). */
export function symmetricLimit(values: Float32Array): number {
  let a = 0;
  for (let i = 0; i < values.length; i++) {
    const m = Math.abs(values[i]);
    if (m > a && m !== Infinity) a = m;
  }
  return a > 0 ? a : 1;
}

/**
 * A limit that lets a few large weights saturate instead of washing out the rest (a column-E/I
 * matrix's inhibitory columns are ten times its excitatory ones): the 99th percentile of |v|,
 * estimated from at most 20,000 evenly strided values (1 when they are all zero).
 */
export function percentileLimit(values: Float32Array, q = 0.99): number {
  const stride = Math.max(1, Math.floor(values.length / 20_000));
  const sample: number[] = [];
  for (let i = 0; i < values.length; i += stride) {
    const m = Math.abs(values[i]);
    if (Number.isFinite(m)) sample.push(m);
  }
  sample.sort((a, b) => a - b);
  const a = sample[Math.min(sample.length - 1, Math.floor(q * sample.length))] ?? 0;
  return a > 0 ? a : symmetricLimit(values);
}

/** Writes the pixel of each value (clamped to [-limit, limit]) into `out` (one per value, packed RGBA). */
export function paint(values: Float32Array, limit: number, out: Uint32Array): void {
  const scale = (LEVELS - 1) / (2 * limit);
  // k = round((v + limit) · scale), as a truncation of a positive number: no Math.round call per value.
  const offset = limit * scale + 0.5;
  const top = LEVELS - 1;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v !== v) {
      out[i] = NAN_PIXEL;
      continue;
    }
    const x = v * scale + offset;
    out[i] = LUT[x >= top ? top : x <= 0 ? 0 : x | 0]; // ±Infinity clamps to the ends
  }
}
