/**
 * Expiration through a real axios instance against a real origin (docs/behaviour.md §1 "Expiration values",
 * §2.2–§2.4, §10 items 16–22 and 35–36). Time moves with controlClock, never by sleeping.
 */
import axios from 'axios';
import { expect } from 'chai';
import { Keyv } from 'keyv';
import { DO_NOT_CACHE, EXPIRE_IMMEDIATELY, NEVER_EXPIRE, setupCache } from '../../src/index.js';
import { useHarness } from '../support/harness.js';
import { near } from '../support/inspect.js';
import { sendJson } from '../support/wait.js';

describe('integration: expiration (docs/behaviour.md §10 items 16–22, 35–36)', () => {
  const h = useHarness();
  let host: string;

  before(() => {
    host = h.origin.base.replace(/^http:\/\//, '');
  });

  describe('item 16: expireAfter 1', () => {
    it('hits before 1 s and misses after 1.1 s', async () => {
      const http = h.cached({ expireAfter: 1 });
      const first = await http.get('/e16');
      expect(first.fromCache).to.equal(false);
      expect(first.data.n).to.equal(1);

      h.clock.advance(0.5);
      const second = await http.get('/e16');
      expect(second.fromCache).to.equal(true);
      expect(second.data.n).to.equal(1);
      expect(second.isExpired).to.equal(false);

      h.clock.advance(0.6);
      const third = await http.get('/e16');
      expect(third.fromCache).to.equal(false);
      expect(third.data.n).to.equal(2);
      expect(h.origin.count('/e16')).to.equal(2);
    });
  });

  describe('item 17: per-request expireAfter overrides the session', () => {
    it('a per-request 60 s outlives a session 1 s', async () => {
      const http = h.cached({ expireAfter: 1 });
      const first = await http.get('/e17', { cache: { expireAfter: 60 } });
      near(first.expires, Date.now() + 60_000);
      h.clock.advance(30);
      const second = await http.get('/e17');
      expect(second.fromCache).to.equal(true);
      expect(h.origin.count('/e17')).to.equal(1);
    });

    it('NEVER_EXPIRE per request gives expires null under a session expireAfter', async () => {
      const http = h.cached({ expireAfter: 60 });
      const first = await http.get('/e17n', { cache: { expireAfter: NEVER_EXPIRE } });
      expect(first.cacheKey).to.be.a('string');
      expect(first.expires).to.equal(null);
      h.clock.advance(10 * 365 * 86_400);
      const later = await http.get('/e17n');
      expect(later.fromCache).to.equal(true);
      expect(later.expires).to.equal(null);
      expect(later.isExpired).to.equal(false);
    });

    it('per-request options never reach the origin as headers', async () => {
      const http = h.cached({ expireAfter: 1 });
      await http.get('/e17h', { cache: { expireAfter: 60 } });
      const sent = h.origin.requests[0]!.headers;
      expect(sent).to.not.have.property('cache-control');
      expect(sent).to.not.have.property('x-actual-no-cache');
    });
  });

  describe('duration strings and Date values', () => {
    it("session expireAfter '5m' expires 300 s after the response", async () => {
      const http = h.cached({ expireAfter: '5m' });
      const res = await http.get('/dur');
      near(res.expires, Date.now() + 300_000);
      h.clock.advance(299);
      expect((await http.get('/dur')).fromCache).to.equal(true);
      h.clock.advance(2);
      expect((await http.get('/dur')).fromCache).to.equal(false);
    });

    it("per-request '1h30m' is 5400 s", async () => {
      const http = h.cached();
      const res = await http.get('/dur2', { cache: { expireAfter: '1h30m' } });
      near(res.expires, Date.now() + 5400_000);
    });

    it('a Date is an absolute expiry', async () => {
      const at = new Date(Date.now() + 3_600_000);
      const http = h.cached({ expireAfter: at });
      const res = await http.get('/date');
      expect(res.expires!.getTime()).to.equal(at.getTime());
      h.clock.advance(3599);
      expect((await http.get('/date')).fromCache).to.equal(true);
      h.clock.advance(2);
      expect((await http.get('/date')).fromCache).to.equal(false);
    });

    it('a per-request Date in the past writes an already expired entry', async () => {
      const http = h.cached();
      const past = new Date(Date.now() - 10_000);
      const res = await http.get('/past', { cache: { expireAfter: past } });
      expect(res.cacheKey).to.be.a('string');
      expect(res.expires!.getTime()).to.equal(past.getTime());
      expect(await http.cache.count({ expired: false })).to.equal(0);
      expect(await http.cache.count()).to.equal(1);
      expect((await http.get('/past')).fromCache).to.equal(false);
    });
  });

  describe('item 18: urlsExpireAfter', () => {
    it('the first matching pattern in definition order wins', async () => {
      const http = h.cached({
        expireAfter: 1,
        urlsExpireAfter: { [`${host}/first/special`]: 600, [`${host}/first`]: 60 },
      });
      near((await http.get('/first/special')).expires, Date.now() + 600_000);
      near((await http.get('/first/other')).expires, Date.now() + 60_000);
      near((await http.get('/elsewhere')).expires, Date.now() + 1000);
    });

    it('a glob ignores the scheme on both sides', async () => {
      const http = h.cached({ urlsExpireAfter: { [`https://${host}/scheme`]: 60 } });
      near((await http.get('/scheme')).expires, Date.now() + 60_000);
    });

    it('a glob is a prefix match (res_1 matches res_10) and * crosses /', async () => {
      const http = h.cached({ urlsExpireAfter: { [`${host}/res_1`]: 60, [`${host}/a*/z`]: 120 } });
      near((await http.get('/res_10')).expires, Date.now() + 60_000);
      near((await http.get('/a/b/c/z?q=1')).expires, Date.now() + 120_000);
      expect((await http.get('/res_2')).expires).to.equal(null);
    });

    it("'*.host' does not match the bare host", async () => {
      const http = h.cached({ urlsExpireAfter: { '*.127.0.0.1': 60 } });
      expect((await http.get('/star-dot')).expires).to.equal(null);
    });

    it('a RegExp is searched in the full URL, scheme and query included', async () => {
      const http = h.cached({
        urlsExpireAfter: new Map<string | RegExp, number>([
          [/^http:\/\/127\.0\.0\.1:\d+\/rx\b/, 60],
          [/[?&]long=yes/, 600],
        ]),
      });
      near((await http.get('/rx/1')).expires, Date.now() + 60_000);
      near((await http.get('/other', { params: { long: 'yes' } })).expires, Date.now() + 600_000);
      expect((await http.get('/xrx')).expires).to.equal(null);
    });

    it('a Map (or array of pairs) keeps the order a plain object would change', async () => {
      // Every URL here starts with '1' once the scheme is dropped, so the glob '1' matches it. A plain
      // object moves the integer-like key '1' first; a Map and an array keep '*' first.
      const object = h.cached({ urlsExpireAfter: { '*': 100, '1': 10 } });
      near((await object.get('/order')).expires, Date.now() + 10_000);

      const map = h.cached({ urlsExpireAfter: new Map([['*', 100], ['1', 10]]) });
      near((await map.get('/order')).expires, Date.now() + 100_000);

      const pairs = h.cached({ urlsExpireAfter: [['*', 100], ['1', 10]] });
      near((await pairs.get('/order')).expires, Date.now() + 100_000);
    });

    it('a request Cache-Control max-age beats urlsExpireAfter', async () => {
      const http = h.cached({ urlsExpireAfter: { '*': 60 } });
      const res = await http.get('/hdr', { headers: { 'Cache-Control': 'max-age=360' } });
      near(res.expires, Date.now() + 360_000);
    });
  });

  describe('item 19: {X: 60, "*": DO_NOT_CACHE} is an allowlist', () => {
    it('caches only X; other URLs are never stored nor read', async () => {
      const http = h.cached({ urlsExpireAfter: { [`${host}/allowed`]: 60, '*': DO_NOT_CACHE } });
      await http.get('/allowed');
      expect((await http.get('/allowed')).fromCache).to.equal(true);

      const a = await http.get('/denied');
      const b = await http.get('/denied');
      expect([a.fromCache, b.fromCache]).to.deep.equal([false, false]);
      expect(b.data.n).to.equal(2);
      expect(a.cacheKey).to.equal(undefined);
      expect(await http.cache.count()).to.equal(1);
      expect(await http.cache.contains({ url: h.origin.url('/denied') })).to.equal(false);
    });
  });

  describe('item 20: DO_NOT_CACHE', () => {
    for (const [source, options] of [
      ['the session setting', { expireAfter: DO_NOT_CACHE }],
      ['a urlsExpireAfter pattern', { urlsExpireAfter: { '*': DO_NOT_CACHE } }],
    ] as const) {
      it(`from ${source}, an entry another instance stored is neither read nor overwritten`, async () => {
        const shared = new Keyv();
        const writer = h.cached({ backend: shared });
        const reader = h.cached({ backend: shared, ...options });
        await writer.get('/dnc-shared');
        const res = await reader.get('/dnc-shared');
        expect(res.fromCache).to.equal(false);
        expect(res.data.n).to.equal(2);
        expect((await writer.get('/dnc-shared')).data.n, 'the stored entry is untouched').to.equal(1);
      });
    }

    it('as the session setting, skips read and write', async () => {
      const http = h.cached({ expireAfter: DO_NOT_CACHE });
      await http.get('/dnc');
      const second = await http.get('/dnc');
      expect(second.fromCache).to.equal(false);
      expect(second.data.n).to.equal(2);
      expect(await http.cache.count()).to.equal(0);
    });

    it('fixes requests-cache BUG (docs/behaviour.md §14): per request, DO_NOT_CACHE skips the read of a cached entry and does not overwrite it', async () => {
      const http = h.cached();
      await http.get('/dnc2');
      const bypass = await http.get('/dnc2', { cache: { expireAfter: DO_NOT_CACHE } });
      expect(bypass.fromCache).to.equal(false);
      expect(bypass.data.n).to.equal(2);
      const again = await http.get('/dnc2');
      expect(again.fromCache).to.equal(true);
      expect(again.data.n).to.equal(1);
    });

    it('sends no Cache-Control or internal header to the origin', async () => {
      const http = h.cached();
      await http.get('/dnc3', { cache: { expireAfter: DO_NOT_CACHE } });
      const sent = h.origin.requests[0]!.headers;
      expect(sent).to.not.have.property('cache-control');
      expect(Object.keys(sent).filter((h) => h.startsWith('x-'))).to.deep.equal([]);
    });
  });

  describe('item 21: EXPIRE_IMMEDIATELY', () => {
    beforeEach(() => {
      h.origin.route('/ei-etag', (req, res, n) => {
        if (req.headers['if-none-match'] === '"e1"') {
          res.statusCode = 304;
          res.setHeader('etag', '"e1"');
          return void res.end();
        }
        sendJson(res, { n }, { etag: '"e1"' });
      });
      h.origin.route('/ei-lm', (_req, res, n) => sendJson(res, { n }, { 'last-modified': 'Wed, 21 Oct 2015 07:28:00 GMT' }));
    });

    it('is not written without a validator', async () => {
      const http = h.cached({ expireAfter: EXPIRE_IMMEDIATELY });
      const res = await http.get('/ei-none');
      expect(res.cacheKey).to.equal(undefined);
      expect(await http.cache.count()).to.equal(0);
      expect((await http.get('/ei-none')).data.n).to.equal(2);
    });

    it('is written with an ETag, expired at once, and revalidated on use', async () => {
      const http = h.cached({ expireAfter: EXPIRE_IMMEDIATELY });
      const res = await http.get('/ei-etag');
      expect(res.cacheKey).to.be.a('string');
      near(res.expires, Date.now(), 1000);
      const again = await http.get('/ei-etag');
      expect(h.origin.requests[1]!.headers['if-none-match']).to.equal('"e1"');
      expect(again.fromCache).to.equal(true);
      expect(again.revalidated).to.equal(true);
      expect(again.data.n).to.equal(1);
    });

    it('is written with Last-Modified', async () => {
      const http = h.cached({ expireAfter: EXPIRE_IMMEDIATELY });
      const res = await http.get('/ei-lm');
      expect(res.cacheKey).to.be.a('string');
      expect(await http.cache.count()).to.equal(1);
    });
  });

  describe('item 22: invalid expirations', () => {
    it('an invalid expireAfter at setup throws, naming the option', () => {
      expect(() => setupCache(axios.create(), { backend: 'memory', expireAfter: 'tomorrow' })).to.throw(RangeError, /expireAfter/);
      expect(() => setupCache(axios.create(), { backend: 'memory', expireAfter: {} as never })).to.throw(TypeError, /expireAfter/);
      expect(() => setupCache(axios.create(), { backend: 'memory', expireAfter: Number.NaN })).to.throw(RangeError, /expireAfter/);
      expect(() => setupCache(axios.create(), { backend: 'memory', urlsExpireAfter: { '*': 'soon' } })).to.throw(/urlsExpireAfter/);
    });

    it('a bad per-request expireAfter rejects that request only, before any network call', async () => {
      const http = h.cached();
      let error: unknown;
      try {
        await http.get('/bad', { cache: { expireAfter: 'tomorrow' } });
      } catch (e) {
        error = e;
      }
      expect(error).to.be.instanceOf(RangeError);
      expect((error as Error).message).to.match(/expireAfter/);

      error = undefined;
      try {
        await http.get('/bad', { cache: { expireAfter: [] as never } });
      } catch (e) {
        error = e;
      }
      expect(error).to.be.instanceOf(TypeError);
      expect((error as Error).message).to.match(/expireAfter/);

      expect(h.origin.count('/bad')).to.equal(0);
      expect((await http.get('/bad')).status).to.equal(200);
    });
  });

  describe('item 35: cacheControl', () => {
    beforeEach(() => {
      h.origin.route('/ma60', (_req, res, n) => sendJson(res, { n }, { 'cache-control': 'max-age=60' }));
      h.origin.route('/immutable', (_req, res, n) => sendJson(res, { n }, { 'cache-control': 'max-age=60, immutable' }));
      h.origin.route('/no-store', (_req, res, n) => sendJson(res, { n }, { 'cache-control': 'no-store' }));
      h.origin.route('/ma0', (req, res, n) => {
        if (req.headers['if-none-match'] === '"z"') {
          res.statusCode = 304;
          return void res.end();
        }
        sendJson(res, { n }, { 'cache-control': 'max-age=0', etag: '"z"' });
      });
      h.origin.route('/expires0', (_req, res, n) => sendJson(res, { n }, { expires: '0', 'last-modified': 'Wed, 21 Oct 2015 07:28:00 GMT' }));
      h.origin.route('/expires-date', (_req, res, n) =>
        sendJson(res, { n }, { expires: new Date(Math.floor(Date.now() / 1000) * 1000 + 120_000).toUTCString() }),
      );
      h.origin.route('/expires-bad', (_req, res, n) => sendJson(res, { n }, { expires: 'not a date', etag: '"b"' }));
    });

    it('response max-age=60 sets expires ≈ now+60 even with request max-age=360', async () => {
      const http = h.cached({ cacheControl: true, expireAfter: 3600 });
      const res = await http.get('/ma60', { headers: { 'Cache-Control': 'max-age=360' } });
      near(res.expires, Date.now() + 60_000);
      h.clock.advance(61);
      expect((await http.get('/ma60')).fromCache).to.equal(false);
    });

    it('response max-age beats a per-request expireAfter too', async () => {
      const http = h.cached({ cacheControl: true });
      const res = await http.get('/ma60', { cache: { expireAfter: 3600 } });
      near(res.expires, Date.now() + 60_000);
    });

    it('immutable never expires (over max-age)', async () => {
      const http = h.cached({ cacheControl: true, expireAfter: 1 });
      const res = await http.get('/immutable');
      expect(res.cacheKey).to.be.a('string');
      expect(res.expires).to.equal(null);
      h.clock.advance(86_400);
      expect((await http.get('/immutable')).fromCache).to.equal(true);
    });

    it('no-store is not written', async () => {
      const http = h.cached({ cacheControl: true });
      const res = await http.get('/no-store');
      expect(res.cacheKey).to.equal(undefined);
      expect(await http.cache.count()).to.equal(0);
      expect((await http.get('/no-store')).data.n).to.equal(2);
    });

    it('max-age=0 with a validator is written, expired now, and revalidated next time', async () => {
      const http = h.cached({ cacheControl: true });
      const res = await http.get('/ma0');
      expect(res.cacheKey).to.be.a('string');
      near(res.expires, Date.now(), 1000);
      const next = await http.get('/ma0');
      expect(h.origin.requests[1]!.headers['if-none-match']).to.equal('"z"');
      expect(next.fromCache).to.equal(true);
      expect(next.revalidated).to.equal(true);
    });

    it('Expires: 0 with a validator is written and expired now', async () => {
      const http = h.cached({ cacheControl: true });
      const res = await http.get('/expires0');
      expect(res.cacheKey).to.be.a('string');
      near(res.expires, Date.now(), 1000);
      expect(await http.cache.count({ expired: false })).to.equal(0);
      expect(await http.cache.count()).to.equal(1);
    });

    it('an HTTP-date Expires is the absolute expiry', async () => {
      const http = h.cached({ cacheControl: true });
      const res = await http.get('/expires-date');
      near(res.expires, Date.now() + 120_000, 1500);
    });

    it('an invalid Expires never throws: it is treated as expired (SPEC §4)', async () => {
      const http = h.cached({ cacheControl: true });
      const res = await http.get('/expires-bad');
      expect(res.status).to.equal(200);
      near(res.expires, Date.now(), 1000);
    });

    it('cacheControl false ignores response headers: request max-age=360 applies, no-store is written with ignoreResponseNoStore', async () => {
      const http = h.cached({ cacheControl: false, ignoreResponseNoStore: true });
      const res = await http.get('/ma60', { headers: { 'Cache-Control': 'max-age=360' } });
      near(res.expires, Date.now() + 360_000);
      const stored = await http.get('/no-store');
      expect(stored.cacheKey).to.be.a('string');
      expect((await http.get('/no-store')).fromCache).to.equal(true);
      const immutable = await http.get('/immutable', { cache: { expireAfter: 5 } });
      near(immutable.expires, Date.now() + 5000);
    });
  });

  describe('item 36: request Cache-Control headers (honoured whatever cacheControl is)', () => {
    it('no-store: no read and no write', async () => {
      const http = h.cached();
      await http.get('/rq-ns');
      const bypass = await http.get('/rq-ns', { headers: { 'Cache-Control': 'no-store' } });
      expect(bypass.fromCache).to.equal(false);
      expect(bypass.data.n).to.equal(2);
      expect((await http.get('/rq-ns')).data.n).to.equal(1);

      const fresh = await http.get('/rq-ns-new', { headers: { 'Cache-Control': 'no-store' } });
      expect(fresh.cacheKey).to.equal(undefined);
      expect(await http.cache.contains({ url: h.origin.url('/rq-ns-new') })).to.equal(false);
    });

    it('no-cache: no read, but the new response is written', async () => {
      const http = h.cached();
      await http.get('/rq-nc');
      const refetched = await http.get('/rq-nc', { headers: { 'Cache-Control': 'no-cache' } });
      expect(refetched.fromCache).to.equal(false);
      expect(refetched.data.n).to.equal(2);
      const after = await http.get('/rq-nc');
      expect(after.fromCache).to.equal(true);
      expect(after.data.n).to.equal(2);
    });

    it('max-stale=15 accepts an entry expired 10 s ago; max-stale=5 does not', async () => {
      const http = h.cached({ expireAfter: 1 });
      await http.get('/rq-ms');
      h.clock.advance(11);
      const accepted = await http.get('/rq-ms', { headers: { 'Cache-Control': 'max-stale=15' } });
      expect(accepted.fromCache).to.equal(true);
      expect(accepted.isExpired).to.equal(true);
      expect(h.origin.count('/rq-ms')).to.equal(1);
      const refused = await http.get('/rq-ms', { headers: { 'Cache-Control': 'max-stale=5' } });
      expect(refused.fromCache).to.equal(false);
      expect(h.origin.count('/rq-ms')).to.equal(2);
    });

    it('min-fresh=15 rejects an entry that expires in 10 s; min-fresh=5 accepts it', async () => {
      const http = h.cached({ expireAfter: 10 });
      await http.get('/rq-mf');
      const accepted = await http.get('/rq-mf', { headers: { 'Cache-Control': 'min-fresh=5' } });
      expect(accepted.fromCache).to.equal(true);
      const refused = await http.get('/rq-mf', { headers: { 'Cache-Control': 'min-fresh=15' } });
      expect(refused.fromCache).to.equal(false);
      expect(h.origin.count('/rq-mf')).to.equal(2);
    });
  });
});
