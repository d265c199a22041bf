/**
 * Moves `Date.now()` (which the cache reads for every expiry decision) without sleeping. Timers are
 * untouched, so sockets and servers behave normally.
 */
const realNow = Date.now;

export interface Clock {
  /** Moves time forward by `seconds`. */
  advance(seconds: number): void;
  restore(): void;
}

export function controlClock(start = realNow()): Clock {
  let offset = start - realNow();
  Date.now = () => realNow() + offset;
  return {
    advance(seconds) {
      offset += seconds * 1000;
    },
    restore() {
      Date.now = realNow;
    },
  };
}
