/**
 * Cache keys and request matching through a real axios instance against a real origin
 * (docs/behaviour.md §3 keys, redirects, Vary; §10 items 1–15). Every test counts what reached the origin:
 * a hit is a response with `fromCache` AND no new request recorded.
 */
import axios, { type AxiosRequestConfig } from 'axios';
import { expect } from 'chai';
import http from 'node:http';
import net from 'node:net';
import { Keyv } from 'keyv';
import { setupCache, ALL_METHODS, type CacheAxiosInstance, type CacheOptions, type CachedResponse } from '../../src/index.js';
import { useHarness } from '../support/harness.js';
import { run, stored } from '../support/inspect.js';
import { rawFilesText, secretTraces } from '../support/storage-text.js';
import { tempDir } from '../support/temp.js';
import { sendJson } from '../support/wait.js';

describe('integration: keys and matching (docs/behaviour.md §3, §10 items 1–15)', () => {
  const h = useHarness();

  const bodyText = (body: string | Buffer | undefined): string => (body === undefined ? '' : Buffer.isBuffer(body) ? body.toString('utf8') : body);

  describe('item 1: a second identical GET is served from the cache', () => {
    it('the first GET is fromCache false and reaches the origin; the second is fromCache true with no network call and the same data', async () => {
      const http = h.cached();
      const first = await http.get('/one');
      expect(first.fromCache).to.equal(false);
      expect(h.origin.count('/one')).to.equal(1);
      const second = await http.get('/one');
      expect(second.fromCache).to.equal(true);
      expect(h.origin.count('/one')).to.equal(1);
      expect(second.data).to.deep.equal(first.data);
      expect(second.data).to.deep.equal({ path: '/one', method: 'GET', n: 1 });
    });

    it('a HEAD is cached like a GET, under its own key', async () => {
      const http = h.cached();
      expect((await http.head('/head')).fromCache).to.equal(false);
      expect((await http.head('/head')).fromCache).to.equal(true);
      expect((await http.get('/head')).fromCache, 'GET after HEAD').to.equal(false);
      expect(h.origin.count('/head')).to.equal(2);
    });
  });

  describe('item 2: params, form data and JSON bodies are part of the key', () => {
    const opts: CacheOptions = { allowableMethods: ['GET', 'POST'] };

    it('requests that differ in params are cached separately; the same params in another order hit', async () => {
      const http = h.cached(opts);
      const result = await run(h.origin, http, [
        { url: '/params', params: { a: 1, b: 2 } },
        { url: '/params', params: { a: 1, b: 3 } },
        { url: '/params', params: { b: 2, a: 1 } },
        { url: '/params', params: { b: 3, a: 1 } },
      ]);
      expect(result.fromCache).to.deep.equal([false, false, true, true]);
      expect(result.network).to.equal(2);
    });

    it('POST form data (URLSearchParams) differing in content are cached separately; another key order hits', async () => {
      const http = h.cached(opts);
      const result = await run(h.origin, http, [
        { url: '/form', method: 'post', data: new URLSearchParams('a=1&b=2') },
        { url: '/form', method: 'post', data: new URLSearchParams('a=1&b=3') },
        { url: '/form', method: 'post', data: new URLSearchParams('b=2&a=1') },
        { url: '/form', method: 'post', data: 'b=3&a=1', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } },
      ]);
      expect(result.fromCache).to.deep.equal([false, false, true, true]);
      expect(result.network).to.equal(2);
    });

    it('POST JSON bodies differing in content are cached separately; the same object in another key order hits', async () => {
      const http = h.cached(opts);
      const result = await run(h.origin, http, [
        { url: '/json', method: 'post', data: { a: 1, b: { x: 1 } } },
        { url: '/json', method: 'post', data: { a: 2, b: { x: 1 } } },
        { url: '/json', method: 'post', data: { b: { x: 1 }, a: 1 } },
        { url: '/json', method: 'post', data: { b: { x: 1 }, a: 2 } },
      ]);
      expect(result.fromCache).to.deep.equal([false, false, true, true]);
      expect(result.network).to.equal(2);
    });

    it('a GET and a POST to the same URL, and POSTs with and without a body, are separate entries', async () => {
      const http = h.cached(opts);
      const result = await run(h.origin, http, [
        { url: '/mixed' },
        { url: '/mixed', method: 'post' },
        { url: '/mixed', method: 'post', data: { a: 1 } },
        { url: '/mixed' },
        { url: '/mixed', method: 'post' },
        { url: '/mixed', method: 'post', data: { a: 1 } },
      ]);
      expect(result.fromCache).to.deep.equal([false, false, false, true, true, true]);
      expect(result.network).to.equal(3);
    });
  });

  describe('item 3: URL spellings of one resource share one entry', () => {
    it('param order, upper-case scheme, trailing ? and &, and inline query vs params all hit the first entry', async () => {
      const http = h.cached();
      const port = new URL(h.origin.base).port;
      const first = await http.get('/u?a=1&b=2');
      expect(first.fromCache).to.equal(false);
      const variants: AxiosRequestConfig[] = [
        { url: '/u?b=2&a=1' },
        { url: '/u?a=1&b=2&' },
        { url: '/u?a=1&b=2&&' },
        { url: '/u', params: { a: 1, b: 2 } },
        { url: '/u', params: { b: '2', a: '1' } },
        { url: '/u?b=2', params: { a: 1 } },
        { url: `HTTP://127.0.0.1:${port}/u?b=2&a=1`, baseURL: undefined },
        { url: `http://127.0.0.1:${port}/u?a=1&b=2`, baseURL: undefined },
      ];
      for (const config of variants) {
        const res = await http.request(config);
        expect(res.fromCache, JSON.stringify(config)).to.equal(true);
        expect(res.cacheKey).to.equal(first.cacheKey);
      }
      expect(h.origin.count('/u')).to.equal(1);
    });

    it('a trailing ? (and a lone &) on a path without a query hits the plain URL', async () => {
      const http = h.cached();
      const result = await run(h.origin, http, [{ url: '/plain' }, { url: '/plain?' }, { url: '/plain?&' }, { url: '/plain/../plain' }]);
      expect(result.fromCache).to.deep.equal([false, true, true, true]);
      expect(result.network).to.equal(1);
    });

    it('the default port :80 on http shares the entry of the URL without a port', async () => {
      // Port 80 cannot be listened on here: an agent connects every request to the origin, so both
      // spellings are really requested over the network, as axios sends them.
      const port = Number(new URL(h.origin.base).port);
      const agent = new http.Agent();
      (agent as unknown as { createConnection: () => net.Socket }).createConnection = () => net.createConnection({ host: '127.0.0.1', port });
      const cachedVia80 = h.cached({}, axios.create({ httpAgent: agent, proxy: false }));
      const plain = await cachedVia80.get('http://127.0.0.1/port80?q=1');
      expect(plain.fromCache).to.equal(false);
      expect(h.origin.requests.map((r) => [r.url, r.headers.host])).to.deep.equal([['/port80?q=1', '127.0.0.1']]);
      const withPort = await cachedVia80.get('http://127.0.0.1:80/port80?q=1');
      const upper = await cachedVia80.get('HTTP://127.0.0.1:80/port80?q=1');
      expect(withPort.fromCache, ':80').to.equal(true);
      expect(upper.fromCache, 'HTTP:// and :80').to.equal(true);
      expect(withPort.cacheKey).to.equal(plain.cacheKey);
      expect(h.origin.count()).to.equal(1);
      agent.destroy();
    });

    it('different paths (path case included) are different entries', async () => {
      const http = h.cached();
      const result = await run(h.origin, http, [{ url: '/p1' }, { url: '/p2' }, { url: '/P1' }, { url: '/p1' }]);
      expect(result.fromCache).to.deep.equal([false, false, false, true]);
      expect(result.network).to.equal(3);
    });
  });

  describe('item 4: duplicate and key-only params', () => {
    it('?a=1&a=2 differs from ?a=1 and from ?a=2, while the order of duplicates matters (requests-cache sorts values too)', async () => {
      const http = h.cached();
      const result = await run(h.origin, http, [
        { url: '/dup?a=1&a=2' },
        { url: '/dup?a=1' },
        { url: '/dup?a=2' },
        { url: '/dup?a=2&a=1' },
        { url: '/dup', params: new URLSearchParams([['a', '2'], ['a', '1']]) },
      ]);
      expect(result.fromCache).to.deep.equal([false, false, false, false, true]);
      expect(result.network).to.equal(4);
    });

    it('key-only params are distinct from each other and order-insensitive (?k=v&p == ?p&k=v)', async () => {
      const http = h.cached();
      const result = await run(h.origin, http, [
        { url: '/keyonly?param_1' },
        { url: '/keyonly?param_2' },
        { url: '/keyonly?k=v&p' },
        { url: '/keyonly?p&k=v' },
        { url: '/keyonly?param_1' },
        { url: '/keyonly' },
      ]);
      expect(result.fromCache).to.deep.equal([false, false, false, true, true, false]);
      expect(result.network).to.equal(4);
    });
  });

  describe('item 5: raw bodies that are neither JSON nor form-encoded are hashed verbatim', () => {
    const opts: CacheOptions = { allowableMethods: ['POST'] };

    it('text/plain bodies: the same bytes hit; the same pairs in another order do not', async () => {
      const http = h.cached(opts);
      const text = { 'Content-Type': 'text/plain' };
      const result = await run(h.origin, http, [
        { url: '/raw', method: 'post', data: 'a=1&b=2', headers: text },
        { url: '/raw', method: 'post', data: 'b=2&a=1', headers: text },
        { url: '/raw', method: 'post', data: '{"a":1,"b":2}', headers: text },
        { url: '/raw', method: 'post', data: '{"b":2,"a":1}', headers: text },
        { url: '/raw', method: 'post', data: 'a=1&b=2', headers: text },
        { url: '/raw', method: 'post', data: '{"b":2,"a":1}', headers: text },
      ]);
      expect(result.fromCache).to.deep.equal([false, false, false, false, true, true]);
      expect(result.network).to.equal(4);
    });

    it('binary bodies (application/octet-stream) hit only on identical bytes', async () => {
      const http = h.cached(opts);
      const bin = { 'Content-Type': 'application/octet-stream' };
      const result = await run(h.origin, http, [
        { url: '/bin', method: 'post', data: Buffer.from([0, 1, 2, 255]), headers: bin },
        { url: '/bin', method: 'post', data: Buffer.from([0, 1, 2, 254]), headers: bin },
        { url: '/bin', method: 'post', data: Buffer.from([0, 1, 2, 255]), headers: bin },
        { url: '/bin', method: 'post', data: new Uint8Array([0, 1, 2, 254]), headers: bin },
      ]);
      expect(result.fromCache).to.deep.equal([false, false, true, true]);
      expect(result.network).to.equal(2);
      expect(h.origin.requests[0]!.body).to.deep.equal(Buffer.from([0, 1, 2, 255]));
    });

    it('an invalid JSON body with a JSON content type is hashed as it is', async () => {
      const http = h.cached(opts);
      const json = { 'Content-Type': 'application/json' };
      const result = await run(h.origin, http, [
        { url: '/badjson', method: 'post', data: '{"a":1,', headers: json },
        { url: '/badjson', method: 'post', data: '{"a":1, ', headers: json },
        { url: '/badjson', method: 'post', data: '{"a":1,', headers: json },
      ]);
      expect(result.fromCache).to.deep.equal([false, false, true]);
      expect(result.network).to.equal(2);
    });
  });

  describe('item 6: unsafe methods are not cached by default', () => {
    for (const method of ['post', 'put', 'patch', 'delete', 'options'] as const) {
      it(`${method.toUpperCase()} is neither written nor read by default`, async () => {
        const http = h.cached();
        const first = await http.request({ url: `/m-${method}`, method, data: method === 'options' || method === 'delete' ? undefined : { a: 1 } });
        const second = await http.request({ url: `/m-${method}`, method, data: method === 'options' || method === 'delete' ? undefined : { a: 1 } });
        expect([first.fromCache, second.fromCache]).to.deep.equal([false, false]);
        expect(h.origin.count(`/m-${method}`)).to.equal(2);
        expect(await http.cache.count()).to.equal(0);
        expect(first.cacheKey).to.equal(undefined);
      });
    }

    it('an entry another instance wrote for POST (shared backend) is not read by a default instance', async () => {
      const shared = new Keyv();
      const writer = h.cached({ backend: shared, allowableMethods: ALL_METHODS });
      const reader = h.cached({ backend: shared });
      await writer.post('/shared-post', { a: 1 });
      expect((await writer.post('/shared-post', { a: 1 })).fromCache, 'writer hits').to.equal(true);
      expect(await reader.cache.count()).to.equal(1);
      const res = await reader.post('/shared-post', { a: 1 });
      expect(res.fromCache).to.equal(false);
      expect(res.data.n).to.equal(2);
      expect(h.origin.count('/shared-post')).to.equal(2);
    });
  });

  describe('item 7: method-override headers count toward allowableMethods', () => {
    for (const header of ['X-HTTP-Method-Override', 'X-HTTP-Method', 'X-Method-Override']) {
      it(`a POST with ${header}: GET is cached when only GET is allowed`, async () => {
        const http = h.cached({ allowableMethods: ['GET'] });
        const config: AxiosRequestConfig = { url: '/override', method: 'post', data: { q: 1 }, headers: { [header]: 'GET' } };
        const result = await run(h.origin, http, [config, config]);
        expect(result.fromCache).to.deep.equal([false, true]);
        expect(result.network).to.equal(1);
      });
    }

    it('the same POST without an override header is not cached', async () => {
      const http = h.cached({ allowableMethods: ['GET'] });
      const config: AxiosRequestConfig = { url: '/override', method: 'post', data: { q: 1 } };
      const result = await run(h.origin, http, [config, config]);
      expect(result.fromCache).to.deep.equal([false, false]);
      expect(result.network).to.equal(2);
    });
  });

  describe('item 8: allowableCodes', () => {
    beforeEach(() => {
      for (const status of [201, 404, 500]) {
        h.origin.route(`/status-${status}`, (_req, res, n) => sendJson(res, { status, n }, {}, status));
      }
    });
    const always = { validateStatus: () => true };

    it('only 200 is cached by default: 201, 404 and 500 are not', async () => {
      const http = h.cached();
      for (const status of [201, 404, 500]) {
        const result = await run(h.origin, http, [{ url: `/status-${status}`, ...always }, { url: `/status-${status}`, ...always }]);
        expect(result.fromCache, String(status)).to.deep.equal([false, false]);
        expect(result.network, String(status)).to.equal(2);
      }
      expect(await http.cache.count()).to.equal(0);
    });

    it('allowableCodes [200, 404] caches a 404 and not a 500', async () => {
      const http = h.cached({ allowableCodes: [200, 404] });
      const notFound = await run(h.origin, http, [{ url: '/status-404', ...always }, { url: '/status-404', ...always }]);
      expect(notFound.fromCache).to.deep.equal([false, true]);
      expect(notFound.network).to.equal(1);
      const serverError = await run(h.origin, http, [{ url: '/status-500', ...always }, { url: '/status-500', ...always }]);
      expect(serverError.fromCache).to.deep.equal([false, false]);
      expect(serverError.network).to.equal(2);
      const hit = await http.get('/status-404', always);
      expect(hit.status).to.equal(404);
      expect(hit.data).to.deep.equal({ status: 404, n: 1 });
    });
  });

  describe('item 10: ignored parameters', () => {
    const opts: CacheOptions = { ignoredParameters: ['x'], allowableMethods: ['GET', 'POST'] };

    it('query: different values of an ignored parameter share an entry; with vs without it do not', async () => {
      const http = h.cached(opts);
      const result = await run(h.origin, http, [{ url: '/ig?x=1&a=1' }, { url: '/ig?a=1&x=2' }, { url: '/ig', params: { a: 1, x: 3 } }, { url: '/ig?a=1' }]);
      expect(result.fromCache).to.deep.equal([false, true, true, false]);
      expect(result.network).to.equal(2);
    });

    it('JSON body: different values of an ignored key share an entry; with vs without it do not', async () => {
      const http = h.cached(opts);
      const result = await run(h.origin, http, [
        { url: '/igjson', method: 'post', data: { x: 'one', a: 1 } },
        { url: '/igjson', method: 'post', data: { a: 1, x: 'two' } },
        { url: '/igjson', method: 'post', data: { a: 1 } },
      ]);
      expect(result.fromCache).to.deep.equal([false, true, false]);
      expect(result.network).to.equal(2);
    });

    it('form body: different values of an ignored field share an entry; with vs without it do not', async () => {
      const http = h.cached(opts);
      const result = await run(h.origin, http, [
        { url: '/igform', method: 'post', data: new URLSearchParams('x=1&a=1') },
        { url: '/igform', method: 'post', data: new URLSearchParams('a=1&x=2') },
        { url: '/igform', method: 'post', data: new URLSearchParams('a=1') },
      ]);
      expect(result.fromCache).to.deep.equal([false, true, false]);
      expect(result.network).to.equal(2);
    });

    it('header with matchHeaders true: different values share an entry; with vs without it do not', async () => {
      const http = h.cached({ ...opts, matchHeaders: true });
      const result = await run(h.origin, http, [
        { url: '/ighead', headers: { x: 'one' } },
        { url: '/ighead', headers: { x: 'two' } },
        { url: '/ighead' },
        { url: '/ighead', headers: { y: 'one' } },
      ]);
      expect(result.fromCache).to.deep.equal([false, true, false, false]);
      expect(result.network).to.equal(3);
    });

    it('the ignored values reached the origin unchanged (only the cache ignores them)', async () => {
      const http = h.cached({ ...opts, matchHeaders: true });
      await http.get('/igsent?x=secret-q', { headers: { x: 'secret-h' } });
      expect(h.origin.requests[0]!.url).to.equal('/igsent?x=secret-q');
      expect(h.origin.requests[0]!.headers.x).to.equal('secret-h');
    });
  });

  describe('item 11: redaction of ignored parameters in stored data', () => {
    const QUERY_SECRET = 'query-secret-7f3a9c';
    const HEADER_SECRET = 'Bearer header-secret-51b2e8';
    const JSON_SECRET = 'json-secret-c0ffee42';
    const FORM_SECRET = 'form-secret-deadbeef';

    /** Routes that do not echo the request, so only the stored request could hold a secret. */
    function quietRoutes(): void {
      for (const path of ['/secret', '/secret-json', '/secret-form']) h.origin.route(path, (_req, res) => sendJson(res, { ok: true }));
    }

    async function sendSecrets(http: CacheAxiosInstance): Promise<void> {
      await http.get(`/secret?access_token=${QUERY_SECRET}&page=2`, { headers: { Authorization: HEADER_SECRET } });
      await http.post('/secret-json', { access_token: JSON_SECRET, q: 1 }, { headers: { Authorization: HEADER_SECRET } });
      await http.post('/secret-form', new URLSearchParams({ access_token: FORM_SECRET, q: '1' }));
    }

    it('stored url, request.url, request headers and JSON/form bodies show REDACTED for Authorization and access_token (cache.filter)', async () => {
      quietRoutes();
      const http = h.cached({ allowableMethods: ['GET', 'POST'] });
      await sendSecrets(http);
      // The secrets did reach the origin: redaction is about storage only.
      expect(h.origin.requests[0]!.url).to.include(QUERY_SECRET);
      expect(h.origin.requests[0]!.headers.authorization).to.equal(HEADER_SECRET);

      const entries = await stored(http);
      expect(entries).to.have.length(3);
      const byPath = (path: string): CachedResponse => entries.find((e) => new URL(e.url).pathname === path)!;

      const get = byPath('/secret');
      expect(get.url).to.equal(`${h.origin.base}/secret?access_token=REDACTED&page=2`);
      expect(get.request.url).to.equal(`${h.origin.base}/secret?access_token=REDACTED&page=2`);
      expect(get.request.headers.authorization).to.equal('REDACTED');

      const json = byPath('/secret-json');
      expect(json.request.headers.authorization).to.equal('REDACTED');
      expect(JSON.parse(bodyText(json.request.body))).to.deep.equal({ access_token: 'REDACTED', q: 1 });

      const form = byPath('/secret-form');
      expect(new URLSearchParams(bodyText(form.request.body)).get('access_token')).to.equal('REDACTED');
      expect(new URLSearchParams(bodyText(form.request.body)).get('q')).to.equal('1');

      const everything = JSON.stringify(entries.map((e) => ({ url: e.url, request: { ...e.request, body: bodyText(e.request.body) }, headers: e.headers })));
      for (const secret of [QUERY_SECRET, HEADER_SECRET, JSON_SECRET, FORM_SECRET]) expect(everything).not.to.include(secret);
      expect(await http.cache.urls()).to.deep.equal([
        `${h.origin.base}/secret-form`,
        `${h.origin.base}/secret-json`,
        `${h.origin.base}/secret?access_token=REDACTED&page=2`,
      ]);
    });

    it('the secrets never reach the SQLite file (raw bytes of the database read after close)', async () => {
      quietRoutes();
      const dir = tempDir();
      const http = setupCache(axios.create({ baseURL: h.origin.base }), { cacheName: `${dir}/redact`, allowableMethods: ['GET', 'POST'], hashedParameters: false });
      try {
        await sendSecrets(http);
        expect(await http.cache.count()).to.equal(3);
        // The entries are really readable from the file (so the search below looks at real data).
        expect((await http.get(`/secret?access_token=another-one&page=2`, { headers: { Authorization: 'Bearer other' } })).fromCache).to.equal(true);
      } finally {
        await http.cache.close();
      }
      const raw = rawFilesText(dir, 'redact');
      expect(raw).to.include('REDACTED');
      expect(raw).to.include('/secret?access_token=REDACTED&page=2');
      for (const secret of [QUERY_SECRET, HEADER_SECRET, 'header-secret-51b2e8', JSON_SECRET, FORM_SECRET]) {
        expect(secretTraces(raw, secret), secret).to.deep.equal([]);
      }
    });

    it('requests differing only in Authorization or access_token share an entry with hashedParameters: false (they are ignored then)', async () => {
      const http = h.cached({ hashedParameters: false });
      const result = await run(h.origin, http, [
        { url: '/tok?access_token=a1', headers: { Authorization: 'Bearer one' } },
        { url: '/tok?access_token=b2', headers: { Authorization: 'Bearer two' } },
        { url: '/tok' },
      ]);
      expect(result.fromCache).to.deep.equal([false, true, false]);
      expect(result.network).to.equal(2);
    });
  });

  describe('item 12: matchHeaders', () => {
    it('matchHeaders true keys on all headers, in any order', async () => {
      const http = h.cached({ matchHeaders: true });
      const result = await run(h.origin, http, [
        { url: '/mh', headers: { 'X-A': '1', 'X-B': '2' } },
        { url: '/mh', headers: { 'X-B': '2', 'X-A': '1' } },
        { url: '/mh', headers: { 'x-b': '2', 'x-a': '1' } },
        { url: '/mh', headers: { 'X-A': '1', 'X-B': '3' } },
        { url: '/mh', headers: { 'X-A': '1' } },
        { url: '/mh', headers: { 'X-A': '1', 'X-B': '2', Accept: 'text/plain' } },
      ]);
      expect(result.fromCache).to.deep.equal([false, true, true, false, false, false]);
      expect(result.network).to.equal(4);
    });

    it("matchHeaders ['Accept'] keys only on Accept", async () => {
      const http = h.cached({ matchHeaders: ['Accept'] });
      const result = await run(h.origin, http, [
        { url: '/mha', headers: { Accept: 'application/json', 'X-Other': '1' } },
        { url: '/mha', headers: { Accept: 'application/json', 'X-Other': '2' } },
        { url: '/mha', headers: { Accept: 'text/plain', 'X-Other': '1' } },
        { url: '/mha', headers: { accept: 'text/plain' } },
      ]);
      expect(result.fromCache).to.deep.equal([false, true, false, true]);
      expect(result.network).to.equal(2);
    });

    it('comma lists in matched headers are compared after normalization (order, case, spacing)', async () => {
      const http = h.cached({ matchHeaders: ['Accept-Language'] });
      const result = await run(h.origin, http, [
        { url: '/mhl', headers: { 'Accept-Language': 'en, fr' } },
        { url: '/mhl', headers: { 'Accept-Language': 'FR,en ' } },
        { url: '/mhl', headers: { 'Accept-Language': 'de' } },
      ]);
      expect(result.fromCache).to.deep.equal([false, true, false]);
      expect(result.network).to.equal(2);
    });

    it('by default (matchHeaders false) headers do not split entries', async () => {
      const http = h.cached();
      const result = await run(h.origin, http, [{ url: '/mhd', headers: { Accept: 'application/json' } }, { url: '/mhd', headers: { Accept: 'text/plain', 'X-A': '1' } }]);
      expect(result.fromCache).to.deep.equal([false, true]);
      expect(result.network).to.equal(1);
    });
  });

  describe('item 13: Vary', () => {
    beforeEach(() => {
      h.origin.route('/vary', (req, res, n) => sendJson(res, { accept: req.headers.accept, n }, { vary: 'Accept' }));
    });

    it('a cached Vary: Accept response is a miss for another Accept; the new variant is stored under a secondary key', async () => {
      const http = h.cached();
      const a = await http.get('/vary', { headers: { Accept: 'application/json' } });
      const b = await http.get('/vary', { headers: { Accept: 'application/x-b+json' } });
      expect([a.fromCache, b.fromCache]).to.deep.equal([false, false]);
      expect(b.data).to.deep.equal({ accept: 'application/x-b+json', n: 2 });
      expect(a.cacheKey).to.equal(http.cache.createKey({ url: h.origin.url('/vary') }));
      expect(b.cacheKey).to.match(/^[0-9a-f]{64}$/);
      expect(b.cacheKey).not.to.equal(a.cacheKey);
      expect(await http.cache.count()).to.equal(2);
    });

    it('alternating two Accept variants gives hits from round two, each with its own body', async () => {
      const http = h.cached();
      const accepts = ['application/json', 'application/x-b+json'];
      const seen: Array<[boolean, string, number]> = [];
      for (let round = 0; round < 3; round += 1) {
        for (const accept of accepts) {
          const res = await http.get('/vary', { headers: { Accept: accept } });
          seen.push([res.fromCache, res.data.accept, res.data.n]);
        }
      }
      expect(seen).to.deep.equal([
        [false, 'application/json', 1],
        [false, 'application/x-b+json', 2],
        [true, 'application/json', 1],
        [true, 'application/x-b+json', 2],
        [true, 'application/json', 1],
        [true, 'application/x-b+json', 2],
      ]);
      expect(h.origin.count('/vary')).to.equal(2);
    });

    it('the Vary comparison ignores order, case and spacing of comma lists', async () => {
      const http = h.cached();
      await http.get('/vary', { headers: { Accept: 'text/html, application/json' } });
      const res = await http.get('/vary', { headers: { Accept: 'application/json,TEXT/HTML' } });
      expect(res.fromCache).to.equal(true);
      expect(h.origin.count('/vary')).to.equal(1);
    });
  });

  describe('item 14: Vary that can never match', () => {
    it('Vary: * is always a miss (and the new response replaces the entry)', async () => {
      h.origin.route('/vary-star', (_req, res, n) => sendJson(res, { n }, { vary: '*' }));
      const http = h.cached();
      const result = await run(h.origin, http, [{ url: '/vary-star' }, { url: '/vary-star' }, { url: '/vary-star' }]);
      expect(result.fromCache).to.deep.equal([false, false, false]);
      expect(result.network).to.equal(3);
      const entries = await stored(http);
      expect(entries).to.have.length(1);
      expect(entries[0]!.json()).to.deep.equal({ n: 3 });
    });

    it('Vary: Authorization with an ignored Authorization header on the request is always a miss', async () => {
      h.origin.route('/vary-auth', (req, res, n) => sendJson(res, { user: req.headers.authorization ?? null, n }, { vary: 'Authorization' }));
      const http = h.cached({ hashedParameters: false });
      const alice = { headers: { Authorization: 'Bearer alice' } };
      const bob = { headers: { Authorization: 'Bearer bob' } };
      const result = await run(h.origin, http, [
        { url: '/vary-auth', ...alice },
        { url: '/vary-auth', ...bob },
        { url: '/vary-auth', ...alice },
      ]);
      expect(result.fromCache).to.deep.equal([false, false, false]);
      expect(result.network).to.equal(3);
      const again = await http.get('/vary-auth', bob);
      expect(again.data.user, 'never another user\'s response').to.equal('Bearer bob');
    });

    it('the same Vary: Authorization response hits for requests that carry no Authorization', async () => {
      h.origin.route('/vary-auth-none', (_req, res, n) => sendJson(res, { n }, { vary: 'Authorization' }));
      const http = h.cached();
      const result = await run(h.origin, http, [{ url: '/vary-auth-none' }, { url: '/vary-auth-none' }]);
      expect(result.fromCache).to.deep.equal([false, true]);
    });
  });

  describe('item 15: redirects', () => {
    beforeEach(() => {
      const redirect = (status: number, to: string) => (_req: unknown, res: http.ServerResponse) => {
        res.statusCode = status;
        res.setHeader('location', to);
        res.end();
      };
      h.origin.route('/r3', redirect(302, '/r2'));
      h.origin.route('/r2', redirect(301, '/r1'));
      h.origin.route('/r1', redirect(307, '/final'));
      h.origin.route('/final', (_req, res, n) => sendJson(res, { final: true, n }));
    });

    it('after /r3 -> 302 /r2 -> 301 /r1 -> 307 /final, both /r3 and /final are hits with the final body', async () => {
      const http = h.cached();
      const first = await http.get('/r3');
      expect(first.fromCache).to.equal(false);
      expect(first.data).to.deep.equal({ final: true, n: 1 });
      expect(h.origin.requests.map((r) => r.path)).to.deep.equal(['/r3', '/r2', '/r1', '/final']);

      const again = await http.get('/r3');
      const final = await http.get('/final');
      expect(again.fromCache, '/r3').to.equal(true);
      expect(final.fromCache, '/final').to.equal(true);
      expect(again.data).to.deep.equal({ final: true, n: 1 });
      expect(final.data).to.deep.equal({ final: true, n: 1 });
      expect(h.origin.count()).to.equal(4);
      // Where Node code reads the final URL of a followed redirect: the same on the hit as on the network.
      const responseUrl = (res: { request?: unknown }) => (res.request as { res?: { responseUrl?: string } }).res?.responseUrl;
      expect(responseUrl(first)).to.equal(h.origin.url('/final'));
      expect(responseUrl(again)).to.equal(h.origin.url('/final'));
    });

    it('contains({ url }) is true for the original and the final URL, and the final URL is an alias of the entry', async () => {
      const http = h.cached();
      await http.get('/r3');
      expect(await http.cache.contains({ url: h.origin.url('/r3') })).to.equal(true);
      expect(await http.cache.contains({ url: h.origin.url('/final') })).to.equal(true);
      expect(await http.cache.contains({ url: h.origin.url('/elsewhere') })).to.equal(false);
      expect(await http.cache.count()).to.equal(1);
      const finalKey = http.cache.createKey({ url: h.origin.url('/final') });
      const r3Key = http.cache.createKey({ url: h.origin.url('/r3') });
      expect(await http.cache.redirects.get(finalKey)).to.equal(r3Key);
      const [entry] = await stored(http);
      expect(entry!.url).to.equal(h.origin.url('/final'));
      expect(entry!.request.url).to.equal(h.origin.url('/r3'));
    });
  });

  describe('multipart uploads', () => {
    function form(value: string): FormData {
      const data = new FormData();
      data.append('field', value);
      data.append('file', new Blob([Buffer.from([0, 1, 2, 3, 255])], { type: 'application/octet-stream' }), 'f.bin');
      return data;
    }

    it('FormData uploads with axios\' random boundary hit the same entry (allowableMethods POST)', async () => {
      const http = h.cached({ allowableMethods: ['POST'] });
      // Premise: axios really picks a new boundary for each upload.
      await http.post('/upload', form('a'), { cache: false });
      await http.post('/upload', form('a'), { cache: false });
      const [one, two] = h.origin.requests.map((r) => String(r.headers['content-type']));
      expect(one).to.match(/^multipart\/form-data; boundary=/);
      expect(one).not.to.equal(two);

      const result = await run(h.origin, http, [
        { url: '/upload', method: 'post', data: form('a') },
        { url: '/upload', method: 'post', data: form('a') },
        { url: '/upload', method: 'post', data: form('b') },
        { url: '/upload', method: 'post', data: form('b') },
      ]);
      expect(result.fromCache).to.deep.equal([false, true, false, true]);
      expect(result.network).to.equal(2);
    });

    it('postForm with a plain object is cached the same way', async () => {
      const http = h.cached({ allowableMethods: ['POST'] });
      const result = await run(h.origin, http, [
        { url: '/upload-form', method: 'post', data: { a: '1', b: '2' }, headers: { 'Content-Type': 'multipart/form-data' } },
        { url: '/upload-form', method: 'post', data: { a: '1', b: '2' }, headers: { 'Content-Type': 'multipart/form-data' } },
      ]);
      expect(result.fromCache).to.deep.equal([false, true]);
      expect(result.network).to.equal(1);
      const viaPostForm = await http.postForm('/upload-form', { a: '1', b: '2' });
      expect(viaPostForm.fromCache).to.equal(true);
    });
  });
});
