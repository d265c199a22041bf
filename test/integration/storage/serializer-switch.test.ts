/**
 * Switching serializers on a cache that already holds entries (README "Serializers"): the key no
 * longer names the serializer, the stored value does, so an entry written by another serializer is
 * a miss that the next response overwrites in place; nothing is orphaned or counted twice.
 */
import { expect } from 'chai';
import { join } from 'node:path';
import { useHarness } from '../../support/harness.js';
import { tempDir } from '../../support/temp.js';

describe('integration: switching serializers', () => {
  const h = useHarness();

  it('an entry of another serializer is a miss, overwritten in place: one entry, not two', async () => {
    const cacheName = join(tempDir(), 'switch');
    const first = h.cached({ backend: 'sqlite', cacheName, serializer: 'json' });
    const written = await first.get('/s');
    await first.cache.close();
    for (const serializer of ['binary', 'yaml', 'bson', 'json'] as const) {
      const http = h.cached({ backend: 'sqlite', cacheName, serializer });
      const miss = await http.get('/s');
      expect(miss.fromCache, `${serializer} reads another serializer's entry as a miss`).to.equal(false);
      expect(miss.cacheKey, 'the same key').to.equal(written.cacheKey);
      expect((await http.get('/s')).fromCache, `${serializer} wrote over it`).to.equal(true);
      expect(await http.cache.count(), 'one entry, not one per serializer').to.equal(1);
      await http.cache.close();
    }
  });

  it("changing a backend's default serializer does not orphan an existing cache", async () => {
    const cacheName = join(tempDir(), 'default');
    const old = h.cached({ backend: 'sqlite', cacheName, serializer: 'json' });
    await old.get('/d');
    await old.cache.close();
    const now = h.cached({ backend: 'sqlite', cacheName }); // the default (binary)
    await now.get('/d');
    expect((await now.get('/d')).fromCache).to.equal(true);
    expect(await now.cache.count()).to.equal(1);
    expect(await now.cache.urls()).to.deep.equal([h.origin.url('/d')]);
  });
});
