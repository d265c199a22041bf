/**
 * (g) Memory per cached 2 KB entry: 10,000 (1,000 with BENCH_QUICK) distinct URLs cached through
 * real requests on each backend, retained heap and RSS before and after, after a full collection.
 * For server backends the entries live in the server: the figure is this process's share only, so
 * only redis is measured of them (mongodb and dynamodb fill at a few hundred writes a second here,
 * minutes for a figure that says little).
 */
import { SIZES } from '../lib/config.js';
import { aciClient, oursClient, type Getter } from '../lib/clients.js';
import { repeat } from '../lib/drive.js';
import { collect, retained } from '../lib/memory.js';
import type { Figure, Scenario } from '../lib/scenario.js';

export const memoryPerEntry: Scenario = {
  id: 'g',
  title: `memory per cached 2 KB entry (${SIZES.memoryEntries} entries per backend)`,
  async run({ origin, backends }) {
    const n = SIZES.memoryEntries;
    const figures: Figure[] = [];
    const measure = async (name: string, make: () => Getter, close: (c: Getter) => Promise<void>, remote: boolean): Promise<void> => {
      let client: Getter | undefined = make();
      const url = (i: number) => `${origin.base}/json/mem-${name.replace(/\W+/g, '-')}/${i}`;
      await client.get(url(-1)); // opens the store, loads drivers: not per-entry memory
      // Idle keep-alive sockets hold earlier clients (and their caches) until the origin drops them.
      await origin.dropIdleConnections();
      const before = await retained();
      const t0 = performance.now();
      await repeat(n, 16, (i) => client!.get(url(i)));
      const seconds = (performance.now() - t0) / 1000;
      const after = await retained();
      const heap = (after.heapUsed - before.heapUsed) / n;
      const rss = (after.rss - before.rss) / n;
      const external = (after.external - before.external) / n;
      figures.push({
        name: `${name} per entry`,
        value: heap + external,
        unit: 'bytes',
        detail: `heap ${(heap / 1024).toFixed(2)} KiB + external ${(external / 1024).toFixed(2)} KiB, RSS ${(rss / 1024).toFixed(2)} KiB; filled in ${seconds.toFixed(1)} s${remote ? '; entries live in the server' : ''}`,
      });
      await close(client);
      client = undefined;
      await origin.dropIdleConnections();
      await collect();
    };
    await measure('axios-cache-interceptor', aciClient, async () => undefined, false);
    for (const backend of backends.all.filter((b) => !['mongodb', 'dynamodb'].includes(b.name))) {
      await measure(`ours ${backend.name}`, () => oursClient(backend.options('memory')), (c) => (c as ReturnType<typeof oursClient>).cache.close(), backend.remote);
    }
    const notes = typeof (globalThis as { gc?: unknown }).gc === 'function' ? [] : ['run without --expose-gc: figures include garbage'];
    const unmeasured = backends.all.filter((b) => ['mongodb', 'dynamodb'].includes(b.name)).map((b) => b.name);
    if (unmeasured.length) notes.push(`${unmeasured.join(', ')}: not measured (entries live in the server; filling them takes minutes here)`);
    notes.push('per entry = (heap + external after - before) / entries; RSS also counts freed-but-kept pages and SQLite\'s page cache');
    return { cases: [], figures, notes };
  },
};
