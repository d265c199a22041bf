/**
 * Encryption at rest (`encryptionKey`, src/storage/entry-encryption.ts): nothing of a response or
 * its URL is readable in the stored bytes; a ciphertext moved under another key, or read with
 * another key, is a miss; the URL index still finds every variant (through URL HMACs).
 */
import { expect } from 'chai';
import { join } from 'node:path';
import type { SqliteStore } from '../../../src/storage/sqlite/sqlite-store.js';
import { useHarness } from '../../support/harness.js';
import { rawFilesText } from '../../support/storage-text.js';
import { tempDir } from '../../support/temp.js';
import { sendJson } from '../../support/wait.js';

const KEY = 'encryption-key-for-tests-0123456789';

describe('integration: encrypted entries', () => {
  const h = useHarness();

  it('no response text and no URL is in the SQLite files; hits still work, with or without signing', async () => {
    for (const secretKey of [undefined, 'signing-secret-0123456789abc']) {
      const dir = tempDir();
      h.origin.route('/patient-record-7731', (_req, res) => sendJson(res, { name: 'Ada Lovelace-Byron', diagnosis: 'confidential-dx-4411' }));
      const http = h.cached({ backend: 'sqlite', cacheName: join(dir, 'enc'), encryptionKey: KEY, secretKey, serializer: 'json' });
      await http.get('/patient-record-7731');
      expect((await http.get('/patient-record-7731')).fromCache).to.equal(true);
      expect(await http.cache.urls()).to.deep.equal([h.origin.url('/patient-record-7731')]);
      await http.cache.close();
      const raw = rawFilesText(dir, 'enc');
      expect(raw.length, 'premise: the files hold data').to.be.above(1000);
      for (const plain of ['Ada Lovelace-Byron', 'confidential-dx-4411', 'patient-record-7731', '"status"', 'content-type']) {
        expect(raw, `${plain} (secretKey ${secretKey ? 'on' : 'off'})`).not.to.include(plain);
      }
    }
  });

  it('a ciphertext moved under another key, or read with another key, is a miss', async () => {
    const cacheName = join(tempDir(), 'moved');
    const http = h.cached({ backend: 'sqlite', cacheName, encryptionKey: KEY });
    const a = await http.get('/a');
    const b = await http.get('/b');
    const store = http.cache.storage.store as SqliteStore;
    await store.query('UPDATE responses SET value = (SELECT value FROM responses WHERE key = ?) WHERE key = ?', [a.cacheKey!, b.cacheKey!]);
    expect((await http.get('/b')).fromCache, 'moved').to.equal(false);
    expect((await http.get('/a')).fromCache, 'in place').to.equal(true);
    await http.cache.close();
    const other = h.cached({ backend: 'sqlite', cacheName, encryptionKey: 'another-encryption-key-000000' });
    expect((await other.get('/a')).fromCache, 'another key').to.equal(false);
    await other.cache.close();
    const plain = h.cached({ backend: 'sqlite', cacheName });
    expect((await plain.get('/a')).fromCache, 'no key').to.equal(false);
  });

  it('delete({ urls }) finds every variant through the URL HMAC index', async () => {
    h.origin.route('/v', (req, res) => sendJson(res, { lang: req.headers['accept-language'] }, { vary: 'accept-language' }));
    const http = h.cached({ backend: 'sqlite', cacheName: join(tempDir(), 'idx'), encryptionKey: KEY });
    await http.get('/v', { headers: { 'accept-language': 'en' } });
    await http.get('/v', { headers: { 'accept-language': 'fr' } });
    const [row] = await (http.cache.storage.store as SqliteStore).query('SELECT url FROM responses LIMIT 1');
    expect(String(row.url)).to.match(/^hmac:/);
    await http.cache.delete({ urls: [h.origin.url('/v')] });
    expect(await http.cache.count()).to.equal(0);
  });

  it('refuses a short or mistyped encryptionKey at setup, naming it', () => {
    expect(() => h.cached({ encryptionKey: 'short' })).to.throw(RangeError, /encryptionKey: 5 bytes/);
    expect(() => h.cached({ encryptionKey: 7 as never })).to.throw(TypeError, /encryptionKey: 7/);
  });
});
