/**
 * count(), delete({ expired, olderThan }) and resetExpiration() on SQLite run as SQL over the
 * indexed `expires` / `created_at` columns and one reset record (issue 10 item 2; expiry-reset.ts):
 * no entry is read or rewritten one by one, signed and encrypted entries stay valid after
 * resetExpiration, rows written since a reset keep their own expiry, and files from before the
 * `responses_expiry` index or the `gen` column get them on open. Speed itself is the bench's
 * (scripts/sqlite-scale.ts prints the figures); these tests check the route, on each driver.
 */
import { expect } from 'chai';
import { join } from 'node:path';
import sqlite3 from 'sqlite3';
import type { CacheAxiosInstance } from '../../../../src/index.js';
import { DEFAULT_STORE_SETTINGS } from '../../../../src/storage/cache-storage.js';
import type { SqliteDriverName } from '../../../../src/storage/sqlite/driver.js';
import { loadBetterSqlite3 } from '../../../../src/storage/sqlite/better-sqlite3-driver.js';
import { nodeSqliteModule } from '../../../../src/storage/sqlite/node-sqlite-driver.js';
import { DELETE_BATCH_ROWS, SqliteStore } from '../../../../src/storage/sqlite/sqlite-store.js';
import { useHarness } from '../../../support/harness.js';
import { tempDir } from '../../../support/temp.js';

const drivers: SqliteDriverName[] = ['sqlite3', 'node:sqlite', 'better-sqlite3'];
const SECRET = 'a signing secret of 32 bytes....';
const KEY = 'an encryption key of 32 bytes...';

/** Counts the store's per-key reads and writes (the slow path decodes entries through get). */
function spyStore(http: CacheAxiosInstance): { gets: number; sets: number } {
  const store = http.cache.storage.store;
  const spy = { gets: 0, sets: 0 };
  const get = store.get.bind(store);
  const set = store.set.bind(store);
  store.set = ((...args: Parameters<typeof set>) => {
    spy.sets += 1;
    return set(...args);
  }) as typeof store.set;
  store.get = ((...args: Parameters<typeof get>) => {
    spy.gets += 1;
    return get(...args);
  }) as typeof store.get;
  return spy;
}

const rows = (http: CacheAxiosInstance, sql: string) => (http.cache.storage.store as SqliteStore).query(sql);

