/**
 * What only a shared cache does (cacheControl: 'shared'): `private` never stored, the §3.5 rules for
 * requests with Authorization on top of the hashed credentials, s-maxage and proxy-revalidate, and
 * no response with Set-Cookie ever handed to someone else.
 */
import { expect } from 'chai';
import { useHarness } from '../../support/harness.js';
import { script } from '../../support/scripted-origin.js';

describe("RFC 9111 shared cache (cacheControl: 'shared')", () => {
  const h = useHarness();

  it('§5.2.2.7 a private response is never stored by a shared cache; a private cache stores it', async () => {
    script(h.origin, '/p', () => ({ headers: { 'cache-control': 'private, max-age=600' } }));
    const shared = h.cached({ cacheControl: 'shared' });
    await shared.get('/p');
    expect((await shared.get('/p')).fromCache).to.equal(false);
    const own = h.cached({ cacheControl: 'private' });
    await own.get('/p');
    expect((await own.get('/p')).fromCache).to.equal(true);
  });

  it('§5.2.2.7 private="field": stored without that field', async () => {
    script(h.origin, '/pf', () => ({ headers: { 'cache-control': 'private="x-user", max-age=600', 'x-user': 'alice' } }));
    const http = h.cached({ cacheControl: 'shared' });
    await http.get('/pf');
    const hit = await http.get('/pf');
    expect(hit.fromCache).to.equal(true);
    expect(hit.headers['x-user']).to.equal(undefined);
  });

  it('§3.5 a response to a request with Authorization is stored only with public, s-maxage or must-revalidate', async () => {
    const auth = { headers: { authorization: 'Bearer alice' } };
    const cases: Array<[string, string, boolean]> = [
      ['/au-plain', 'max-age=600', false],
      ['/au-public', 'public, max-age=600', true],
      ['/au-smax', 's-maxage=600', true],
      ['/au-mr', 'max-age=600, must-revalidate', true],
    ];
    const http = h.cached({ cacheControl: 'shared' });
    for (const [path, cacheControl, stored] of cases) {
      script(h.origin, path, () => ({ headers: { 'cache-control': cacheControl } }));
      await http.get(path, auth);
      expect((await http.get(path, auth)).fromCache, path).to.equal(stored);
    }
  });

  it('§3.5 even a public response to one credential never answers another (hashed credentials key it)', async () => {
    script(h.origin, '/acct', (req) => ({ headers: { 'cache-control': 'public, max-age=600' }, body: `account of ${req.headers.authorization}` }));
    const http = h.cached({ cacheControl: 'shared' });
    await http.get('/acct', { headers: { authorization: 'Bearer alice' } });
    const bob = await http.get('/acct', { headers: { authorization: 'Bearer bob' } });
    expect(bob.fromCache).to.equal(false);
    expect(bob.data).to.equal('account of Bearer bob');
  });

  it('§5.2.2.8 proxy-revalidate and §5.2.2.10 s-maxage forbid serving stale in a shared cache, not in a private one', async () => {
    for (const [path, cacheControl] of [
      ['/pr', 'max-age=1, proxy-revalidate'],
      ['/sm', 's-maxage=1'],
    ] as const) {
      script(h.origin, path, () => ({ headers: { 'cache-control': cacheControl } }));
      const shared = h.cached({ cacheControl: 'shared' });
      await shared.get(path);
      h.clock.advance(10);
      expect((await shared.get(path, { headers: { 'cache-control': 'max-stale' } })).fromCache, path).to.equal(false);
    }
    script(h.origin, '/pr2', () => ({ headers: { 'cache-control': 'max-age=1, proxy-revalidate' } }));
    const own = h.cached({ cacheControl: 'private' });
    await own.get('/pr2');
    h.clock.advance(10);
    expect((await own.get('/pr2', { headers: { 'cache-control': 'max-stale' } })).fromCache).to.equal(true);
  });

  it("a request max-stale never serves another caller's Set-Cookie response (it was never stored)", async () => {
    script(h.origin, '/login', (_req, n) => ({ headers: { 'cache-control': 'public, max-age=1', 'set-cookie': `session=user${n}` } }));
    const http = h.cached({ cacheControl: 'shared' });
    await http.get('/login');
    h.clock.advance(5);
    const other = await http.get('/login', { headers: { 'cache-control': 'max-stale' } });
    expect(other.fromCache).to.equal(false);
    expect(other.headers['set-cookie']).to.deep.equal(['session=user2']);
  });

  it('§4.3.4 a 304 that says private (or no-store) answers this request once and removes the stored response', async () => {
    for (const withdrawn of ['private, max-age=600', 'no-store, max-age=600']) {
      const path = `/w-${withdrawn.split(',')[0]}`;
      script(h.origin, path, (req) =>
        req.headers['if-none-match'] === '"e"' ? { status: 304, headers: { etag: '"e"', 'cache-control': withdrawn } } : { headers: { etag: '"e"', 'cache-control': 'max-age=0' }, body: 'shared body' },
      );
      const http = h.cached({ cacheControl: 'shared' });
      await http.get(path);
      const revalidated = await http.get(path);
      expect(revalidated.revalidated, withdrawn).to.equal(true);
      expect(revalidated.data).to.equal('shared body');
      expect(await http.cache.count(), withdrawn).to.equal(0);
      expect((await http.get(path)).fromCache, withdrawn).to.equal(false);
    }
  });

  it('§5.2 a malformed restriction counts as present: private= and no-store= are never stored', async () => {
    for (const cacheControl of ['private=, max-age=600', 'no-store=, max-age=600', 'private= "x", max-age=600']) {
      const path = `/m-${cacheControl.length}`;
      script(h.origin, path, () => ({ headers: { 'cache-control': cacheControl } }));
      const http = h.cached({ cacheControl: 'shared' });
      await http.get(path);
      expect((await http.get(path)).fromCache, cacheControl).to.equal(false);
    }
  });

  it('invalid cacheControl values are refused at setup, naming the option and the value', () => {
    expect(() => h.cached({ cacheControl: 'public' as never })).to.throw(TypeError, /cacheControl: 'public'.*'private' or 'shared'/);
  });
});
