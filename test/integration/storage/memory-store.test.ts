/** The memory backend against the record-store contract and the backend conformance suite, plus its LRU bound. */
import { expect } from 'chai';
import { MemoryStore } from '../../../src/storage/memory-store.js';
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
});
