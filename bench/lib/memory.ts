/**
 * Memory readings. Retained memory needs a full collection first (node --expose-gc; without it
 * the figures include garbage). Peak RSS comes from Linux's VmHWM, which writing 5 to
 * /proc/self/clear_refs resets, so each measurement gets its own peak; elsewhere a 5 ms sampler
 * stands in (it misses spikes inside long synchronous work).
 */
import { readFileSync, writeFileSync } from 'node:fs';

export interface MemorySnapshot {
  heapUsed: number;
  rss: number;
  /** Buffers and other memory outside the JS heap. */
  external: number;
}

const gc = (globalThis as { gc?: () => void }).gc;

export async function collect(): Promise<void> {
  if (!gc) return;
  // Twice, with a turn between: finalizers and weak callbacks free more on the second pass.
  for (let i = 0; i < 2; i += 1) {
    gc();
    await new Promise((resolve) => setImmediate(resolve));
  }
}

export async function retained(): Promise<MemorySnapshot> {
  await collect();
  const m = process.memoryUsage();
  return { heapUsed: m.heapUsed, rss: m.rss, external: m.external };
}

function statusField(name: string): number | undefined {
  try {
    const line = readFileSync('/proc/self/status', 'utf8').split('\n').find((l) => l.startsWith(`${name}:`));
    return line ? Number(line.split(/\s+/)[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Tracks the peak RSS from now until `stop()`. */
export function peakRss(): { stop(): number; method: string } {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    if (statusField('VmHWM') !== undefined) return { stop: () => statusField('VmHWM')!, method: 'VmHWM' };
  } catch {
    // not Linux, or not allowed: sample instead
  }
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 5);
  return {
    method: '5 ms sampling',
    stop: () => {
      clearInterval(timer);
      return Math.max(peak, process.memoryUsage.rss());
    },
  };
}
