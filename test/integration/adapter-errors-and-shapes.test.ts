/**
 * Differences from plain axios found by a hostile review of response and error fidelity, each pinned
 * by a test that compares plain axios with a cached instance and fails without its fix.
 */
import axios, { AxiosError, type AxiosAdapter, type AxiosInstance, type AxiosRequestConfig } from 'axios';
import { expect } from 'chai';
import type { ServerResponse } from 'node:http';
import { createServer } from 'node:net';
import { Readable } from 'node:stream';
import { rejection as failureOf, useHarness } from '../support/harness.js';
import { elapsed, sendJson } from '../support/wait.js';

const rejection = (promise: Promise<unknown>): Promise<AxiosError> => failureOf(promise) as Promise<AxiosError>;

/** The parts of an error calling code (and retry libraries) look at. */
function errorShape(error: AxiosError, config?: AxiosRequestConfig) {
  const cause = (error as { cause?: { code?: unknown; name?: unknown } }).cause;
  return {
    isCancel: axios.isCancel(error),
    isAxiosError: axios.isAxiosError(error),
    name: error.name,
    code: error.code,
    message: error.message,
    status: error.response?.status,
    causeCode: cause?.code,
    causeName: cause?.name,
    causeIsAxiosError: axios.isAxiosError(cause),
    ownConfig: config === undefined ? undefined : error.config?.url === config.url,
  };
}

