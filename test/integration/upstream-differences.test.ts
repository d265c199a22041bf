/**
 * SPEC §4: where requests-cache 1.x is wrong, we do better. Each fix is named 'fixes requests-cache
 * BUG: ...' and checked through a real axios instance against a real origin. (The fix "options never
 * leak as request headers" lives in fidelity.test.ts with the other checks of what reaches the origin.)
 */
import axios from 'axios';
import { expect } from 'chai';
import { Keyv } from 'keyv';
import { setupCache } from '../../src/index.js';
import { useHarness } from '../support/harness.js';
import { run, stored } from '../support/inspect.js';
import { rawFilesText, secretTraces } from '../support/storage-text.js';
import { tempDir } from '../support/temp.js';
import { sendJson, sendNotModified } from '../support/wait.js';

const HEX64 = /^[0-9a-f]{64}$/;

describe('integration: requests-cache bugs fixed (SPEC §4)', () => {
  const h = useHarness();

  describe('header names in ignoredParameters match case-insensitively', () => {
    it('fixes requests-cache BUG: header names in ignoredParameters match case-insensitively (lower-case `authorization` sent against the default `Authorization`)', async () => {
      const http = h.cached({ matchHeaders: true, hashedParameters: false });
      const result = await run(h.origin, http, [
        { url: '/auth', headers: { authorization: 'Bearer lower-secret-1' } },
        { url: '/auth', headers: { AUTHORIZATION: 'Bearer upper-secret-2' } },
        { url: '/auth', headers: { Authorization: 'Bearer mixed-secret-3' } },
      ]);
      expect(result.fromCache, 'kept out of the key even with matchHeaders: true').to.deep.equal([false, true, true]);
      expect(result.network).to.equal(1);
      expect(h.origin.requests[0]!.headers.authorization).to.equal('Bearer lower-secret-1');
      const [entry] = await stored(http);
      expect(entry!.request.headers.authorization).to.equal('REDACTED');
      expect(JSON.stringify(entry!.request)).not.to.include('lower-secret-1');
    });

    it('fixes requests-cache BUG: header names in ignoredParameters match case-insensitively (lower-case `authorization` in the option)', async () => {
      const http = h.cached({ ignoredParameters: ['authorization', 'X-SECRET-TOKEN'], matchHeaders: ['Authorization', 'x-secret-token', 'Accept'] });
      const result = await run(h.origin, http, [
        { url: '/auth2', headers: { Authorization: 'Bearer one', 'X-Secret-Token': 't1' } },
        { url: '/auth2', headers: { Authorization: 'Bearer two', 'x-secret-token': 't2' } },
        { url: '/auth2', headers: { Authorization: 'Bearer two', 'x-secret-token': 't2', Accept: 'text/plain' } },
      ]);
      expect(result.fromCache).to.deep.equal([false, true, false]);
      const entries = await stored(http);
      expect(entries).to.have.length(2);
      for (const entry of entries) {
        expect(entry.request.headers.authorization).to.equal('REDACTED');
        expect(entry.request.headers['x-secret-token']).to.equal('REDACTED');
      }
    });

    it('fixes requests-cache BUG: header names in ignoredParameters match case-insensitively (nothing of a lower-case header reaches the SQLite file)', async () => {
      const dir = tempDir();
      const http = setupCache(axios.create({ baseURL: h.origin.base }), { cacheName: `${dir}/case`, ignoredParameters: ['x-api-key'] });
      try {
        await http.get('/key', { headers: { 'X-Api-Key': 'api-key-secret-0a1b2c3d' } });
        expect((await http.get('/key', { headers: { 'X-API-KEY': 'another' } })).fromCache).to.equal(true);
      } finally {
        await http.cache.close();
      }
      const raw = rawFilesText(dir, 'case');
      expect(raw).to.include('REDACTED');
      expect(secretTraces(raw, 'api-key-secret-0a1b2c3d')).to.deep.equal([]);
    });
  });

  describe('a bad Expires header', () => {
    for (const expires of ['not a date', '0', '-1', 'Thu, 99 Foo 2015 25:61:61 GMT', '']) {
      it(`fixes requests-cache BUG: a bad Expires never throws (treated as expired): Expires: ${JSON.stringify(expires)}`, async () => {
        h.origin.route('/bad-expires', (_req, res, n) => sendJson(res, { n }, { expires }));
        const http = h.cached({ cacheControl: true });
        const first = await http.get('/bad-expires');
        expect(first.status).to.equal(200);
        expect(first.data).to.deep.equal({ n: 1 });
        expect(first.fromCache).to.equal(false);
        if (first.expires !== null) expect(first.expires.getTime()).to.be.at.most(Date.now());
        expect(await http.cache.count({ expired: false }), 'nothing fresh stored').to.equal(0);
        const second = await http.get('/bad-expires');
        expect(second.fromCache, 'treated as expired: fetched again').to.equal(false);
        expect(second.data).to.deep.equal({ n: 2 });
        expect(h.origin.count('/bad-expires')).to.equal(2);
      });
    }

    it('fixes requests-cache BUG: a bad Expires never throws (treated as expired): with an ETag the entry is revalidated on the next use', async () => {
      h.origin.route('/bad-expires-etag', (req, res, n) => {
        res.sendDate = false;
        if (req.headers['if-none-match'] === '"e1"') return sendNotModified(res, { etag: '"e1"', expires: 'garbage' });
        sendJson(res, { n }, { etag: '"e1"', expires: 'garbage' });
      });
      const http = h.cached({ cacheControl: true });
      await http.get('/bad-expires-etag');
      const second = await http.get('/bad-expires-etag');
      expect(h.origin.requests[1]!.headers['if-none-match']).to.equal('"e1"');
      expect(second.fromCache).to.equal(true);
      expect(second.revalidated).to.equal(true);
      expect(second.data).to.deep.equal({ n: 1 });
    });

    it('a valid Expires in the future still sets the expiry (the fix does not break the normal case)', async () => {
      const at = new Date(Math.floor(Date.now() / 1000) * 1000 + 3600_000);
      h.origin.route('/good-expires', (_req, res, n) => sendJson(res, { n }, { expires: at.toUTCString() }));
      const http = h.cached({ cacheControl: true });
      const first = await http.get('/good-expires');
      expect(first.expires?.getTime()).to.equal(at.getTime());
      expect((await http.get('/good-expires')).fromCache).to.equal(true);
    });
  });

  describe('304 after a Vary mismatch', () => {
    /**
     * A lenient origin: it answers 304 to ANY If-None-Match (as some servers and CDNs do for a weak
     * or unknown validator), so a wrong validator from the cache would turn into a wrong variant.
     */
    function lenientVaryRoute(path: string): void {
      h.origin.route(path, (req, res, n) => {
        res.sendDate = false;
        const variant = req.headers.accept === 'application/x-b' ? 'B' : 'A';
        const etag = `"etag-${variant}"`;
        if (req.headers['if-none-match'] !== undefined) return sendNotModified(res, { etag, vary: 'Accept' });
        sendJson(res, { variant, n }, { etag, vary: 'Accept' });
      });
    }

    it("fixes requests-cache BUG: a 304 after a Vary mismatch never serves the wrong variant (no If-None-Match with A's ETag for B)", async () => {
      lenientVaryRoute('/variants');
      const http = h.cached({ expireAfter: 1 });
      const a = await http.get('/variants', { headers: { Accept: 'application/x-a' } });
      expect(a.data).to.deep.equal({ variant: 'A', n: 1 });
      h.clock.advance(2);

      const b = await http.get('/variants', { headers: { Accept: 'application/x-b' } });
      const sentForB = h.origin.requests[1]!;
      expect(sentForB.headers.accept).to.equal('application/x-b');
      expect(sentForB.headers, "A's validator must not be sent for B").not.to.have.property('if-none-match');
      expect(sentForB.headers).not.to.have.property('if-modified-since');
      expect(b.data).to.deep.equal({ variant: 'B', n: 2 });
      expect(b.fromCache).to.equal(false);
      expect(b.revalidated).to.equal(false);
      expect(b.headers.etag).to.equal('"etag-B"');
    });

    it('fixes requests-cache BUG: a 304 after a Vary mismatch never serves the wrong variant (each variant revalidates with its own ETag)', async () => {
      lenientVaryRoute('/variants2');
      const http = h.cached({ expireAfter: 1 });
      await http.get('/variants2', { headers: { Accept: 'application/x-a' } });
      await http.get('/variants2', { headers: { Accept: 'application/x-b' } });
      h.clock.advance(2);
      const b = await http.get('/variants2', { headers: { Accept: 'application/x-b' } });
      const a = await http.get('/variants2', { headers: { Accept: 'application/x-a' } });
      const [, , forB, forA] = h.origin.requests;
      expect(forB!.headers['if-none-match']).to.equal('"etag-B"');
      expect(forA!.headers['if-none-match']).to.equal('"etag-A"');
      expect([b.revalidated, b.data.variant]).to.deep.equal([true, 'B']);
      expect([a.revalidated, a.data.variant]).to.deep.equal([true, 'A']);
    });
  });

  describe('instances sharing one backend', () => {
    it('fixes requests-cache BUG: two instances sharing one Keyv backend keep their own settings (expireAfter 1 s vs never)', async () => {
      const shared = new Keyv();
      const short = h.cached({ backend: shared, expireAfter: 1 });
      const forever = h.cached({ backend: shared });

      const s1 = await short.get('/short');
      const f1 = await forever.get('/forever');
      const s2 = await short.get('/short-2');
      expect(s1.expires, 'the instance created first keeps expireAfter 1').to.be.instanceOf(Date);
      expect(s1.expires!.getTime()).to.be.closeTo(s1.createdAt.getTime() + 1000, 50);
      expect(s2.expires, 'still 1 s after the second instance was created and used').to.be.instanceOf(Date);
      expect(f1.expires).to.equal(null);
      expect(await short.cache.count()).to.equal(3);

      h.clock.advance(2);
      expect((await short.get('/short')).fromCache, 'short entry expired').to.equal(false);
      expect((await forever.get('/forever')).fromCache, 'never-expiring entry still served').to.equal(true);
      expect(h.origin.count('/short')).to.equal(2);
      expect(h.origin.count('/forever')).to.equal(1);
    });

    it('fixes requests-cache BUG: two instances sharing one Keyv backend keep their own settings (allowableCodes, allowableMethods, ignoredParameters)', async () => {
      h.origin.route('/nf', (_req, res, n) => sendJson(res, { n }, {}, 404));
      const shared = new Keyv();
      const lenient = h.cached({ backend: shared, allowableCodes: [200, 404], allowableMethods: ['GET', 'POST'], ignoredParameters: ['page'] });
      const strict = h.cached({ backend: shared });
      const any = { validateStatus: () => true };

      expect((await run(h.origin, strict, [{ url: '/nf', ...any }, { url: '/nf', ...any }])).fromCache).to.deep.equal([false, false]);
      expect((await run(h.origin, lenient, [{ url: '/nf', ...any }, { url: '/nf', ...any }])).fromCache).to.deep.equal([false, true]);
      expect((await run(h.origin, strict, [{ url: '/p', method: 'post', data: { a: 1 } }, { url: '/p', method: 'post', data: { a: 1 } }])).fromCache).to.deep.equal([false, false]);
      expect((await run(h.origin, lenient, [{ url: '/p', method: 'post', data: { a: 1 } }, { url: '/p', method: 'post', data: { a: 1 } }])).fromCache).to.deep.equal([false, true]);
      expect((await run(h.origin, lenient, [{ url: '/q?page=1' }, { url: '/q?page=2' }])).fromCache).to.deep.equal([false, true]);
      expect((await run(h.origin, strict, [{ url: '/q?page=1' }, { url: '/q?page=2' }])).fromCache).to.deep.equal([false, false]);
    });
  });

  describe('strong cache keys', () => {
    it('fixes requests-cache BUG: cache keys are sha256 (64 hex chars), not a 64-bit blake2b', async () => {
      const http = h.cached({ allowableMethods: ['GET', 'POST'] });
      const get = await http.get('/k?a=1');
      const post = await http.post('/k', { a: 1 });
      expect(get.cacheKey).to.match(HEX64);
      expect(post.cacheKey).to.match(HEX64);
      expect(http.cache.createKey({ url: h.origin.url('/k?a=1') })).to.equal(get.cacheKey);
      const keys = await http.cache.responses.keys();
      expect(keys.sort()).to.deep.equal([get.cacheKey, post.cacheKey].sort());
      for (const key of keys) expect(key).to.match(HEX64);
    });

    it('fixes requests-cache BUG: cache keys are sha256 (64 hex chars) on the SQLite backend too, including the stored keys', async () => {
      const dir = tempDir();
      const http = setupCache(axios.create({ baseURL: h.origin.base }), { cacheName: `${dir}/keys` });
      try {
        const res = await http.get('/k');
        expect(res.cacheKey).to.match(HEX64);
        expect(await http.cache.responses.keys()).to.deep.equal([res.cacheKey]);
        expect((await http.get('/k')).cacheKey).to.equal(res.cacheKey);
      } finally {
        await http.cache.close();
      }
    });
  });
});
