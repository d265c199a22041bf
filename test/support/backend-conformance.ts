/**
 * The backend conformance suite (issue 7 item 13): the same cache-level behaviour through
 * `setupCache` and a real node:http origin, run unchanged against every backend. `options(name)`
 * returns the setupCache options of a cache called `name` on the backend under test; calling it
 * twice with one name must reach the same stored data (persistence across instances).
 */
import axios from 'axios';
import { expect } from 'chai';
import { setupCache, type CacheAxiosInstance, type CacheOptions } from '../../src/index.js';
import { controlClock, type Clock } from './clock.js';
import { startOrigin, type Origin } from './origin.js';

export interface BackendConformanceOptions {
  /** Largest body the backend takes (DynamoDB: 400 KB); the big-body test stays below it. Default 5 MB. */
  maxBody?: number;
  /** The memory backend does not persist across instances. */
  persistent?: boolean;
}

const ALL_BYTES = Buffer.from(Array.from({ length: 256 }, (_, i) => i));

/** Counts suites in this process, so two runs against one server never reuse a cache name. */
let suites = 0;

export function backendConformance(options: (cacheName: string) => CacheOptions, suite: BackendConformanceOptions = {}): void {
  const { maxBody = 5 * 1024 * 1024, persistent = true } = suite;
  const run = (suites += 1);
  let origin: Origin;
  let clock: Clock;
  let name = '';
  let seq = 0;
  const open: CacheAxiosInstance[] = [];
  const big = Buffer.alloc(Math.max(0, maxBody - 64 * 1024), 'x');

  const cached = (extra: CacheOptions = {}, cacheName = name): CacheAxiosInstance => {
    const http = setupCache(axios.create({ baseURL: origin.base }), { ...options(cacheName), ...extra });
    open.push(http);
    return http;
  };

  before(async () => {
    origin = await startOrigin();
  });
  const routes = (): void => {
    origin.route('/bytes', (_req, res) => {
      res.setHeader('content-type', 'application/octet-stream');
      res.end(ALL_BYTES);
    });
    origin.route('/empty', (_req, res) => {
      res.statusCode = 200;
      res.end();
    });
    origin.route('/big', (_req, res) => {
      res.setHeader('content-type', 'application/octet-stream');
      res.end(big);
    });
    origin.route('/vary', (req, res) => {
      res.setHeader('vary', 'accept-language');
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ lang: req.headers['accept-language'] ?? '' }));
    });
    origin.route('/moved', (_req, res) => {
      res.statusCode = 302;
      res.setHeader('location', '/target');
      res.end();
    });
  };
  after(async () => origin.close());
  beforeEach(() => {
    seq += 1;
    name = `bc${process.pid}s${run}x${seq}`;
    origin.reset(); // also forgets routes
    routes();
    clock = controlClock();
  });
  afterEach(async () => {
    clock.restore();
    for (const http of open.splice(0)) {
      await http.cache.clear().catch(() => undefined);
      await http.cache.close();
    }
  });

  describe('backend conformance', () => {
    it('saves and reads a response; a second request is a hit', async () => {
      const http = cached();
      const first = await http.get('/a');
      expect(first.fromCache).to.equal(false);
      const second = await http.get('/a');
      expect(second.fromCache).to.equal(true);
      expect(second.data).to.deep.equal(first.data);
      expect(origin.count('/a')).to.equal(1);
    });

    it('round-trips a binary body with all 256 byte values, and an empty body', async () => {
      const http = cached();
      await http.get('/bytes', { responseType: 'arraybuffer' });
      const hit = await http.get('/bytes', { responseType: 'arraybuffer' });
      expect(hit.fromCache).to.equal(true);
      expect(Buffer.from(hit.data as ArrayBuffer).equals(ALL_BYTES)).to.equal(true);
      await http.get('/empty');
      const empty = await http.get('/empty', { responseType: 'text' });
      expect(empty.fromCache).to.equal(true);
      expect(empty.data).to.equal('');
    });

    it(`round-trips a large body (${Math.round(big.length / 1024)} KB)`, async function () {
      this.timeout(60000);
      const http = cached();
      await http.get('/big', { responseType: 'arraybuffer' });
      const hit = await http.get('/big', { responseType: 'arraybuffer' });
      expect(hit.fromCache).to.equal(true);
      expect(Buffer.from(hit.data as ArrayBuffer).equals(big)).to.equal(true);
    });

    it('expires: an expired entry is refetched; delete({ expired }) removes only expired ones', async () => {
      const http = cached({ expireAfter: 60 });
      await http.get('/short');
      await http.get('/long', { cache: { expireAfter: 3600 } });
      clock.advance(120);
      expect((await http.get('/long')).fromCache).to.equal(true);
      expect(await http.cache.count({ expired: false })).to.equal(1);
      expect(await http.cache.delete({ expired: true })).to.equal(1);
      expect(await http.cache.count()).to.equal(1);
      expect((await http.get('/short')).fromCache).to.equal(false);
    });

    it('delete({ olderThan }) and delete({ keys }) remove exactly those', async () => {
      const http = cached();
      await http.get('/old');
      clock.advance(3600);
      const fresh = await http.get('/fresh');
      await http.get('/other');
      expect(await http.cache.delete({ olderThan: 1800 })).to.equal(1);
      expect(await http.cache.delete({ keys: [fresh.cacheKey!] })).to.equal(1);
      expect(await http.cache.urls()).to.deep.equal([origin.url('/other')]);
    });

    it('delete({ urls }) removes every Vary variant of the URL', async () => {
      const http = cached();
      await http.get('/vary', { headers: { 'accept-language': 'en' } });
      await http.get('/vary', { headers: { 'accept-language': 'fr' } });
      await http.get('/keep');
      expect(await http.cache.count()).to.be.at.least(2);
      await http.cache.delete({ urls: [origin.url('/vary')] });
      expect(await http.cache.urls()).to.deep.equal([origin.url('/keep')]);
      expect((await http.get('/vary', { headers: { 'accept-language': 'en' } })).fromCache).to.equal(false);
    });

    it("cacheControl 'shared': the stored age survives the backend (Age served), and a POST invalidates every variant and caller of its URL (RFC 9111 §4.4)", async () => {
      const http = cached({ cacheControl: 'shared' });
      const variants = [
        { 'accept-language': 'en', authorization: 'Bearer alice' },
        { 'accept-language': 'fr', authorization: 'Bearer alice' },
        { 'accept-language': 'en', authorization: 'Bearer bob' },
      ];
      // s-maxage lets a shared cache store responses to requests with Authorization (§3.5).
      origin.route('/rfc', (req, res) => {
        res.setHeader('cache-control', 's-maxage=600');
        res.setHeader('age', '100');
        res.setHeader('vary', 'accept-language');
        res.end(`rfc ${req.headers['accept-language'] ?? ''}`);
      });
      for (const headers of variants) await http.get('/rfc', { headers });
      clock.advance(50);
      const hit = await http.get('/rfc', { headers: variants[1] });
      expect(hit.fromCache).to.equal(true);
      expect(Number(hit.headers.age)).to.be.within(150, 151);
      await http.post('/rfc', 'changed', { headers: variants[0] });
      for (const headers of variants) expect((await http.get('/rfc', { headers })).fromCache, JSON.stringify(headers)).to.equal(false);
    });

    it('keeps redirect aliases: the redirected URL is a hit, and a delete prunes its alias', async () => {
      const http = cached({ allowableCodes: [200] });
      const first = await http.get('/moved');
      expect(first.request.path ?? first.config.url).to.be.a('string');
      const again = await http.get('/moved');
      expect(again.fromCache).to.equal(true);
      const aliases = await http.cache.redirects.entries();
      expect(aliases.length).to.equal(1);
      await http.cache.delete({ urls: [origin.url('/target')] });
      expect(await http.cache.redirects.entries()).to.deep.equal([]);
    });

    it('counts, lists URLs and filters; clear() empties the cache', async () => {
      const http = cached();
      for (const path of ['/c1', '/c2', '/c3']) await http.get(path);
      expect(await http.cache.count()).to.equal(3);
      expect(await http.cache.urls()).to.deep.equal(['/c1', '/c2', '/c3'].map((p) => origin.url(p)));
      const listed: string[] = [];
      for await (const response of http.cache.filter()) listed.push(response.url);
      expect(listed.sort()).to.deep.equal(['/c1', '/c2', '/c3'].map((p) => origin.url(p)));
      await http.cache.clear();
      expect(await http.cache.count()).to.equal(0);
      expect((await http.get('/c1')).fromCache).to.equal(false);
    });

    it('persists across instances', async function () {
      if (!persistent) this.skip();
      const writer = cached();
      await writer.get('/persist');
      await writer.cache.close();
      open.splice(open.indexOf(writer), 1); // closed already; the reader clears the same cache
      const reader = cached();
      expect((await reader.get('/persist')).fromCache).to.equal(true);
      expect(origin.count('/persist')).to.equal(1);
    });

    it('does not cache a response above maxEntrySize, reporting it, never failing the request', async () => {
      const reports: string[] = [];
      const http = cached({ maxEntrySize: 1024, onStorageError: (error) => void reports.push(error.name) });
      const response = await http.get('/bytes', { responseType: 'arraybuffer', params: { pad: 'x'.repeat(2000) } });
      expect(response.status).to.equal(200);
      expect((await http.get('/bytes', { responseType: 'arraybuffer', params: { pad: 'x'.repeat(2000) } })).fromCache).to.equal(false);
      expect(reports).to.include('EntryTooLargeError');
      await http.get('/small');
      expect((await http.get('/small')).fromCache).to.equal(true);
    });

    it('two caches with related names on one backend never see each other; clear() of one spares the others', async function () {
      if (!persistent) this.skip();
      const names = ['a', 'a:b', 'axios', 'axios2', 'x*?[_%'].map((n) => `${name}${n}`);
      const caches = names.map((n) => cached({}, n));
      for (const [i, http] of caches.entries()) await http.get(`/n${i}`);
      for (const [i, http] of caches.entries()) expect(await http.cache.urls(), names[i]).to.deep.equal([origin.url(`/n${i}`)]);
      await caches[0].cache.clear();
      await caches[2].cache.clear();
      expect(await caches[0].cache.count()).to.equal(0);
      for (const i of [1, 3, 4]) expect(await caches[i].cache.count(), names[i]).to.equal(1);
    });
  });
}
