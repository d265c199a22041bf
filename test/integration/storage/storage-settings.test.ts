/**
 * The storage options of setupCache (README "Options"): validation at the point of the mistake,
 * `storageTimeout` on every call including inspection, `ttlOffset` as the store-level TTL, and
 * `throwOnStorageError` for users who want failures to reach the request.
 */
import axios from 'axios';
import { expect } from 'chai';
import type { KeyvStoreAdapter } from 'keyv';
import { setupCache } from '../../../src/index.js';
import { rejection, useHarness } from '../../support/harness.js';

/** A Keyv adapter over a Map whose calls can be made to hang or fail, recording each TTL it is given. */
function controllableStore() {
  const map = new Map<string, unknown>();
  const ttls = new Map<string, number | undefined>();
  const state = { fault: undefined as 'hang' | 'throw' | undefined };
  const act = <T>(run: () => T): Promise<T> =>
    state.fault === 'hang' ? new Promise<T>(() => undefined) : state.fault === 'throw' ? Promise.reject(new Error('backend down')) : Promise.resolve(run());
  const store = {
    opts: { dialect: 'sqlite', url: 'controllable://' },
    namespace: undefined as string | undefined,
    on: () => store,
    get: (key: string) => act(() => map.get(key)),
    set: (key: string, value: unknown, ttl?: number) => act(() => (ttls.set(key, ttl), map.set(key, value), true)),
    delete: (key: string) => act(() => map.delete(key)),
    clear: () => act(() => map.clear()),
    has: (key: string) => act(() => map.has(key)),
    async *iterator(namespace?: string) {
      if (state.fault === 'hang') await new Promise(() => undefined);
      for (const [key, value] of map) if (!namespace || key.startsWith(`${namespace}:`)) yield [key, value];
    },
  };
  return { store: store as unknown as KeyvStoreAdapter, state, ttls };
}

describe('integration: storage settings', () => {
  const h = useHarness();

  it('refuses bad values at setup, naming the option and the value', () => {
    const bad: [Record<string, unknown>, RegExp][] = [
      [{ storageTimeout: 0 }, /storageTimeout: 0/],
      [{ storageTimeout: '2s' }, /storageTimeout: '2s'/],
      [{ ttlOffset: 'soon' }, /ttlOffset.*soon/],
      [{ ttlOffset: -1 }, /ttlOffset: -1/],
      [{ maxEntries: 0 }, /maxEntries: 0/],
      [{ maxBytes: 1.5 }, /maxBytes: 1\.5/],
      [{ maxEntrySize: '1MB' }, /maxEntrySize: '1MB'/],
      [{ throwOnStorageError: 'yes' }, /throwOnStorageError: 'yes'/],
      [{ sqliteDriver: 'better' }, /sqliteDriver: 'better'/],
      [{ backend: 'memory', sqliteDriver: 'sqlite3' }, /sqliteDriver.*only the 'sqlite' backend/],
      [{ backend: 'cassandra' }, /backend: 'cassandra'.*'sqlite'.*'memory'.*'filesystem'.*'mongodb'/],
    ];
    for (const [options, message] of bad) {
      expect(() => setupCache(axios.create(), { backend: 'memory', ...options } as never), JSON.stringify(options)).to.throw(message);
    }
  });

  it('hands the store a TTL of the expiry plus ttlOffset, and none for never-expiring entries', async () => {
    const { store, ttls } = controllableStore();
    const http = h.cached({ backend: store, ttlOffset: '10m' });
    await http.get('/expiring', { cache: { expireAfter: 60 } });
    await http.get('/forever');
    const entryTtls = [...ttls].filter(([key]) => key.includes(':r:'));
    expect(entryTtls).to.have.length(2);
    const [expiring, forever] = [http.cache.createKey({ url: '/expiring' }), http.cache.createKey({ url: '/forever' })].map((key) => entryTtls.find(([k]) => k.endsWith(key))![1]);
    expect(expiring).to.be.within(660_000 - 1000, 660_000);
    expect(forever).to.equal(undefined);
  });

  it('storageTimeout bounds every read and inspection call on a hung store', async () => {
    const { store, state } = controllableStore();
    const http = h.cached({ backend: store, storageTimeout: 150 });
    await http.get('/warm');
    state.fault = 'hang';
    let started = performance.now();
    const response = await http.get('/warm');
    expect(response.fromCache).to.equal(false);
    expect(performance.now() - started).to.be.below(1000);
    started = performance.now();
    const error = (await rejection(http.cache.count())) as Error;
    expect(error.name).to.equal('StorageTimeoutError');
    expect(performance.now() - started).to.be.below(1000);
    expect(((await rejection(http.cache.urls())) as Error).name).to.equal('StorageTimeoutError');
    expect(((await rejection(http.cache.contains({ url: '/warm' }))) as Error).name).to.equal('StorageTimeoutError');
  });

  it('throwOnStorageError: a failing read or write rejects the request with the storage error', async () => {
    const { store, state } = controllableStore();
    const http = h.cached({ backend: store, throwOnStorageError: true, onStorageError: () => undefined });
    await http.get('/t');
    state.fault = 'throw';
    const error = (await rejection(http.get('/t'))) as Error;
    expect(error.message).to.match(/backend down/);
    state.fault = undefined;
    expect((await http.get('/t')).fromCache).to.equal(true);
  });

  it('without throwOnStorageError the same failure is a miss served from the network, and reported', async () => {
    const { store, state } = controllableStore();
    const reports: string[] = [];
    const http = h.cached({ backend: store, onStorageError: (error, info) => void reports.push(`${info.operation} ${error.message}`) });
    await http.get('/t2');
    state.fault = 'throw';
    const response = await http.get('/t2');
    expect(response.status).to.equal(200);
    expect(response.fromCache).to.equal(false);
    expect(reports).to.include('read backend down');
  });
});
