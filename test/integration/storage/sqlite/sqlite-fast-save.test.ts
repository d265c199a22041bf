/**
 * `fastSave` (requests-cache's `fast_save`): SQLite's `PRAGMA synchronous = OFF` instead of the
 * default NORMAL, on every driver, and refused where it means nothing.
 */
import { expect } from 'chai';
import { join } from 'node:path';
import axios from 'axios';
import { setupCache, type CacheAxiosInstance } from '../../../../src/index.js';
import type { SqliteStore } from '../../../../src/storage/sqlite/sqlite-store.js';
import { useHarness } from '../../../support/harness.js';
import { tempDir } from '../../../support/temp.js';

const synchronous = async (http: CacheAxiosInstance): Promise<unknown> => (await (http.cache.storage.store as SqliteStore).query('PRAGMA synchronous'))[0]?.synchronous;

describe('integration: SQLite fastSave', () => {
  const h = useHarness();

  it('fastSave: true runs the connection with synchronous = OFF (0); the default is NORMAL (1); entries still round-trip', async () => {
    const fast = h.cached({ backend: 'sqlite', cacheName: join(tempDir(), 'fast'), fastSave: true });
    const normal = h.cached({ backend: 'sqlite', cacheName: join(tempDir(), 'normal') });
    for (const http of [fast, normal]) {
      await http.get('/a');
      expect((await http.get('/a')).fromCache).to.equal(true);
    }
    expect(await synchronous(fast)).to.equal(0);
    expect(await synchronous(normal)).to.equal(1);
  });

  it('refuses a value that is not a boolean, and fastSave on another backend, naming the option', () => {
    expect(() => setupCache(axios.create(), { backend: 'sqlite', cacheName: join(tempDir(), 'x'), fastSave: 'yes' as never })).to.throw(TypeError, /Invalid fastSave: 'yes'/);
    expect(() => setupCache(axios.create(), { backend: 'memory', fastSave: true })).to.throw(TypeError, /Invalid fastSave: true \(only the 'sqlite' backend/);
  });
});
