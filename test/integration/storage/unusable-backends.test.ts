/**
 * Defects found by a hostile review of storage, inspection and coalescing, each pinned by a test that
 * fails without its fix. A failing or hanging backend never breaks a request: it is a miss, logged.
 */
import axios, { type AxiosInstance } from 'axios';
import { expect } from 'chai';
import { mkdirSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sqlite3 from 'sqlite3';
import type { KeyvStoreAdapter } from 'keyv';
import { setupCache } from '../../../src/index.js';
import { BACKEND_DEADLINE_MS } from '../../../src/storage/cache-storage.js';
import { rejection, useHarness } from '../../support/harness.js';
import { collect } from '../../support/inspect.js';
import { tempDir } from '../../support/temp.js';
import { elapsed, sendJson, sleep, waitFor } from '../../support/wait.js';

/** A Keyv store over a Map whose operations can be made to hang or throw. */
function faultyStore(faults: { get?: 'hang' | 'throw'; set?: 'hang' | 'throw'; delete?: 'hang' | 'throw' }) {
  const map = new Map<string, unknown>();
  const act = <T>(fault: 'hang' | 'throw' | undefined, run: () => T): Promise<T> =>
    fault === 'hang' ? new Promise<T>(() => undefined) : fault === 'throw' ? Promise.reject(new Error('backend down')) : Promise.resolve(run());
  const store = {
    opts: {},
    namespace: undefined as string | undefined,
    faults,
    map,
    on: () => store,
    get: (key: string) => act(store.faults.get, () => map.get(key)),
    set: (key: string, value: unknown) => act(store.faults.set, () => (map.set(key, value), true)),
    delete: (key: string) => act(store.faults.delete, () => map.delete(key)),
    clear: async () => map.clear(),
    has: async (key: string) => map.has(key),
  };
  return store;
}

/** Runs SQL on a SQLite file through its own connection. */
function sql(path: string, statement: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const db = new sqlite3.Database(path, (error) => {
      if (error) return reject(error);
      db.exec(statement, (execError) => db.close(() => (execError ? reject(execError) : resolve())));
    });
  });
}

