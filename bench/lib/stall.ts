/**
 * Worst event-loop stall: a 2 ms interval probe that records how late each tick fires. A
 * synchronous driver that blocks on a large row or a locked file shows up here; the load driver
 * gives the loop a turn at least every millisecond (src: drive.ts), so the bench itself adds ~1 ms.
 */
const PERIOD_MS = 2;

export class StallProbe {
  private timer: NodeJS.Timeout | undefined;
  private last = 0;
  /** Worst lateness since start(), ms. */
  worstMs = 0;
  /** Worst lateness since the last mark(), ms (per case). */
  private sinceMark = 0;

  start(): void {
    this.stop();
    this.worstMs = 0;
    this.sinceMark = 0;
    this.last = performance.now();
    this.timer = setInterval(() => {
      const now = performance.now();
      const late = Math.max(0, now - this.last - PERIOD_MS);
      this.last = now;
      if (late > this.worstMs) this.worstMs = late;
      if (late > this.sinceMark) this.sinceMark = late;
    }, PERIOD_MS);
    this.timer.unref();
  }

  /** Starts a per-case window. */
  mark(): void {
    this.last = performance.now();
    this.sinceMark = 0;
  }

  /** The worst stall since mark(), including a stall still in progress. */
  windowMs(): number {
    return Math.max(this.sinceMark, performance.now() - this.last - PERIOD_MS, 0);
  }

  stop(): number {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    return this.worstMs;
  }
}

/** One probe for the whole run; scenarios start it and read it. */
export const stalls = new StallProbe();
