// Smoothing of noisy per-minibatch curves, as TensorBoard's slider does it: an exponential
// moving average over the points in order, debiased at the start (so the first points are not
// pulled towards 0). weight 0 returns the values; 0.99 averages over about the last 100 points.

export function ema(values: ArrayLike<number>, weight: number): number[] {
  const out = new Array<number>(values.length);
  let acc = 0;
  let norm = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    // A non-finite point (a diverged step) is shown as it is and does not poison what follows.
    if (!Number.isFinite(v)) {
      out[i] = v;
      continue;
    }
    acc = weight * acc + (1 - weight) * v;
    norm = weight * norm + (1 - weight);
    out[i] = acc / norm;
  }
  return out;
}
