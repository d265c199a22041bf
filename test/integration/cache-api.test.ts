/**
 * readOnly, filterFn, keyFn, cacheDisabled, and the inspection / maintenance API of `http.cache`
 * through a real axios instance against a real origin (docs/behaviour.md §6, §10 items 37–40).
 */
import { expect } from 'chai';
import { Keyv } from 'keyv';
import { join } from 'node:path';
import type { CacheAxiosInstance, CacheOptions } from '../../src/index.js';
import { spyWrites, useHarness } from '../support/harness.js';
import { collect, storedN } from '../support/inspect.js';
import { tempDir } from '../support/temp.js';
import { sendJson, sendNotModified, sleep } from '../support/wait.js';

describe('integration: cache API (docs/behaviour.md §6, §10 items 37–40)', () => {
  const h = useHarness();

  describe('item 37: readOnly', () => {
    let shared: Keyv;
    let writer: CacheAxiosInstance;
    let reader: CacheAxiosInstance;

    beforeEach(async () => {
      shared = new Keyv();
      writer = h.cached({ backend: shared, expireAfter: 1 });
      reader = h.cached({ backend: shared, expireAfter: 1, readOnly: true });
    });

    it('serves existing entries', async () => {
      await writer.get('/ro');
      const res = await reader.get('/ro');
      expect(res.fromCache).to.equal(true);
      expect(res.data.n).to.equal(1);
      expect(h.origin.count('/ro')).to.equal(1);
    });

    it('does not write new responses', async () => {
      const res = await reader.get('/ro-new');
      expect(res.fromCache).to.equal(false);
      expect(res.cacheKey).to.equal(undefined);
      expect(await reader.cache.count()).to.equal(0);
      expect((await reader.get('/ro-new')).data.n).to.equal(2);
    });

    it('does not write refetched or forceRefresh responses', async () => {
      const first = await writer.get('/ro-re');
      h.clock.advance(2);
      const refetched = await reader.get('/ro-re');
      expect(refetched.fromCache).to.equal(false);
      expect(refetched.data.n).to.equal(2);
      expect(await storedN(reader, first.cacheKey!)).to.equal(1);

      const forced = await reader.get('/ro-re', { cache: { forceRefresh: true } });
      expect(forced.fromCache).to.equal(false);
      expect(forced.data.n).to.equal(3);
      expect(await storedN(reader, first.cacheKey!)).to.equal(1);
      expect(await reader.cache.count()).to.equal(1);
    });

    it('does not write revalidation updates', async () => {
      h.origin.route('/ro-304', (req, res, n) => {
        if (req.headers['if-none-match'] === '"r"') return sendNotModified(res, { etag: '"r"', 'x-version': String(n) });
        sendJson(res, { n }, { etag: '"r"' });
      });
      const first = await writer.get('/ro-304');
      h.clock.advance(2);
      const writes = spyWrites(reader);
      const res = await reader.get('/ro-304');
      expect(res.fromCache).to.equal(true);
      expect(res.revalidated).to.equal(true);
      expect(res.headers['x-version']).to.equal('2');
      expect(writes.count).to.equal(0);
      expect((await reader.cache.responses.get(first.cacheKey!))!.headers).to.not.have.property('x-version');
    });
  });

  describe('item 38: filterFn and keyFn', () => {
    it('filterFn returning false keeps a response out of the cache', async () => {
      const http = h.cached({ filterFn: () => false });
      const res = await http.get('/ff');
      expect(res.cacheKey).to.equal(undefined);
      expect(await http.cache.count()).to.equal(0);
      expect((await http.get('/ff')).fromCache).to.equal(false);
    });

    it('filterFn sees the transformed data (parsed JSON)', async () => {
      h.origin.route('/ff-yes', (_req, res) => sendJson(res, { cacheable: true }));
      h.origin.route('/ff-no', (_req, res) => sendJson(res, { cacheable: false }));
      const seen: unknown[] = [];
      const http = h.cached({
        filterFn: (res) => {
          seen.push(res.data);
          return (res.data as { cacheable?: boolean }).cacheable === true;
        },
      });
      await http.get('/ff-yes');
      await http.get('/ff-no');
      expect((await http.get('/ff-yes')).fromCache).to.equal(true);
      expect((await http.get('/ff-no')).fromCache).to.equal(false);
      expect(seen[0]).to.deep.equal({ cacheable: true });
      expect(await http.cache.count()).to.equal(1);
    });

    it('a cached response that now fails the filter is returned once, then deleted', async () => {
      let allow = true;
      const http = h.cached({ filterFn: () => allow });
      const first = await http.get('/ff-retro');
      expect(first.cacheKey).to.be.a('string');
      allow = false;
      const once = await http.get('/ff-retro');
      expect(once.fromCache).to.equal(true);
      expect(once.data.n).to.equal(1);
      expect(await http.cache.contains({ key: first.cacheKey! })).to.equal(false);
      const next = await http.get('/ff-retro');
      expect(next.fromCache).to.equal(false);
      expect(next.data.n).to.equal(2);
    });

    it('keyFn is honoured (keyed by path only)', async () => {
      const http = h.cached({ keyFn: (request) => `path:${new URL(request.url).pathname}` });
      const first = await http.get('/kf', { params: { x: 1 } });
      expect(first.cacheKey).to.equal('path:/kf');
      const second = await http.get('/kf', { params: { x: 2 } });
      expect(second.fromCache).to.equal(true);
      expect(second.data.path).to.equal('/kf?x=1');
      expect(await http.cache.contains({ key: 'path:/kf' })).to.equal(true);
      expect(await http.cache.contains({ url: h.origin.url('/kf?y=3') })).to.equal(true);
      expect(h.origin.count('/kf')).to.equal(1);
    });
  });

  describe('item 39: cacheDisabled', () => {
    beforeEach(() => {
      h.origin.route('/slow', async (req, res, n) => {
        await sleep(80);
        sendJson(res, { path: req.url, n });
      });
    });

    it('bypasses read and write', async () => {
      const http = h.cached();
      await http.get('/cd');
      const inside = await http.cacheDisabled(() => http.get('/cd'));
      expect(inside.fromCache).to.equal(false);
      expect(inside.data.n).to.equal(2);
      expect((await http.get('/cd')).data.n).to.equal(1);

      await http.cacheDisabled(() => http.get('/cd-new'));
      expect(await http.cache.contains({ url: h.origin.url('/cd-new') })).to.equal(false);
    });

    it('nested, and across awaits inside fn, still bypasses', async () => {
      const http = h.cached();
      await http.get('/cdn');
      const [inner, afterInner] = await http.cacheDisabled(async () => {
        const a = await http.cacheDisabled(() => http.get('/cdn'));
        await sleep(5);
        const b = await http.get('/cdn');
        return [a, b];
      });
      expect([inner.fromCache, afterInner.fromCache]).to.deep.equal([false, false]);
      expect([inner.data.n, afterInner.data.n]).to.deep.equal([2, 3]);
      const outside = await http.get('/cdn');
      expect(outside.fromCache).to.equal(true);
      expect(outside.data.n).to.equal(1);
    });

    it('is safe under concurrency: a request inside and one outside, at the same time, behave differently', async () => {
      const http = h.cached();
      await http.get('/slow');
      const [inside, outside] = await Promise.all([http.cacheDisabled(() => http.get('/slow')), http.get('/slow')]);
      expect(inside.fromCache).to.equal(false);
      expect(inside.data.n).to.equal(2);
      expect(outside.fromCache).to.equal(true);
      expect(outside.data.n).to.equal(1);
    });

    it('is safe under concurrency on a miss: only the request outside writes', async () => {
      const http = h.cached();
      const [inside, outside] = await Promise.all([http.cacheDisabled(() => http.get('/slow?m=1')), http.get('/slow?m=1')]);
      expect(h.origin.count('/slow')).to.equal(2);
      expect(inside.cacheKey).to.equal(undefined);
      expect(outside.cacheKey).to.be.a('string');
      expect(await storedN(http, outside.cacheKey!)).to.equal(outside.data.n);
      const later = await http.get('/slow?m=1');
      expect(later.fromCache).to.equal(true);
      expect(later.data.n).to.equal(outside.data.n);
    });
  });

  describe('item 40: maintenance', () => {
    for (const [condition, options] of [
      ['expired', () => ({ expired: true })],
      ['urls', () => ({ urls: [h.origin.url('/prune-hop')] })],
      ['olderThan', () => ({ olderThan: 1 })],
    ] as const) {
      it(`delete({ ${condition} }) prunes the redirect alias of the response it deletes`, async () => {
        h.origin.route('/prune-hop', (_req, res) => {
          res.statusCode = 302;
          res.setHeader('location', '/prune-final');
          res.end();
        });
        const http = h.cached({ expireAfter: 1 });
        await http.get('/prune-hop');
        expect(await http.cache.redirects.entries(), 'premise: the final URL is aliased').to.have.length(1);
        h.clock.advance(2);
        expect(await http.cache.delete(options())).to.equal(1);
        expect(await http.cache.redirects.entries()).to.deep.equal([]);
        expect(await http.cache.contains({ url: h.origin.url('/prune-final') })).to.equal(false);
      });
    }

    it('createKey / contains with matchHeaders: true give the key a real request got (axios 1.21 query/purge/link/unlink buckets flattened away)', async () => {
      const http = h.cached({ matchHeaders: true });
      const response = await http.get('/buckets', { headers: { 'X-Tenant': 'a' } });
      expect(http.cache.createKey({ url: '/buckets', headers: { 'X-Tenant': 'a' } })).to.equal(response.cacheKey);
      expect(await http.cache.contains({ request: { url: '/buckets', headers: { 'X-Tenant': 'a' } } })).to.equal(true);
      expect(await http.cache.contains({ request: { url: '/buckets', headers: { 'X-Tenant': 'b' } } })).to.equal(false);
    });

    it('delete({ expired }) removes only expired entries', async () => {
      const http = h.cached();
      await http.get('/del-exp', { cache: { expireAfter: 1 } });
      await http.get('/del-keep', { cache: { expireAfter: 60 } });
      await http.get('/del-never');
      h.clock.advance(2);
      expect(await http.cache.delete({ expired: true })).to.equal(1);
      expect(await http.cache.contains({ url: h.origin.url('/del-exp') })).to.equal(false);
      expect(await http.cache.contains({ url: h.origin.url('/del-keep') })).to.equal(true);
      expect(await http.cache.contains({ url: h.origin.url('/del-never') })).to.equal(true);
    });

    it('delete({ olderThan }) uses createdAt, in seconds or as a duration', async () => {
      const http = h.cached();
      await http.get('/old');
      h.clock.advance(100);
      await http.get('/mid');
      h.clock.advance(100);
      await http.get('/new');
      expect(await http.cache.delete({ olderThan: 150 })).to.equal(1);
      expect(await http.cache.urls()).to.deep.equal([h.origin.url('/mid'), h.origin.url('/new')]);
      expect(await http.cache.delete({ olderThan: '1m' })).to.equal(1);
      expect(await http.cache.urls()).to.deep.equal([h.origin.url('/new')]);
    });

    it('delete({ urls }), delete({ requests }) and delete({ keys }) all work, missing ones ignored', async () => {
      const http = h.cached();
      await http.get('/du');
      await http.get('/dq', { params: { b: 2, a: 1 } });
      const byKey = await http.get('/dk');
      await http.get('/dkeep');
      expect(await http.cache.delete({ urls: [h.origin.url('/du'), h.origin.url('/missing')] })).to.equal(1);
      expect(await http.cache.delete({ requests: [{ url: h.origin.url('/dq'), params: { a: 1, b: 2 } }] })).to.equal(1);
      expect(await http.cache.delete({ keys: [byKey.cacheKey!, 'no-such-key'] })).to.equal(1);
      expect(await http.cache.urls()).to.deep.equal([h.origin.url('/dkeep')]);
    });

    it('stale redirect aliases are pruned once the response they point to is deleted', async () => {
      h.origin.route('/redir', (_req, res) => {
        res.statusCode = 302;
        res.setHeader('location', '/final');
        res.end();
      });
      const http = h.cached();
      const res = await http.get('/redir');
      expect(res.data.path).to.equal('/final');
      expect(await http.cache.contains({ url: h.origin.url('/final') })).to.equal(true);
      expect((await http.get('/final')).fromCache).to.equal(true);
      expect(await http.cache.redirects.entries()).to.have.length(1);
      // The alias is not a response: it is neither counted nor listed as an unreadable entry.
      expect(await http.cache.count()).to.equal(1);
      expect(await collect(http.cache.filter({ invalid: true }))).to.have.length(1);

      await http.cache.delete({ keys: [res.cacheKey!] });
      expect(await http.cache.redirects.entries()).to.deep.equal([]);
      expect(await http.cache.contains({ url: h.origin.url('/final') })).to.equal(false);
      expect(await http.cache.contains({ url: h.origin.url('/redir') })).to.equal(false);
    });

    it('urls() is sorted and unique', async () => {
      const http = h.cached();
      await http.get('/u-b');
      await http.get('/u-a');
      await http.head('/u-a');
      await http.get('/u-c', { params: { z: 1, a: 2 } });
      expect(await http.cache.count()).to.equal(4);
      const urls = await http.cache.urls();
      expect(urls).to.deep.equal([h.origin.url('/u-a'), h.origin.url('/u-b'), h.origin.url('/u-c?a=2&z=1')]);
    });

    it('resetExpiration extends and shortens every entry, relative to now', async () => {
      const http = h.cached({ expireAfter: 10 });
      await http.get('/rx1');
      await http.get('/rx2', { cache: { expireAfter: -1 } });

      await http.cache.resetExpiration(3600);
      for (const response of await collect(http.cache.filter())) {
        expect(response.expires!.getTime()).to.be.closeTo(Date.now() + 3_600_000, 2000);
      }
      h.clock.advance(600);
      expect((await http.get('/rx1')).fromCache).to.equal(true);

      await http.cache.resetExpiration(1);
      h.clock.advance(2);
      expect(await http.cache.count({ expired: false })).to.equal(0);
      expect(await http.cache.count()).to.equal(2);
      expect((await http.get('/rx2')).fromCache).to.equal(false);
    });

    it('contains({ url | key | request })', async () => {
      const http = h.cached();
      const res = await http.get('/has', { params: { b: 2, a: 1 } });
      expect(await http.cache.contains({ key: res.cacheKey! })).to.equal(true);
      expect(await http.cache.contains({ url: h.origin.url('/has?a=1&b=2') })).to.equal(true);
      expect(await http.cache.contains({ request: { url: '/has', baseURL: h.origin.base, params: { a: 1, b: 2 } } })).to.equal(true);
      expect(await http.cache.contains({ request: { url: h.origin.url('/has'), method: 'POST' } })).to.equal(false);
      expect(await http.cache.contains({ url: h.origin.url('/has') })).to.equal(false);
      expect(await http.cache.contains({ key: 'nope' })).to.equal(false);
    });

    it('filter({ valid, expired }), count and clear', async () => {
      const http = h.cached();
      await http.get('/f-valid');
      await http.get('/f-expired', { cache: { expireAfter: 1 } });
      h.clock.advance(2);

      const urlsOf = async (options: Parameters<typeof http.cache.filter>[0]) =>
        (await collect(http.cache.filter(options))).map((r) => r.url).sort();
      expect(await urlsOf({})).to.deep.equal([h.origin.url('/f-expired'), h.origin.url('/f-valid')]);
      expect(await urlsOf({ expired: false })).to.deep.equal([h.origin.url('/f-valid')]);
      expect(await urlsOf({ valid: false })).to.deep.equal([h.origin.url('/f-expired')]);
      expect(await urlsOf({ valid: false, expired: false })).to.deep.equal([]);

      const [expired] = await collect(http.cache.filter({ valid: false }));
      expect(expired!.isExpired).to.equal(true);
      expect(expired!.fromCache).to.equal(true);
      expect(expired!.json()).to.deep.equal({ path: '/f-expired', method: 'GET', n: 1 });

      expect(await http.cache.count()).to.equal(2);
      expect(await http.cache.count({ expired: false })).to.equal(1);
      await http.cache.clear();
      expect(await http.cache.count()).to.equal(0);
      expect((await http.get('/f-valid')).fromCache).to.equal(false);
    });

    it('the requests-cache 0.9 names: hasUrl, deleteUrl, responseCount, removeExpiredResponses', async () => {
      const http = h.cached();
      await http.get('/o-a');
      await http.head('/o-a');
      await http.get('/o-exp', { cache: { expireAfter: 1 } });
      h.clock.advance(2);

      expect(await http.cache.hasUrl(h.origin.url('/o-a'))).to.equal(true);
      expect(await http.cache.hasUrl(h.origin.url('/o-a'), 'HEAD')).to.equal(true);
      expect(await http.cache.hasUrl(h.origin.url('/o-b'))).to.equal(false);
      expect(await http.cache.responseCount()).to.equal(3);
      expect(await http.cache.responseCount(true)).to.equal(2);

      expect(await http.cache.deleteUrl(h.origin.url('/o-a'), 'HEAD')).to.equal(1);
      expect(await http.cache.hasUrl(h.origin.url('/o-a'), 'HEAD')).to.equal(false);
      expect(await http.cache.hasUrl(h.origin.url('/o-a'))).to.equal(true);

      expect(await http.cache.removeExpiredResponses()).to.equal(1);
      expect(await http.cache.responseCount()).to.equal(1);

      await http.cache.removeExpiredResponses(1);
      h.clock.advance(2);
      expect(await http.cache.removeExpiredResponses()).to.equal(1);
      expect(await http.cache.responseCount()).to.equal(0);
    });
  });

  describe('item 40: maintenance on every kind of backend', () => {
    const backends: Array<[string, () => CacheOptions]> = [
      ['memory', () => ({ backend: 'memory' })],
      ['sqlite', () => ({ backend: 'sqlite', cacheName: join(tempDir(), 'maint') })],
      ['a Keyv instance', () => ({ backend: new Keyv({ namespace: 'maint' }) })],
    ];
    for (const [name, options] of backends) {
      it(`${name}: responses.keys() are the cache keys; delete({ expired }) and resetExpiration act on them (fixes requests-cache BUG, docs/behaviour.md §14: SQLite resetExpiration hung with two or more entries)`, async () => {
        const http = h.cached(options());
        const short = await http.get('/m-short', { cache: { expireAfter: 1 } });
        const long = await http.get('/m-long', { cache: { expireAfter: 60 } });
        expect((await http.cache.responses.keys()).sort()).to.deep.equal([short.cacheKey!, long.cacheKey!].sort());
        expect((await collect(http.cache.filter())).map((r) => r.cacheKey).sort()).to.deep.equal([short.cacheKey!, long.cacheKey!].sort());

        await http.cache.resetExpiration(120);
        expect(await http.cache.count()).to.equal(2);
        expect((await http.cache.responses.get(short.cacheKey!))!.expires!.getTime()).to.be.closeTo(Date.now() + 120_000, 2000);

        await http.cache.resetExpiration(1);
        await http.get('/m-fresh');
        h.clock.advance(2);
        expect(await http.cache.delete({ expired: true })).to.equal(2);
        expect(await http.cache.urls()).to.deep.equal([h.origin.url('/m-fresh')]);
      });
    }
  });

  describe('item 39: corrupt entries (SQLite backend)', () => {
    function sqlite(): CacheAxiosInstance {
      return h.cached({ backend: 'sqlite', cacheName: join(tempDir(), 'corrupt') });
    }

    it('a stored value that cannot be read is a miss that gets overwritten, with no exception', async () => {
      const http = sqlite();
      const first = await http.get('/corrupt');
      await http.cache.storage.store.set('responses', first.cacheKey!, 'not json');
      const miss = await http.get('/corrupt');
      expect(miss.fromCache).to.equal(false);
      expect(miss.data.n).to.equal(2);
      expect(miss.cacheKey).to.equal(first.cacheKey);
      const hit = await http.get('/corrupt');
      expect(hit.fromCache).to.equal(true);
      expect(hit.data.n).to.equal(2);
    });

    it('filter({ invalid: true }) yields a 504 placeholder with the key; urls() skips it; delete({ invalid: true }) removes it', async () => {
      const http = sqlite();
      await http.get('/good');
      await http.cache.storage.store.set('responses', 'garbage-key', 'not json');
      await http.cache.storage.store.set('responses', 'half-entry', JSON.stringify({ v: 1, url: 'x' }));

      const invalid = await collect(http.cache.filter({ valid: false, expired: false, invalid: true }));
      expect(invalid.map((r) => r.cacheKey).sort()).to.deep.equal(['garbage-key', 'half-entry']);
      expect(invalid.every((r) => r.status === 504)).to.equal(true);

      expect(await collect(http.cache.filter())).to.have.length(1);
      expect(await collect(http.cache.filter({ invalid: true }))).to.have.length(3);
      expect(await http.cache.urls()).to.deep.equal([h.origin.url('/good')]);
      expect(await http.cache.count()).to.equal(1);

      expect(await http.cache.delete({ invalid: true })).to.equal(2);
      expect(await http.cache.storage.store.get('responses', 'garbage-key')).to.equal(undefined);
      expect(await collect(http.cache.filter({ invalid: true }))).to.have.length(1);
      expect((await http.get('/good')).fromCache).to.equal(true);
    });
  });
});
