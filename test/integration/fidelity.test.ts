/**
 * A cached response is indistinguishable from the network one (SPEC §1 "used by", §2 last two
 * points): same data for every responseType, same status/statusText/headers, the caller's
 * transformResponse, validateStatus and interceptors apply to hits, nothing the cache decides reaches
 * the origin as a header, and cancellation/timeouts fail exactly as axios' own.
 */
import axios, {
  AxiosError,
  AxiosHeaders,
  type AxiosInstance,
  type AxiosRequestConfig,
  type AxiosResponse,
  type AxiosResponseTransformer,
} from 'axios';
import { expect } from 'chai';
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { describeResponse, DO_NOT_CACHE, type CacheAxiosResponse, type CacheOptions } from '../../src/index.js';
import { rejection as failureOf, spyWrites, useHarness } from '../support/harness.js';
import type { Origin } from '../support/origin.js';
import { sendJson, sendNotModified } from '../support/wait.js';

/** The rejection of `promise` (fails if it resolves): an AxiosError for every request here. */
const rejection = (promise: Promise<unknown>): Promise<AxiosError> => failureOf(promise) as Promise<AxiosError>;

/** Response headers as plain data, without the ones that change per connection or second. */
function comparableHeaders(response: AxiosResponse): Record<string, unknown> {
  const json = (response.headers as AxiosHeaders).toJSON() as Record<string, unknown>;
  const { date: _date, connection: _connection, 'keep-alive': _keepAlive, ...rest } = json;
  return rest;
}

async function readAll(stream: unknown): Promise<Buffer> {
  expect(stream, 'a readable stream').to.be.instanceOf(Readable);
  const chunks: Buffer[] = [];
  for await (const chunk of stream as Readable) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks);
}

const ALL_BYTES = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
const BOM_BODY = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"bom":"yes","text":"é ü 漢字"}', 'utf8')]);
const JSON_BODY = { name: 'fidelity', nested: { list: [1, 2, { deep: true }], unicode: 'héllo wörld ✓ 漢字' }, nil: null, num: 1.5 };
const TEXT_BODY = 'line one\nline two: ünïcødé ✓\r\n\ttabbed\n';

function fixedRoutes(origin: Origin): void {
  origin.route('/json', (_req, res) => {
    res.statusMessage = 'All Good';
    res.setHeader('x-custom', 'custom value');
    res.setHeader('set-cookie', ['a=1; Path=/', 'b=2; HttpOnly']);
    res.setHeader('etag', '"json-v1"');
    sendJson(res, JSON_BODY);
  });
  origin.route('/text', (_req, res) => {
    res.setHeader('content-type', 'text/plain; charset=utf-8');
    res.end(TEXT_BODY);
  });
  origin.route('/bytes', (_req, res) => {
    res.setHeader('content-type', 'application/octet-stream');
    res.end(ALL_BYTES);
  });
  origin.route('/bom', (_req, res) => {
    res.setHeader('content-type', 'application/json; charset=utf-8');
    res.end(BOM_BODY);
  });
  origin.route('/gzip', (_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.setHeader('content-encoding', 'gzip');
    res.end(gzipSync(JSON.stringify(JSON_BODY)));
  });
  origin.route('/empty', (_req, res) => {
    res.statusCode = 200;
    res.end();
  });
}

