/**
 * Conditional requests, refresh options, only-if-cached, stale-if-error and stale-while-revalidate
 * through a real axios instance against a real origin (docs/behaviour.md §2.1, §2.5, §2.6, §4; §10 items 23–34).
 */
import axios, { AxiosError, type AxiosResponse } from 'axios';
import { expect } from 'chai';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { rejection, spyWrites, useHarness } from '../support/harness.js';
import { near, storedN } from '../support/inspect.js';
import { elapsed, sendJson, sendNotModified, sleep, waitFor } from '../support/wait.js';

const LAST_MODIFIED = 'Wed, 21 Oct 2015 07:28:00 GMT';

describe('integration: revalidation and error handling (docs/behaviour.md §10 items 23–34)', () => {
  const h = useHarness();

  /**
   * A route with an ETag that answers 304 to a matching If-None-Match. `extra(n)` gives the headers of
   * the 304 (default: none beyond the ETag). No automatic Date header, so unchanged means unchanged.
   */
  function etagRoute(path: string, etag = '"v1"', extra: (n: number) => Record<string, string> = () => ({})): void {
    h.origin.route(path, (req, res, n) => {
      res.sendDate = false;
      if (req.headers['if-none-match'] === etag) return sendNotModified(res, { etag, ...extra(n) });
      sendJson(res, { n }, { etag });
    });
  }

  describe('item 23: an expired entry with an ETag is revalidated', () => {
    it('sends If-None-Match; the 304 returns the cached body, fromCache and revalidated, a later expiry, merged headers, createdAt kept', async () => {
      etagRoute('/r23', '"v1"', () => ({ 'x-extra': 'from-304' }));
      const http = h.cached({ expireAfter: 1 });
      const first = await http.get('/r23');
      expect(first.fromCache).to.equal(false);

      h.clock.advance(2);
      const second = await http.get('/r23');
      expect(h.origin.count('/r23')).to.equal(2);
      expect(h.origin.requests[1]!.headers['if-none-match']).to.equal('"v1"');
      expect(second.status).to.equal(200);
      expect(second.fromCache).to.equal(true);
      expect(second.revalidated).to.equal(true);
      expect(second.data).to.deep.equal({ n: 1 });
      expect(second.expires!.getTime()).to.be.greaterThan(first.expires!.getTime());
      near(second.expires, Date.now() + 1000, 500);
      expect(second.isExpired).to.equal(false);
      expect(second.headers['x-extra']).to.equal('from-304');
      expect(String(second.headers['content-type'])).to.match(/application\/json/);
      expect(second.createdAt.getTime()).to.equal(first.createdAt.getTime());

      const third = await http.get('/r23');
      expect(third.fromCache).to.equal(true);
      expect(third.revalidated).to.equal(false);
      expect(third.headers['x-extra']).to.equal('from-304');
      expect(h.origin.count('/r23')).to.equal(2);
    });

    it('sends only the validators: no Cache-Control or internal headers', async () => {
      etagRoute('/r23h');
      const http = h.cached({ expireAfter: 1 });
      await http.get('/r23h');
      h.clock.advance(2);
      await http.get('/r23h', { cache: { expireAfter: 60 } });
      const sent = h.origin.requests[1]!.headers;
      expect(sent['if-none-match']).to.equal('"v1"');
      expect(sent).to.not.have.property('cache-control');
    });
  });

  describe('item 24: an expired entry with Last-Modified', () => {
    it('sends If-Modified-Since (and both validators when both exist)', async () => {
      h.origin.route('/r24', (req, res, n) => {
        if (req.headers['if-modified-since'] === LAST_MODIFIED) return sendNotModified(res);
        sendJson(res, { n }, { 'last-modified': LAST_MODIFIED });
      });
      h.origin.route('/r24both', (req, res, n) => {
        if (req.headers['if-none-match'] === '"b"') return sendNotModified(res);
        sendJson(res, { n }, { 'last-modified': LAST_MODIFIED, etag: '"b"' });
      });
      const http = h.cached({ expireAfter: 1 });
      await http.get('/r24');
      await http.get('/r24both');
      h.clock.advance(2);
      const res = await http.get('/r24');
      const sent = h.origin.requests.find((r) => r.path === '/r24' && r !== h.origin.requests[0])!.headers;
      expect(sent['if-modified-since']).to.equal(LAST_MODIFIED);
      expect(sent).to.not.have.property('if-none-match');
      expect(res.fromCache).to.equal(true);
      expect(res.revalidated).to.equal(true);

      await http.get('/r24both');
      const both = h.origin.requests.filter((r) => r.path === '/r24both')[1]!.headers;
      expect(both['if-none-match']).to.equal('"b"');
      expect(both['if-modified-since']).to.equal(LAST_MODIFIED);
    });
  });

  describe('item 25: 304 without an entry, 200 on refetch', () => {
    it('a 304 to a user-supplied If-None-Match with nothing cached is returned as is and not cached', async () => {
      h.origin.route('/r25', (req, res, n) => {
        if (req.headers['if-none-match'] === '"u"') return sendNotModified(res, { etag: '"u"' });
        sendJson(res, { n }, { etag: '"u"' });
      });
      const http = h.cached();
      const res = await http.get('/r25', {
        headers: { 'If-None-Match': '"u"' },
        validateStatus: (s) => (s >= 200 && s < 300) || s === 304,
      });
      expect(res.status).to.equal(304);
      expect(res.fromCache).to.equal(false);
      expect(res.cacheKey).to.equal(undefined);
      expect(await http.cache.count()).to.equal(0);

      const full = await http.get('/r25');
      expect(full.status).to.equal(200);
      expect(full.fromCache).to.equal(false);
    });

    it('a 304 without an entry still fails the default validateStatus, as axios would', async () => {
      h.origin.route('/r25v', (_req, res) => sendNotModified(res));
      const http = h.cached();
      const error = await rejection(http.get('/r25v', { headers: { 'If-None-Match': '"x"' } }));
      expect(axios.isAxiosError(error)).to.equal(true);
      expect((error as AxiosError).response?.status).to.equal(304);
    });

    it('a 200 to the conditional refetch replaces the entry', async () => {
      h.origin.route('/r25r', (req, res, n) => {
        const etag = `"v${n}"`;
        if (req.headers['if-none-match'] === etag) return sendNotModified(res);
        sendJson(res, { n }, { etag });
      });
      const http = h.cached({ expireAfter: 1 });
      const first = await http.get('/r25r');
      h.clock.advance(2);
      const second = await http.get('/r25r');
      expect(h.origin.requests[1]!.headers['if-none-match']).to.equal('"v1"');
      expect(second.fromCache).to.equal(false);
      expect(second.data.n).to.equal(2);
      expect(second.cacheKey).to.equal(first.cacheKey);
      const third = await http.get('/r25r');
      expect(third.fromCache).to.equal(true);
      expect(third.data.n).to.equal(2);
      expect(third.headers.etag).to.equal('"v2"');
      expect(third.createdAt.getTime()).to.be.greaterThan(first.createdAt.getTime());
    });
  });

  describe('item 26: what a revalidation 304 writes', () => {
    it('a 304 with unchanged expiry and headers triggers no write', async () => {
      etagRoute('/r26');
      const http = h.cached({ alwaysRevalidate: true });
      await http.get('/r26');
      const writes = spyWrites(http);
      const res = await http.get('/r26');
      expect(h.origin.count('/r26')).to.equal(2);
      expect(res.revalidated).to.equal(true);
      expect(writes.count).to.equal(0);
    });

    it('a 304 with a changed header triggers one write, and the header is kept', async () => {
      etagRoute('/r26h', '"v1"', (n) => ({ 'x-version': String(n) }));
      const http = h.cached({ alwaysRevalidate: true });
      await http.get('/r26h');
      const writes = spyWrites(http);
      const res = await http.get('/r26h');
      expect(res.revalidated).to.equal(true);
      expect(writes.count).to.equal(1);
      expect(res.headers['x-version']).to.equal('2');
      const stored = await http.cache.responses.get(res.cacheKey!);
      expect(stored!.headers['x-version']).to.equal('2');
    });

    it('a 304 that changes the expiry triggers one write', async () => {
      etagRoute('/r26e');
      const http = h.cached({ expireAfter: 60 });
      await http.get('/r26e');
      h.clock.advance(10);
      const writes = spyWrites(http);
      const res = await http.get('/r26e', { cache: { refresh: true } });
      expect(res.revalidated).to.equal(true);
      expect(writes.count).to.equal(1);
      near(res.expires, Date.now() + 60_000);
    });
  });

  describe('item 27: refresh', () => {
    it('with a validator, revalidates a fresh entry', async () => {
      etagRoute('/r27');
      const http = h.cached({ expireAfter: 3600 });
      await http.get('/r27');
      const res = await http.get('/r27', { cache: { refresh: true } });
      expect(h.origin.count('/r27')).to.equal(2);
      expect(h.origin.requests[1]!.headers['if-none-match']).to.equal('"v1"');
      expect(res.fromCache).to.equal(true);
      expect(res.revalidated).to.equal(true);
    });

    it('without a validator, returns the cached response and sends nothing', async () => {
      const http = h.cached({ expireAfter: 3600 });
      await http.get('/r27n');
      const res = await http.get('/r27n', { cache: { refresh: true } });
      expect(h.origin.count('/r27n')).to.equal(1);
      expect(res.fromCache).to.equal(true);
      expect(res.revalidated).to.equal(false);
    });
  });

  describe('item 28: forceRefresh', () => {
    it('always fetches and overwrites, with the new expiration, sending no Cache-Control', async () => {
      etagRoute('/r28');
      const http = h.cached({ expireAfter: 60 });
      const first = await http.get('/r28');
      near(first.expires, Date.now() + 60_000);
      const forced = await http.get('/r28', { cache: { forceRefresh: true, expireAfter: 600 } });
      expect(h.origin.count('/r28')).to.equal(2);
      expect(h.origin.requests[1]!.headers).to.not.have.property('cache-control');
      expect(h.origin.requests[1]!.headers).to.not.have.property('if-none-match');
      expect(forced.fromCache).to.equal(false);
      expect(forced.data.n).to.equal(2);
      near(forced.expires, Date.now() + 600_000);
      h.clock.advance(120);
      const after = await http.get('/r28');
      expect(after.fromCache).to.equal(true);
      expect(after.data.n).to.equal(2);
      near(after.expires, forced.expires!.getTime(), 1);
    });
  });

  describe('item 29: alwaysRevalidate', () => {
    it('revalidates a fresh entry on every use when it has a validator', async () => {
      etagRoute('/r29');
      const http = h.cached({ alwaysRevalidate: true, expireAfter: 3600 });
      await http.get('/r29');
      for (let i = 0; i < 3; i++) {
        const res = await http.get('/r29');
        expect(res.fromCache).to.equal(true);
        expect(res.revalidated).to.equal(true);
      }
      expect(h.origin.count('/r29')).to.equal(4);
      expect(h.origin.requests.slice(1).every((r) => r.headers['if-none-match'] === '"v1"')).to.equal(true);
    });

    it('has no effect without a validator', async () => {
      const http = h.cached({ alwaysRevalidate: true, expireAfter: 3600 });
      await http.get('/r29n');
      const res = await http.get('/r29n');
      expect(res.fromCache).to.equal(true);
      expect(h.origin.count('/r29n')).to.equal(1);
    });
  });

  describe('item 30: onlyIfCached', () => {
    it('uncached: a 504 that rejects with an AxiosError, and no request', async () => {
      const http = h.cached();
      const error = await rejection(http.get('/r30', { cache: { onlyIfCached: true } }));
      expect(axios.isAxiosError(error)).to.equal(true);
      expect((error as AxiosError).response?.status).to.equal(504);
      expect(h.origin.count('/r30')).to.equal(0);
    });

    it('uncached with validateStatus: () => true resolves with the 504', async () => {
      const http = h.cached();
      const res = await http.get('/r30v', { cache: { onlyIfCached: true }, validateStatus: () => true });
      expect(res.status).to.equal(504);
      expect(res.statusText).to.equal('Not Cached');
      expect(res.fromCache).to.equal(true);
      expect(res.expires).to.equal(null);
      expect(h.origin.count('/r30v')).to.equal(0);
    });

    it('the session setting works like the per-request option', async () => {
      const http = h.cached({ onlyIfCached: true });
      const res = await http.get('/r30s', { validateStatus: () => true });
      expect(res.status).to.equal(504);
      expect(h.origin.count()).to.equal(0);
    });

    it('fresh: the cached response, no request', async () => {
      const http = h.cached({ expireAfter: 60 });
      await http.get('/r30f');
      const res = await http.get('/r30f', { cache: { onlyIfCached: true } });
      expect(res.fromCache).to.equal(true);
      expect(res.data.n).to.equal(1);
      expect(h.origin.count('/r30f')).to.equal(1);
    });

    it('expired: a 504, unless staleIfError', async () => {
      const http = h.cached({ expireAfter: 1 });
      await http.get('/r30e');
      h.clock.advance(5);
      const res = await http.get('/r30e', { cache: { onlyIfCached: true }, validateStatus: () => true });
      expect(res.status).to.equal(504);
      const stale = await http.get('/r30e', { cache: { onlyIfCached: true, staleIfError: true } });
      expect(stale.status).to.equal(200);
      expect(stale.fromCache).to.equal(true);
      expect(stale.isExpired).to.equal(true);
      expect(stale.data.n).to.equal(1);
      expect(h.origin.count('/r30e')).to.equal(1);
    });

    it('overrides refresh: a fresh entry with a validator is not revalidated', async () => {
      etagRoute('/r30r');
      const http = h.cached({ expireAfter: 60 });
      await http.get('/r30r');
      const res = await http.get('/r30r', { cache: { onlyIfCached: true, refresh: true } });
      expect(res.fromCache).to.equal(true);
      expect(res.revalidated).to.equal(false);
      expect(h.origin.count('/r30r')).to.equal(1);
    });
  });

  describe('items 31–33: staleIfError', () => {
    /** 200 on the first hit; afterwards the given failure. */
    function failingAfterFirst(path: string, fail: (req: IncomingMessage, res: ServerResponse) => void): void {
      h.origin.route(path, (req, res, n) => {
        if (n === 1) return sendJson(res, { n });
        fail(req, res);
      });
    }
    const destroy = (req: IncomingMessage): void => void req.socket.destroy();
    const status = (code: number) => (_req: IncomingMessage, res: ServerResponse) => sendJson(res, { error: code }, {}, code);

    it('item 31: a refetch that raises (socket destroyed) returns the stale response', async () => {
      failingAfterFirst('/r31x', destroy);
      const http = h.cached({ expireAfter: 1, staleIfError: true });
      await http.get('/r31x');
      h.clock.advance(2);
      const res = await http.get('/r31x');
      expect(h.origin.count('/r31x')).to.equal(2);
      expect(res.status).to.equal(200);
      expect(res.fromCache).to.equal(true);
      expect(res.isExpired).to.equal(true);
      expect(res.data).to.deep.equal({ n: 1 });
    });

    it('a request `Cache-Control: stale-if-error=60` directive also covers an error status (documented difference from requests-cache)', async () => {
      failingAfterFirst('/r31-directive', status(503));
      const http = h.cached({ expireAfter: 1 });
      await http.get('/r31-directive');
      h.clock.advance(10);
      const res = await http.get('/r31-directive', { headers: { 'Cache-Control': 'stale-if-error=60' } });
      expect(h.origin.count('/r31-directive')).to.equal(2);
      expect(res.fromCache).to.equal(true);
      expect(res.data).to.deep.equal({ n: 1 });
      h.clock.advance(120);
      const late = await rejection(http.get('/r31-directive', { headers: { 'Cache-Control': 'stale-if-error=60' } }));
      expect(axios.isAxiosError(late) && late.response?.status, 'past the 60 s allowance: the 503 rejects').to.equal(503);
    });

    for (const code of [500, 404]) {
      it(`item 31: a refetch answering ${code} (not in allowableCodes) returns the stale response`, async () => {
        failingAfterFirst(`/r31-${code}`, status(code));
        const http = h.cached({ expireAfter: 1, staleIfError: true });
        await http.get(`/r31-${code}`);
        h.clock.advance(2);
        const res = await http.get(`/r31-${code}`);
        expect(res.status).to.equal(200);
        expect(res.fromCache).to.equal(true);
        expect(res.isExpired).to.equal(true);
        expect(res.data).to.deep.equal({ n: 1 });
        // The stale entry is kept (1.x), so it serves again.
        expect((await http.get(`/r31-${code}`)).data).to.deep.equal({ n: 1 });
      });
    }

    it('item 31: the per-request option works like the setting', async () => {
      failingAfterFirst('/r31p', status(500));
      const http = h.cached({ expireAfter: 1 });
      await http.get('/r31p');
      h.clock.advance(2);
      const res = await http.get('/r31p', { cache: { staleIfError: true } });
      expect(res.fromCache).to.equal(true);
      expect(res.isExpired).to.equal(true);
    });

    it('item 32: an error code in allowableCodes is returned (fromCache false) and cached', async () => {
      failingAfterFirst('/r32', status(404));
      const http = h.cached({ expireAfter: 1, staleIfError: true, allowableCodes: [200, 404] });
      await http.get('/r32');
      h.clock.advance(2);
      const res = await http.get('/r32', { validateStatus: () => true });
      expect(res.status).to.equal(404);
      expect(res.fromCache).to.equal(false);
      expect(res.cacheKey).to.be.a('string');
      const again = await http.get('/r32', { validateStatus: () => true });
      expect(again.status).to.equal(404);
      expect(again.fromCache).to.equal(true);
      expect(h.origin.count('/r32')).to.equal(2);
    });

    it('item 33: a limit of 15 s accepts an entry expired 10 s ago; 5 s rejects it', async () => {
      failingAfterFirst('/r33', status(500));
      const accepting = h.cached({ expireAfter: 1, staleIfError: 15 });
      await accepting.get('/r33');
      h.clock.advance(11);
      const res = await accepting.get('/r33');
      expect(res.fromCache).to.equal(true);
      expect(res.isExpired).to.equal(true);

      const strict = await rejection(accepting.get('/r33', { cache: { staleIfError: 5 } }));
      expect(axios.isAxiosError(strict)).to.equal(true);
      expect((strict as AxiosError).response?.status).to.equal(500);
    });

    it("item 33: a limit given as a duration string ('15s') works the same", async () => {
      failingAfterFirst('/r33s', destroy);
      const http = h.cached({ expireAfter: 1, staleIfError: '15s' });
      await http.get('/r33s');
      h.clock.advance(11);
      expect((await http.get('/r33s')).fromCache).to.equal(true);
      h.clock.advance(10);
      const error = await rejection(http.get('/r33s'));
      expect(axios.isAxiosError(error)).to.equal(true);
      expect((error as AxiosError).response).to.equal(undefined);
    });

    it('item 33: staleIfError false propagates refetch errors (status and exception)', async () => {
      failingAfterFirst('/r33f', status(500));
      failingAfterFirst('/r33fx', destroy);
      const http = h.cached({ expireAfter: 1 });
      await http.get('/r33f');
      await http.get('/r33fx');
      h.clock.advance(2);
      const error = await rejection(http.get('/r33f'));
      expect((error as AxiosError).response?.status).to.equal(500);
      const exception = await rejection(http.get('/r33fx'));
      expect(axios.isAxiosError(exception)).to.equal(true);
      expect((exception as AxiosError).response).to.equal(undefined);
    });

    it('first-time requests are never protected', async () => {
      h.origin.route('/r33first', (req) => void req.socket.destroy());
      h.origin.route('/r33first500', (_req, res) => sendJson(res, {}, {}, 500));
      const http = h.cached({ staleIfError: true });
      const exception = await rejection(http.get('/r33first'));
      expect(axios.isAxiosError(exception)).to.equal(true);
      const error = await rejection(http.get('/r33first500'));
      expect((error as AxiosError).response?.status).to.equal(500);
      expect(await http.cache.count()).to.equal(0);
    });
  });

  describe('item 34: staleWhileRevalidate', () => {
    /** The first hit answers at once; later hits take 1.2 s (far above an answer from the cache, even on a loaded machine). */
    function slowAfterFirst(path: string, headers: Record<string, string> = {}): void {
      h.origin.route(path, async (_req, res, n) => {
        if (n > 1) await sleep(1200);
        sendJson(res, { n }, headers);
      });
    }

    it('returns the expired entry at once, refreshes in the background, and a later request sees the refresh', async () => {
      slowAfterFirst('/r34');
      const http = h.cached({ expireAfter: 1, staleWhileRevalidate: true });
      const first = await http.get('/r34');
      h.clock.advance(2);

      const start = performance.now();
      const stale = await http.get('/r34');
      const took = elapsed(start);
      expect(took, 'ms to answer').to.be.below(800);
      expect(stale.fromCache).to.equal(true);
      expect(stale.isExpired).to.equal(true);
      expect(stale.data).to.deep.equal({ n: 1 });

      await waitFor(() => h.origin.count('/r34') === 2, 'the background request to reach the origin');
      await waitFor(async () => (await storedN(http, first.cacheKey!)) === 2, 'the background refresh to be written', 5000);

      const later = await http.get('/r34');
      expect(later.fromCache).to.equal(true);
      expect(later.isExpired).to.equal(false);
      expect(later.data).to.deep.equal({ n: 2 });
      expect(h.origin.count('/r34')).to.equal(2);
    });

    it('the background refresh is conditional when the entry has a validator', async () => {
      h.origin.route('/r34v', async (req, res, n) => {
        if (n > 1) await sleep(100);
        if (req.headers['if-none-match'] === '"s"') return sendNotModified(res, { etag: '"s"', 'x-refreshed': 'yes' });
        sendJson(res, { n }, { etag: '"s"' });
      });
      const http = h.cached({ expireAfter: 1, staleWhileRevalidate: true });
      const first = await http.get('/r34v');
      h.clock.advance(2);
      const stale = await http.get('/r34v');
      expect(stale.fromCache).to.equal(true);
      await waitFor(async () => (await http.cache.responses.get(first.cacheKey!))?.headers['x-refreshed'] === 'yes', 'the 304 to be merged');
      expect(h.origin.requests[1]!.headers['if-none-match']).to.equal('"s"');
      const later = await http.get('/r34v');
      expect(later.isExpired).to.equal(false);
      expect(later.data).to.deep.equal({ n: 1 });
    });

    it('a time limit: within it the stale entry is served at once; past it the request waits for the network', async () => {
      slowAfterFirst('/r34t');
      const http = h.cached({ expireAfter: 1, staleWhileRevalidate: 5 });
      const first = await http.get('/r34t');
      h.clock.advance(4); // 3 s stale: within the limit
      let start = performance.now();
      const stale = await http.get('/r34t');
      expect(elapsed(start)).to.be.below(800);
      expect(stale.fromCache).to.equal(true);
      await waitFor(async () => (await storedN(http, first.cacheKey!)) === 2, 'the background refresh to be written', 5000);

      h.clock.advance(10); // 9 s stale: past the limit
      start = performance.now();
      const blocking = await http.get('/r34t');
      expect(elapsed(start)).to.be.at.least(250);
      expect(blocking.fromCache).to.equal(false);
      expect(blocking.data).to.deep.equal({ n: 3 });
    });

    it('a per-request staleWhileRevalidate works like the setting', async () => {
      slowAfterFirst('/r34p');
      const http = h.cached({ expireAfter: 1 });
      const first = await http.get('/r34p');
      h.clock.advance(2);
      const start = performance.now();
      const res: AxiosResponse = await http.get('/r34p', { cache: { staleWhileRevalidate: true } });
      expect(elapsed(start)).to.be.below(800);
      expect(res.fromCache).to.equal(true);
      await waitFor(async () => (await storedN(http, first.cacheKey!)) === 2, 'the background refresh to be written', 5000);
    });
  });
});