/** A port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('integration: adapter errors and body shapes are the ones axios gives without the cache', () => {
  const h = useHarness();

  for (const adapter of ['http', 'fetch'] as const) {
    describe(`errors (${adapter} adapter) are the ones axios gives without the cache`, () => {
      const plain = (): AxiosInstance => axios.create({ baseURL: h.origin.base, adapter });
      const cached = () => h.cached({}, axios.create({ baseURL: h.origin.base, adapter }));

      beforeEach(() => {
        h.origin.route('/slow', (_req, res: ServerResponse) => {
          const timer = setTimeout(() => sendJson(res, { slow: true }), 400);
          res.on('close', () => clearTimeout(timer));
        });
      });

      it('a timeout: same code and message (fetch: ETIMEDOUT and its own message, even with timeoutErrorMessage)', async () => {
        for (const config of [{ url: '/slow', timeout: 30 }, { url: '/slow', timeout: 30, timeoutErrorMessage: 'too slow' }]) {
          const expected = await rejection(plain().request(config));
          const actual = await rejection(cached().request(config));
          expect(errorShape(actual, config)).to.deep.equal(errorShape(expected, config));
        }
      });

      it('an abort, with and without a reason: a CanceledError with the caller\'s config and the message axios gives', async () => {
        for (const reason of [undefined, new Error('stopped: mine')]) {
          const abortSoon = (): AbortSignal => {
            const controller = new AbortController();
            setTimeout(() => controller.abort(reason), 20);
            return controller.signal;
          };
          const expected = await rejection(plain().get('/slow', { signal: abortSoon() }));
          const actual = await rejection(cached().get('/slow', { signal: abortSoon() }));
          expect(errorShape(expected)).to.include({ isCancel: true, code: 'ERR_CANCELED' });
          expect(errorShape(actual)).to.deep.equal(errorShape(expected));
          expect(actual.config?.url, "the caller's own config").to.equal('/slow');
        }
      });

      it('a refused connection: the same cause (the system error), not the inner AxiosError', async () => {
        const url = `http://127.0.0.1:${await closedPort()}/refused`;
        const expected = await rejection(axios.get(url, { adapter }));
        const actual = await rejection(h.cached({}, axios.create({ adapter })).get(url));
        expect(errorShape(expected).causeName).to.not.equal('AxiosError');
        expect(errorShape(actual)).to.deep.equal(errorShape(expected));
      });

      it('a status validateStatus rejects outside 4xx/5xx: ERR_BAD_RESPONSE, on a miss and on a hit', async () => {
        const config = { url: '/ok-201', validateStatus: (status: number) => status === 201 };
        const expected = await rejection(plain().request(config));
        const http = cached();
        const miss = await rejection(http.request(config));
        const hit = await rejection(http.request(config));
        expect(expected.code).to.equal('ERR_BAD_RESPONSE');
        expect(errorShape(miss)).to.deep.equal(errorShape(expected));
        expect(errorShape(hit)).to.deep.equal(errorShape(expected));
        expect(hit.response?.fromCache).to.equal(true);
      });

      it('maxContentLength applies to hits too: the same rejection as a network response over the limit', async () => {
        h.origin.route('/big', (_req, res) => sendJson(res, { text: 'x'.repeat(5000) }));
        const http = cached();
        await http.get('/big');
        const expected = await rejection(plain().get('/big', { maxContentLength: 100 }));
        const hit = await rejection(http.get('/big', { maxContentLength: 100 }));
        expect(expected.message).to.equal('maxContentLength size of 100 exceeded');
        expect(errorShape(hit)).to.deep.equal(errorShape(expected));
        expect((await http.get('/big', { maxContentLength: 10_000 })).fromCache, 'under the limit: still a hit').to.equal(true);
      });
    });
  }

  it('maxContentLength on a streamed hit (http adapter) fails the stream as it is read, as axios does', async () => {
    h.origin.route('/big-stream', (_req, res) => sendJson(res, { text: 'x'.repeat(5000) }));
    const http = h.cached();
    await http.get('/big-stream');
    const readError = async (stream: Readable): Promise<string> => {
      try {
        for await (const _chunk of stream) {
          // draining
        }
      } catch (error) {
        return (error as Error).message;
      }
      return 'no error';
    };
    const expected = await axios.get(h.origin.url('/big-stream'), { responseType: 'stream', maxContentLength: 100 });
    const hit = await http.get('/big-stream', { responseType: 'stream', maxContentLength: 100 });
    expect(hit.fromCache).to.equal(true);
    expect(await readError(hit.data)).to.equal(await readError(expected.data));
  });

  it('an unknown responseEncoding fails as axios fails it: an AxiosError with the response, on a miss and a hit', async () => {
    const config = { url: '/enc', responseEncoding: 'windows-1252' };
    const expected = await rejection(axios.create({ baseURL: h.origin.base }).request(config));
    const http = h.cached();
    const miss = await rejection(http.request(config));
    const hit = await rejection(http.request(config));
    expect(expected.code).to.equal('ERR_UNKNOWN_ENCODING');
    expect(errorShape(miss)).to.deep.equal(errorShape(expected));
    expect(errorShape(hit)).to.deep.equal(errorShape(expected));
  });

  describe('redirects', () => {
    beforeEach(() => {
      h.origin.route('/hop', (_req, res) => {
        res.statusCode = 302;
        res.setHeader('location', '/landing');
        res.end();
      });
    });

    it('maxRedirects: 0 is never served the response a followed redirect ended at: it gets the redirect, as without the cache', async () => {
      const http = h.cached();
      expect((await http.get('/hop')).data.path).to.equal('/landing');
      const expected = await rejection(axios.get(h.origin.url('/hop'), { maxRedirects: 0 }));
      const actual = await rejection(http.get('/hop', { maxRedirects: 0 }));
      expect(expected.response?.status).to.equal(302);
      expect(errorShape(actual)).to.deep.equal(errorShape(expected));
      expect((await http.get('/hop')).fromCache, 'the followed entry is still there for callers that follow').to.equal(true);
    });
  });

  describe('a custom adapter that answers with objects (as mock adapters do)', () => {
    it('works as without the cache: the data reaches transformResponse as the adapter gave it; nothing is stored', async () => {
      let calls = 0;
      const mock: AxiosAdapter = async (config) => {
        calls += 1;
        return { data: { id: 7, tags: ['a'] }, status: 200, statusText: 'OK', headers: { 'content-type': 'application/json' }, config, request: {} };
      };
      const seen: unknown[] = [];
      const transformResponse = [(data: unknown) => (seen.push(data), data)];
      const expected = await axios.create({ adapter: mock }).get('http://127.0.0.1:1/u', { transformResponse });
      const http = h.cached({}, axios.create({ adapter: mock }));
      const first = await http.get('http://127.0.0.1:1/u', { transformResponse });
      const second = await http.get('http://127.0.0.1:1/u', { transformResponse });
      expect(first.data).to.deep.equal(expected.data);
      expect(seen, 'transformResponse saw the object every time').to.deep.equal([expected.data, expected.data, expected.data]);
      expect(first.fromCache).to.equal(false);
      expect(second.fromCache).to.equal(false);
      expect(calls).to.equal(3);
      expect(await http.cache.count()).to.equal(0);
    });
  });

  describe("fetch adapter shapes", () => {
    const viaFetch = (): AxiosInstance => axios.create({ baseURL: h.origin.base, adapter: 'fetch' });

    it("responseType 'blob' carries the MIME type fetch derives from Content-Type, on a miss and a hit", async () => {
      h.origin.route('/typed', (_req, res) => {
        res.setHeader('content-type', 'Application/JSON; Charset=UTF-8');
        res.end('{"a":1}');
      });
      const expected = (await viaFetch().get('/typed', { responseType: 'blob' })).data as Blob;
      const http = h.cached({}, viaFetch());
      for (const response of [await http.get('/typed', { responseType: 'blob' }), await http.get('/typed', { responseType: 'blob' })]) {
        expect(response.data).to.be.instanceOf(Blob);
        expect((response.data as Blob).type).to.equal(expected.type);
        expect(await (response.data as Blob).text()).to.equal(await expected.text());
      }
      expect(expected.type, 'premise: fetch serializes the MIME type').to.equal('application/json;charset=utf-8');
    });

    it("responseType 'stream' is null where fetch has no body (HEAD, 204), as without the cache", async () => {
      h.origin.route('/no-content', (_req, res) => {
        res.statusCode = 204;
        res.end();
      });
      const http = h.cached({ allowableCodes: [200, 204] }, viaFetch());
      for (const config of [{ url: '/head-me', method: 'HEAD' }, { url: '/no-content' }]) {
        const expected = await viaFetch().request({ ...config, responseType: 'stream' });
        expect(expected.data, 'premise').to.equal(null);
        const miss = await http.request({ ...config, responseType: 'stream' });
        const hit = await http.request({ ...config, responseType: 'stream' });
        expect(hit.fromCache).to.equal(true);
        expect(miss.data).to.equal(null);
        expect(hit.data).to.equal(null);
      }
    });

    it("responseType 'formdata' gives a FormData, as without the cache", async () => {
      h.origin.route('/form', (_req, res) => {
        res.setHeader('content-type', 'application/x-www-form-urlencoded');
        res.end('a=1&b=two+words');
      });
      const expected = (await viaFetch().get('/form', { responseType: 'formdata' })).data as FormData;
      const http = h.cached({}, viaFetch());
      await http.get('/form', { responseType: 'formdata' });
      const hit = await http.get('/form', { responseType: 'formdata' });
      expect(hit.fromCache).to.equal(true);
      expect(hit.data).to.be.instanceOf(FormData);
      expect([...(hit.data as FormData).entries()]).to.deep.equal([...expected.entries()]);
    });
  });

  it('an event stream (responseType stream, Accept: text/event-stream) is handed over at once and never cached', async () => {
    h.origin.route('/events', (_req, res) => {
      res.setHeader('content-type', 'text/event-stream');
      res.write('data: hi\n\n'); // and never ends
    });
    const http = h.cached();
    const started = performance.now();
    const response = await http.get('/events', { responseType: 'stream', headers: { Accept: 'text/event-stream' } });
    expect(elapsed(started)).to.be.below(2000);
    expect(response.fromCache).to.equal(false);
    const [first] = await (async () => {
      for await (const chunk of response.data as Readable) return [String(chunk)];
      return [''];
    })();
    expect(first).to.equal('data: hi\n\n');
    (response.data as Readable).destroy();
    expect(await http.cache.count()).to.equal(0);
  });
});
