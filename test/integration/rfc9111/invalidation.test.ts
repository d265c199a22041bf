/**
 * Invalidation after unsafe methods in the RFC modes (RFC 9111 §4.4; src/policy/rfc9111/invalidation.ts).
 */
import axios from 'axios';
import { expect } from 'chai';
import { useHarness } from '../../support/harness.js';
import { script } from '../../support/scripted-origin.js';

describe('RFC 9111 §4.4 invalidation (cacheControl: private | shared)', () => {
  const h = useHarness();

  function cacheable(...paths: string[]): void {
    for (const path of paths) script(h.origin, path, (req, n) => ({ headers: { 'cache-control': 'max-age=600', vary: 'accept' }, body: `${path} ${req.headers.accept} #${n}` }));
  }

  for (const method of ['post', 'put', 'patch', 'delete', 'PURGE']) {
    it(`a 2xx to ${method.toUpperCase()} invalidates every stored variant of the target URI`, async () => {
      cacheable('/doc');
      const http = h.cached({ cacheControl: 'private' });
      await http.get('/doc', { headers: { accept: 'text/plain' } });
      await http.get('/doc', { headers: { accept: 'application/json' } });
      expect((await http.get('/doc', { headers: { accept: 'text/plain' } })).fromCache).to.equal(true);
      await http.request({ method, url: '/doc', data: 'x' });
      expect((await http.get('/doc', { headers: { accept: 'text/plain' } })).fromCache).to.equal(false);
      expect((await http.get('/doc', { headers: { accept: 'application/json' } })).fromCache).to.equal(false);
    });
  }

  it("every caller's stored response is invalidated (entries keyed by different credentials)", async () => {
    cacheable('/mine');
    const http = h.cached({ cacheControl: 'private' });
    await http.get('/mine', { headers: { authorization: 'Bearer alice' } });
    await http.get('/mine', { headers: { authorization: 'Bearer bob' } });
    await http.post('/mine', 'x', { headers: { authorization: 'Bearer alice' } });
    expect((await http.get('/mine', { headers: { authorization: 'Bearer bob' } })).fromCache).to.equal(false);
  });

  it('same-origin Location and Content-Location are invalidated too; another origin is not', async () => {
    cacheable('/a', '/b');
    const other = await import('../../support/origin.js').then((m) => m.startOrigin());
    try {
      script(other, '/c', () => ({ headers: { 'cache-control': 'max-age=600' } }));
      script(h.origin, '/form', () => ({ status: 201, headers: { location: '/a', 'content-location': `${h.origin.base}/b` } }));
      script(h.origin, '/form2', () => ({ status: 201, headers: { location: `${other.base}/c` } }));
      const http = h.cached({ cacheControl: 'shared' });
      await http.get('/a');
      await http.get('/b');
      await http.get(`${other.base}/c`);
      await http.post('/form', 'x');
      await http.post('/form2', 'x');
      expect((await http.get('/a')).fromCache).to.equal(false);
      expect((await http.get('/b')).fromCache).to.equal(false);
      expect((await http.get(`${other.base}/c`)).fromCache).to.equal(true);
    } finally {
      await other.close();
    }
  });

  it('an error response (4xx, 5xx) and a safe method invalidate nothing', async () => {
    cacheable('/keep');
    script(h.origin, '/keep-post', () => ({ status: 500 }));
    const http = h.cached({ cacheControl: 'private' });
    await http.get('/keep');
    await http.request({ method: 'OPTIONS', url: '/keep' });
    h.origin.route('/keep', (_req, res) => {
      res.statusCode = 409;
      res.end();
    });
    await http.post('/keep', 'x', { validateStatus: () => true });
    script(h.origin, '/keep', () => ({ headers: { 'cache-control': 'max-age=600' } }));
    expect((await http.get('/keep')).fromCache).to.equal(true);
  });

  it('a POST the cache stores itself (allowableMethods) still invalidates the GET', async () => {
    cacheable('/both');
    const http = h.cached({ cacheControl: 'private', allowableMethods: ['GET', 'POST'] });
    await http.get('/both');
    await http.post('/both', 'x');
    expect((await http.get('/both')).fromCache).to.equal(false);
  });

  it('the requests-cache modes keep upstream behaviour: a POST invalidates nothing', async () => {
    cacheable('/legacy');
    const http = h.cached({ cacheControl: true }, axios.create({ baseURL: h.origin.base }));
    await http.get('/legacy');
    await http.post('/legacy', 'x');
    expect((await http.get('/legacy')).fromCache).to.equal(true);
  });
});
