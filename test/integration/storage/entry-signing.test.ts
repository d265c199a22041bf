/**
 * Signed entries (`secretKey`, src/storage/entry-signing.ts): a tampered entry, an entry moved under
 * another key, a repointed alias, and an entry signed with a retired key are all misses that the
 * next response overwrites, never deserialized; key rotation keeps entries readable.
 */
import axios from 'axios';
import { expect } from 'chai';
import { join } from 'node:path';
import { setupCache } from '../../../src/index.js';
import type { SqliteStore } from '../../../src/storage/sqlite/sqlite-store.js';
import { useHarness } from '../../support/harness.js';
import { tempDir } from '../../support/temp.js';

const OLD = 'old-signing-secret-0123456789';
const NEW = 'new-signing-secret-9876543210';

describe('integration: signed entries', () => {
  const h = useHarness();
  const sqlite = (secretKey: string | string[], cacheName = join(tempDir(), 'signed'), serializer: 'json' | 'binary' = 'binary') =>
    h.cached({ backend: 'sqlite', cacheName, secretKey, serializer });

  it('a tampered entry is a miss that the next response overwrites', async () => {
    for (const serializer of ['json', 'binary'] as const) {
      const http = sqlite(NEW, join(tempDir(), 'tamper'), serializer);
      const first = await http.get('/t');
      const store = http.cache.storage.store as SqliteStore;
      const [row] = await store.query('SELECT value FROM responses');
      const bytes = Buffer.from(row.value as Uint8Array);
      bytes[bytes.length - 5] ^= 0x01;
      await store.query('UPDATE responses SET value = ?', [bytes]);
      const again = await http.get('/t');
      expect(again.fromCache, `${serializer}: tampered is a miss`).to.equal(false);
      expect(again.cacheKey).to.equal(first.cacheKey);
      expect((await http.get('/t')).fromCache, 'overwritten').to.equal(true);
    }
  });

  it('an entry copied under another key does not verify there', async () => {
    const http = sqlite(NEW);
    const a = await http.get('/a');
    const b = await http.get('/b');
    const store = http.cache.storage.store as SqliteStore;
    await store.query('UPDATE responses SET value = (SELECT value FROM responses WHERE key = ?) WHERE key = ?', [a.cacheKey!, b.cacheKey!]);
    const moved = await http.get('/b');
    expect(moved.fromCache, "b's key holding a's valid entry is a miss").to.equal(false);
    expect(moved.data.path).to.equal('/b');
  });

  it('a repointed redirect alias is ignored', async () => {
    h.origin.route('/hop', (_req, res) => {
      res.statusCode = 302;
      res.setHeader('location', '/final');
      res.end();
    });
    const http = sqlite(NEW);
    await http.get('/hop');
    const other = await http.get('/other');
    expect(await http.cache.redirects.entries()).to.have.length(1);
    const store = http.cache.storage.store as SqliteStore;
    const [alias] = await store.query('SELECT key, value FROM redirects');
    const repointed = String(alias.value).replace(/^[^.]+/, other.cacheKey!);
    await store.query('UPDATE redirects SET value = ?', [repointed]);
    expect(await http.cache.redirects.entries(), 'no alias verifies').to.deep.equal([]);
    expect(await http.cache.redirects.get(String(alias.key))).to.equal(undefined);
  });

  it('key rotation: [new, old] reads entries signed with old and writes with new; a retired key is a miss', async () => {
    const cacheName = join(tempDir(), 'rotate');
    const before = sqlite(OLD, cacheName);
    await before.get('/r');
    await before.cache.close();
    const rolling = sqlite([NEW, OLD], cacheName);
    expect((await rolling.get('/r')).fromCache, 'old signatures still verify').to.equal(true);
    await rolling.get('/r2');
    await rolling.cache.close();
    const after = sqlite(NEW, cacheName);
    expect((await after.get('/r2')).fromCache, 'written with the new key').to.equal(true);
    expect((await after.get('/r')).fromCache, 'signed only with the retired key: a miss').to.equal(false);
    expect((await after.get('/r')).fromCache, 'then overwritten').to.equal(true);
  });

  it('an unsigned entry read by a signing cache is a miss, and the other way round', async () => {
    const cacheName = join(tempDir(), 'mixed');
    const plain = h.cached({ backend: 'sqlite', cacheName });
    await plain.get('/m');
    await plain.cache.close();
    const signed = sqlite(NEW, cacheName);
    expect((await signed.get('/m')).fromCache).to.equal(false);
    expect((await signed.get('/m')).fromCache).to.equal(true);
    await signed.cache.close();
    const plainAgain = h.cached({ backend: 'sqlite', cacheName });
    expect((await plainAgain.get('/m')).fromCache, 'a signed value is not an entry to an unsigned cache').to.equal(false);
  });

  it('refuses a secretKey that is too short, empty or not text/bytes, naming it', () => {
    expect(() => setupCache(axios.create(), { backend: 'memory', secretKey: 'short' })).to.throw(RangeError, /secretKey: 5 bytes.*at least 16/);
    expect(() => setupCache(axios.create(), { backend: 'memory', secretKey: [] })).to.throw(RangeError, /secretKey: \[\]/);
    expect(() => setupCache(axios.create(), { backend: 'memory', secretKey: [NEW, 42 as never] })).to.throw(TypeError, /secretKey\[1\]: 42/);
  });
});
