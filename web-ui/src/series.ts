// One scalar curve, kept bounded. It starts from the run record (possibly downsampled by the
// server) and grows with live samples; past `maxPoints` it is downsampled the way the server
// does it: the steps it spans are cut into maxPoints / 8 equal buckets, and each bucket keeps
// its first, smallest, largest and last point (each at its own step). So extremes are never
// lost, the step axis keeps one resolution, and a run watched for hours stays fast to draw.
// Points may carry their wall time (seconds), kept beside their step through downsampling, for
// a time axis; `times` is empty when any point came without one.

export class Series {
  readonly steps: number[] = [];
  readonly values: number[] = [];
  /** Wall time of each point in seconds since the epoch, or empty (see above). */
  readonly times: number[] = [];
  /** Samples the curve stands for: recorded points before downsampling, plus live samples (merged ones counted). */
  samples = 0;
  /** True once some points stand for several samples (downsampled here or by the server). */
  downsampled = false;

  constructor(private maxPoints = 4000) {}

  get lastStep(): number {
    return this.steps.length ? this.steps[this.steps.length - 1] : -1;
  }

  get lastValue(): number | undefined {
    return this.values.length ? this.values[this.values.length - 1] : undefined;
  }

  /** Bounds the curve to at most `n` points (at least 16), downsampling now if it holds more. */
  setMaxPoints(n: number): void {
    this.maxPoints = Math.max(16, n);
    if (this.steps.length > this.maxPoints) this.compress();
  }

  /** Replaces the curve with recorded points (ascending steps) standing for `samples` samples. */
  load(
    steps: ArrayLike<number>,
    values: ArrayLike<number>,
    samples: number,
    downsampled: boolean,
    times?: ArrayLike<number>,
  ): void {
    this.steps.length = 0;
    this.values.length = 0;
    this.times.length = 0;
    for (let i = 0; i < steps.length; i++) {
      this.steps.push(steps[i]);
      this.values.push(values[i]);
      if (times) this.times.push(times[i]);
    }
    this.samples = samples;
    this.downsampled = downsampled;
    if (this.steps.length > this.maxPoints) this.compress();
  }

  push(step: number, value: number, mergedCount: number, time?: number): void {
    if (time === undefined || this.times.length !== this.steps.length) this.times.length = 0;
    else this.times.push(time);
    this.steps.push(step);
    this.values.push(value);
    this.samples += mergedCount;
    if (this.steps.length > this.maxPoints) this.compress();
  }

  clear(): void {
    this.steps.length = 0;
    this.values.length = 0;
    this.times.length = 0;
    this.samples = 0;
    this.downsampled = false;
  }

  /** Down to at most maxPoints / 2 points: per bucket of steps, first, min, max and last. */
  private compress(): void {
    const n = this.steps.length;
    const timed = this.times.length === n;
    const buckets = Math.max(1, Math.floor(this.maxPoints / 8));
    const first = this.steps[0];
    const width = (this.steps[n - 1] - first + 1) / buckets;
    let w = 0;
    for (let start = 0; start < n;) {
      const bucket = Math.floor((this.steps[start] - first) / width);
      let end = start + 1;
      while (end < n && Math.floor((this.steps[end] - first) / width) === bucket) end++;
      let lo = start;
      let hi = start;
      for (let i = start + 1; i < end; i++) {
        if (this.values[i] < this.values[lo]) lo = i;
        if (this.values[i] > this.values[hi]) hi = i;
      }
      // In step order, each index once; w never overtakes start, so writing in place is safe.
      for (const i of [...new Set([start, lo, hi, end - 1])].sort((a, b) => a - b)) {
        this.steps[w] = this.steps[i];
        this.values[w] = this.values[i];
        if (timed) this.times[w] = this.times[i];
        w++;
      }
      start = end;
    }
    this.steps.length = w;
    this.values.length = w;
    this.times.length = timed ? w : 0;
    this.downsampled = true;
  }
}
