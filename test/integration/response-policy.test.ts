/**
 * The response-side policy end to end: Set-Cookie, the caller's own validators, POST redirects,
 * per-caller transforms with filterFn, and lazy logs (policy/response-decision.ts, policy/conditional.ts).
 */
import { AxiosError } from 'axios';
import { expect } from 'chai';
import { rejection, useHarness } from '../support/harness.js';
import { sendJson, sendNotModified } from '../support/wait.js';

describe('integration: response policy', () => {
  const h = useHarness();

  it('a response with Set-Cookie is not stored by default; storeSetCookie stores and replays it', async () => {
    h.origin.route('/cookie', (_req, res, n) => sendJson(res, { n }, { 'set-cookie': `csrf=${n}` }));
    const http = h.cached();
    await http.get('/cookie');
    expect((await http.get('/cookie')).fromCache).to.equal(false);
    expect(await http.cache.count()).to.equal(0);
    const single = h.cached({ storeSetCookie: true });
    await single.get('/cookie');
    const hit = await single.get('/cookie');
    expect(hit.fromCache).to.equal(true);
    expect(hit.headers['set-cookie']).to.deep.equal(['csrf=3']);
  });

  it('a response no-store is never written without cacheControl', async () => {
    h.origin.route('/ns', (_req, res, n) => sendJson(res, { n }, { 'cache-control': 'no-store' }));
    const http = h.cached();
    await http.get('/ns');
    expect((await http.get('/ns')).fromCache).to.equal(false);
  });

  describe("the caller's own validators", () => {
    function versioned(path: string): void {
      // The origin now holds v2; the cache stored v1.
      h.origin.route(path, (req, res, n) => {
        res.sendDate = false;
        const etag = n === 1 ? '"v1"' : '"v2"';
        if (req.headers['if-none-match'] === '"v2"' && n > 1) return sendNotModified(res, { etag: '"v2"' });
        sendJson(res, { n, etag }, { etag, 'last-modified': 'Wed, 21 Oct 2015 07:28:00 GMT' });
      });
    }

    it('a fresh entry answers a matching If-None-Match with a 304 from the cache, else with the stored response', async () => {
      versioned('/cv');
      const http = h.cached();
      await http.get('/cv');
      const error = (await rejection(http.get('/cv', { headers: { 'If-None-Match': '"v1"' } }))) as AxiosError;
      expect(error.response?.status).to.equal(304);
      expect(error.response?.data).to.equal('');
      expect(error.response?.headers.etag).to.equal('"v1"');
      const notModified = await http.get('/cv', { headers: { 'If-None-Match': 'W/"v1"' }, validateStatus: () => true });
      expect(notModified.status).to.equal(304);
      expect(notModified.headers['content-type']).to.equal(undefined);
      const full = await http.get('/cv', { headers: { 'If-None-Match': '"v0"' } });
      expect(full.status).to.equal(200);
      expect(full.fromCache).to.equal(true);
      expect(h.origin.count('/cv')).to.equal(1);
    });

    it('an expired entry sends only the caller validators; the 304 goes back untouched, the entry is not re-armed', async () => {
      versioned('/cv2');
      const http = h.cached({ expireAfter: 1 });
      const first = await http.get('/cv2');
      h.clock.advance(2);
      const res = await http.get('/cv2', { headers: { 'If-None-Match': '"v2"' }, validateStatus: () => true });
      expect(res.status).to.equal(304);
      expect(res.fromCache).to.equal(false);
      const sent = h.origin.requests[1]!.headers;
      expect(sent['if-none-match']).to.equal('"v2"');
      expect(sent['if-modified-since']).to.equal(undefined);
      const entries = [];
      for await (const entry of http.cache.filter()) entries.push(entry);
      expect(entries.map((entry) => entry.expires!.getTime())).to.deep.equal([first.expires!.getTime()]);
      expect(entries[0]!.json()).to.deep.include({ n: 1 });
    });
  });

  it('POST answered by 303: the final GET response is not stored under the POST key', async () => {
    h.origin.route('/form', (_req, res) => {
      res.statusCode = 303;
      res.setHeader('location', '/done');
      res.end();
    });
    const http = h.cached({ allowableMethods: ['GET', 'POST'] });
    const first = await http.post('/form', { a: 1 });
    expect(first.data.method).to.equal('GET');
    expect(first.cacheKey).to.equal(undefined);
    const again = await http.post('/form', { a: 1 });
    expect(again.fromCache).to.equal(false);
    expect(await http.cache.count()).to.equal(0);
  });

  it("with filterFn, one caller's throwing transformResponse fails only that caller", async () => {
    h.origin.route('/tr', (_req, res, n) => sendJson(res, { n, ok: true }));
    const http = h.cached({ filterFn: (res) => res.data.ok === true });
    const boom = () => {
      throw new Error('boom');
    };
    const [bad, good] = await Promise.allSettled([http.get('/tr', { transformResponse: [boom] }), http.get('/tr')]);
    expect(bad.status).to.equal('rejected');
    expect(good.status).to.equal('fulfilled');
    expect(h.origin.count('/tr')).to.equal(1);
    expect((await http.get('/tr')).fromCache, 'the shared decision stored it').to.equal(true);
  });

  it('a filterFn that throws means "do not store", not an error', async () => {
    const http = h.cached({
      filterFn: () => {
        throw new Error('broken filter');
      },
    });
    expect((await http.get('/ft')).status).to.equal(200);
    expect(await http.cache.count()).to.equal(0);
  });
});
