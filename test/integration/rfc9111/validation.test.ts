/**
 * Validation in the RFC modes (RFC 9111 §4.3): the validators sent, what a 304 updates, a 200 that
 * replaces, and the hop-by-hop and Connection-listed fields never stored (§3.1).
 */
import { expect } from 'chai';
import { useHarness } from '../../support/harness.js';
import { fromNow, script } from '../../support/scripted-origin.js';

describe('RFC 9111 validation (cacheControl: private | shared)', () => {
  const h = useHarness();

  it('§4.3.1 a strong ETag is sent as If-None-Match, a weak one too', async () => {
    for (const etag of ['"strong"', 'W/"weak"']) {
      const path = `/etag-${etag.length}`;
      script(h.origin, path, (req) => (req.headers['if-none-match'] === etag ? { status: 304, headers: { etag } } : { headers: { etag, 'cache-control': 'max-age=1' } }));
      const http = h.cached({ cacheControl: 'private' });
      await http.get(path);
      h.clock.advance(5);
      const second = await http.get(path);
      expect(second.revalidated).to.equal(true);
      expect(h.origin.requests.at(-1)!.headers['if-none-match']).to.equal(etag);
    }
  });

  it('§4.3.1 Last-Modified is sent as If-Modified-Since', async () => {
    const lastModified = fromNow(-3600);
    script(h.origin, '/lm', (req) => (req.headers['if-modified-since'] === lastModified ? { status: 304 } : { headers: { 'last-modified': lastModified, 'cache-control': 'max-age=1' } }));
    const http = h.cached({ cacheControl: 'private' });
    await http.get('/lm');
    h.clock.advance(5);
    expect((await http.get('/lm')).revalidated).to.equal(true);
  });

  it('§3.2 a 304 updates stored headers, but never Content-Length', async () => {
    script(h.origin, '/upd', (req, n) =>
      req.headers['if-none-match'] === '"e"'
        ? { status: 304, headers: { etag: '"e"', 'cache-control': 'max-age=100', 'x-version': `v${n}`, 'content-length': '0' } }
        : { headers: { etag: '"e"', 'cache-control': 'max-age=1', 'x-version': 'v1' }, body: 'twelve bytes' },
    );
    const http = h.cached({ cacheControl: 'private' });
    await http.get('/upd');
    h.clock.advance(5);
    const revalidated = await http.get('/upd');
    expect(revalidated.headers['x-version']).to.equal('v2');
    expect(revalidated.data).to.equal('twelve bytes');
    // The 304's max-age=100 now applies.
    h.clock.advance(50);
    const hit = await http.get('/upd');
    expect(hit.fromCache).to.equal(true);
    expect(hit.headers['content-length']).to.equal('12');
    expect(h.origin.count('/upd')).to.equal(2);
  });

  it('§4.3.3 a 200 to a conditional request replaces the stored response', async () => {
    script(h.origin, '/rep', (_req, n) => ({ headers: { etag: `"v${n}"`, 'cache-control': 'max-age=1' }, body: `body ${n}` }));
    const http = h.cached({ cacheControl: 'private' });
    await http.get('/rep');
    h.clock.advance(5);
    const replaced = await http.get('/rep');
    expect(replaced.data).to.equal('body 2');
    expect(h.origin.requests[1]!.headers['if-none-match']).to.equal('"v1"');
    const hit = await http.get('/rep');
    expect(hit.fromCache).to.equal(true);
    expect(hit.data).to.equal('body 2');
  });

  it("§4.3.2 the caller's own If-None-Match is answered from a fresh stored response", async () => {
    script(h.origin, '/own', () => ({ headers: { etag: '"e"', 'cache-control': 'max-age=60' } }));
    const http = h.cached({ cacheControl: 'private' });
    await http.get('/own');
    const answer = await http.get('/own', { headers: { 'if-none-match': '"e"' }, validateStatus: () => true });
    expect(answer.status).to.equal(304);
    expect(h.origin.count('/own')).to.equal(1);
  });

  it('§4.3.5 a 200 to HEAD with matching validators updates the stored GET (headers and freshness)', async () => {
    script(h.origin, '/head', (req, n) => ({ headers: { etag: '"e"', 'cache-control': req.method === 'HEAD' ? 'max-age=600' : 'max-age=1', 'x-seen': `#${n}` }, body: 'payload' }));
    const http = h.cached({ cacheControl: 'private' });
    await http.get('/head');
    h.clock.advance(5);
    await http.head('/head');
    const hit = await http.get('/head');
    expect(hit.fromCache).to.equal(true);
    expect(hit.data).to.equal('payload');
    expect(hit.headers['x-seen']).to.equal('#2');
    expect(h.origin.count('/head')).to.equal(2);
  });

  it('§4.3.5 a 200 to HEAD with other validators makes the stored GET stale', async () => {
    script(h.origin, '/head2', (req, n) => ({ headers: { etag: `"v${n}"`, 'cache-control': 'max-age=600' }, body: `body ${n}` }));
    const http = h.cached({ cacheControl: 'private' });
    await http.get('/head2');
    await http.head('/head2');
    const next = await http.get('/head2');
    expect(next.fromCache).to.equal(false);
    expect(next.data).to.equal('body 3');
  });

  it('§4.3.5 a HEAD reaches the stored GET of its own Vary variant', async () => {
    script(h.origin, '/hv', (req, n) => ({ headers: { etag: req.method === 'HEAD' ? '"new"' : '"old"', vary: 'accept-language', 'cache-control': 'max-age=600' }, body: `${req.headers['accept-language']} ${n}` }));
    const http = h.cached({ cacheControl: 'private' });
    for (const lang of ['en', 'fr']) await http.get('/hv', { headers: { 'accept-language': lang } });
    await http.head('/hv', { headers: { 'accept-language': 'fr' } });
    expect((await http.get('/hv', { headers: { 'accept-language': 'en' } })).fromCache).to.equal(true);
    expect((await http.get('/hv', { headers: { 'accept-language': 'fr' } })).fromCache).to.equal(false);
  });

  it('§4.3.5 a HEAD that says no-store removes the stored GET', async () => {
    script(h.origin, '/hns', (req) => ({ headers: { etag: '"e"', 'cache-control': req.method === 'HEAD' ? 'no-store, max-age=600' : 'max-age=600' }, body: 'get body' }));
    const http = h.cached({ cacheControl: 'private' });
    await http.get('/hns');
    await http.head('/hns');
    expect((await http.get('/hns')).fromCache).to.equal(false);
  });

  it('§4.3.4 a 304 with no stored response to update is handed back, never stored as the response', async () => {
    script(h.origin, '/only304', () => ({ status: 304, headers: { 'cache-control': 'max-age=600', etag: '"x"' } }));
    const http = h.cached({ cacheControl: 'private' });
    expect((await http.get('/only304', { validateStatus: () => true })).status).to.equal(304);
    expect((await http.get('/only304', { validateStatus: () => true })).fromCache).to.equal(false);
    expect(h.origin.count('/only304')).to.equal(2);
  });

  it('§3.1 hop-by-hop fields and those the Connection field names are not stored', async () => {
    script(h.origin, '/hop', () => ({ headers: { 'cache-control': 'max-age=60', connection: 'x-conn-only', 'x-conn-only': 'secret', 'x-kept': 'yes' } }));
    const http = h.cached({ cacheControl: 'shared' });
    await http.get('/hop');
    const hit = await http.get('/hop');
    expect(hit.fromCache).to.equal(true);
    expect(hit.headers['x-conn-only']).to.equal(undefined);
    expect(hit.headers['x-kept']).to.equal('yes');
  });

  it('§4.1 Vary: several variants of one URL are stored side by side, each a hit; Vary: * never matches', async () => {
    script(h.origin, '/vary', (req) => ({ headers: { vary: 'accept-language', 'cache-control': 'max-age=60' }, body: `lang ${req.headers['accept-language']}` }));
    const http = h.cached({ cacheControl: 'private' });
    for (const lang of ['en', 'fr', 'de']) await http.get('/vary', { headers: { 'accept-language': lang } });
    for (const lang of ['en', 'fr', 'de']) {
      const hit = await http.get('/vary', { headers: { 'accept-language': lang } });
      expect(hit.fromCache, lang).to.equal(true);
      expect(hit.data).to.equal(`lang ${lang}`);
    }
    script(h.origin, '/star', () => ({ headers: { vary: '*', 'cache-control': 'max-age=60' } }));
    await http.get('/star');
    expect((await http.get('/star')).fromCache).to.equal(false);
  });
});
