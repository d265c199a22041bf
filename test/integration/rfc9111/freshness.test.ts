/**
 * Freshness in the RFC modes (src/policy/rfc9111/freshness.ts): explicit lifetimes, Expires measured
 * against Date, the heuristic, and where the user's expireAfter stands in. Real axios, real origin.
 */
import { expect } from 'chai';
import { useHarness } from '../../support/harness.js';
import { fromNow, httpDate, script } from '../../support/scripted-origin.js';

describe('RFC 9111 freshness (cacheControl: private | shared)', () => {
  const h = useHarness();

  async function hitsAfter(path: string, options: object, advanceSeconds: number): Promise<number> {
    const http = h.cached(options);
    await http.get(path);
    h.clock.advance(advanceSeconds);
    await http.get(path);
    return h.origin.count(path);
  }

  describe('§4.2.1 explicit freshness', () => {
    it('max-age keeps a response fresh for that long and no longer', async () => {
      script(h.origin, '/ma', () => ({ headers: { 'cache-control': 'max-age=60' } }));
      const http = h.cached({ cacheControl: 'private' });
      await http.get('/ma');
      h.clock.advance(59);
      expect((await http.get('/ma')).fromCache).to.equal(true);
      h.clock.advance(2);
      expect((await http.get('/ma')).fromCache).to.equal(false);
    });

    it('§5.2.2.10 s-maxage overrides max-age in a shared cache and is ignored by a private one', async () => {
      script(h.origin, '/s', () => ({ headers: { 'cache-control': 'max-age=1, s-maxage=100' } }));
      expect(await hitsAfter('/s', { cacheControl: 'shared' }, 50)).to.equal(1);
      h.origin.reset();
      script(h.origin, '/s', () => ({ headers: { 'cache-control': 'max-age=1, s-maxage=100' } }));
      expect(await hitsAfter('/s', { cacheControl: 'private' }, 50)).to.equal(2);
    });

    it('§4.2.1 max-age wins over Expires', async () => {
      script(h.origin, '/both', () => ({ headers: { 'cache-control': 'max-age=1', expires: fromNow(3600) } }));
      expect(await hitsAfter('/both', { cacheControl: 'private' }, 10)).to.equal(2);
    });

    it('§5.3 Expires counts from Date, not from the local clock: an origin clock an hour ahead does not lengthen it', async () => {
      const originNow = Date.now() + 3600_000;
      script(h.origin, '/exp', () => ({ headers: { date: httpDate(originNow), expires: httpDate(originNow + 100_000) } }));
      const http = h.cached({ cacheControl: 'private' });
      await http.get('/exp');
      h.clock.advance(90);
      expect((await http.get('/exp')).fromCache).to.equal(true);
      // Expires - now would still leave an hour; Expires - Date left 100 s.
      h.clock.advance(20);
      expect((await http.get('/exp')).fromCache).to.equal(false);
    });

    it('§5.3 Expires - Date gives the lifetime when both come from the origin', async () => {
      script(h.origin, '/exp2', () => ({ headers: { date: fromNow(0), expires: fromNow(30) } }));
      const http = h.cached({ cacheControl: 'private' });
      await http.get('/exp2');
      h.clock.advance(29);
      expect((await http.get('/exp2')).fromCache).to.equal(true);
      h.clock.advance(2);
      expect((await http.get('/exp2')).fromCache).to.equal(false);
    });

    for (const bad of ['0', '-1', 'soon', 'Thu, 32 Dec 2099 00:00:00 GMT']) {
      it(`§5.3 an invalid Expires (${bad}) means already expired, never a throw`, async () => {
        script(h.origin, '/bad', () => ({ headers: { expires: bad } }));
        expect(await hitsAfter('/bad', { cacheControl: 'private' }, 0)).to.equal(2);
      });
    }

    for (const [format, value] of [
      ['rfc850-date', 'Thursday, 18-Aug-50 02:01:18 GMT'],
      ['asctime-date', 'Thu Aug  8 02:01:18 2050'],
      ['upper-case names', 'THU, 18 AUG 2050 02:01:18 GMT'],
    ]) {
      it(`RFC 9110 §5.6.7 an Expires in ${format} is a date (${value})`, async () => {
        script(h.origin, '/fmt', () => ({ headers: { expires: value! } }));
        expect(await hitsAfter('/fmt', { cacheControl: 'private' }, 10)).to.equal(1);
      });
    }

    for (const [what, value] of [
      ['two spaces', 'Thu, 18  Aug  2050 02:01:18 GMT'],
      ['dashes in an IMF-fixdate', 'Thu, 18-Aug-2050 02:01:18 GMT'],
      ['UTC for GMT', 'Thu, 18 Aug 2050 02:01:18 UTC'],
      ['a one-digit hour', 'Thu, 18 Aug 2050 2:01:18 GMT'],
    ]) {
      it(`RFC 9110 §5.6.7 an Expires with ${what} is no date: already expired`, async () => {
        script(h.origin, '/nofmt', () => ({ headers: { expires: value! } }));
        expect(await hitsAfter('/nofmt', { cacheControl: 'private' }, 0)).to.equal(2);
      });
    }

    it('§5.2 a directive with a space before "=" (max-age =60) is no max-age at all', async () => {
      script(h.origin, '/sp', () => ({ headers: { 'cache-control': 'max-age =60' } }));
      expect(await hitsAfter('/sp', { cacheControl: 'private' }, 1)).to.equal(2);
    });

    it('§5.2 a quoted argument counts (max-age="60")', async () => {
      script(h.origin, '/q', () => ({ headers: { 'cache-control': 'max-age="60"' } }));
      expect(await hitsAfter('/q', { cacheControl: 'private' }, 30)).to.equal(1);
    });

    it('§4.2.1 of duplicate directives the first counts (max-age=1, max-age=3600)', async () => {
      script(h.origin, '/dup', () => ({ headers: { 'cache-control': 'max-age=1, max-age=3600' } }));
      expect(await hitsAfter('/dup', { cacheControl: 'private' }, 10)).to.equal(2);
    });

    it('§1.2.2 a negative or fractional max-age is invalid: the response is not fresh', async () => {
      script(h.origin, '/neg', () => ({ headers: { 'cache-control': 'max-age=-5' } }));
      expect(await hitsAfter('/neg', { cacheControl: 'private' }, 1)).to.equal(2);
    });
  });

  describe('§4.2.2 heuristic freshness', () => {
    it('a 200 with Last-Modified 10 days old is fresh for 10% of that (one day), then not', async () => {
      script(h.origin, '/lm', () => ({ headers: { 'last-modified': fromNow(-10 * 86400) } }));
      const http = h.cached({ cacheControl: 'private' });
      await http.get('/lm');
      h.clock.advance(86400 - 60);
      expect((await http.get('/lm')).fromCache).to.equal(true);
      h.clock.advance(120);
      expect((await http.get('/lm')).fromCache).to.equal(false);
    });

    it('the heuristic is capped at one week', async () => {
      script(h.origin, '/old', () => ({ headers: { 'last-modified': httpDate(0) } }));
      const http = h.cached({ cacheControl: 'private' });
      await http.get('/old');
      h.clock.advance(7 * 86400 - 60);
      expect((await http.get('/old')).fromCache).to.equal(true);
      h.clock.advance(120);
      expect((await http.get('/old')).fromCache).to.equal(false);
    });

    it('a status that is not heuristically cacheable (500, 302) gets no heuristic and is not stored', async () => {
      for (const status of [500, 302]) {
        script(h.origin, `/st${status}`, () => ({ status, headers: { 'last-modified': fromNow(-86400 * 10), location: '/elsewhere' } }));
        const http = h.cached({ cacheControl: 'private', allowableCodes: undefined });
        await http.get(`/st${status}`, { validateStatus: () => true, maxRedirects: 0 });
        expect((await http.get(`/st${status}`, { validateStatus: () => true, maxRedirects: 0 })).fromCache).to.equal(false);
      }
    });
  });

  it('§4.2.2 an unknown status marked public gets the heuristic (599 with Last-Modified)', async () => {
    script(h.origin, '/599', () => ({ status: 599, headers: { 'cache-control': 'public', 'last-modified': fromNow(-10 * 86400) } }));
    const http = h.cached({ cacheControl: 'private' });
    await http.get('/599', { validateStatus: () => true });
    expect((await http.get('/599', { validateStatus: () => true })).fromCache).to.equal(true);
  });

  describe('§3 storability by status', () => {
    it('with explicit freshness any final status is stored (500 with max-age)', async () => {
      script(h.origin, '/e500', () => ({ status: 500, headers: { 'cache-control': 'max-age=60' } }));
      const http = h.cached({ cacheControl: 'private' });
      await http.get('/e500', { validateStatus: () => true });
      const again = await http.get('/e500', { validateStatus: () => true });
      expect(again.fromCache).to.equal(true);
      expect(again.status).to.equal(500);
    });

    for (const status of [203, 204, 300, 404, 405, 410, 414, 501]) {
      it(`RFC 9110 §15.1 heuristically cacheable ${status} is stored without explicit freshness (given a lifetime)`, async () => {
        script(h.origin, `/h${status}`, () => ({ status, headers: { 'last-modified': fromNow(-86400) } }));
        const http = h.cached({ cacheControl: 'private' });
        await http.get(`/h${status}`, { validateStatus: () => true });
        expect((await http.get(`/h${status}`, { validateStatus: () => true })).fromCache).to.equal(true);
      });
    }

    it('allowableCodes, when set, still restricts', async () => {
      script(h.origin, '/r404', () => ({ status: 404, headers: { 'cache-control': 'max-age=60' } }));
      const http = h.cached({ cacheControl: 'private', allowableCodes: [200] });
      await http.get('/r404', { validateStatus: () => true });
      expect((await http.get('/r404', { validateStatus: () => true })).fromCache).to.equal(false);
    });
  });

  describe('precedence: the user expireAfter only stands in where the response has no explicit freshness', () => {
    it('explicit max-age wins over the session expireAfter', async () => {
      script(h.origin, '/p1', () => ({ headers: { 'cache-control': 'max-age=5' } }));
      expect(await hitsAfter('/p1', { cacheControl: 'private', expireAfter: 3600 }, 10)).to.equal(2);
    });

    it('without explicit freshness the session expireAfter replaces the heuristic', async () => {
      script(h.origin, '/p2', () => ({ headers: { 'last-modified': fromNow(-100 * 86400), etag: '"x"' } }));
      expect(await hitsAfter('/p2', { cacheControl: 'private', expireAfter: 60 }, 120)).to.equal(2);
    });

    it('a URL pattern and a per-request expireAfter stand in the same way', async () => {
      script(h.origin, '/p3', () => ({ headers: {} }));
      const http = h.cached({ cacheControl: 'private', urlsExpireAfter: { '*/p3': 100 } });
      await http.get('/p3');
      h.clock.advance(50);
      expect((await http.get('/p3')).fromCache).to.equal(true);
      script(h.origin, '/p4', () => ({ headers: {} }));
      await http.get('/p4', { cache: { expireAfter: 10 } });
      h.clock.advance(5);
      expect((await http.get('/p4', { cache: { expireAfter: 10 } })).fromCache).to.equal(true);
    });

    it('the default "never expire" does not make a response without explicit freshness fresh', async () => {
      script(h.origin, '/p5', () => ({ headers: { etag: '"e"' } }));
      expect(await hitsAfter('/p5', { cacheControl: 'private' }, 1)).to.equal(2);
    });

    it('a request Cache-Control max-age is a limit on age, never a storage lifetime', async () => {
      script(h.origin, '/p6', () => ({ headers: { etag: '"e"' } }));
      const http = h.cached({ cacheControl: 'private' });
      await http.get('/p6', { headers: { 'cache-control': 'max-age=3600' } });
      h.clock.advance(1);
      await http.get('/p6', { headers: { 'cache-control': 'max-age=3600' } });
      expect(h.origin.count('/p6')).to.equal(2);
    });
  });
});
