/**
 * Divergences from requests-cache found when the policy was reviewed against the reference, each
 * pinned by a test that fails without its fix.
 */
import axios from 'axios';
import { expect } from 'chai';
import { Keyv } from 'keyv';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { rejection, useHarness } from '../support/harness.js';
import { sendJson, sendNotModified } from '../support/wait.js';

describe('integration: stale fallback on network errors, and filterFn on final responses (docs/behaviour.md §0 step 9, §2.4, §2.5)', () => {
  const h = useHarness();

  /** An ETag route that answers 304 to its validator until `down` is set, then drops the connection. */
  function flakyEtagRoute(path: string): { down: boolean } {
    const state = { down: false };
    h.origin.route(path, (req: IncomingMessage, res: ServerResponse, n) => {
      if (state.down) return void req.socket.destroy();
      if (req.headers['if-none-match'] === '"v1"') return sendNotModified(res, { etag: '"v1"' });
      sendJson(res, { n }, { etag: '"v1"' });
    });
    return state;
  }

  describe('§2.5: a network error while checking an entry that is still usable serves it, without staleIfError', () => {
    it('refresh on a fresh entry', async () => {
      const origin = flakyEtagRoute('/err-refresh');
      const http = h.cached({ expireAfter: 3600 });
      await http.get('/err-refresh');
      origin.down = true;
      const res = await http.get('/err-refresh', { cache: { refresh: true } });
      expect(h.origin.count('/err-refresh'), 'premise: the check reached the origin').to.equal(2);
      expect(res.fromCache).to.equal(true);
      expect(res.isExpired).to.equal(false);
      expect(res.data).to.deep.equal({ n: 1 });
    });

    it('alwaysRevalidate on a fresh entry', async () => {
      const origin = flakyEtagRoute('/err-always');
      const http = h.cached({ alwaysRevalidate: true });
      await http.get('/err-always');
      origin.down = true;
      const res = await http.get('/err-always');
      expect(h.origin.count('/err-always')).to.equal(2);
      expect(res.fromCache).to.equal(true);
      expect(res.data).to.deep.equal({ n: 1 });
    });

    it('an expired entry the request accepts with max-stale', async () => {
      const origin = flakyEtagRoute('/err-max-stale');
      const http = h.cached({ expireAfter: 1 });
      await http.get('/err-max-stale');
      h.clock.advance(10);
      origin.down = true;
      const res = await http.get('/err-max-stale', { headers: { 'Cache-Control': 'max-stale=100' } });
      expect(h.origin.count('/err-max-stale')).to.equal(2);
      expect(res.fromCache).to.equal(true);
      expect(res.isExpired).to.equal(true);
    });

    it('but an expired entry without staleIfError or max-stale still fails, and an error status is not a fallback without staleIfError', async () => {
      const origin = flakyEtagRoute('/err-expired');
      const http = h.cached({ expireAfter: 1 });
      await http.get('/err-expired');
      h.clock.advance(10);
      origin.down = true;
      expect(axios.isAxiosError(await rejection(http.get('/err-expired')))).to.equal(true);

      h.origin.route('/status-refresh', (req, res, n) => {
        if (req.headers['if-none-match']) return sendJson(res, { error: true }, {}, 500);
        sendJson(res, { n }, { etag: '"s1"' });
      });
      await http.get('/status-refresh', { cache: { expireAfter: 3600 } });
      const failed = await rejection(http.get('/status-refresh', { cache: { refresh: true } }));
      expect(axios.isAxiosError(failed) && failed.response?.status).to.equal(500);
    });
  });

  describe('§0 step 9: filterFn judges the final response, new ones included', () => {
    it('a new response the filter rejects is returned and removes what was stored for the request', async () => {
      let body: { ok: boolean } = { ok: true };
      h.origin.route('/filtered', (_req, res, n) => sendJson(res, { ...body, n }));
      const http = h.cached({ filterFn: (res) => res.data.ok === true });
      await http.get('/filtered');
      expect((await http.get('/filtered')).fromCache, 'premise: the good response is stored').to.equal(true);

      body = { ok: false };
      const rejected = await http.get('/filtered', { cache: { forceRefresh: true } });
      expect(rejected.data).to.deep.equal({ ok: false, n: 2 });
      expect(rejected.fromCache).to.equal(false);
      expect(await http.cache.contains({ url: h.origin.url('/filtered') })).to.equal(false);
      body = { ok: true };
      const next = await http.get('/filtered');
      expect(next.fromCache, 'the old entry is gone, not served').to.equal(false);
      expect(next.data.n).to.equal(3);
    });

    it('a readOnly cache is never changed: a rejected cached response is served and kept', async () => {
      const shared = new Keyv();
      const writer = h.cached({ backend: shared });
      await writer.get('/ro-filter');
      const reader = h.cached({ backend: shared, readOnly: true, filterFn: () => false });
      expect((await reader.get('/ro-filter')).fromCache).to.equal(true);
      expect((await reader.get('/ro-filter')).fromCache, 'kept, so served again').to.equal(true);
      expect(await writer.cache.count()).to.equal(1);
    });
  });
});
