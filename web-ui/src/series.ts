// One scalar curve, kept bounded: past `maxPoints`, neighbouring points are averaged in pairs
// (keeping the later step), like the server merges samples, so a long run stays fast to draw.

export class Series {
  readonly steps: number[] = [];
  readonly values: number[] = [];
  /** Samples received, counting those the server merged (merged_count). */
  samples = 0;
  /** Frames received. */
  frames = 0;

  constructor(private readonly maxPoints = 4000) {}

  get lastStep(): number {
    return this.steps.length ? this.steps[this.steps.length - 1] : -1;
  }

  get lastValue(): number | undefined {
    return this.values.length ? this.values[this.values.length - 1] : undefined;
  }

  push(step: number, value: number, mergedCount: number): void {
    this.steps.push(step);
    this.values.push(value);
    this.samples += mergedCount;
    this.frames += 1;
    if (this.steps.length > this.maxPoints) this.halve();
  }

  clear(): void {
    this.steps.length = 0;
    this.values.length = 0;
    this.samples = 0;
    this.frames = 0;
  }

  private halve(): void {
    const n = this.steps.length;
    let w = 0;
    for (let r = 0; r + 1 < n; r += 2, w++) {
      this.steps[w] = this.steps[r + 1];
      this.values[w] = (this.values[r] + this.values[r + 1]) / 2;
    }
    if (n % 2 === 1) {
      this.steps[w] = this.steps[n - 1];
      this.values[w] = this.values[n - 1];
      w++;
    }
    this.steps.length = w;
    this.values.length = w;
  }
}
