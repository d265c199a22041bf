/**
 * (f) A 304 revalidation round trip (per-request `refresh: true` on an entry with an ETag: a
 * conditional request, 304, the stored body served) against a full refetch through the cache
 * (`forceRefresh: true`: 200, body parsed and written again) and plain axios.
 */
import type { CacheAxiosInstance } from '../../src/index.js';
import { oursClient, plainClient } from '../lib/clients.js';
import { runRounds, type Case } from '../lib/rounds.js';
import type { Scenario } from '../lib/scenario.js';
import { PLAIN } from './b-miss.js';

export const revalidation: Scenario = {
  id: 'f',
  title: '304 revalidation round trip vs full refetch (2 KB JSON with ETag)',
  async run({ origin, backends }) {
    const url = `${origin.base}/etag/doc`;
    const plain = plainClient();
    const cases: Case[] = [{ name: PLAIN, run: () => plain.get(url) }];
    const ours: CacheAxiosInstance[] = [];
    for (const name of ['memory', 'sqlite']) {
      const backend = backends.get(name);
      if (!backend) continue;
      const client = oursClient(backend.options('revalidation'));
      ours.push(client);
      const refresh = { cache: { refresh: true } };
      const force = { cache: { forceRefresh: true } };
      cases.push({
        name: `ours ${name} 304 revalidation`,
        run: () => client.get(url, refresh),
        check: async () => {
          const before = origin.notModified;
          const r = await client.get(url, refresh);
          return r.revalidated && r.fromCache && origin.notModified === before + 1 ? undefined : 'the request was not answered by a 304 revalidation';
        },
      });
      cases.push({
        name: `ours ${name} full refetch`,
        run: () => client.get(url, force),
        check: async () => ((await client.get(url, force)).fromCache ? 'a forced refresh was served from the cache' : undefined),
      });
    }
    const before = origin.notModified;
    const results = await runRounds(cases, PLAIN);
    for (const client of ours) await client.cache.close();
    return { baseline: PLAIN, cases: results, figures: [{ name: '304 answers sent by the origin', value: origin.notModified - before, unit: '' }], notes: [] };
  },
};
