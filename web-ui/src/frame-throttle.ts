// Coalesces redraw requests: at most one draw per animation frame and per `minIntervalMs`,
// so a burst of frames from the server costs one redraw, not one per frame.

export class FrameThrottle {
  private scheduled = false;
  private lastDrawMs = 0;
  private timer?: number;
  private raf?: number;

  constructor(
    private readonly draw: () => void,
    private readonly minIntervalMs = 100,
  ) {}

  request(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    const wait = this.lastDrawMs + this.minIntervalMs - performance.now();
    if (wait > 0) this.timer = window.setTimeout(() => this.onFrameSoon(), wait);
    else this.onFrameSoon();
  }

  cancel(): void {
    window.clearTimeout(this.timer);
    if (this.raf !== undefined) cancelAnimationFrame(this.raf);
    this.scheduled = false;
  }

  private onFrameSoon(): void {
    this.raf = requestAnimationFrame(() => {
      this.scheduled = false;
      this.lastDrawMs = performance.now();
      this.draw();
    });
  }
}
