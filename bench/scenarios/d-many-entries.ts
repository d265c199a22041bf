/**
 * (d) A large cache (100,000 entries; 2,000 with BENCH_QUICK) on sqlite and redis: hit latency on
 * random entries against a 100-entry cache, and the bulk operations users run on it: `count()`,
 * `delete({ expired: true })` (one entry in ten is expired) and `resetExpiration(1 day)`.
 *
 * The memory backend runs the same cases as a reference: its lookups cost the same at any size, so
 * its gap between 100 and 100,000 entries is what the per-URL memos (keys, URLs, JSON parses; about
 * 1,000 each) save on a small cache and cannot on a large one read at random.
 *
 * Redis' bulk operations visit every entry with one round trip each (about 1 ms per entry here),
 * so they are timed at 10,000 entries, before the fill goes on to the full size for the hits;
 * at 100,000 they alone would take minutes. The targets for them are SQLite's.
 */
import { SIZES } from '../lib/config.js';
import { fillCache, itemUrl, liveIndex } from '../lib/fill.js';
import { oursClient } from '../lib/clients.js';
import { runRounds, type Case } from '../lib/rounds.js';
import type { Figure, Scenario } from '../lib/scenario.js';
import { stalls } from '../lib/stall.js';
import type { CacheAxiosInstance } from '../../src/index.js';

const EXPIRED_EVERY = 10;
const REDIS_BULK_AT = 10_000;

/** Time taken, and the worst event-loop stall meanwhile (a synchronous driver shows here). */
async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T; stall: string }> {
  stalls.mark();
  const t0 = performance.now();
  const value = await fn();
  return { ms: performance.now() - t0, value, stall: `worst stall ${stalls.windowMs().toFixed(0)} ms` };
}

/** count(), delete({ expired: true }) and resetExpiration(1 day), timed, as figures named "<backend> <op> at <n>". */
async function bulkOperations(name: string, client: CacheAxiosInstance, at: number): Promise<Figure[]> {
  const count = await timed(() => client.cache.count());
  const deleted = await timed(() => client.cache.delete({ expired: true }));
  const reset = await timed(() => client.cache.resetExpiration(86_400));
  return [
    { name: `${name} count() at ${at}`, value: count.ms, unit: 'ms', detail: `${count.value} responses; ${count.stall}` },
    { name: `${name} delete({ expired: true }) at ${at}`, value: deleted.ms, unit: 'ms', detail: `${deleted.value} deleted; ${deleted.stall}` },
    { name: `${name} resetExpiration(1 day) at ${at}`, value: reset.ms, unit: 'ms', detail: `on ${count.value - deleted.value} entries; ${reset.stall}` },
  ];
}

export const manyEntries: Scenario = {
  id: 'd',
  title: `${SIZES.manyEntries} entries vs 100: hit latency and bulk operations`,
  async run({ origin, backends }) {
    const many = SIZES.manyEntries;
    const cases: Case[] = [];
    const figures: Figure[] = [];
    const notes: string[] = [];
    const bulkLater: [string, CacheAxiosInstance][] = [];
    const opened: CacheAxiosInstance[] = [];
    for (const name of ['memory', 'sqlite', 'redis']) {
      const backend = backends.get(name);
      if (!backend) {
        notes.push(`${name}: skipped: ${name === 'redis' ? 'redis-server not installed' : 'not available'}`);
        continue;
      }
      const small = oursClient(backend.options('d-100'));
      const large = oursClient(backend.options(`d-${many}`));
      opened.push(small, large);
      const prefix = `${name}-large`;
      await fillCache(small, origin.base, `${name}-small`, 100);
      stalls.mark();
      const fillStart = performance.now();
      if (name === 'redis' && many > REDIS_BULK_AT) {
        await fillCache(large, origin.base, prefix, REDIS_BULK_AT, EXPIRED_EVERY);
        figures.push(...(await bulkOperations(name, large, REDIS_BULK_AT)));
        await fillCache(large, origin.base, prefix, many, EXPIRED_EVERY, REDIS_BULK_AT);
      } else {
        await fillCache(large, origin.base, prefix, many, EXPIRED_EVERY);
        bulkLater.push([name, large]); // after the hits, so they run on the full cache
      }
      figures.push({ name: `${name} fill to ${many} entries (cache.storage.save, 64 in flight)`, value: performance.now() - fillStart, unit: 'ms', detail: `worst stall ${stalls.windowMs().toFixed(0)} ms` });
      for (const [label, client, count, every, p] of [
        ['100', small, 100, 0, `${name}-small`],
        [String(many), large, many, EXPIRED_EVERY, prefix],
      ] as const) {
        const url = () => itemUrl(origin.base, p, liveIndex(count, every));
        cases.push({
          name: `${name} ${label} entries`,
          run: () => client.get(url()),
          check: async () => ((await client.get(url())).fromCache ? undefined : 'a filled entry was not a hit'),
        });
      }
    }
    const results = await runRounds(cases, cases[0]?.name ?? '', ['seq']);
    for (const [name, client] of bulkLater) figures.push(...(await bulkOperations(name, client, many)));
    for (const client of opened) await client.cache.close();
    notes.push('hits pick a random unexpired entry each time; ratio column: throughput over the first case');
    if (many > REDIS_BULK_AT) notes.push(`redis bulk operations timed at ${REDIS_BULK_AT} entries (one round trip per entry: minutes at ${many})`);
    return { baseline: cases[0]?.name, cases: results, figures, notes };
  },
};
