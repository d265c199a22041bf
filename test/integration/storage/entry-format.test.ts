/** Stored data carries a format version; a 0.1 cache's entries are dropped once on open (CHANGELOG 0.2.0). */
import { expect } from 'chai';
import { join } from 'node:path';
import sqlite3 from 'sqlite3';
import { ENTRY_FORMAT } from '../../../src/policy/types.js';
import { useHarness } from '../../support/harness.js';
import { tempDir } from '../../support/temp.js';

function run(db: sqlite3.Database, sql: string, params: unknown[] = []): Promise<void> {
  return new Promise((resolve, reject) => db.run(sql, params, (error) => (error ? reject(error) : resolve())));
}

/** A cache file as 0.1 wrote it: table http_cache(key, value), JSON entries with `v: 1`, an alias. */
async function write01Cache(path: string): Promise<void> {
  const db = new sqlite3.Database(path);
  await run(db, 'CREATE TABLE IF NOT EXISTS http_cache(key VARCHAR(255) PRIMARY KEY, value TEXT)');
  const entry = { v: 1, url: 'http://x/old', status: 200, statusText: 'OK', headers: {}, body: '', request: { method: 'GET', url: 'http://x/old', headers: {} }, createdAt: 1, expires: null };
  await run(db, 'INSERT INTO http_cache(key, value) VALUES (?, ?)', ['old-key', JSON.stringify(entry)]);
  await run(db, 'INSERT INTO http_cache(key, value) VALUES (?, ?)', ['redirect:old-alias', 'old-key']);
  await new Promise<void>((resolve) => db.close(() => resolve()));
}

describe('integration: stored entry format', () => {
  const h = useHarness();

  it('a 0.1 SQLite cache is purged on open (its table migrated, v1 entries dropped), stamped with the format, and new writes work', async () => {
    const path = join(tempDir(), 'old.sqlite');
    await write01Cache(path);
    const http = h.cached({ backend: 'sqlite', cacheName: path });
    expect(await http.cache.responses.keys()).to.deep.equal([]);
    expect(await http.cache.redirects.entries()).to.deep.equal([]);
    expect(await http.cache.storage.store.getMeta('format')).to.equal(String(ENTRY_FORMAT));
    await http.get('/new');
    expect((await http.get('/new')).fromCache).to.equal(true);
    expect(await http.cache.count(), 'the format record is not a response').to.equal(1);
  });

  it('a readOnly cache never migrates: an old file reads as misses, reported as an open error naming the fix', async () => {
    const path = join(tempDir(), 'old-ro.sqlite');
    await write01Cache(path);
    const errors: { error: Error; operation: string }[] = [];
    const http = h.cached({ backend: 'sqlite', cacheName: path, readOnly: true, onStorageError: (error, info) => void errors.push({ error, operation: info.operation }) });
    expect((await http.get('/whatever')).fromCache).to.equal(false);
    expect(errors[0]?.operation).to.equal('open');
    expect(errors[0]?.error.message).to.match(/layout before 0\.2.*without readOnly/);
    await http.cache.close();
    const db = new sqlite3.Database(path);
    const rows = await new Promise<unknown[]>((resolve, reject) => db.all('SELECT key FROM http_cache', (error, r) => (error ? reject(error) : resolve(r))));
    await new Promise<void>((resolve) => db.close(() => resolve()));
    expect(rows, 'the old table is untouched').to.have.length(2);
  });
});