describe('integration: SQLite count, bulk delete and resetExpiration through the index', function () {
  this.timeout(60000);
  const h = useHarness();

  for (const driver of drivers) {
    describe(`on ${driver}`, () => {
      before(async function () {
        if (driver === 'node:sqlite' && !nodeSqliteModule()) {
          console.log(`      skipped: node:sqlite needs Node >= 22.5 (this is ${process.version})`);
          this.skip();
        }
        // better-sqlite3 12 is built for one Node ABI (.ci/run builds it for Node 20 and 22).
        const missing = driver === 'better-sqlite3' ? await loadBetterSqlite3().then(() => undefined, (error: Error) => error.message) : undefined;
        if (missing) {
          console.log(`      skipped: ${missing}`);
          this.skip();
        }
      });

      /** `fresh` entries that never expire and `stale` ones that expire after 60 s, then 2 minutes pass. */
      async function filled(fresh: number, stale: number, options: Record<string, unknown> = {}): Promise<CacheAxiosInstance> {
        const http = h.cached({ backend: 'sqlite', cacheName: join(tempDir(), 'indexed'), sqliteDriver: driver, ...options });
        for (let i = 0; i < fresh; i += 1) await http.get(`/fresh/${i}`);
        for (let i = 0; i < stale; i += 1) await http.get(`/stale/${i}`, { cache: { expireAfter: 60 } });
        h.clock.advance(120);
        return http;
      }

      it('count() and count({ expired: false }) read no entry', async () => {
        const http = await filled(30, 20);
        const spy = spyStore(http);
        expect(await http.cache.count()).to.equal(50);
        expect(await http.cache.count({ expired: false })).to.equal(30);
        expect(spy.gets, 'entries read one by one').to.equal(0);
      });

      it('count() leaves out rows past their store-level TTL, as reads do', async () => {
        const http = await filled(3, 2, { ttlOffset: 30 });
        expect(await http.cache.count()).to.equal(3);
      });

      it('delete({ expired: true }) deletes the expired rows in SQL, with their aliases, and keeps the rest', async () => {
        h.origin.route('/moved', (_req, res) => {
          res.writeHead(301, { location: '/stale/0' });
          res.end();
        });
        const http = h.cached({ backend: 'sqlite', cacheName: join(tempDir(), 'del'), sqliteDriver: driver });
        for (let i = 0; i < 10; i += 1) await http.get(`/fresh/${i}`);
        await http.get('/moved', { cache: { expireAfter: 60 } });
        for (let i = 1; i < 2 * DELETE_BATCH_ROWS + 5; i += 1) await http.get(`/stale/${i}`, { cache: { expireAfter: 60 } });
        expect((await rows(http, 'SELECT count(*) AS n FROM redirects'))[0].n, 'premise: an alias').to.equal(1);
        h.clock.advance(120);
        const spy = spyStore(http);
        // Several batches of DELETE_BATCH_ROWS rows.
        expect(await http.cache.delete({ expired: true })).to.equal(2 * DELETE_BATCH_ROWS + 5);
        expect(spy.gets, 'only the alias left is checked (its target is gone), no entry is read').to.equal(2);
        expect(await http.cache.count()).to.equal(10);
        expect((await rows(http, 'SELECT count(*) AS n FROM redirects'))[0].n, 'the alias to a deleted response').to.equal(0);
        expect((await http.get('/fresh/3')).fromCache).to.equal(true);
        expect((await http.get('/stale/3')).fromCache).to.equal(false);
      });

      it('delete() unions expired, olderThan, keys and invalid, counting each response once', async () => {
        const http = await filled(4, 3);
        h.clock.advance(3600);
        await http.get('/young');
        const key = http.cache.createKey({ url: '/young' });
        await (http.cache.storage.store as SqliteStore).query("UPDATE responses SET value = X'00' WHERE key = (SELECT key FROM responses WHERE url LIKE '%/fresh/0')");
        // The 3 stale rows are past their store-level TTL (60 s + 1 h): invisible, so deleted uncounted.
        expect(await http.cache.delete({ expired: true, olderThan: '30m', keys: [key], invalid: true })).to.equal(5);
        expect(await http.cache.count()).to.equal(0);
      });

      it('delete({ olderThan }) selects on created_at', async () => {
        const http = await filled(5, 0);
        h.clock.advance(3600);
        await http.get('/young');
        const spy = spyStore(http);
        expect(await http.cache.delete({ olderThan: '30m' })).to.equal(5);
        expect(spy.gets).to.equal(0);
        expect((await http.get('/young')).fromCache).to.equal(true);
      });

      for (const [name, options] of [
        ['plain', {}],
        ['signed and encrypted', { secretKey: SECRET, encryptionKey: KEY }],
        ['json', { serializer: 'json' }],
      ] as const) {
        it(`resetExpiration() writes one reset record and no row (${name}): the entries read back with the new expiry`, async () => {
          const http = await filled(300, 300, options);
          const spy = spyStore(http);
          const stored = await rows(http, 'SELECT key, value, expires, ttl_until FROM responses ORDER BY key');
          const before = Date.now();
          await http.cache.resetExpiration('1h');
          expect(spy.gets + spy.sets, 'entries read or written one by one').to.equal(0);
          expect(await rows(http, 'SELECT key, value, expires, ttl_until FROM responses ORDER BY key'), 'no row rewritten').to.deep.equal(stored);
          const [reset] = await rows(http, 'SELECT gen, expires, ttl_until FROM expiry_reset');
          expect(Number(reset.expires)).to.be.within(before + 3600_000, Date.now() + 3600_000);
          expect(Number(reset.ttl_until)).to.be.above(Number(reset.expires), 'store-level TTL past it');
          expect(await http.cache.count({ expired: false }), 'none expired now').to.equal(600);
          const stale = await http.get('/stale/7');
          expect(stale.fromCache, 'an entry that had expired is fresh again, and still verifies').to.equal(true);
          expect(stale.expires?.getTime()).to.equal(Number(reset.expires));
          const listed = [];
          for await (const item of http.cache.storage.responses()) listed.push(item.entry?.expires);
          expect(new Set(listed), 'inspection sees the new expiry too').to.deep.equal(new Set([Number(reset.expires)]));
          h.clock.advance(3601);
          expect((await http.get('/fresh/7')).fromCache, 'and expires at the new time').to.equal(false);
        });
      }

      it("resetExpiration('never') gives every row no expiry and no store-level TTL", async () => {
        const http = await filled(2, 2);
        await http.cache.resetExpiration(-1);
        const [reset] = await rows(http, 'SELECT expires, ttl_until FROM expiry_reset');
        expect([reset.expires, reset.ttl_until]).to.deep.equal([null, null]);
        h.clock.advance(10 * 365 * 86400);
        await (http.cache.storage.store as SqliteStore).purgeExpired();
        expect(await http.cache.count({ expired: false })).to.equal(4);
        expect((await http.get('/stale/1')).fromCache).to.equal(true);
      });

      it('a row written after a reset keeps its own expiry; rows written before take the reset, the last reset winning', async () => {
        const http = await filled(0, 3);
        await http.cache.resetExpiration('1h');
        h.clock.advance(60);
        await http.get('/stale/0', { cache: { expireAfter: 60, forceRefresh: true } });
        await http.get('/between', { cache: { expireAfter: 60 } });
        const own = (await http.cache.responses.get(http.cache.createKey({ url: '/stale/0' })))?.expires?.getTime();
        expect(own).to.be.within(Date.now() + 60_000 - 1000, Date.now() + 60_000);
        h.clock.advance(120);
        expect((await http.get('/stale/0')).fromCache, 'its own 60 s are over').to.equal(false);
        expect((await http.get('/stale/1')).fromCache, 'the reset gave it an hour').to.equal(true);
        expect(await http.cache.count({ expired: false })).to.equal(3); // /stale/0 (refetched just now), /stale/1, /stale/2
        await http.cache.resetExpiration('2h');
        const expires = (await rows(http, 'SELECT expires FROM expiry_reset'))[0].expires;
        for (const url of ['/stale/0', '/stale/1', '/between']) {
          expect((await http.cache.responses.get(http.cache.createKey({ url })))?.expires?.getTime(), url).to.equal(Number(expires));
        }
      });

      it('rows a reset keeps alive past their own store-level TTL survive the purges, and go when the reset\'s TTL passes', async () => {
        const path = join(tempDir(), 'keep');
        const http = h.cached({ backend: 'sqlite', cacheName: path, sqliteDriver: driver, ttlOffset: 30 });
        for (let i = 0; i < 5; i += 1) await http.get(`/stale/${i}`, { cache: { expireAfter: 60 } });
        await http.cache.resetExpiration('1h');
        h.clock.advance(600); // past each row's own 60 s + 30 s
        const store = http.cache.storage.store as SqliteStore;
        expect(await store.purgeExpired()).to.equal(0);
        expect(await http.cache.delete({ expired: true })).to.equal(0);
        // Another process opening the file purges on open, by the same rule.
        const other = h.cached({ backend: 'sqlite', cacheName: path, sqliteDriver: driver, ttlOffset: 30 });
        expect(await other.cache.count()).to.equal(5);
        expect((await other.get('/stale/3')).fromCache).to.equal(true);
        expect(await http.cache.count({ expired: false })).to.equal(5);
        h.clock.advance(3001); // the reset's hour is over: expired, still within its store-level TTL
        expect(await http.cache.count({ expired: false })).to.equal(0);
        expect(await http.cache.count()).to.equal(5);
        h.clock.advance(31); // and past that
        expect(await http.cache.count()).to.equal(0);
        expect(await store.purgeExpired()).to.equal(5);
        expect((await rows(http, 'SELECT count(*) AS n FROM responses'))[0].n).to.equal(0);
      });

      it('delete({ expired: true }) after a reset into the past deletes the rows before it and keeps those written since', async () => {
        const http = await filled(4, 0);
        await http.cache.resetExpiration(0); // expire now
        await http.get('/after');
        h.clock.advance(1);
        expect(await http.cache.count({ expired: false })).to.equal(1);
        expect(await http.cache.delete({ expired: true })).to.equal(4);
        expect(await http.cache.count()).to.equal(1);
        expect((await http.get('/after')).fromCache).to.equal(true);
      });

      it('another connection to the file sees a reset at its next read', async () => {
        const path = join(tempDir(), 'shared');
        const one = h.cached({ backend: 'sqlite', cacheName: path, sqliteDriver: driver });
        const two = h.cached({ backend: 'sqlite', cacheName: path, sqliteDriver: driver });
        await one.get('/stale/0', { cache: { expireAfter: 60 } });
        expect((await two.get('/stale/0')).fromCache).to.equal(true);
        h.clock.advance(120);
        expect((await two.get('/stale/0', { cache: { onlyIfCached: true } }).catch((error: { response?: { status: number } }) => error.response))?.status).to.equal(504);
        await one.cache.resetExpiration('1h');
        expect((await two.get('/stale/0')).fromCache).to.equal(true);
      });

      it('with secretKey, a reset record altered in the file is not trusted: the rows under it read as misses', async () => {
        const path = join(tempDir(), 'signed');
        const http = h.cached({ backend: 'sqlite', cacheName: path, sqliteDriver: driver, secretKey: SECRET });
        for (let i = 0; i < 3; i += 1) await http.get(`/fresh/${i}`);
        await http.cache.resetExpiration('1h');
        // Read by another connection (this one keeps the reset it wrote, which never changes under its generation).
        const reader = () => h.cached({ backend: 'sqlite', cacheName: path, sqliteDriver: driver, secretKey: SECRET });
        expect((await reader().get('/fresh/0')).fromCache, 'premise: the signed reset verifies').to.equal(true);
        await rows(http, 'UPDATE expiry_reset SET expires = expires + 86400000');
        expect((await reader().get('/fresh/1')).fromCache).to.equal(false);
        // A replayed older reset does not verify either: the signature covers the generation.
        await http.cache.resetExpiration('1h');
        const first = (await rows(http, 'SELECT gen, sig FROM expiry_reset'))[0];
        await http.cache.resetExpiration('2h');
        await rows(http, `UPDATE expiry_reset SET sig = '${String(first.sig)}'`);
        expect((await reader().get('/fresh/2')).fromCache).to.equal(false);
      });

      it('bulk deletes commit in short transactions with a synchronous driver (its COMMIT runs on the event loop)', async () => {
        const store = new SqliteStore({ path: join(tempDir(), 'commits.sqlite'), readOnly: false, settings: DEFAULT_STORE_SETTINGS, driver });
        try {
          const total = 2500;
          for (let i = 0; i < total; i += 1) await store.set('responses', `k${i}`, 'v', { meta: { url: `u${i}`, expires: 1, createdAt: 1 } });
          const db = await (store as unknown as { db(): Promise<{ exec(sql: string): Promise<void> }> }).db();
          const exec = db.exec.bind(db);
          let commits = 0;
          db.exec = (sql: string) => {
            if (/^COMMIT/i.test(sql)) commits += 1;
            return exec(sql);
          };
          expect(await store.indexed.delete({ expiredAt: 10 })).to.equal(total);
          const synchronous = driver !== 'sqlite3';
          // 1,000 deleted rows per COMMIT when synchronous; one transaction with sqlite3. The delete
          // also commits its purge of rows past their store-level TTL (none here).
          expect(commits).to.equal(synchronous ? 1 + Math.ceil(total / 1000) : 2);
        } finally {
          await store.close();
        }
      });
    });
  }

  describe('schema', () => {
    it('a file from before `gen` reads unchanged readOnly, and on a writable open gets the column (rows at 0, older than any reset) and its index', async () => {
      const path = join(tempDir(), 'before-gen.sqlite');
      await new Promise<void>((resolve, reject) => {
        const db = new sqlite3.Database(path);
        db.exec(
          `CREATE TABLE responses (key TEXT PRIMARY KEY, value BLOB NOT NULL, url TEXT NOT NULL, expires INTEGER, created_at INTEGER NOT NULL, size INTEGER NOT NULL, accessed INTEGER NOT NULL, ttl_until INTEGER);
           CREATE TABLE redirects (key TEXT PRIMARY KEY, value TEXT NOT NULL, ttl_until INTEGER);
           CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
           INSERT INTO responses VALUES ('k', 'v', 'u', 1, 1, 1, 1, NULL);`,
          (error) => db.close(() => (error ? reject(error) : resolve())),
        );
      });
      const reader = new SqliteStore({ path, readOnly: true, settings: DEFAULT_STORE_SETTINGS, driver: 'sqlite3' });
      try {
        expect(await reader.get('responses', 'k')).to.equal('v');
        expect(await reader.indexed.read('k')).to.deep.equal({ value: 'v' });
        expect(await reader.indexed.count({})).to.equal(1);
      } finally {
        await reader.close();
      }
      const store = new SqliteStore({ path, readOnly: false, settings: DEFAULT_STORE_SETTINGS, driver: 'sqlite3' });
      try {
        expect(await store.query('SELECT gen FROM responses')).to.deep.equal([{ gen: 0 }]);
        expect(await store.query("SELECT name FROM sqlite_master WHERE type = 'index' AND name = 'responses_gen'")).to.have.length(1);
        await store.indexed.resetExpiration({ expires: 99, ttlUntil: null });
        await store.set('responses', 'new', 'w', { meta: { url: 'u2', expires: 5, createdAt: 2 } });
        expect(await store.indexed.read('k')).to.deep.equal({ value: 'v', reset: { generation: 1, expires: 99, signature: null } });
        expect(await store.indexed.read('new')).to.deep.equal({ value: 'w' });
        expect(await store.indexed.count({ unexpiredAt: 50 })).to.equal(1);
        // With a reset, count() still reads indexes only.
        for (const sql of [
          'SELECT count(*) AS n FROM responses WHERE gen >= 1 AND (ttl_until IS NULL OR ttl_until > 1) AND (expires IS NULL OR expires > 1)',
          'SELECT count(*) AS n FROM responses WHERE gen < 1',
        ]) {
          const plan = (await store.query(`EXPLAIN QUERY PLAN ${sql}`)).map((row) => String(row.detail)).join('; ');
          expect(plan, sql).to.match(/COVERING INDEX responses_gen/);
        }
      } finally {
        await store.close();
      }
    });

    it('a file from before the responses_expiry index gets it on open; count and delete use it without reading the table', async () => {
      const path = join(tempDir(), 'old.sqlite');
      // The 0.2 schema, without the index, with a row in it.
      await new Promise<void>((resolve, reject) => {
        const db = new sqlite3.Database(path);
        db.exec(
          `CREATE TABLE responses (key TEXT PRIMARY KEY, value BLOB NOT NULL, url TEXT NOT NULL, expires INTEGER, created_at INTEGER NOT NULL, size INTEGER NOT NULL, accessed INTEGER NOT NULL, ttl_until INTEGER);
           CREATE INDEX responses_url ON responses (url);
           CREATE INDEX responses_accessed ON responses (accessed);
           CREATE INDEX responses_ttl_until ON responses (ttl_until) WHERE ttl_until IS NOT NULL;
           CREATE TABLE redirects (key TEXT PRIMARY KEY, value TEXT NOT NULL, ttl_until INTEGER);
           CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
           INSERT INTO responses VALUES ('k', 'v', 'u', 1, 1, 1, 1, NULL);`,
          (error) => db.close(() => (error ? reject(error) : resolve())),
        );
      });
      const store = new SqliteStore({ path, readOnly: false, settings: DEFAULT_STORE_SETTINGS, driver: 'sqlite3' });
      try {
        const indexes = await store.query("SELECT name FROM sqlite_master WHERE type = 'index' AND name = 'responses_expiry'");
        expect(indexes).to.have.length(1);
        expect(await store.indexed.count({ unexpiredAt: 0 })).to.equal(1);
        for (const sql of [
          'SELECT count(*) AS n FROM responses WHERE (ttl_until IS NULL OR ttl_until > 1) AND (expires IS NULL OR expires > 1)',
          "SELECT rowid FROM responses WHERE expires IS NOT NULL AND expires <= 1 AND rowid NOT IN (SELECT rowid FROM responses WHERE url = '')",
          "SELECT rowid FROM responses WHERE created_at < 1 AND rowid NOT IN (SELECT rowid FROM responses WHERE url = '')",
        ]) {
          const plan = (await store.query(`EXPLAIN QUERY PLAN ${sql}`)).map((row) => String(row.detail)).join('; ');
          expect(plan, sql).to.match(/COVERING INDEX responses_expiry/);
          expect(plan, sql).to.not.match(/SCAN responses($|;)/);
        }
      } finally {
        await store.close();
      }
    });
  });
});
