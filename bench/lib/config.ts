/**
 * The bench's knobs, read once from the environment:
 *   BENCH_QUICK=1     a smoke run (every scenario, tiny sizes; under a minute)
 *   BENCH_ONLY=a,c    run only these scenarios (letters a-h)
 * Sizes are chosen so a full run stays under ~8 minutes on the 2-core machine.
 */
export const QUICK = process.env.BENCH_QUICK === '1';

const ALL = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'] as const;
export type ScenarioId = (typeof ALL)[number];

export const ONLY: ScenarioId[] = (() => {
  const raw = process.env.BENCH_ONLY?.trim();
  if (!raw) return [...ALL];
  const picked = raw.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
  const unknown = picked.filter((s) => !(ALL as readonly string[]).includes(s));
  if (unknown.length) throw new Error(`BENCH_ONLY: unknown scenario(s) ${unknown.join(', ')} (expected letters a-h)`);
  return ALL.filter((id) => picked.includes(id));
})();

export const SIZES = QUICK
  ? { rounds: 2, roundMs: 40, warmupMs: 30, manyEntries: 2_000, memoryEntries: 500, bigBodyMiB: 10, stampede: 100 }
  : { rounds: 7, roundMs: 200, warmupMs: 150, manyEntries: 100_000, memoryEntries: 10_000, bigBodyMiB: 100, stampede: 100 };

/** The credential every request carries, so our path includes hashing, redaction and the per-caller copy. */
export const BEARER = 'Bearer bench-2f8a1c9e4b7d6a3f0e5c8b1a9d7f3e2c';
