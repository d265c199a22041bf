/**
 * Age in the RFC modes (src/policy/rfc9111/age.ts): the Age header and Date enter the current age
 * (RFC 9111 §4.2.3), and responses served from the cache carry an Age (§5.1).
 */
import { expect } from 'chai';
import { useHarness } from '../../support/harness.js';
import { fromNow, httpDate, script } from '../../support/scripted-origin.js';

describe('RFC 9111 age (cacheControl: private | shared)', () => {
  const h = useHarness();

  it('§4.2.3 a received Age counts against max-age (Age: 50, max-age=60: stale after 10 s)', async () => {
    script(h.origin, '/a', () => ({ headers: { 'cache-control': 'max-age=60', age: '50' } }));
    const http = h.cached({ cacheControl: 'private' });
    await http.get('/a');
    h.clock.advance(8);
    expect((await http.get('/a')).fromCache).to.equal(true);
    h.clock.advance(4);
    expect((await http.get('/a')).fromCache).to.equal(false);
  });

  it('§4.2.3 an Age at least max-age makes the response stale on arrival', async () => {
    script(h.origin, '/old', () => ({ headers: { 'cache-control': 'max-age=60', age: '60', etag: '"x"' } }));
    const http = h.cached({ cacheControl: 'private' });
    await http.get('/old');
    await http.get('/old');
    expect(h.origin.count('/old')).to.equal(2);
  });

  it('§4.2.3 the apparent age from Date counts too (Date 50 s in the past, max-age=60)', async () => {
    script(h.origin, '/d', () => ({ headers: { 'cache-control': 'max-age=60', date: httpDate(Date.now() - 50_000) } }));
    const http = h.cached({ cacheControl: 'private' });
    await http.get('/d');
    h.clock.advance(12);
    expect((await http.get('/d')).fromCache).to.equal(false);
  });

  for (const [value, why] of [
    ['abc', 'non-numeric'],
    ['-10', 'negative'],
    ['1.5', 'fractional'],
  ]) {
    it(`§5.1 an invalid Age (${why}: ${value}) is ignored`, async () => {
      script(h.origin, '/bad', () => ({ headers: { 'cache-control': 'max-age=60', age: value! } }));
      const http = h.cached({ cacheControl: 'private' });
      await http.get('/bad');
      h.clock.advance(30);
      expect((await http.get('/bad')).fromCache).to.equal(true);
    });
  }

  it('§5.1 a list-valued Age uses its first member', async () => {
    script(h.origin, '/list', () => ({ headers: { 'cache-control': 'max-age=60', age: ['55', '1'] } }));
    const http = h.cached({ cacheControl: 'private' });
    await http.get('/list');
    h.clock.advance(10);
    expect((await http.get('/list')).fromCache).to.equal(false);
  });

  it('§5.1 a response served from the cache carries its current Age', async () => {
    script(h.origin, '/served', () => ({ headers: { 'cache-control': 'max-age=600', age: '30' } }));
    const http = h.cached({ cacheControl: 'shared' });
    const first = await http.get('/served');
    expect(first.headers.age).to.equal('30');
    h.clock.advance(100);
    const hit = await http.get('/served');
    expect(hit.fromCache).to.equal(true);
    expect(Number(hit.headers.age)).to.be.within(130, 131);
  });

  it('§4.3.4 after a 304 the age counts from the 304', async () => {
    script(h.origin, '/re', (req) =>
      req.headers['if-none-match'] === '"v"'
        ? { status: 304, headers: { etag: '"v"', 'cache-control': 'max-age=60' } }
        : { headers: { etag: '"v"', 'cache-control': 'max-age=60' } },
    );
    const http = h.cached({ cacheControl: 'private' });
    await http.get('/re');
    h.clock.advance(100);
    const revalidated = await http.get('/re');
    expect(revalidated.revalidated).to.equal(true);
    h.clock.advance(30);
    const hit = await http.get('/re');
    expect(hit.fromCache).to.equal(true);
    expect(Number(hit.headers.age)).to.be.within(30, 31);
    expect(h.origin.count('/re')).to.equal(2);
  });

  it('the requests-cache modes add no Age header and ignore a received one', async () => {
    script(h.origin, '/legacy', () => ({ headers: { 'cache-control': 'max-age=60', age: '59', expires: fromNow(60) } }));
    const http = h.cached({ cacheControl: true });
    await http.get('/legacy');
    h.clock.advance(30);
    const hit = await http.get('/legacy');
    expect(hit.fromCache).to.equal(true);
    expect(hit.headers.age).to.equal('59');
  });
});
