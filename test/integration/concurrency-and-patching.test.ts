/**
 * Coalescing of concurrent identical requests (one network call, per-waiter cancellation and timeouts),
 * and patching: the default axios instance (installCache family, docs/behaviour.md §9) and already configured
 * instances (SPEC §1 "existing axios codebases").
 */
import axios, { AxiosError, type AxiosAdapter, type AxiosResponse, type InternalAxiosRequestConfig } from 'axios';
import { expect } from 'chai';
import type { ServerResponse } from 'node:http';
import {
  disabled,
  enabled,
  getCache,
  HttpCache,
  installCache,
  isInstalled,
  setupCache,
  uninstallCache,
  type CacheAxiosInstance,
} from '../../src/index.js';
import { rejection, useHarness } from '../support/harness.js';
import { sendJson, sleep, waitFor } from '../support/wait.js';

/** Requests in flight on a cache (internal: the coalescing table). */
function inFlight(http: CacheAxiosInstance): number {
  return (http.cache as unknown as { ctx: { flights: { size: number } } }).ctx.flights.size;
}

describe('integration: concurrency (coalescing) and patching', () => {
  const h = useHarness();

  /**
   * A route that answers after `ms`, unless the client went away first. `aborted` lists the hits whose
   * connection closed before the response was written. (On Node >= 16 the server-side `req` emits
   * 'close' as soon as its body is read, aborted or not, so `res` 'close' before the end is the signal.)
   */
  function slowRoute(path: string, ms: number): { aborted: number[]; finished: number[] } {
    const seen = { aborted: [] as number[], finished: [] as number[] };
    h.origin.route(path, async (req, res: ServerResponse, n) => {
      res.on('close', () => (res.writableEnded ? seen.finished : seen.aborted).push(n));
      await sleep(ms);
      if (!res.destroyed) sendJson(res, { path: req.url, n });
    });
    return seen;
  }

  afterEach(async () => {
    const installed = getCache();
    uninstallCache();
    await installed?.close();
  });

  describe('issue 2, deliverable 8: coalescing concurrent identical requests', () => {
    it('N concurrent identical cacheable GETs make one network call; all get the same data, each its own copy', async () => {
      slowRoute('/co', 100);
      const http = h.cached();
      const responses = await Promise.all(Array.from({ length: 6 }, () => http.get('/co')));
      expect(h.origin.count('/co')).to.equal(1);
      for (const res of responses) {
        expect(res.status).to.equal(200);
        expect(res.data).to.deep.equal({ path: '/co', n: 1 });
      }
      for (let i = 1; i < responses.length; i++) {
        expect(responses[i]!.data).to.not.equal(responses[0]!.data);
        expect(responses[i]!.headers).to.not.equal(responses[0]!.headers);
      }
      responses[0]!.data.n = 99;
      expect(responses[1]!.data.n).to.equal(1);
      expect(inFlight(http)).to.equal(0);

      const later = await http.get('/co');
      expect(later.fromCache).to.equal(true);
      expect(later.data).to.deep.equal({ path: '/co', n: 1 });
      expect(h.origin.count('/co')).to.equal(1);
    });

    it('each waiter keeps its own responseType and transformResponse', async () => {
      slowRoute('/co-types', 80);
      const http = h.cached();
      const [json, text, buffer, transformed] = await Promise.all([
        http.get('/co-types'),
        http.get('/co-types', { responseType: 'text', transformResponse: (d: unknown) => d }),
        http.get('/co-types', { responseType: 'arraybuffer' }),
        http.get('/co-types', { transformResponse: (d: string) => JSON.parse(d).n * 10 }),
      ]);
      expect(h.origin.count('/co-types')).to.equal(1);
      expect(json.data).to.deep.equal({ path: '/co-types', n: 1 });
      expect(text.data).to.equal(JSON.stringify({ path: '/co-types', n: 1 }));
      expect(Buffer.isBuffer(buffer.data)).to.equal(true);
      expect(transformed.data).to.equal(10);
    });

    it('an error (socket destroyed) reaches every waiter, and nothing stays in flight or cached', async () => {
      h.origin.route('/co-err', async (req, _res, n) => {
        await sleep(60);
        if (n === 1) req.socket.destroy();
        else sendJson(_res, { n });
      });
      const http = h.cached();
      const errors = await Promise.all(Array.from({ length: 4 }, () => rejection(http.get('/co-err'))));
      expect(h.origin.count('/co-err')).to.equal(1);
      for (const error of errors) {
        expect(axios.isAxiosError(error)).to.equal(true);
        expect((error as AxiosError).response).to.equal(undefined);
      }
      expect(inFlight(http)).to.equal(0);
      expect(await http.cache.count()).to.equal(0);
      expect((await http.get('/co-err')).data).to.deep.equal({ n: 2 });
    });

    it("a network error carries each waiter's own config (so a retry of error.config re-sends that caller's request)", async () => {
      h.origin.route('/co-cfg', async (req) => {
        await sleep(60);
        req.socket.destroy();
      });
      const http = h.cached();
      // Waiters told apart by a config field that is not sent (requests with different headers
      // never share a call): each error must carry its own caller's timeout.
      const errors = (await Promise.all(
        [4000, 4001].map((timeout) => rejection(http.get('/co-cfg', { timeout }))),
      )) as AxiosError[];
      expect(h.origin.count('/co-cfg')).to.equal(1);
      expect(errors.map((e) => e.config?.timeout)).to.deep.equal([4000, 4001]);
      for (const error of errors) {
        expect(error.config?.responseType, 'error.config.responseType').to.not.equal('arraybuffer');
        expect(error.config?.validateStatus, 'error.config.validateStatus').to.be.a('function');
      }
    });

    it('requests that differ in an ignored header (Authorization) never share a call, so no user gets another\'s response', async () => {
      h.origin.route('/co-user', async (req, res) => {
        await sleep(40);
        res.setHeader('content-type', 'application/json');
        res.setHeader('vary', 'Authorization');
        res.end(JSON.stringify({ user: req.headers.authorization }));
      });
      const http = h.cached();
      const [alice, bob] = await Promise.all([
        http.get('/co-user', { headers: { Authorization: 'Bearer alice' } }),
        http.get('/co-user', { headers: { Authorization: 'Bearer bob' } }),
      ]);
      expect(h.origin.count('/co-user')).to.equal(2);
      expect(alice.data).to.deep.equal({ user: 'Bearer alice' });
      expect(bob.data).to.deep.equal({ user: 'Bearer bob' });
    });

    it('a waiter cancelled with AbortController, or timing out, rejects alone; the others get the response and the call completes', async () => {
      const seen = slowRoute('/co-cancel', 200);
      const http = h.cached();
      const controller = new AbortController();
      const source = axios.CancelToken.source();
      const cancelled = rejection(http.get('/co-cancel', { signal: controller.signal }));
      const tokenCancelled = rejection(http.get('/co-cancel', { cancelToken: source.token }));
      const timedOut = rejection(http.get('/co-cancel', { timeout: 50 }));
      const patient = http.get('/co-cancel');
      const alsoPatient = http.get('/co-cancel');
      setTimeout(() => controller.abort(), 20);
      setTimeout(() => source.cancel('changed my mind'), 30);

      const started = performance.now();
      const abortError = await cancelled;
      expect(axios.isCancel(abortError)).to.equal(true);
      expect(performance.now() - started).to.be.below(150);
      expect(axios.isCancel(await tokenCancelled)).to.equal(true);
      const timeoutError = (await timedOut) as AxiosError;
      expect(axios.isCancel(timeoutError)).to.equal(false);
      expect(timeoutError.code).to.equal('ECONNABORTED');
      expect(timeoutError.message).to.match(/timeout of 50ms/);

      const [a, b] = await Promise.all([patient, alsoPatient]);
      expect(a.data).to.deep.equal({ path: '/co-cancel', n: 1 });
      expect(b.data).to.deep.equal({ path: '/co-cancel', n: 1 });
      expect(h.origin.count('/co-cancel')).to.equal(1);
      await waitFor(() => seen.finished.length === 1, 'the origin to finish the response');
      expect(seen.aborted).to.deep.equal([]);
      expect((await http.get('/co-cancel')).fromCache).to.equal(true);
    });

    it('when every waiter cancels, the origin sees the request aborted and nothing remains in flight', async () => {
      const seen = slowRoute('/co-all', 300);
      const http = h.cached();
      const controllers = [new AbortController(), new AbortController()];
      const pending = controllers.map((c) => rejection(http.get('/co-all', { signal: c.signal })));
      const timedOut = rejection(http.get('/co-all', { timeout: 40 }));
      await waitFor(() => h.origin.count('/co-all') === 1, 'the request to reach the origin');
      controllers.forEach((c, i) => setTimeout(() => c.abort(), 20 + 10 * i));

      for (const error of await Promise.all(pending)) expect(axios.isCancel(error)).to.equal(true);
      expect((await timedOut as AxiosError).code).to.equal('ECONNABORTED');
      await waitFor(() => seen.aborted.length === 1, 'the origin to see the request aborted', 1000);
      expect(seen.finished).to.deep.equal([]);
      expect(inFlight(http)).to.equal(0);
      expect(await http.cache.count()).to.equal(0);

      const fresh = await http.get('/co-all');
      expect(fresh.data.n).to.equal(2);
      expect(h.origin.count('/co-all')).to.equal(2);
    });

    it('a waiter whose signal is already aborted rejects at once and does not start a call', async () => {
      slowRoute('/co-pre', 50);
      const http = h.cached();
      const controller = new AbortController();
      controller.abort();
      expect(axios.isCancel(await rejection(http.get('/co-pre', { signal: controller.signal })))).to.equal(true);
      await sleep(20);
      expect(h.origin.count('/co-pre')).to.equal(0);
      expect(inFlight(http)).to.equal(0);
    });

    it('different keys are not coalesced', async () => {
      slowRoute('/co-a', 60);
      slowRoute('/co-b', 60);
      const http = h.cached();
      const [a, b, a2] = await Promise.all([http.get('/co-a'), http.get('/co-b'), http.get('/co-a', { params: { v: 2 } })]);
      expect(h.origin.count()).to.equal(3);
      expect(a.data.path).to.equal('/co-a');
      expect(b.data.path).to.equal('/co-b');
      expect(a2.data.path).to.equal('/co-a?v=2');
    });
  });

  describe('issue 2, deliverable 9: patching the default axios instance', () => {
    it('installCache / isInstalled / getCache / uninstallCache', async () => {
      expect(isInstalled()).to.equal(false);
      expect(getCache()).to.equal(null);
      installCache({ backend: 'memory' });
      expect(isInstalled()).to.equal(true);
      expect(getCache()).to.be.instanceOf(HttpCache);

      const first = await axios.get(h.origin.url('/g'));
      const second = await axios.get(h.origin.url('/g'));
      expect(first.fromCache).to.equal(false);
      expect(second.fromCache).to.equal(true);
      expect(await getCache()!.contains({ url: h.origin.url('/g') })).to.equal(true);

      const cache = getCache()!;
      uninstallCache();
      await cache.close();
      expect(isInstalled()).to.equal(false);
      expect(getCache()).to.equal(null);
      const after = await axios.get(h.origin.url('/g'));
      expect(after.fromCache).to.equal(undefined);
      expect(after.data.n).to.equal(2);
    });

    it('instances made with axios.create() are unaffected by installCache', async () => {
      installCache({ backend: 'memory' });
      const other = axios.create({ baseURL: h.origin.base });
      await other.get('/unaffected');
      const again = await other.get('/unaffected');
      expect(again.fromCache).to.equal(undefined);
      expect(h.origin.count('/unaffected')).to.equal(2);
    });

    it('enabled(fn, opts) installs only for fn', async () => {
      const result = await enabled(async () => {
        expect(isInstalled()).to.equal(true);
        await axios.get(h.origin.url('/en'));
        return (await axios.get(h.origin.url('/en'))).fromCache;
      }, { backend: 'memory' });
      expect(result).to.equal(true);
      expect(isInstalled()).to.equal(false);
      expect((await axios.get(h.origin.url('/en'))).fromCache).to.equal(undefined);
      expect(h.origin.count('/en')).to.equal(2);
    });

    it('enabled(fn) inside an installed cache brings the earlier cache back afterwards', async () => {
      installCache({ backend: 'memory' });
      const earlier = getCache();
      await axios.get(h.origin.url('/en-prev'));
      await enabled(async () => {
        expect((await axios.get(h.origin.url('/en-prev'))).fromCache).to.equal(false);
      }, { backend: 'memory' });
      expect(isInstalled(), 'a cache is installed after enabled()').to.equal(true);
      expect(getCache()).to.equal(earlier);
      expect((await axios.get(h.origin.url('/en-prev'))).fromCache).to.equal(true);
    });

    it('disabled(fn) bypasses the installed cache for the requests fn starts only', async () => {
      slowRoute('/dis', 50);
      installCache({ backend: 'memory' });
      await axios.get(h.origin.url('/dis'));
      const [inside, outside] = await Promise.all([disabled(() => axios.get(h.origin.url('/dis'))), axios.get(h.origin.url('/dis'))]);
      expect(inside.fromCache).to.equal(false);
      expect(inside.data.n).to.equal(2);
      expect(outside.fromCache).to.equal(true);
      expect((await axios.get(h.origin.url('/dis'))).data.n).to.equal(1);
      expect(isInstalled()).to.equal(true);
    });

    it('disabled(fn) with nothing installed just runs fn', async () => {
      const res = await disabled(() => axios.get(h.origin.url('/dis-none')));
      expect(res.status).to.equal(200);
    });
  });

  describe('issue 2, deliverable 9: setting up an already configured instance', () => {
    it('keeps baseURL, default headers, and existing request and response interceptors working, for hits too', async () => {
      const instance = axios.create({ baseURL: h.origin.base, headers: { 'X-Team': 'blue' } });
      let requestRuns = 0;
      let responseRuns = 0;
      instance.interceptors.request.use((config) => {
        requestRuns += 1;
        config.headers.set('X-Request-Number', String(requestRuns));
        return config;
      });
      instance.interceptors.response.use((res: AxiosResponse) => {
        responseRuns += 1;
        res.data = { ...res.data, intercepted: true };
        return res;
      });
      const http = h.cached({}, instance);
      expect(http).to.equal(instance);
      http.interceptors.request.use((config) => {
        config.headers.set('X-Late', 'yes');
        return config;
      });

      const first = await http.get('/conf');
      expect(first.fromCache).to.equal(false);
      expect(first.data).to.deep.equal({ path: '/conf', method: 'GET', n: 1, intercepted: true });
      const sent = h.origin.requests[0]!.headers;
      expect(sent['x-team']).to.equal('blue');
      expect(sent['x-request-number']).to.equal('1');
      expect(sent['x-late']).to.equal('yes');

      const second = await http.get('/conf');
      expect(second.fromCache).to.equal(true);
      expect(second.data).to.deep.equal({ path: '/conf', method: 'GET', n: 1, intercepted: true });
      expect([requestRuns, responseRuns]).to.deep.equal([2, 2]);
      expect(h.origin.count('/conf')).to.equal(1);
      expect(http.defaults.baseURL).to.equal(h.origin.base);
    });

    it("wraps the instance's own adapter (called once for two identical requests)", async () => {
      let calls = 0;
      const base = axios.getAdapter(axios.defaults.adapter);
      const counting: AxiosAdapter = (config: InternalAxiosRequestConfig) => {
        calls += 1;
        return base(config);
      };
      const http = h.cached({}, axios.create({ baseURL: h.origin.base, adapter: counting }));
      await http.get('/own-adapter');
      expect((await http.get('/own-adapter')).fromCache).to.equal(true);
      expect(calls).to.equal(1);
    });

    it('an error interceptor that retries error.config gets the same kind of response as the original call', async () => {
      h.origin.route('/retry', (req, res, n) => {
        if (n === 1) return void req.socket.destroy();
        sendJson(res, { n });
      });
      const http = h.cached();
      let retried = 0;
      http.interceptors.response.use(undefined, (error: AxiosError) => {
        if (retried++ > 0 || !error.config) throw error;
        return http.request(error.config);
      });
      const res = await http.get('/retry');
      expect(retried).to.equal(1);
      expect(res.data).to.deep.equal({ n: 2 });
    });

    it('setupCache twice on one instance throws a clear error', () => {
      const instance = axios.create();
      h.cached({}, instance);
      expect(() => setupCache(instance, { backend: 'memory' })).to.throw(Error, /already has a cache/);
    });
  });
});
