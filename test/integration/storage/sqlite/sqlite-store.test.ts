/**
 * The SQLite backend (src/storage/sqlite/): the record-store contract on each driver, the backend
 * conformance suite, and what only SQLite has: its schema and columns, the migration from the
 * pre-0.2 `http_cache` table, WAL, private files, LRU bounds, busy files and full disks.
 */
import { expect } from 'chai';
import { statSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import sqlite3 from 'sqlite3';
import { ENTRY_FORMAT } from '../../../../src/policy/types.js';
import { DEFAULT_STORE_SETTINGS } from '../../../../src/storage/cache-storage.js';
import type { SqliteDriverName } from '../../../../src/storage/sqlite/driver.js';
import { nodeSqliteModule } from '../../../../src/storage/sqlite/node-sqlite-driver.js';
import { SqliteStore } from '../../../../src/storage/sqlite/sqlite-store.js';
import { backendConformance } from '../../../support/backend-conformance.js';
import { useHarness } from '../../../support/harness.js';
import { storeConformance } from '../../../support/store-conformance.js';
import { tempDir } from '../../../support/temp.js';
import { serializerRoundTrips } from '../../../support/serializer-round-trips.js';

function withDb<T>(path: string, fn: (db: sqlite3.Database) => Promise<T>): Promise<T> {
  const db = new sqlite3.Database(path);
  return fn(db).finally(() => new Promise<void>((resolve) => db.close(() => resolve())));
}
const run = (db: sqlite3.Database, sql: string, params: unknown[] = []): Promise<void> =>
  new Promise((resolve, reject) => db.run(sql, params, (error) => (error ? reject(error) : resolve())));
const all = (db: sqlite3.Database, sql: string, params: unknown[] = []): Promise<Record<string, unknown>[]> =>
  new Promise((resolve, reject) => db.all(sql, params, (error, rows) => (error ? reject(error) : resolve(rows as Record<string, unknown>[]))));

const drivers: SqliteDriverName[] = ['sqlite3', 'node:sqlite'];

describe('integration: SQLite backend', () => {
  for (const driver of drivers) {
    describe(`record store on ${driver}`, function () {
      before(function () {
        if (driver === 'node:sqlite' && !nodeSqliteModule()) {
          console.log(`      skipped: node:sqlite needs Node >= 22.5 (this is ${process.version}); CI runs it on Node 24`);
          this.skip();
        }
      });
      let dir = '';
      before(() => {
        dir = tempDir();
      });
      storeConformance((name) => new SqliteStore({ path: join(dir, `${encodeURIComponent(name)}.sqlite`), readOnly: false, settings: DEFAULT_STORE_SETTINGS, driver }));
    });
  }

  describe('through setupCache', () => {
    let dir = '';
    before(() => {
      dir = tempDir();
    });
    backendConformance((cacheName) => ({ backend: 'sqlite', cacheName: join(dir, encodeURIComponent(cacheName)) }));
    serializerRoundTrips((serializer, cacheName) => ({ backend: 'sqlite', serializer, cacheName: join(dir, cacheName) }));
  });

  describe('schema and files', () => {
    const h = useHarness();

    it('stores the URL, expiry and a store-level TTL of expiry + ttlOffset in columns; never-expiring rows get none', async () => {
      const path = join(tempDir(), 'cols.sqlite');
      const http = h.cached({ backend: 'sqlite', cacheName: path, ttlOffset: '30m', serializer: 'json' });
      const before = Date.now();
      await http.get('/expiring', { cache: { expireAfter: 60 } });
      await http.get('/forever');
      const rows = await (http.cache.storage.store as SqliteStore).query('SELECT url, expires, ttl_until, size, typeof(value) AS type FROM responses ORDER BY url');
      expect(rows.map((r) => r.url)).to.deep.equal([h.origin.url('/expiring'), h.origin.url('/forever')]);
      const [expiring, forever] = rows;
      expect(Number(expiring.expires)).to.be.within(before + 60_000, Date.now() + 60_000);
      expect(Number(expiring.ttl_until) - Number(expiring.expires)).to.be.within(1800_000 - 1000, 1800_000 + 1000);
      expect(forever.expires).to.equal(null);
      expect(forever.ttl_until, 'never-expiring entries get no store-level TTL').to.equal(null);
      expect(Number(forever.size)).to.be.above(0);
      expect(forever.type, 'json entries are text').to.equal('text');
    });

    it('rows past their store-level TTL are deleted when the file is opened again, not only hidden', async () => {
      const path = join(tempDir(), 'ttl.sqlite');
      const writer = h.cached({ backend: 'sqlite', cacheName: path, ttlOffset: 0 });
      await writer.get('/short', { cache: { expireAfter: 60 } });
      await writer.get('/forever');
      await writer.cache.close();
      h.clock.advance(120);
      const reader = h.cached({ backend: 'sqlite', cacheName: path });
      const rows = await (reader.cache.storage.store as SqliteStore).query('SELECT url FROM responses');
      expect(rows.map((r) => r.url)).to.deep.equal([h.origin.url('/forever')]);
    });

    it('runs in WAL mode, and the database, -wal and -shm files are 0600 in a 0700 folder it created', async () => {
      const dir = join(tempDir(), 'private', 'nested');
      const http = h.cached({ backend: 'sqlite', cacheName: join(dir, 'c') });
      await http.get('/p');
      const mode = await (http.cache.storage.store as SqliteStore).query('PRAGMA journal_mode');
      expect(mode[0].journal_mode).to.equal('wal');
      const files = readdirSync(dir);
      expect(files).to.include.members(['c.sqlite', 'c.sqlite-wal', 'c.sqlite-shm']);
      for (const file of files) expect((statSync(join(dir, file)).mode & 0o777).toString(8), file).to.equal('600');
      expect((statSync(dir).mode & 0o777).toString(8)).to.equal('700');
      expect((statSync(join(dir, '..')).mode & 0o777).toString(8)).to.equal('700');
    });

    it('migrates a pre-0.2 http_cache table: current-format entries and their aliases move over and hit, older ones go, the old table is dropped', async () => {
      const path = join(tempDir(), 'legacy.sqlite');
      // An entry as 0.2 development builds wrote it: the same JSON text, in the old key/value table.
      const writer = h.cached({ backend: 'sqlite', cacheName: join(tempDir(), 'writer'), serializer: 'json' });
      await writer.get('/legacy');
      const text = String(await writer.cache.storage.store.get('responses', writer.cache.createKey({ url: '/legacy' })));
      await withDb(path, async (db) => {
        await run(db, 'CREATE TABLE http_cache(key VARCHAR(255) PRIMARY KEY, value TEXT)');
        await run(db, 'INSERT INTO http_cache VALUES (?, ?)', [writer.cache.createKey({ url: '/legacy' }), text]);
        await run(db, 'INSERT INTO http_cache VALUES (?, ?)', ['redirect:alias-key', writer.cache.createKey({ url: '/legacy' })]);
        await run(db, 'INSERT INTO http_cache VALUES (?, ?)', ['old-v1', JSON.stringify({ ...JSON.parse(text), v: 1 })]);
        await run(db, 'INSERT INTO http_cache VALUES (?, ?)', ['redirect:dangling', 'old-v1']);
        await run(db, 'INSERT INTO http_cache VALUES (?, ?)', ['axios-keyv-cache:format', '2']);
      });
      const http = h.cached({ backend: 'sqlite', cacheName: path, serializer: 'json' });
      const hit = await http.get('/legacy');
      expect(hit.fromCache, 'the migrated entry is a hit').to.equal(true);
      expect(h.origin.count('/legacy')).to.equal(1);
      expect(await http.cache.responses.keys()).to.deep.equal([writer.cache.createKey({ url: '/legacy' })]);
      expect(await http.cache.redirects.entries()).to.deep.equal([['alias-key', writer.cache.createKey({ url: '/legacy' })]]);
      expect(await (http.cache.storage.store as SqliteStore).query("SELECT name FROM sqlite_master WHERE name = 'http_cache'")).to.deep.equal([]);
      expect(await http.cache.storage.store.getMeta('format')).to.equal(String(ENTRY_FORMAT));
    });
  });

  describe('bounded size (least recently used)', () => {
    const h = useHarness();

    it('maxEntries keeps the most recently used responses; a hit refreshes recency', async () => {
      const http = h.cached({ backend: 'sqlite', cacheName: join(tempDir(), 'lru'), maxEntries: 3 });
      for (const path of ['/l1', '/l2', '/l3']) {
        await http.get(path);
        h.clock.advance(1);
      }
      expect((await http.get('/l1')).fromCache).to.equal(true);
      h.clock.advance(1);
      await http.get('/l4');
      h.clock.advance(1);
      await http.get('/l5');
      expect(await http.cache.urls()).to.deep.equal(['/l1', '/l4', '/l5'].map((p) => h.origin.url(p)));
    });

    it('maxBytes bounds the stored bytes; the newest response always stays', async () => {
      const http = h.cached({ backend: 'sqlite', cacheName: join(tempDir(), 'lru-bytes'), maxBytes: 2500 });
      for (let i = 0; i < 8; i += 1) {
        await http.get(`/b${i}`);
        h.clock.advance(1);
      }
      const [row] = await (http.cache.storage.store as SqliteStore).query('SELECT count(*) AS n, sum(size) AS bytes FROM responses');
      expect(Number(row.bytes)).to.be.at.most(2500);
      expect(Number(row.n)).to.be.within(1, 7);
      expect((await http.get('/b7')).fromCache).to.equal(true);
    });
  });

  describe('a busy or full file', () => {
    const h = useHarness();

    it('clear() and deletes still work on a full disk (PRAGMA max_page_count)', async () => {
      const path = join(tempDir(), 'full.sqlite');
      const reports: string[] = [];
      const http = h.cached({ backend: 'sqlite', cacheName: path, onStorageError: (error) => void reports.push(error.message) });
      h.origin.route('/fill', (_req, res) => void res.end('y'.repeat(20_000)));
      const store = http.cache.storage.store as SqliteStore;
      await http.get('/fill?i=0');
      const [{ page_count: pages }] = await store.query('PRAGMA page_count');
      await store.query(`PRAGMA max_page_count = ${Number(pages) + 20}`);
      for (let i = 1; i < 40 && !reports.some((m) => /full/i.test(m)); i += 1) await http.get(`/fill?i=${i}`);
      expect(reports.some((m) => /full/i.test(m)), 'premise: the file is full').to.equal(true);
      const count = await http.cache.count();
      expect(count).to.be.above(0);
      expect(await http.cache.delete({ urls: [h.origin.url('/fill?i=0')] })).to.equal(1);
      await http.cache.clear();
      expect(await http.cache.count()).to.equal(0);
      await http.get('/after');
      expect((await http.get('/after')).fromCache, 'the emptied file takes writes again').to.equal(true);
    });

    it('reads all rows back with the columns inspection needs, without the sqlite3 package on node:sqlite', async function () {
      if (!nodeSqliteModule()) this.skip();
      const http = h.cached({ backend: 'sqlite', cacheName: join(tempDir(), 'ns'), sqliteDriver: 'node:sqlite' });
      await http.get('/n');
      expect((await http.get('/n')).fromCache).to.equal(true);
      expect((http.cache.storage.store as SqliteStore).driver).to.equal('node:sqlite');
      const rows = await withDb(join(http.cache.storage.description.replace(/^sqlite /, '')), (db) => all(db, 'SELECT url FROM responses'));
      expect(rows).to.deep.equal([{ url: h.origin.url('/n') }]);
    });
  });
});