describe('integration: fidelity of cached responses', () => {
  const harness = useHarness();
  // The fixed routes send Set-Cookie so that its list form is checked too; such responses are only
  // stored with storeSetCookie (off by default, see test/integration/set-cookie.test.ts).
  const h = {
    get origin() {
      return harness.origin;
    },
    get clock() {
      return harness.clock;
    },
    cached: (options: CacheOptions = {}, instance?: AxiosInstance) => harness.cached({ storeSetCookie: true, ...options }, instance),
  };
  let plain: AxiosInstance;

  /**
   * The same request through plain axios, then twice through a cached instance (miss, hit): the
   * caller compares data; status, statusText and headers are checked here.
   */
  async function threeWays(config: AxiosRequestConfig, options: CacheOptions = {}, create = () => axios.create({ baseURL: h.origin.base })) {
    const reference = await create().request(config);
    const http = h.cached(options, create());
    const miss = await http.request(config);
    const hit = await http.request(config);
    expect(miss.fromCache, 'miss').to.equal(false);
    expect(hit.fromCache, 'hit').to.equal(true);
    for (const [name, res] of [['miss', miss], ['hit', hit]] as const) {
      expect(res.status, `${name} status`).to.equal(reference.status);
      expect(res.statusText, `${name} statusText`).to.equal(reference.statusText);
      expect(res.headers, `${name} headers class`).to.be.instanceOf(AxiosHeaders);
      expect(comparableHeaders(res), `${name} headers`).to.deep.equal(comparableHeaders(reference));
    }
    return { reference, miss, hit, http };
  }

  beforeEach(() => {
    fixedRoutes(h.origin);
    plain = axios.create({ baseURL: h.origin.base });
  });

  describe('responseType', () => {
    it('json (default): data deep-equal to the network response, same status, statusText and headers (set-cookie list included)', async () => {
      const { reference, miss, hit } = await threeWays({ url: '/json' });
      expect(reference.statusText).to.equal('All Good');
      expect(reference.headers['set-cookie']).to.deep.equal(['a=1; Path=/', 'b=2; HttpOnly']);
      expect(hit.data).to.deep.equal(JSON_BODY);
      expect(miss.data).to.deep.equal(reference.data);
      expect(hit.data).to.deep.equal(reference.data);
    });

    it("responseType 'json' explicitly: same parsed data", async () => {
      const { reference, hit } = await threeWays({ url: '/json', responseType: 'json' });
      expect(hit.data).to.deep.equal(reference.data);
    });

    it("responseType 'text': the same string (JSON stays unparsed text)", async () => {
      const text = await threeWays({ url: '/text', responseType: 'text' });
      expect(text.hit.data).to.be.a('string').and.equal(TEXT_BODY);
      expect(text.miss.data).to.equal(text.reference.data);
      const json = await threeWays({ url: '/json', responseType: 'text' });
      expect(json.hit.data).to.be.a('string').and.equal(json.reference.data);
    });

    it("responseType 'arraybuffer': byte-exact for a 256-byte body with every byte value", async () => {
      const { reference, miss, hit } = await threeWays({ url: '/bytes', responseType: 'arraybuffer' });
      expect(Buffer.from(reference.data)).to.deep.equal(ALL_BYTES);
      expect(Buffer.isBuffer(hit.data), 'a Buffer, as the http adapter gives').to.equal(Buffer.isBuffer(reference.data));
      expect(Buffer.compare(Buffer.from(miss.data), ALL_BYTES)).to.equal(0);
      expect(Buffer.compare(Buffer.from(hit.data), ALL_BYTES)).to.equal(0);
    });

    it("responseType 'arraybuffer': a body starting with a UTF-8 BOM keeps the BOM byte for byte", async () => {
      const { reference, hit } = await threeWays({ url: '/bom', responseType: 'arraybuffer' });
      expect(Buffer.from(reference.data)).to.deep.equal(BOM_BODY);
      expect(Buffer.from(hit.data)).to.deep.equal(BOM_BODY);
    });

    it('a body starting with a UTF-8 BOM: json and text give what axios gives (BOM stripped)', async () => {
      const json = await threeWays({ url: '/bom' });
      expect(json.reference.data).to.deep.equal({ bom: 'yes', text: 'é ü 漢字' });
      expect(json.hit.data).to.deep.equal(json.reference.data);
      const text = await threeWays({ url: '/bom', responseType: 'text' });
      expect(text.hit.data).to.equal(text.reference.data);
    });

    it("responseType 'stream': read fully, the same bytes; a second hit gives a fresh readable stream", async () => {
      const { reference, miss, hit, http } = await threeWays({ url: '/bytes', responseType: 'stream' });
      const expected = await readAll(reference.data);
      expect(expected).to.deep.equal(ALL_BYTES);
      expect(await readAll(miss.data)).to.deep.equal(ALL_BYTES);
      expect(await readAll(hit.data)).to.deep.equal(ALL_BYTES);
      const again = await http.get('/bytes', { responseType: 'stream' });
      expect(again.fromCache).to.equal(true);
      expect(again.data).not.to.equal(hit.data);
      expect((again.data as Readable).readable).to.equal(true);
      expect(await readAll(again.data)).to.deep.equal(ALL_BYTES);
    });

    it('the same entry serves every responseType (stored as raw bytes)', async () => {
      const http = h.cached();
      await http.get('/json', { responseType: 'arraybuffer' });
      const asJson = await http.get('/json');
      const asText = await http.get('/json', { responseType: 'text' });
      const asStream = await http.get('/json', { responseType: 'stream' });
      expect([asJson.fromCache, asText.fromCache, asStream.fromCache]).to.deep.equal([true, true, true]);
      expect(asJson.data).to.deep.equal(JSON_BODY);
      expect(asText.data).to.equal(JSON.stringify(JSON_BODY));
      expect((await readAll(asStream.data)).toString()).to.equal(JSON.stringify(JSON_BODY));
      expect(h.origin.count('/json')).to.equal(1);
    });

    it('a gzip-encoded response is decompressed and carries the same headers as without the cache', async () => {
      const { reference, hit } = await threeWays({ url: '/gzip' });
      expect(hit.data).to.deep.equal(JSON_BODY);
      expect(hit.data).to.deep.equal(reference.data);
    });

    it('an empty body gives what axios gives', async () => {
      const json = await threeWays({ url: '/empty' });
      expect(json.hit.data).to.deep.equal(json.reference.data);
      const bytes = await threeWays({ url: '/empty', responseType: 'arraybuffer' });
      expect(Buffer.from(bytes.hit.data).length).to.equal(0);
    });

    it("responseType 'text' with responseEncoding 'latin1': the same string for every byte value", async () => {
      const { reference, hit } = await threeWays({ url: '/bytes', responseType: 'text', responseEncoding: 'latin1' });
      expect(reference.data).to.equal(ALL_BYTES.toString('latin1'));
      expect(hit.data).to.equal(reference.data);
    });

    it('an invalid JSON body with a JSON content type gives what axios gives (default and responseType json)', async () => {
      h.origin.route('/badjson', (_req, res) => {
        res.setHeader('content-type', 'application/json');
        res.end('{"truncated": [1, 2');
      });
      const loose = await threeWays({ url: '/badjson' });
      expect(loose.hit.data).to.equal(loose.reference.data);
      const json = await threeWays({ url: '/badjson', responseType: 'json' });
      expect(json.hit.data).to.equal(json.reference.data);
    });

    it("responseType 'blob' with the default (http) adapter gives what axios gives in Node (a string)", async () => {
      const { reference, miss, hit } = await threeWays({ url: '/text', responseType: 'blob' });
      expect(reference.data, 'premise: the http adapter gives a string for blob').to.be.a('string');
      expect(miss.data?.constructor?.name, 'miss').to.equal(reference.data?.constructor?.name);
      expect(hit.data?.constructor?.name, 'hit').to.equal(reference.data?.constructor?.name);
      expect(hit.data).to.equal(reference.data);
    });

    it('a request with decompress: false does not change what a default request gets from the cache', async () => {
      // Premise: with decompress: false, axios hands over the gzip bytes and keeps Content-Encoding.
      const raw = await plain.get('/gzip', { decompress: false, responseType: 'arraybuffer' });
      expect(raw.headers['content-encoding']).to.equal('gzip');
      const http = h.cached();
      const first = await http.get('/gzip', { decompress: false, responseType: 'arraybuffer' });
      expect(Buffer.from(first.data)).to.deep.equal(Buffer.from(raw.data));
      const reference = await plain.get('/gzip');
      const later = await http.get('/gzip');
      expect(later.data, 'the decoded JSON a default request gets from axios').to.deep.equal(reference.data);
      expect(later.headers['content-encoding']).to.equal(reference.headers['content-encoding']);
    });

    describe("with adapter: 'fetch'", () => {
      const viaFetch = () => axios.create({ baseURL: h.origin.base, adapter: 'fetch' });

      it('json and text: the same data as the fetch adapter gives', async () => {
        const json = await threeWays({ url: '/json' }, {}, viaFetch);
        expect(json.hit.data).to.deep.equal(json.reference.data);
        const text = await threeWays({ url: '/text', responseType: 'text' }, {}, viaFetch);
        expect(text.hit.data).to.equal(text.reference.data);
      });

      it("responseType 'arraybuffer': an ArrayBuffer, as the fetch adapter gives, byte-exact", async () => {
        const { reference, miss, hit } = await threeWays({ url: '/bytes', responseType: 'arraybuffer' }, {}, viaFetch);
        expect(reference.data, 'premise').to.be.instanceOf(ArrayBuffer);
        expect(Buffer.from(hit.data)).to.deep.equal(ALL_BYTES);
        expect(miss.data, 'miss').to.be.instanceOf(ArrayBuffer);
        expect(hit.data, 'hit').to.be.instanceOf(ArrayBuffer);
      });

      it("responseType 'stream': a web ReadableStream, as the fetch adapter gives", async () => {
        const { reference, miss, hit } = await threeWays({ url: '/bytes', responseType: 'stream' }, {}, viaFetch);
        expect(reference.data, 'premise').to.be.instanceOf(ReadableStream);
        const read = async (stream: unknown): Promise<Buffer> => {
          expect(stream).to.be.instanceOf(ReadableStream);
          return Buffer.from(await new Response(stream as ReadableStream).arrayBuffer());
        };
        expect(await read(reference.data)).to.deep.equal(ALL_BYTES);
        expect(await read(miss.data), 'miss').to.deep.equal(ALL_BYTES);
        expect(await read(hit.data), 'hit').to.deep.equal(ALL_BYTES);
      });
    });
  });

  describe('transformResponse', () => {
    it("the instance's transformResponse runs on cached data too (once per response)", async () => {
      let calls = 0;
      const seen: Array<[number, string | undefined]> = [];
      const wrap: AxiosResponseTransformer = function (data, headers, status) {
        calls += 1;
        seen.push([status ?? 0, headers.get('x-custom') as string | undefined]);
        return { wrapped: data };
      };
      const defaults = axios.defaults.transformResponse as AxiosResponseTransformer[];
      const http = h.cached({}, axios.create({ baseURL: h.origin.base, transformResponse: [...defaults, wrap] }));
      const miss = await http.get('/json');
      expect(calls).to.equal(1);
      const hit = await http.get('/json');
      expect(hit.fromCache).to.equal(true);
      expect(calls).to.equal(2);
      expect(hit.data).to.deep.equal({ wrapped: JSON_BODY });
      expect(hit.data).to.deep.equal(miss.data);
      expect(seen).to.deep.equal([
        [200, 'custom value'],
        [200, 'custom value'],
      ]);
    });

    it('a per-request transformResponse replaces the defaults on hits as on the network', async () => {
      const http = h.cached();
      const upper = (raw: string): string => raw.toUpperCase();
      const reference = await plain.get('/text', { transformResponse: upper });
      await http.get('/text', { transformResponse: upper });
      const hit = await http.get('/text', { transformResponse: upper });
      expect(hit.fromCache).to.equal(true);
      expect(hit.data).to.equal(reference.data);
      const untouched = await http.get('/text', { transformResponse: [] });
      expect(untouched.data).to.equal(TEXT_BODY);
    });
  });

  describe('validateStatus', () => {
    beforeEach(() => {
      h.origin.route('/nf', (_req, res) => sendJson(res, { missing: true }, {}, 404));
    });

    it('a cached 404 (allowableCodes [200, 404]) rejects exactly like the network one by default', async () => {
      const expected = await rejection(plain.get('/nf'));
      const http = h.cached({ allowableCodes: [200, 404] });
      const miss = await rejection(http.get('/nf'));
      const hit = await rejection(http.get('/nf'));
      expect(h.origin.count('/nf')).to.equal(2);
      for (const [name, error] of [['miss', miss], ['hit', hit]] as const) {
        expect(axios.isAxiosError(error), name).to.equal(true);
        expect(error).to.be.instanceOf(AxiosError);
        expect(error.name, name).to.equal(expected.name);
        expect(error.message, name).to.equal(expected.message);
        expect(error.code, name).to.equal(expected.code);
        expect(error.status, name).to.equal(expected.status);
        expect(error.response?.status, name).to.equal(404);
        expect(error.response?.data, name).to.deep.equal(expected.response?.data);
        expect(error.config?.url, name).to.equal('/nf');
      }
      expect(expected.code).to.equal('ERR_BAD_REQUEST');
      expect(hit.response?.fromCache).to.equal(true);
    });

    it('the same cached 404 resolves with validateStatus: () => true (and with a per-request validateStatus)', async () => {
      const http = h.cached({ allowableCodes: [200, 404] });
      await rejection(http.get('/nf'));
      const res = await http.get('/nf', { validateStatus: () => true });
      expect(res.fromCache).to.equal(true);
      expect(res.status).to.equal(404);
      expect(res.data).to.deep.equal({ missing: true });
      const lenient = await http.get('/nf', { validateStatus: (s) => s < 500 });
      expect(lenient.status).to.equal(404);
      expect(h.origin.count('/nf')).to.equal(1);
    });

    it('an instance-level validateStatus applies to hits', async () => {
      const http = h.cached({ allowableCodes: [200, 404] }, axios.create({ baseURL: h.origin.base, validateStatus: () => true }));
      await http.get('/nf');
      const hit = await http.get('/nf');
      expect([hit.fromCache, hit.status]).to.deep.equal([true, 404]);
      const strict = await rejection(http.get('/nf', { validateStatus: (s) => s === 200 }));
      expect(strict.response?.fromCache).to.equal(true);
    });
  });

  describe('interceptors', () => {
    it('request interceptors registered before AND after setupCache run on every request; their headers reach the origin', async () => {
      const instance = axios.create({ baseURL: h.origin.base });
      const calls = { before: 0, after: 0 };
      instance.interceptors.request.use((config) => {
        calls.before += 1;
        config.headers.set('Authorization', 'Bearer from-before');
        return config;
      });
      const http = h.cached({}, instance);
      http.interceptors.request.use(async (config) => {
        calls.after += 1;
        config.headers.set('X-After', 'from-after');
        return config;
      });
      const miss = await http.get('/json');
      expect(h.origin.requests[0]!.headers.authorization).to.equal('Bearer from-before');
      expect(h.origin.requests[0]!.headers['x-after']).to.equal('from-after');
      const hit = await http.get('/json');
      expect([miss.fromCache, hit.fromCache]).to.deep.equal([false, true]);
      expect(calls).to.deep.equal({ before: 2, after: 2 });
      expect(hit.config.headers.get('Authorization')).to.equal('Bearer from-before');
      expect(h.origin.count()).to.equal(1);
    });

    it('response interceptors run on cached responses and see fromCache', async () => {
      const http = h.cached();
      const seen: boolean[] = [];
      http.interceptors.response.use((response) => {
        seen.push(response.fromCache === true);
        response.data = { intercepted: response.data };
        return response;
      });
      const miss = await http.get('/json');
      const hit = await http.get('/json');
      expect(seen).to.deep.equal([false, true]);
      expect(hit.data).to.deep.equal({ intercepted: JSON_BODY });
      expect(hit.data).to.deep.equal(miss.data);
    });

    it('a retry interceptor that re-sends error.config after a 500 works, and the adapter is not wrapped twice', async () => {
      h.origin.route('/flaky', (_req, res, n) => sendJson(res, { n }, {}, n === 1 ? 500 : 200));
      const http = h.cached();
      let retries = 0;
      http.interceptors.response.use(undefined, async (error: AxiosError) => {
        if (error.response?.status === 500 && retries === 0 && error.config) {
          retries += 1;
          return http.request(error.config);
        }
        throw error;
      });
      const spy = spyWrites(http);

      const res = await http.get('/flaky');
      expect(retries).to.equal(1);
      expect(res.status).to.equal(200);
      expect(res.data).to.deep.equal({ n: 2 });
      expect(res.fromCache).to.equal(false);
      expect(h.origin.count('/flaky')).to.equal(2);
      expect(spy.count, 'one write: a caching adapter wrapped in another would write twice').to.equal(1);

      const hit = await http.get('/flaky');
      expect(hit.fromCache).to.equal(true);
      expect(hit.data).to.deep.equal({ n: 2 });
      expect(h.origin.count('/flaky')).to.equal(2);
      expect(spy.count).to.equal(1);
    });
  });

  describe('mutating a response never changes the next hit', () => {
    it('response.data (object) and response.headers of a miss and of a hit', async () => {
      const http = h.cached();
      const miss = await http.get('/json');
      miss.data.nested.list.push('mutated');
      miss.data.added = true;
      (miss.headers as AxiosHeaders).set('x-custom', 'mutated');
      miss.headers['content-type'] = 'text/evil';
      const first = await http.get('/json');
      expect(first.fromCache).to.equal(true);
      expect(first.data).to.deep.equal(JSON_BODY);
      expect((first.headers as AxiosHeaders).get('x-custom')).to.equal('custom value');
      expect(first.headers['content-type']).to.equal('application/json');

      first.data.nested.unicode = 'changed';
      delete first.data.name;
      (first.headers as AxiosHeaders).delete('x-custom');
      (first.headers['set-cookie'] as string[]).push('c=3');
      const second = await http.get('/json');
      expect(second.data).to.deep.equal(JSON_BODY);
      expect((second.headers as AxiosHeaders).get('x-custom')).to.equal('custom value');
      expect(second.headers['set-cookie']).to.deep.equal(['a=1; Path=/', 'b=2; HttpOnly']);
      expect(second.data).not.to.equal(first.data);
    });

    it('an arraybuffer of a miss or a hit', async () => {
      const http = h.cached();
      const miss = await http.get('/bytes', { responseType: 'arraybuffer' });
      Buffer.from(miss.data.buffer, miss.data.byteOffset, miss.data.byteLength).fill(0);
      const first = await http.get('/bytes', { responseType: 'arraybuffer' });
      expect(Buffer.from(first.data)).to.deep.equal(ALL_BYTES);
      (first.data as Buffer).fill(7);
      const second = await http.get('/bytes', { responseType: 'arraybuffer' });
      expect(second.fromCache).to.equal(true);
      expect(Buffer.from(second.data)).to.deep.equal(ALL_BYTES);
    });
  });

  describe('what reaches the origin', () => {
    const headerNames = (headers: IncomingHttpHeaders): string[] => Object.keys(headers).sort();

    it('a cached instance sends exactly the headers a plain axios.create() instance sends', async () => {
      await plain.get('/json');
      const http = h.cached();
      await http.get('/json');
      expect(h.origin.requests).to.have.length(2);
      const [fromPlain, fromCached] = h.origin.requests;
      expect(fromCached!.headers).to.deep.equal(fromPlain!.headers);
      expect(fromCached!.method).to.equal(fromPlain!.method);
      expect(fromCached!.url).to.equal(fromPlain!.url);
    });

    it('a POST (allowed) sends the same headers and body as without the cache', async () => {
      await plain.post('/json', { a: 1, b: [1, 2] });
      const http = h.cached({ allowableMethods: ['POST'] });
      await http.post('/json', { a: 1, b: [1, 2] });
      const [fromPlain, fromCached] = h.origin.requests;
      expect(fromCached!.headers).to.deep.equal(fromPlain!.headers);
      expect(fromCached!.body).to.deep.equal(fromPlain!.body);
    });

    it('fixes requests-cache BUG: per-request options never reach the origin as headers', async () => {
      await plain.get('/json');
      const reference = h.origin.requests[0]!.headers;
      const http = h.cached();
      await http.get('/json');
      await http.get('/json', { cache: { expireAfter: 60, forceRefresh: true, refresh: true } });
      await http.get('/json', { cache: { expireAfter: DO_NOT_CACHE } });
      await http.get('/json', { cache: { forceRefresh: true, staleIfError: true, staleWhileRevalidate: 10 } });
      await http.get('/json', { cache: { onlyIfCached: true } });
      await http.get('/json', { cache: false });
      const sent = h.origin.requests.slice(1);
      expect(sent).to.have.length(5);
      for (const request of sent) {
        expect(request.headers).not.to.have.property('cache-control');
        expect(request.headers).not.to.have.property('x-actual-no-cache');
        expect(request.headers).to.deep.equal(reference);
      }
    });

    it('only If-None-Match / If-Modified-Since are added on revalidation', async () => {
      const LAST_MODIFIED = 'Wed, 21 Oct 2015 07:28:00 GMT';
      h.origin.route('/validated', (req, res, n) => {
        res.sendDate = false;
        if (req.headers['if-none-match'] === '"v1"') return sendNotModified(res, { etag: '"v1"' });
        sendJson(res, { n }, { etag: '"v1"', 'last-modified': LAST_MODIFIED });
      });
      await plain.get('/validated');
      const reference = h.origin.requests[0]!.headers;
      const http = h.cached({ expireAfter: 1 });
      await http.get('/validated');
      h.clock.advance(2);
      const expired = await http.get('/validated');
      const refreshed = await http.get('/validated', { cache: { refresh: true } });
      expect([expired.revalidated, refreshed.revalidated]).to.deep.equal([true, true]);
      expect(expired.data).to.deep.equal({ n: 2 });
      const [, first, ...conditional] = h.origin.requests;
      expect(first!.headers).to.deep.equal(reference);
      expect(conditional).to.have.length(2);
      for (const request of conditional) {
        expect(request.headers['if-none-match']).to.equal('"v1"');
        expect(request.headers['if-modified-since']).to.equal(LAST_MODIFIED);
        const { 'if-none-match': _etag, 'if-modified-since': _since, ...rest } = request.headers;
        expect(rest).to.deep.equal(reference);
        expect(headerNames(request.headers)).to.deep.equal(headerNames({ ...reference, 'if-none-match': '', 'if-modified-since': '' }));
      }
    });
  });

  describe('cache: false per request', () => {
    it('bypasses both the read and the write', async () => {
      const http = h.cached();
      const bypass1 = await http.get('/json', { cache: false });
      expect(bypass1.fromCache).to.equal(false);
      expect(await http.cache.count(), 'not written').to.equal(0);
      const miss = await http.get('/json');
      expect(miss.fromCache).to.equal(false);
      const bypass2 = await http.get('/json', { cache: false });
      expect(bypass2.fromCache, 'not read').to.equal(false);
      expect(bypass2.cacheKey).to.equal(undefined);
      const hit = await http.get('/json');
      expect(hit.fromCache).to.equal(true);
      expect(h.origin.count('/json')).to.equal(3);
      expect(await http.cache.count()).to.equal(1);
    });
  });

  describe('response fields', () => {
    const HEX64 = /^[0-9a-f]{64}$/;

    it('a written miss and its hit: fromCache, createdAt, expires, isExpired, revalidated, cacheKey', async () => {
      const http = h.cached({ expireAfter: 60 });
      const before = Date.now();
      const miss = await http.get('/json');
      expect(miss.fromCache).to.equal(false);
      expect(miss.createdAt).to.be.instanceOf(Date);
      expect(miss.createdAt.getTime()).to.be.within(before, Date.now());
      expect(miss.expires).to.be.instanceOf(Date);
      expect(miss.expires!.getTime()).to.be.closeTo(miss.createdAt.getTime() + 60_000, 1000);
      expect(miss.isExpired).to.equal(false);
      expect(miss.revalidated).to.equal(false);
      expect(miss.cacheKey).to.match(HEX64);

      h.clock.advance(10);
      const hit = await http.get('/json');
      expect(hit.fromCache).to.equal(true);
      expect(hit.createdAt).to.be.instanceOf(Date);
      expect(hit.createdAt.getTime()).to.equal(miss.createdAt.getTime());
      expect(hit.expires!.getTime()).to.equal(miss.expires!.getTime());
      expect(hit.isExpired).to.equal(false);
      expect(hit.revalidated).to.equal(false);
      expect(hit.cacheKey).to.equal(miss.cacheKey);
    });

    it('a never-expiring entry has expires null on the miss and the hit', async () => {
      const http = h.cached();
      const miss = await http.get('/json');
      const hit = await http.get('/json');
      expect([miss.expires, hit.expires]).to.deep.equal([null, null]);
      expect([miss.isExpired, hit.isExpired]).to.deep.equal([false, false]);
      expect(hit.cacheKey).to.match(HEX64).and.equal(miss.cacheKey);
    });

    it('a response that was not written: cacheKey undefined and expires null (POST by default, a 500, cache: false)', async () => {
      h.origin.route('/boom', (_req, res) => sendJson(res, { boom: true }, {}, 500));
      const http = h.cached({ expireAfter: 60 });
      const responses: CacheAxiosResponse[] = [
        await http.post('/json', { a: 1 }),
        await http.get('/boom', { validateStatus: () => true }),
        await http.get('/json', { cache: false }),
      ];
      for (const res of responses) {
        expect(res.fromCache).to.equal(false);
        expect(res.cacheKey).to.equal(undefined);
        expect(res.expires).to.equal(null);
        expect(res.createdAt).to.be.instanceOf(Date);
        expect(res.isExpired).to.equal(false);
        expect(res.revalidated).to.equal(false);
      }
      expect(await http.cache.count()).to.equal(0);
    });

    it('a stale hit served by staleIfError has isExpired true', async () => {
      h.origin.route('/stale', (_req, res, n) => sendJson(res, { n }, {}, n === 1 ? 200 : 500));
      const http = h.cached({ expireAfter: 1, staleIfError: true });
      await http.get('/stale');
      h.clock.advance(5);
      const stale = await http.get('/stale');
      expect(stale.fromCache).to.equal(true);
      expect(stale.isExpired).to.equal(true);
      expect(stale.data).to.deep.equal({ n: 1 });
    });

    it('describeResponse(res) gives a one-line summary for a miss and a hit', async () => {
      const http = h.cached({ expireAfter: 60 });
      const miss = await http.get('/json');
      const hit = await http.get('/json');
      const size = Buffer.byteLength(JSON.stringify(JSON_BODY));
      const date = String.raw`\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC`;
      const url = h.origin.url('/json').replace(/\./g, '\\.');
      expect(describeResponse(miss)).to.match(
        new RegExp(`^<OriginalResponse \\[200\\]: created: ${date}, expires: ${date} \\(fresh\\), size: ${size} bytes, request: GET ${url}>$`),
      );
      expect(describeResponse(hit)).to.match(
        new RegExp(`^<CachedResponse \\[200\\]: created: ${date}, expires: ${date} \\(fresh\\), size: ${size} bytes, request: GET ${url}>$`),
      );
      const never = h.cached();
      const unwritten = await never.post('/json', {});
      expect(describeResponse(unwritten)).to.match(/^<OriginalResponse \[200\]: created: .*, expires: N\/A \(fresh\), size: \d+ bytes, request: POST /);
    });
  });

  describe('cancellation and timeouts on an uncached slow route', () => {
    beforeEach(() => {
      h.origin.route('/slow', (_req, res: ServerResponse) => {
        const timer = setTimeout(() => sendJson(res, { slow: true }), 400);
        res.on('close', () => clearTimeout(timer));
      });
    });

    /** The parts of an error calling code looks at. */
    const shape = (error: AxiosError) => ({
      isCancel: axios.isCancel(error),
      isAxiosError: axios.isAxiosError(error),
      canceledError: error instanceof axios.CanceledError,
      name: error.name,
      code: error.code,
      message: error.message,
      configUrl: error.config?.url,
      hasResponse: error.response !== undefined,
    });

    it('AbortController: rejects with axios\' CanceledError (axios.isCancel true), as without the cache', async () => {
      const abortAfter = (ms: number): AbortSignal => {
        const controller = new AbortController();
        setTimeout(() => controller.abort(), ms);
        return controller.signal;
      };
      const expected = await rejection(plain.get('/slow', { signal: abortAfter(20) }));
      const http = h.cached();
      const actual = await rejection(http.get('/slow', { signal: abortAfter(20) }));
      expect(shape(expected)).to.include({ isCancel: true, code: 'ERR_CANCELED' });
      expect(shape(actual)).to.deep.equal(shape(expected));
      expect(await http.cache.count()).to.equal(0);
    });

    it('an already-aborted signal rejects the same way', async () => {
      const signal = AbortSignal.abort();
      const expected = await rejection(plain.get('/slow', { signal }));
      const http = h.cached();
      const actual = await rejection(http.get('/slow', { signal }));
      expect(shape(actual)).to.deep.equal(shape(expected));
    });

    it('CancelToken: rejects with the token\'s reason, as without the cache', async () => {
      const cancelAfter = (ms: number) => {
        const source = axios.CancelToken.source();
        setTimeout(() => source.cancel('stopped by test'), ms);
        return source.token;
      };
      const expected = await rejection(plain.get('/slow', { cancelToken: cancelAfter(20) }));
      const http = h.cached();
      const actual = await rejection(http.get('/slow', { cancelToken: cancelAfter(20) }));
      expect(shape(expected)).to.include({ isCancel: true, message: 'stopped by test' });
      expect(shape(actual)).to.deep.equal(shape(expected));
    });

    it('timeout: rejects with code ECONNABORTED and axios\' message, as without the cache', async () => {
      const expected = await rejection(plain.get('/slow', { timeout: 50 }));
      const http = h.cached();
      const actual = await rejection(http.get('/slow', { timeout: 50 }));
      expect(shape(expected)).to.include({ code: 'ECONNABORTED', isCancel: false, message: 'timeout of 50ms exceeded' });
      expect(shape(actual)).to.deep.equal(shape(expected));
      expect(await http.cache.count()).to.equal(0);
    });

    it('timeoutErrorMessage and transitional.clarifyTimeoutError are honoured like axios does', async () => {
      const config: AxiosRequestConfig = { timeout: 30, timeoutErrorMessage: 'too slow', transitional: { clarifyTimeoutError: true } };
      const expected = await rejection(plain.get('/slow', config));
      const http = h.cached();
      const actual = await rejection(http.get('/slow', config));
      expect(shape(expected)).to.include({ code: 'ETIMEDOUT', message: 'too slow' });
      expect(shape(actual)).to.deep.equal(shape(expected));
    });
  });
});
