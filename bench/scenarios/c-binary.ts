/** (c) A hot hit of a 1 MiB binary body (responseType arraybuffer) on every backend. */
import type { CacheAxiosInstance } from '../../src/index.js';
import { ACI_NOTE, aciClient, floorClient, oursClient } from '../lib/clients.js';
import { BINARY_BODY } from '../lib/origin.js';
import { runRounds, type Case } from '../lib/rounds.js';
import type { Scenario } from '../lib/scenario.js';
import { ACI, FLOOR, isHit } from './a-hot-hit.js';

const BIN = { responseType: 'arraybuffer' as const };

export const binaryHit: Scenario = {
  id: 'c',
  title: 'hot hit, 1 MiB binary body',
  async run({ origin, backends }) {
    const url = `${origin.base}/bin/blob`;
    const floor = floorClient(BINARY_BODY, 'application/octet-stream');
    const aci = aciClient();
    const cases: Case[] = [
      { name: FLOOR, run: () => floor.get(url, BIN) },
      { name: ACI, run: () => aci.get(url, BIN), check: async () => ((await aci.get(url, BIN)).cached ? undefined : 'not served from its cache') },
    ];
    const ours: CacheAxiosInstance[] = [];
    // A DynamoDB item holds at most 400 KB: a 1 MiB body is not cached there (by design, reported).
    for (const backend of backends.all.filter((b) => b.name !== 'dynamodb')) {
      const client = oursClient(backend.options('binary'));
      ours.push(client);
      cases.push({
        name: `ours ${backend.name}`,
        run: () => client.get(url, BIN),
        check: async () => {
          const problem = await isHit(client, url, BIN);
          if (problem) return problem;
          const data = (await client.get(url, BIN)).data as ArrayBuffer | Buffer;
          return Buffer.from(data as ArrayBuffer).equals(BINARY_BODY) ? undefined : 'the cached body differs from the origin body';
        },
      });
    }
    const results = await runRounds(cases, FLOOR);
    for (const client of ours) await client.cache.close();
    return { baseline: FLOOR, cases: results, figures: [], notes: [ACI_NOTE, ...(backends.get('dynamodb') ? ['dynamodb: skipped: 1 MiB is over its 400 KB item limit'] : [])] };
  },
};
