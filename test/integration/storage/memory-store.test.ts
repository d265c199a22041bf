/**
 * The memory backend against the record-store contract and the backend conformance suite, plus its
 * LRU bound, and long listings (count, delete, resetExpiration) that let the event loop run.
 */
import { expect } from 'chai';
import type { CachedEntry } from '../../../src/index.js';
import { YIELD_EVERY } from '../../../src/storage/cache-storage.js';
import { MemoryStore } from '../../../src/storage/memory-store.js';
import { useHarness } from '../../support/harness.js';
import { backendConformance } from '../../support/backend-conformance.js';
import { storeConformance } from '../../support/store-conformance.js';
import { serializerRoundTrips } from '../../support/serializer-round-trips.js';

describe('integration: memory backend', () => {
  // One process-wide store per name, as a second instance of a memory cache would not share it.
  const stores = new Map<string, MemoryStore>();
  storeConformance((name) => {
    let store = stores.get(name);
    if (!store) {
      store = new MemoryStore({ maxEntries: undefined, maxBytes: undefined }, () => 0);
      stores.set(name, store);
    }
    return store;
  });

  backendConformance(() => ({ backend: 'memory' }), { persistent: false });
  // The memory backend keeps live objects: the option is checked, then unused; the round trips still hold.
  serializerRoundTrips((serializer) => ({ backend: 'memory', serializer }));

  describe('bounded size', () => {
    it('maxEntries keeps the most recently used entries: a read refreshes recency', async () => {
      const store = new MemoryStore<string>({ maxEntries: 3, maxBytes: undefined }, () => 1);
      for (const key of ['a', 'b', 'c']) store.put('responses', key, key);
      expect(store.peek('responses', 'a')).to.equal('a'); // a is now the most recent
      store.put('responses', 'd', 'd');
      store.put('responses', 'e', 'e');
      const keys: string[] = [];
      for await (const key of store.keys('responses')) keys.push(key);
      expect(keys.sort()).to.deep.equal(['a', 'd', 'e']);
    });

    it('maxBytes evicts by size, oldest first, and accounts for overwrites', async () => {
      const store = new MemoryStore<string>({ maxEntries: undefined, maxBytes: 10 }, (v) => v.length);
      store.put('responses', 'a', 'xxxx');
      store.put('responses', 'b', 'xxxx');
      store.put('responses', 'a', 'xx'); // a: 2 bytes now, and most recent
      store.put('responses', 'c', 'xxxx'); // 4 + 2 + 4 = 10: fits
      expect(await store.count('responses')).to.equal(3);
      store.put('responses', 'd', 'x'); // 11: b (least recent) goes
      expect(store.peek('responses', 'b')).to.equal(undefined);
      expect(await store.count('responses')).to.equal(3);
    });
  });

  describe('many entries', () => {
    const h = useHarness();

    it('count(), delete({ expired }) and resetExpiration() over thousands of entries let the event loop run', async () => {
      const http = h.cached({ backend: 'memory' });
      await http.get('/item/0');
      const template = (await http.cache.storage.get(http.cache.createKey({ url: '/item/0' })))!.entry as CachedEntry;
      const total = YIELD_EVERY * 3;
      for (let i = 1; i < total; i += 1) {
        const url = template.url.replace('/item/0', `/item/${i}`);
        await http.cache.storage.save(http.cache.createKey({ url: `/item/${i}` }), { ...template, url, request: { ...template.request, url } });
      }
      // A store that answers at once settles every read in microtasks: an immediate queued before the
      // call runs before it returns only if the listing gave the loop a turn.
      const turns = async (fn: () => Promise<unknown>): Promise<boolean> => {
        let ran = false;
        setImmediate(() => (ran = true));
        await fn();
        return ran;
      };
      expect(await turns(async () => expect(await http.cache.count()).to.equal(total))).to.equal(true);
      expect(await turns(() => http.cache.resetExpiration(60))).to.equal(true);
      expect(await turns(() => http.cache.delete({ expired: true }))).to.equal(true);
      expect(await http.cache.count()).to.equal(total);
    });
  });
});

