// Reads a value from the server over and over for a panel that shows only the latest one (a
// heatmap, a histogram of the weights): at most one call in flight, so a slow server never has
// requests queued up behind it; at most one call per `minIntervalMs`; and only while wanted.
// request() asks for one more read; any number of requests made while a call is under way are
// served by a single read after it. follow(true) keeps reading (throttled) while a run plays.

export class LatestRead<T> {
  private call?: AbortController;
  private wanted = false;
  private following = false;
  private lastStartMs = -Infinity;
  private timer?: number;
  /** Calls made, calls not yet settled (an aborted one counts until it settles) and the most at once. */
  calls = 0;
  inFlight = 0;
  maxInFlight = 0;

  /**
   * @param read   one call; it must honour `signal` (a superseded or cancelled call is aborted)
   * @param shown  the value of a call that was neither cancelled nor superseded
   * @param failed the error of such a call
   */
  constructor(
    private readonly read: (signal: AbortSignal) => Promise<T>,
    private readonly shown: (value: T) => void,
    private readonly failed: (error: unknown) => void,
    private readonly minIntervalMs: number,
  ) {}

  /** Reads once more, as soon as the call under way (if any) and the rate limit allow. */
  request(): void {
    this.wanted = true;
    this.pump();
  }

  /** While on, a read follows each read (a run that plays changes with every step). */
  follow(on: boolean): void {
    this.following = on;
    if (on) this.request();
  }

  /** Aborts the call under way and forgets what was asked; nothing is shown until the next request. */
  cancel(): void {
    this.call?.abort();
    this.call = undefined;
    window.clearTimeout(this.timer);
    this.timer = undefined;
    this.wanted = false;
    this.following = false;
  }

  private pump(): void {
    // An aborted call counts until it settles: strictly one request at a time.
    if (!this.wanted || this.inFlight > 0 || this.timer !== undefined) return;
    const wait = this.lastStartMs + this.minIntervalMs - performance.now();
    if (wait > 0) {
      this.timer = window.setTimeout(() => {
        this.timer = undefined;
        this.pump();
      }, wait);
      return;
    }
    this.wanted = false;
    const call = (this.call = new AbortController());
    this.lastStartMs = performance.now();
    this.calls += 1;
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    this.read(call.signal)
      .then(
        (v) => call.signal.aborted || this.shown(v),
        (e) => call.signal.aborted || this.failed(e),
      )
      .finally(() => {
        this.inFlight -= 1;
        if (this.call === call) {
          this.call = undefined;
          if (this.following) this.wanted = true;
        }
        this.pump(); // after a cancel, the request made since (if any)
      });
  }
}
