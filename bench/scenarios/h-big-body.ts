/**
 * (h) Peak RSS while caching and then serving one 100 MiB body (10 MiB with BENCH_QUICK): a miss
 * that downloads and writes it, then a hit that reads it back, against plain axios downloading it
 * once. The target is a peak within 3x the body over the RSS before the requests.
 */
import { SIZES } from '../lib/config.js';
import { oursClient, plainClient, type Getter } from '../lib/clients.js';
import { collect, peakRss } from '../lib/memory.js';
import type { Figure, Scenario } from '../lib/scenario.js';
import { stalls } from '../lib/stall.js';

const MIB = 1024 * 1024;
/** Backends that can hold a 100 MiB value (MongoDB documents stop at 16 MB, DynamoDB items at 400 KB). */
const BIG_VALUE_BACKENDS = ['memory', 'sqlite', 'filesystem', 'redis'];

export const bigBody: Scenario = {
  id: 'h',
  title: `peak RSS while caching and serving a ${SIZES.bigBodyMiB} MiB body`,
  async run({ origin, backends }) {
    const size = SIZES.bigBodyMiB * MIB;
    const url = `${origin.base}/huge/${SIZES.bigBodyMiB}`;
    const figures: Figure[] = [];
    let method = '';
    const measure = async (name: string, client: Getter, requests: number): Promise<void> => {
      await origin.dropIdleConnections(); // idle sockets would keep earlier clients' bodies alive
      await collect();
      const base = process.memoryUsage.rss();
      const peak = peakRss();
      method = peak.method;
      stalls.mark();
      const t0 = performance.now();
      const served: string[] = [];
      for (let i = 0; i < requests; i += 1) {
        const r = await client.get(url, { responseType: 'arraybuffer' });
        if ((r.data as ArrayBuffer).byteLength !== size) throw new Error(`${name}: body of ${(r.data as ArrayBuffer).byteLength} bytes, expected ${size}`);
        served.push(r.fromCache ? 'hit' : 'miss');
      }
      const seconds = (performance.now() - t0) / 1000;
      const grew = peak.stop() - base;
      figures.push({ name: `${name} peak RSS / body`, value: grew / size, unit: 'ratio', detail: `+${(grew / MIB).toFixed(0)} MiB; ${served.join(', ')}; ${seconds.toFixed(1)} s; worst stall ${stalls.windowMs().toFixed(0)} ms` });
    };
    await measure('plain axios (no cache)', plainClient(), 1);
    for (const name of BIG_VALUE_BACKENDS) {
      const backend = backends.get(name);
      if (!backend) continue;
      const client = oursClient(backend.options('big-body'));
      try {
        await measure(`ours ${name}`, client, 2);
      } finally {
        await client.cache.close();
      }
    }
    return { cases: [], figures, notes: [`peak from ${method}, over the RSS after a full collection just before; the second request of ours should be a hit`] };
  },
};
