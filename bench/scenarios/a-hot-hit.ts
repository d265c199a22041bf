/** (a) A hot hit of a 2 KB JSON response on every backend, beside the floor and axios-cache-interceptor. */
import type { CacheAxiosInstance } from '../../src/index.js';
import { ACI_NOTE, aciClient, floorClient, oursClient } from '../lib/clients.js';
import { JSON_BODY } from '../lib/origin.js';
import { runRounds, type Case } from '../lib/rounds.js';
import type { Scenario } from '../lib/scenario.js';

export const FLOOR = 'floor (noop adapter)';
export const ACI = 'axios-cache-interceptor';

export const hotHit: Scenario = {
  id: 'a',
  title: 'hot hit, 2 KB JSON, bearer token',
  async run({ origin, backends }) {
    const url = `${origin.base}/json/users?page=1`;
    const floor = floorClient(JSON_BODY, 'application/json');
    const aci = aciClient();
    const ours: CacheAxiosInstance[] = [];
    const cases: Case[] = [
      { name: FLOOR, run: () => floor.get(url) },
      { name: ACI, run: () => aci.get(url), check: async () => ((await aci.get(url)).cached ? undefined : 'not served from its cache') },
    ];
    for (const backend of backends.all) {
      const client = oursClient(backend.options('hot-hit'));
      ours.push(client);
      cases.push({ name: `ours ${backend.name}`, run: () => client.get(url), check: () => isHit(client, url) });
    }
    const results = await runRounds(cases, FLOOR);
    for (const client of ours) await client.cache.close();
    return { baseline: FLOOR, cases: results, figures: [], notes: [ACI_NOTE, ...backends.skipped] };
  },
};

/** undefined when the next request to `url` is a cache hit, else why not. */
export async function isHit(client: CacheAxiosInstance, url: string, config = {}): Promise<string | undefined> {
  const response = await client.get(url, config);
  return response.fromCache ? undefined : 'not a cache hit after warm-up (storage failing or too slow?)';
}
