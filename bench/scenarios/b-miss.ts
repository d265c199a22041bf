/**
 * (b) Miss overhead: every request goes to a URL never seen before, so the cache looks up, misses,
 * fetches and writes the entry each time (the whole write path), against plain axios fetching the
 * same kind of URL. `expireAfter: 0` was not used: an entry that expires at once is never written.
 */
import type { CacheAxiosInstance } from '../../src/index.js';
import { oursClient, plainClient } from '../lib/clients.js';
import { runRounds, type Case } from '../lib/rounds.js';
import type { Scenario } from '../lib/scenario.js';

export const PLAIN = 'plain axios (origin)';

export const missOverhead: Scenario = {
  id: 'b',
  title: 'miss overhead: unique URL per request (lookup + fetch + write) vs plain axios',
  async run({ origin, backends }) {
    const plain = plainClient();
    // Unique URLs across every case and round: a counter shared by all, never reset.
    let n = 0;
    const next = (prefix: string): string => `${origin.base}/json/${prefix}/${(n += 1)}?page=1`;
    const cases: Case[] = [{ name: PLAIN, run: () => plain.get(next('plain')) }];
    const ours: CacheAxiosInstance[] = [];
    // `sqlite fastSave`: the same with synchronous = OFF (requests-cache's fast_save), no fsync at checkpoints.
    for (const name of ['memory', 'sqlite', 'sqlite fastSave']) {
      const backend = backends.get(name.split(' ')[0]!);
      if (!backend) continue;
      const client = oursClient({ ...backend.options(name === 'sqlite fastSave' ? 'miss-fast' : 'miss'), ...(name === 'sqlite fastSave' ? { fastSave: true } : {}) });
      ours.push(client);
      cases.push({
        name: `ours ${name} miss`,
        run: () => client.get(next(name)),
        check: async () => {
          const url = next(name);
          const first = await client.get(url);
          const second = await client.get(url);
          return !first.fromCache && second.fromCache ? undefined : 'a miss was not written (the next request did not hit)';
        },
      });
    }
    const results = await runRounds(cases, PLAIN);
    const written = await Promise.all(ours.map((c) => c.cache.count()));
    for (const client of ours) await client.cache.close();
    return {
      baseline: PLAIN,
      cases: results,
      figures: [],
      notes: [`entries written by the miss cases: ${written.join(', ')} (memory, sqlite, sqlite fastSave)`, 'overhead = 1 / ratio - 1 (time per request over plain axios)'],
    };
  },
};