describe('integration: unusable, hanging or failing backends', function () {
  this.timeout(30_000);
  const h = useHarness();

  describe('a SQLite file that cannot be used', () => {
    it('setupCache refuses a cacheName that is a directory or a file that is not SQLite, naming the option and the value', () => {
      const dir = tempDir();
      mkdirSync(join(dir, 'taken.sqlite'));
      expect(() => setupCache(axios.create(), { cacheName: join(dir, 'taken') })).to.throw(TypeError, /cacheName.*taken.*is a directory/);
      writeFileSync(join(dir, 'notes.txt'), 'not a database '.repeat(10));
      expect(() => setupCache(axios.create(), { cacheName: join(dir, 'notes.txt') })).to.throw(TypeError, /cacheName.*notes\.txt.*not a SQLite database/);
      writeFileSync(join(dir, 'empty.sqlite'), '');
      const empty = setupCache(axios.create(), { cacheName: join(dir, 'empty') });
      return empty.cache.close(); // an empty file is a new database to SQLite
    });

    it('a file that fails to open is a miss (logged), never an unhandled rejection; the cache recovers once the file is usable', async () => {
      const path = join(tempDir(), 'broken.sqlite');
      const http = h.cached({ backend: 'sqlite', cacheName: path });
      writeFileSync(path, 'not a database '.repeat(100)); // before the store has run a single statement
      await sleep(100); // the failed open settles with no request waiting for it
      expect((await http.get('/broken')).fromCache).to.equal(false);
      expect((await http.get('/broken')).fromCache, 'nothing can be stored').to.equal(false);
      unlinkSync(path);
      await http.get('/broken');
      expect((await http.get('/broken')).fromCache, 'recovered: stored and read back').to.equal(true);
      expect(h.origin.count('/broken')).to.equal(3);
    });

    it('a BLOB or garbage text written by other code is an invalid entry: inspection still works and delete({ invalid }) removes it', async () => {
      const path = join(tempDir(), 'blob.sqlite');
      const http = h.cached({ backend: 'sqlite', cacheName: path });
      await http.get('/kept');
      await sql(path, "INSERT INTO responses(key, value, url, created_at, size, accessed) VALUES ('blob-row', x'00ff', '', 0, 2, 0), ('text-row', 'garbage', '', 0, 7, 0)");
      expect(await http.cache.count()).to.equal(1);
      expect(await http.cache.urls()).to.deep.equal([h.origin.url('/kept')]);
      const invalid = await collect(http.cache.filter({ valid: false, expired: false, invalid: true }));
      expect(invalid.map((r) => r.cacheKey).sort()).to.deep.equal(['blob-row', 'text-row']);
      expect(await http.cache.delete({ invalid: true })).to.equal(2);
      expect((await http.cache.responses.keys()).length).to.equal(1);
    });
  });

  describe('a backend that hangs or fails', () => {
    it('a write that never finishes delays the response by the deadline at most: no timeout error, no stuck call', async () => {
      const store = faultyStore({ set: 'hang' });
      const http = h.cached({ backend: store as unknown as KeyvStoreAdapter });
      const started = performance.now();
      const response = await http.get('/slow-write', { timeout: 300 });
      expect(response.status).to.equal(200);
      expect(response.cacheKey, 'not known to be written').to.equal(undefined);
      expect(elapsed(started)).to.be.below(BACKEND_DEADLINE_MS + 1500);
      // The next identical request is not stuck behind the first one's write: it reaches the origin.
      await http.get('/slow-write', { timeout: 300 });
      expect(h.origin.count('/slow-write')).to.equal(2);
      const closing = performance.now();
      await http.cache.close();
      expect(elapsed(closing), 'close() gives pending writes a bounded last chance').to.be.below(BACKEND_DEADLINE_MS + 1500);
    });

    it('a read that never answers is a miss once the caller\'s timeout (or the deadline) has passed', async () => {
      const store = faultyStore({ get: 'hang' });
      const http = h.cached({ backend: store as unknown as KeyvStoreAdapter });
      const started = performance.now();
      const response = await http.get('/slow-read', { timeout: 200 });
      expect(response.status).to.equal(200);
      expect(response.fromCache).to.equal(false);
      expect(elapsed(started)).to.be.below(1500);
    });

    it('filterFn rejecting a cached response while the backend cannot delete: the response is served, the failure logged', async () => {
      const store = faultyStore({});
      const http = h.cached({ backend: store as unknown as KeyvStoreAdapter, filterFn: (res) => !res.fromCache });
      await http.get('/undeletable');
      store.faults.delete = 'throw';
      const hit = await http.get('/undeletable');
      expect(hit.fromCache).to.equal(true);
      expect(hit.status).to.equal(200);
    });

    it('a slow write does not turn into a timeout error for coalesced waiters either', async () => {
      const store = faultyStore({ set: 'hang' });
      h.origin.route('/co-slow-write', async (_req, res, n) => {
        await sleep(30);
        sendJson(res, { n });
      });
      const http = h.cached({ backend: store as unknown as KeyvStoreAdapter });
      const results = await Promise.all([1, 2, 3].map(() => http.get('/co-slow-write', { timeout: 200 })));
      expect(results.map((r) => r.status)).to.deep.equal([200, 200, 200]);
      expect(h.origin.count('/co-slow-write')).to.equal(1);
    });
  });

  for (const adapter of ['http', 'fetch'] as const) {
    it(`${adapter} adapter: a request right after every waiter aborted starts its own call instead of inheriting the cancellation`, async () => {
      h.origin.route('/aborted-join', async (_req, res, n) => {
        await sleep(80);
        if (!res.destroyed) sendJson(res, { n });
      });
      const http = h.cached({}, axios.create({ baseURL: h.origin.base, adapter }) as AxiosInstance);
      const controller = new AbortController();
      const cancelled = rejection(http.get('/aborted-join', { signal: controller.signal }));
      await waitFor(() => h.origin.count('/aborted-join') === 1, 'the first request to reach the origin');
      await sleep(20);
      controller.abort();
      const late = await http.get('/aborted-join');
      expect(axios.isCancel(await cancelled)).to.equal(true);
      expect(late.status).to.equal(200);
    });
  }
});
