/**
 * Alternating rounds: every case runs once per round, in an order rotated each round, and the
 * median round is reported. A neighbour's burst on the shared CPU then costs every case alike
 * instead of skewing one of them.
 */
import { SIZES } from './config.js';
import { drive, median, percentile } from './drive.js';

export interface Case {
  readonly name: string;
  /** One request; `i` is unique per call within a drive (for cases that need unique URLs). */
  run(i: number): Promise<unknown>;
  /** After the warm-up: undefined when the case does what it says (e.g. it really hits), else why not. */
  check?(): Promise<string | undefined>;
}

export type Mode = 'seq' | 'c16';
export const MODES: Record<Mode, number> = { seq: 1, c16: 16 };

export interface CaseResult {
  case: string;
  mode: Mode;
  opsPerSec: number;
  p50Us: number;
  p99Us: number;
  /** Throughput over the scenario's baseline case (the floor, or plain axios). */
  ratio: number;
  stallMs: number;
  requests: number;
  /** Set when the case could not run as intended (then no figures). */
  error?: string;
}

export async function runRounds(cases: Case[], baseline: string, modes: Mode[] = ['seq', 'c16'], sizes = SIZES): Promise<CaseResult[]> {
  const usable: Case[] = [];
  const results: CaseResult[] = [];
  for (const c of cases) {
    try {
      await drive(c.run, 4, sizes.warmupMs);
      const problem = c.check ? await c.check() : undefined;
      if (problem === undefined) usable.push(c);
      else for (const mode of modes) results.push(failed(c.name, mode, problem));
    } catch (error) {
      for (const mode of modes) results.push(failed(c.name, mode, (error as Error).message));
    }
  }
  for (const mode of modes) {
    const per = new Map(usable.map((c) => [c.name, { ops: [] as number[], latencies: [] as number[], stallMs: 0, requests: 0 }]));
    for (let round = 0; round < sizes.rounds; round += 1) {
      for (let k = 0; k < usable.length; k += 1) {
        const c = usable[(k + round) % usable.length];
        const d = await drive(c.run, MODES[mode], sizes.roundMs);
        const acc = per.get(c.name)!;
        acc.ops.push(d.requests / d.seconds);
        for (const l of d.latencies) acc.latencies.push(l);
        acc.stallMs = Math.max(acc.stallMs, d.stallMs);
        acc.requests += d.requests;
      }
    }
    const base = per.get(baseline) ? median(per.get(baseline)!.ops) : NaN;
    for (const c of usable) {
      const acc = per.get(c.name)!;
      const sorted = acc.latencies.sort((a, b) => a - b);
      const ops = median(acc.ops);
      results.push({ case: c.name, mode, opsPerSec: ops, p50Us: percentile(sorted, 50), p99Us: percentile(sorted, 99), ratio: ops / base, stallMs: acc.stallMs, requests: acc.requests });
    }
  }
  const order = (r: CaseResult): number => modes.indexOf(r.mode) * 1000 + cases.findIndex((c) => c.name === r.case);
  return results.sort((a, b) => order(a) - order(b));
}

function failed(name: string, mode: Mode, error: string): CaseResult {
  return { case: name, mode, opsPerSec: NaN, p50Us: NaN, p99Us: NaN, ratio: NaN, stallMs: NaN, requests: 0, error };
}
