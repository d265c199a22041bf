/**
 * Load generation: run one request function for a fixed time with N requests in flight, timing
 * every request. Time-bounded rounds give every case the same share of a noisy machine.
 */
import { stalls } from './stall.js';

export interface Drive {
  requests: number;
  seconds: number;
  /** Per-request latency, microseconds. */
  latencies: number[];
  /** Worst event-loop stall while this ran, ms. */
  stallMs: number;
}

/**
 * A cache hit can resolve entirely in microtasks, so a loop of awaited hits would never let timers
 * (or other requests' I/O) run, and the stall probe would see one stall as long as the run. Like a
 * real server, we hand the loop a turn about every millisecond; all workers wait on the same turn.
 */
class LoopTurns {
  private last = performance.now();
  private turn: Promise<void> | undefined;

  next(): Promise<void> | undefined {
    if (this.turn) return this.turn;
    if (performance.now() - this.last < 1) return undefined;
    this.turn = new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
      this.turn = undefined;
      this.last = performance.now();
    });
    return this.turn;
  }
}

export async function drive(run: (i: number) => Promise<unknown>, concurrency: number, durationMs: number): Promise<Drive> {
  const latencies: number[] = [];
  const turns = new LoopTurns();
  let issued = 0;
  stalls.mark();
  const started = performance.now();
  const deadline = started + durationMs;
  const worker = async (): Promise<void> => {
    while (performance.now() < deadline) {
      const i = issued++;
      const t0 = performance.now();
      await run(i);
      latencies.push((performance.now() - t0) * 1000);
      const turn = turns.next();
      if (turn) await turn;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - started) / 1000;
  return { requests: latencies.length, seconds, latencies, stallMs: stalls.windowMs() };
}

/**
 * Runs `run` `count` times with `concurrency` in flight (fills). It yields like drive() does: with
 * a synchronous store a fill would otherwise hold the loop for its whole length.
 */
export async function repeat(count: number, concurrency: number, run: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  const turns = new LoopTurns();
  const worker = async (): Promise<void> => {
    while (next < count) {
      await run(next++);
      const turn = turns.next();
      if (turn) await turn;
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))];
}

export const median = (values: number[]): number => percentile([...values].sort((a, b) => a - b), 50);
