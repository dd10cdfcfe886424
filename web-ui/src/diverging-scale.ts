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

/** Writes the pixel of each value (clamped to [-limit, limit]) into `out` (one per value, packed RGBA). */
export function paint(values: Float32Array, limit: number, out: Uint32Array): void {
  const scale = (LEVELS - 1) / (2 * limit);
  const top = LEVELS - 1;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v !== v) {
      out[i] = NAN_PIXEL;
      continue;
    }
    const k = Math.round((v + limit) * scale);
    out[i] = LUT[k < 0 ? 0 : k > top ? top : k];
  }
}
