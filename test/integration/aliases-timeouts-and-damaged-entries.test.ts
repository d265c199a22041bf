/**
 * Defects found in review, each pinned by a test that fails without its fix.
 */
import https from 'node:https';
import type { AxiosError } from 'axios';
import { expect } from 'chai';
import { enabled } from '../../src/index.js';
import { rejection, useHarness } from '../support/harness.js';
import { sendJson, sleep } from '../support/wait.js';

describe('integration: stale aliases, refetch timeouts, damaged entries, inspection defaults', () => {
  const h = useHarness();

  it('a redirect alias whose target now answers another URL is a miss, not a wrong hit', async () => {
    let redirecting = true;
    h.origin.route('/a', (_req, res) => {
      if (redirecting) {
        res.statusCode = 302;
        res.setHeader('location', '/final');
        return void res.end();
      }
      sendJson(res, { page: 'A content' });
    });
    h.origin.route('/final', (_req, res, n) => sendJson(res, { page: 'final', n }));
    const http = h.cached({ expireAfter: 1 });
    expect((await http.get('/a')).data).to.deep.equal({ page: 'final', n: 1 });
    expect((await http.get('/final')).fromCache).to.equal(true); // the alias works while it is true

    redirecting = false;
    h.clock.advance(2);
    expect((await http.get('/a')).data).to.deep.equal({ page: 'A content' }); // refetched: /a answers itself now
    const final = await http.get('/final');
    expect(final.data).to.deep.equal({ page: 'final', n: 2 });
    expect(final.fromCache).to.equal(false);
  });

  it('staleIfError also covers a timeout of the refetch (the origin hangs)', async () => {
    let hang = false;
    h.origin.route('/slow', async (_req, res, n) => {
      if (hang) await sleep(400);
      sendJson(res, { n });
    });
    const http = h.cached({ expireAfter: 1, staleIfError: true });
    await http.get('/slow');
    hang = true;
    h.clock.advance(5);
    const stale = await http.get('/slow', { timeout: 100 });
    expect(stale.data).to.deep.equal({ n: 1 });
    expect(stale.fromCache).to.equal(true);
    expect(stale.isExpired).to.equal(true);
  });

  it('without staleIfError the same timeout rejects with axios\' own timeout error', async () => {
    h.origin.route('/slow2', async (_req, res, n) => {
      if (n > 1) await sleep(400);
      sendJson(res, { n });
    });
    const http = h.cached({ expireAfter: 1 });
    await http.get('/slow2');
    h.clock.advance(5);
    const error = (await rejection(http.get('/slow2', { timeout: 100 }))) as AxiosError;
    expect(error.code).to.equal('ECONNABORTED');
  });

  it('an entry damaged in a way decoding accepts (request missing, Vary not a string) is a miss that gets overwritten', async () => {
    const http = h.cached();
    await http.get('/dmg');
    const key = http.cache.createKey({ url: '/dmg' });
    const store = http.cache.storage.store;
    const stored = (await store.get('responses', key)) as unknown as { headers: Record<string, unknown> };
    await store.set('responses', key, { ...stored, request: {}, headers: { ...stored.headers, vary: 7 } } as never);
    const again = await http.get('/dmg');
    expect(again.fromCache).to.equal(false);
    expect((await http.get('/dmg')).fromCache).to.equal(true);
  });

  it('cache keys from the inspection API use the instance defaults (baseURL, default Accept)', async () => {
    const http = h.cached({ matchHeaders: ['Accept'] });
    await http.get('/users/1');
    expect(await http.cache.contains({ url: '/users/1' })).to.equal(true);
    expect(await http.cache.delete({ urls: ['/users/1'] })).to.equal(1);
    expect(await http.cache.count()).to.equal(0);
  });

  it('overlapping enabled() calls are refused instead of leaving a closed cache installed', async () => {
    let release!: () => void;
    const first = enabled(() => new Promise<void>((resolve) => (release = resolve)), { backend: 'memory' });
    const error = await rejection(enabled(() => undefined, { backend: 'memory' }));
    expect(String(error)).to.match(/overlapping/);
    release();
    await first;
  });
});

describe('integration: TLS verification off is keyed apart (docs/behaviour.md §10 item 9, requests verify=False)', () => {
  const h = useHarness();

  it('a request through an https.Agent with rejectUnauthorized: false gets its own entry; a verifying agent shares the default key', async () => {
    const http = h.cached();
    const insecureAgent = new https.Agent({ rejectUnauthorized: false });
    const verifyingAgent = new https.Agent({ rejectUnauthorized: true, ca: [] });
    const plain = await http.get('/tls');
    const insecure = await http.get('/tls', { httpsAgent: insecureAgent });
    const verifying = await http.get('/tls', { httpsAgent: verifyingAgent });
    expect(plain.fromCache).to.equal(false);
    expect(insecure.fromCache).to.equal(false);
    expect(insecure.cacheKey).to.not.equal(plain.cacheKey);
    expect(verifying.fromCache).to.equal(true);
    expect(verifying.cacheKey).to.equal(plain.cacheKey);
    expect((await http.get('/tls', { httpsAgent: insecureAgent })).fromCache).to.equal(true);
    expect(h.origin.count('/tls')).to.equal(2);
  });
});
