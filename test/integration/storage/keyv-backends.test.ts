/** What `backend` accepts beside the built-ins: a Keyv 5 instance or a bare store adapter (README "Backends"). */
import axios from 'axios';
import { expect } from 'chai';
import { join } from 'node:path';
import { KeyvSqlite } from '@keyv/sqlite';
import { Keyv, type KeyvStoreAdapter } from 'keyv';
import { setupCache } from '../../../src/index.js';
import { useHarness } from '../../support/harness.js';
import { tempDir } from '../../support/temp.js';

describe('integration: Keyv instances and store adapters as backend', () => {
  const h = useHarness();

  it('a KeyvSqlite adapter passed directly is namespaced by cacheName: caches stay apart, clear() spares the rest', async () => {
    const uri = `sqlite://${join(tempDir(), 'shared.sqlite')}`;
    const a = h.cached({ backend: new KeyvSqlite({ uri }) as unknown as KeyvStoreAdapter, cacheName: 'a' });
    const b = h.cached({ backend: new KeyvSqlite({ uri }) as unknown as KeyvStoreAdapter, cacheName: 'b' });
    const app = new Keyv({ store: new KeyvSqlite({ uri }), namespace: 'app' });
    await app.set('settings', { theme: 'dark' });
    await a.get('/one');
    expect(await a.cache.count()).to.equal(1);
    expect(await b.cache.count(), 'b does not see a').to.equal(0);
    await b.get('/two');
    await b.cache.clear();
    expect(await a.cache.count(), 'clearing b leaves a').to.equal(1);
    expect(await app.get('settings')).to.deep.equal({ theme: 'dark' });
    await app.disconnect();
  });

  it('a Keyv over a Map without namespace: clear() deletes only our records, never the application key', async () => {
    const map = new Map();
    const keyv = new Keyv({ store: map, namespace: undefined as unknown as string });
    await keyv.set('app:settings', '{"theme":"dark"}');
    const http = h.cached({ backend: keyv });
    await http.get('/x');
    expect(await http.cache.count()).to.equal(1);
    await http.cache.clear();
    expect(await http.cache.count()).to.equal(0);
    expect(await keyv.get('app:settings')).to.equal('{"theme":"dark"}');
  });

  it('a Keyv 6 instance is refused at setup, naming Keyv 5 and how to install it', () => {
    class Keyv6Like {
      hooks = {};
      get serialization() {
        return {};
      }
      async get() {}
      async set() {}
      async delete() {}
      async clear() {}
    }
    expect(() => setupCache(axios.create(), { backend: new Keyv6Like() as unknown as Keyv })).to.throw(TypeError, /Keyv 6.*Keyv 5.*npm install keyv@5/);
  });
});
