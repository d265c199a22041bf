/**
 * Serving, validating or serving stale in the RFC modes (src/policy/rfc9111/read.ts): response
 * directives (RFC 9111 §5.2.2, RFC 5861) and request directives (§5.2.1), with the per-request options on top.
 */
import { AxiosError } from 'axios';
import { expect } from 'chai';
import { rejection, useHarness } from '../../support/harness.js';
import { script } from '../../support/scripted-origin.js';
import { sleep, waitFor } from '../../support/wait.js';

describe('RFC 9111 reading (cacheControl: private | shared)', () => {
  const h = useHarness();

  /** A route with an ETag, answering 304 to it, with these Cache-Control values. */
  function validating(path: string, cacheControl: string, status304 = 304): void {
    script(h.origin, path, (req, n) =>
      req.headers['if-none-match'] === '"e"'
        ? { status: status304, headers: { etag: '"e"', 'cache-control': cacheControl } }
        : { headers: { etag: '"e"', 'cache-control': cacheControl }, body: `${path} #${n}` },
    );
  }

  describe('response directives', () => {
    it('§5.2.2.2 must-revalidate: a fresh response is served without revalidation', async () => {
      validating('/mr', 'max-age=60, must-revalidate');
      const http = h.cached({ cacheControl: 'private' });
      await http.get('/mr');
      h.clock.advance(30);
      expect((await http.get('/mr')).fromCache).to.equal(true);
      expect(h.origin.count('/mr')).to.equal(1);
    });

    it('§5.2.2.2 must-revalidate: once stale it is revalidated, and not served stale even with a request max-stale', async () => {
      validating('/mr2', 'max-age=10, must-revalidate');
      const http = h.cached({ cacheControl: 'private' });
      await http.get('/mr2');
      h.clock.advance(20);
      const second = await http.get('/mr2', { headers: { 'cache-control': 'max-stale=3600' } });
      expect(second.revalidated).to.equal(true);
      expect(h.origin.requests[1]!.headers['if-none-match']).to.equal('"e"');
    });

    it('§5.2.2.4 no-cache: revalidated on every use, even while fresh', async () => {
      validating('/nc', 'max-age=600, no-cache');
      const http = h.cached({ cacheControl: 'private' });
      await http.get('/nc');
      const second = await http.get('/nc');
      expect(second.revalidated).to.equal(true);
      expect(h.origin.count('/nc')).to.equal(2);
    });

    it('§5.2.2.4 no-cache="field": the response is used without revalidation, minus that field', async () => {
      script(h.origin, '/ncf', () => ({ headers: { 'cache-control': 'max-age=600, no-cache="x-secret"', 'x-secret': 'token', 'x-public': 'ok' } }));
      const http = h.cached({ cacheControl: 'private' });
      const first = await http.get('/ncf');
      expect(first.headers['x-secret']).to.equal('token');
      const hit = await http.get('/ncf');
      expect(hit.fromCache).to.equal(true);
      expect(hit.headers['x-secret']).to.equal(undefined);
      expect(hit.headers['x-public']).to.equal('ok');
    });

    it('RFC 8246 immutable: a fresh immutable response is not revalidated by alwaysRevalidate', async () => {
      validating('/imm', 'max-age=600, immutable');
      const http = h.cached({ cacheControl: 'private', alwaysRevalidate: true });
      await http.get('/imm');
      expect((await http.get('/imm')).fromCache).to.equal(true);
      expect(h.origin.count('/imm')).to.equal(1);
      // Once stale it is validated like any other.
      h.clock.advance(700);
      expect((await http.get('/imm')).revalidated).to.equal(true);
    });

    it('RFC 8246 §2 immutable: a fresh immutable response is not revalidated on a reload (request max-age=0); no-cache still validates', async () => {
      validating('/reload', 'max-age=600, immutable');
      const http = h.cached({ cacheControl: 'private' });
      await http.get('/reload');
      expect((await http.get('/reload', { headers: { 'cache-control': 'max-age=0' } })).fromCache).to.equal(true);
      expect(h.origin.count('/reload')).to.equal(1);
      expect((await http.get('/reload', { headers: { 'cache-control': 'no-cache' } })).revalidated).to.equal(true);
    });

    it('§4.2.4 a cache that cannot reach the origin serves the stale response (isExpired), unless must-revalidate or no-cache forbid it', async () => {
      for (const [path, cacheControl, served] of [
        ['/down', 'max-age=1', true],
        ['/down-mr', 'max-age=1, must-revalidate', false],
        ['/down-nc', 'max-age=1, no-cache', false],
      ] as const) {
        h.origin.route(path, (req, res, n) => {
          if (n > 1) return void req.socket.destroy();
          res.setHeader('cache-control', cacheControl);
          res.setHeader('etag', '"e"');
          res.end('kept');
        });
        const http = h.cached({ cacheControl: 'private' });
        await http.get(path);
        h.clock.advance(10);
        if (served) {
          const stale = await http.get(path);
          expect(stale.data, path).to.equal('kept');
          expect(stale.isExpired).to.equal(true);
        } else {
          expect(await rejection(http.get(path)), path).to.be.instanceOf(AxiosError);
        }
      }
    });

    it('RFC 5861 §3 stale-while-revalidate from the response: served stale at once, refreshed in the background', async () => {
      script(h.origin, '/swr', (_req, n) => ({ headers: { 'cache-control': 'max-age=1, stale-while-revalidate=60' }, body: `v${n}` }));
      const http = h.cached({ cacheControl: 'private' });
      await http.get('/swr');
      h.clock.advance(5);
      const stale = await http.get('/swr');
      expect(stale.fromCache).to.equal(true);
      expect(stale.data).to.equal('v1');
      await waitFor(() => h.origin.count('/swr') === 2, 'background refresh');
      await sleep(20);
      const fresh = await http.get('/swr');
      expect(fresh.data).to.equal('v2');
      expect(fresh.fromCache).to.equal(true);
    });

    it('RFC 5861 §3 past the stale-while-revalidate window the caller waits for the origin', async () => {
      script(h.origin, '/swr2', (_req, n) => ({ headers: { 'cache-control': 'max-age=1, stale-while-revalidate=5' }, body: `v${n}` }));
      const http = h.cached({ cacheControl: 'private' });
      await http.get('/swr2');
      h.clock.advance(10);
      const refetched = await http.get('/swr2');
      expect(refetched.fromCache).to.equal(false);
      expect(refetched.data).to.equal('v2');
    });

    it('RFC 5861 §4 stale-if-error from the response: a 503 is answered with the stale response within the window', async () => {
      script(h.origin, '/sie', (_req, n) =>
        n === 1 ? { headers: { 'cache-control': 'max-age=1, stale-if-error=60' }, body: 'good' } : { status: 503, body: 'down' },
      );
      const http = h.cached({ cacheControl: 'private' });
      await http.get('/sie');
      h.clock.advance(30);
      const fallback = await http.get('/sie');
      expect(fallback.status).to.equal(200);
      expect(fallback.data).to.equal('good');
      h.clock.advance(60);
      const error = await rejection(http.get('/sie'));
      expect((error as AxiosError).response?.status).to.equal(503);
    });

    it('RFC 5861 §4 stale-if-error is not used for a 404, and must-revalidate forbids it', async () => {
      script(h.origin, '/sie2', (_req, n) => (n === 1 ? { headers: { 'cache-control': 'max-age=1, stale-if-error=60' } } : { status: 404 }));
      const http = h.cached({ cacheControl: 'private' });
      await http.get('/sie2');
      h.clock.advance(5);
      expect(((await rejection(http.get('/sie2'))) as AxiosError).response?.status).to.equal(404);

      script(h.origin, '/sie3', (_req, n) => (n === 1 ? { headers: { 'cache-control': 'max-age=1, stale-if-error=60, must-revalidate' } } : { status: 503 }));
      await http.get('/sie3');
      h.clock.advance(5);
      expect(((await rejection(http.get('/sie3'))) as AxiosError).response?.status).to.equal(503);
    });
  });

  describe('request directives (§5.2.1)', () => {
    it('§5.2.1.1 max-age limits the age of what is served', async () => {
      script(h.origin, '/rma', () => ({ headers: { 'cache-control': 'max-age=600' } }));
      const http = h.cached({ cacheControl: 'private' });
      await http.get('/rma');
      h.clock.advance(30);
      expect((await http.get('/rma', { headers: { 'cache-control': 'max-age=60' } })).fromCache).to.equal(true);
      expect((await http.get('/rma', { headers: { 'cache-control': 'max-age=10' } })).fromCache).to.equal(false);
    });

    it('§5.2.1.2 max-stale with a value serves that much staleness; bare max-stale any', async () => {
      script(h.origin, '/ms', () => ({ headers: { 'cache-control': 'max-age=10' } }));
      const http = h.cached({ cacheControl: 'private' });
      await http.get('/ms');
      h.clock.advance(40);
      expect((await http.get('/ms', { headers: { 'cache-control': 'max-stale=60' } })).fromCache).to.equal(true);
      expect((await http.get('/ms', { headers: { 'cache-control': 'max-stale' } })).fromCache).to.equal(true);
      expect((await http.get('/ms', { headers: { 'cache-control': 'max-stale=5' } })).fromCache).to.equal(false);
    });

    it('§5.2.1.3 min-fresh refuses a response about to go stale', async () => {
      script(h.origin, '/mf', () => ({ headers: { 'cache-control': 'max-age=60' } }));
      const http = h.cached({ cacheControl: 'private' });
      await http.get('/mf');
      h.clock.advance(30);
      expect((await http.get('/mf', { headers: { 'cache-control': 'min-fresh=10' } })).fromCache).to.equal(true);
      expect((await http.get('/mf', { headers: { 'cache-control': 'min-fresh=40' } })).fromCache).to.equal(false);
    });

    it('§5.2.1.4 no-cache revalidates the stored response instead of bypassing it', async () => {
      validating('/rnc', 'max-age=600');
      const http = h.cached({ cacheControl: 'private' });
      await http.get('/rnc');
      const checked = await http.get('/rnc', { headers: { 'cache-control': 'no-cache' } });
      expect(checked.revalidated).to.equal(true);
      expect(h.origin.requests[1]!.headers['if-none-match']).to.equal('"e"');
    });

    it('§5.4 Pragma: no-cache counts as no-cache when the request has no Cache-Control', async () => {
      validating('/pragma', 'max-age=600');
      const http = h.cached({ cacheControl: 'private' });
      await http.get('/pragma');
      expect((await http.get('/pragma', { headers: { pragma: 'no-cache' } })).revalidated).to.equal(true);
      expect((await http.get('/pragma', { headers: { pragma: 'no-cache', 'cache-control': 'max-stale' } })).fromCache).to.equal(true);
      expect(h.origin.count('/pragma')).to.equal(2);
    });

    it('§5.2.1.5 no-store: nothing is stored', async () => {
      script(h.origin, '/rns', () => ({ headers: { 'cache-control': 'max-age=600' } }));
      const http = h.cached({ cacheControl: 'private' });
      await http.get('/rns', { headers: { 'cache-control': 'no-store' } });
      expect((await http.get('/rns')).fromCache).to.equal(false);
    });

    it('§5.2.1.7 only-if-cached: a fresh response is served, a stale one or none gives 504', async () => {
      script(h.origin, '/oic', () => ({ headers: { 'cache-control': 'max-age=10' } }));
      const http = h.cached({ cacheControl: 'private' });
      const none = await http.get('/oic', { headers: { 'cache-control': 'only-if-cached' }, validateStatus: () => true });
      expect(none.status).to.equal(504);
      await http.get('/oic');
      expect((await http.get('/oic', { headers: { 'cache-control': 'only-if-cached' } })).fromCache).to.equal(true);
      h.clock.advance(20);
      expect((await http.get('/oic', { headers: { 'cache-control': 'only-if-cached' }, validateStatus: () => true })).status).to.equal(504);
      expect((await http.get('/oic', { headers: { 'cache-control': 'only-if-cached, max-stale' } })).status).to.equal(200);
      expect(h.origin.count('/oic')).to.equal(1);
    });
  });

  describe('per-request options act as the request directives they resemble', () => {
    it('refresh validates a fresh response (as no-cache); forceRefresh refetches without a validator (as a reload)', async () => {
      validating('/opt', 'max-age=600');
      const http = h.cached({ cacheControl: 'private' });
      await http.get('/opt');
      expect((await http.get('/opt', { cache: { refresh: true } })).revalidated).to.equal(true);
      await http.get('/opt', { cache: { forceRefresh: true } });
      expect(h.origin.requests[2]!.headers['if-none-match']).to.equal(undefined);
    });

    it('onlyIfCached answers 504 without touching the origin', async () => {
      const http = h.cached({ cacheControl: 'shared' });
      const response = await http.get('/nothing', { cache: { onlyIfCached: true }, validateStatus: () => true });
      expect(response.status).to.equal(504);
      expect(h.origin.count()).to.equal(0);
    });
  });
});
