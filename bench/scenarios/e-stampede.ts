/**
 * (e) 100 identical requests at once on a cold cache, against an origin that takes 50 ms: how many
 * reach the origin (one is the target: the others wait for the first and share its response).
 */
import { SIZES } from '../lib/config.js';
import { aciClient, oursClient, type Getter } from '../lib/clients.js';
import { JSON_BODY } from '../lib/origin.js';
import type { Figure, Scenario } from '../lib/scenario.js';

export const stampede: Scenario = {
  id: 'e',
  title: `${SIZES.stampede} concurrent identical requests, cold cache, 50 ms origin`,
  async run({ origin, backends }) {
    const figures: Figure[] = [];
    const expected = JSON.parse(JSON_BODY);
    const burst = async (name: string, client: Getter): Promise<void> => {
      const path = `/slow/stampede-${name.replace(/\W+/g, '-')}`;
      const t0 = performance.now();
      const responses = await Promise.all(Array.from({ length: SIZES.stampede }, () => client.get(origin.base + path)));
      const ms = performance.now() - t0;
      const wrong = responses.filter((r) => JSON.stringify(r.data) !== JSON.stringify(expected)).length;
      figures.push({ name: `${name} origin hits`, value: origin.hits(path), unit: '', detail: `all ${SIZES.stampede} answered in ${ms.toFixed(0)} ms${wrong ? `; ${wrong} WRONG bodies` : ''}` });
    };
    await burst('axios-cache-interceptor', aciClient());
    for (const backend of backends.all) {
      const client = oursClient(backend.options('stampede'));
      await burst(`ours ${backend.name}`, client);
      await client.cache.close();
    }
    return { cases: [], figures, notes: [] };
  },
};
