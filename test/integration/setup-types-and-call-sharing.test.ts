/**
 * Guarantees that cut across modules: options validated at setup, typed response fields, no store
 * TTL for never-expiring entries, which concurrent requests may share a network call, no request
 * header added but validators, JSON roots of every type (docs/behaviour.md §10), code-point order.
 */
import axios, { type AxiosError } from 'axios';
import { expect } from 'chai';
import { getEventListeners } from 'node:events';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { Keyv, type KeyvStoreAdapter } from 'keyv';
import { hasCache, setupCache, type CacheAxiosInstance } from '../../src/index.js';
import { normalizeBody } from '../../src/policy/normalize-body.js';
import { compareCodePoints } from '../../src/policy/code-point-order.js';
import { rejection, useHarness } from '../support/harness.js';
import { tempDir } from '../support/temp.js';
import { sendJson, sendNotModified, sleep, waitFor } from '../support/wait.js';
/** The format record as a Keyv store sees it (src/storage/keyv-store.ts: `m:<name>`). */
const FORMAT_KEY = 'm:format';

const here = dirname(fileURLToPath(import.meta.url));

/** Requests in flight on a cache (internal: the coalescing table), as concurrency-and-patching reads it. */
function inFlight(http: CacheAxiosInstance): number {
  return (http.cache as unknown as { ctx: { flights: { size: number } } }).ctx.flights.size;
}

/** The error `fn` throws (fails the test when it does not throw). */
function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}

const basic = (user: string, password: string): string => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('integration: setup validation, response types, TTLs, call sharing, request headers, JSON roots', () => {
  const h = useHarness();

  describe('options are validated at setup (TypeError / RangeError naming the option and the value)', () => {
    const cases: Array<[string, Record<string, unknown>, ErrorConstructor, RegExp[]]> = [
      ['an unknown option', { expire_after: 60 }, TypeError, [/'expire_after'/]],
      ['an unknown option among valid ones', { expireAfter: 60, staleIfErorr: true }, TypeError, [/'staleIfErorr'/]],
      ['an unknown backend', { backend: 'bogus' }, RangeError, [/backend/, /'bogus'/]],
      ['an unparsable expiration', { expireAfter: 'tomorrow' }, RangeError, [/expireAfter/, /'tomorrow'/]],
      ['an expiration that is not a time', { expireAfter: { hours: 1 } }, TypeError, [/expireAfter/, /hours/]],
      ['a malformed urlsExpireAfter glob', { urlsExpireAfter: { 'example.com/[abc': 60 } }, RangeError, [/urlsExpireAfter/, /'example\.com\/\[abc'/]],
      ['a bad urlsExpireAfter expiration', { urlsExpireAfter: { 'example.com': 'soon' } }, RangeError, [/urlsExpireAfter/, /'soon'/]],
    ];
    for (const [what, options, type, patterns] of cases) {
      it(`setupCache throws for ${what}, before any file is created, and leaves the instance uncached`, () => {
        const dir = tempDir();
        const instance = axios.create();
        const error = thrown(() => setupCache(instance, { cacheName: join(dir, 'never'), ...options } as never));
        expect(error).to.be.instanceOf(type);
        for (const pattern of patterns) expect(error.message).to.match(pattern);
        expect(readdirSync(dir), 'no SQLite file for a refused setup').to.deep.equal([]);
        expect(hasCache(instance)).to.equal(false);
      });
    }
  });

  describe('response fields are typed (checked by the TypeScript compiler on src/, no build)', function () {
    this.timeout(60_000);

    it('every cache field has its exact type on a CacheAxiosInstance response; unknown options are type errors', () => {
      const file = join(here, '__typed_fields_probe__.ts');
      const source = `
        import axios from 'axios';
        import { setupCache } from '../../src/index.js';
        type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true : false;
        const http = setupCache(axios.create(), { backend: 'memory', expireAfter: 60 });
        export async function check(): Promise<unknown[]> {
          const res = await http.get<{ n: number }>('/x', { cache: { expireAfter: 60, forceRefresh: true, staleIfError: '5m' } });
          const posted = await http.post<string>('/x', { a: 1 }, { cache: false });
          const called = await http({ url: '/x' });
          const checks: true[] = [
            true as Equal<typeof res.fromCache, boolean>,
            true as Equal<typeof res.createdAt, Date>,
            true as Equal<typeof res.expires, Date | null>,
            true as Equal<typeof res.isExpired, boolean>,
            true as Equal<typeof res.revalidated, boolean>,
            true as Equal<typeof res.cacheKey, string | undefined>,
            true as Equal<typeof res.data, { n: number }>,
            true as Equal<typeof posted.fromCache, boolean>,
            true as Equal<typeof posted.data, string>,
            true as Equal<typeof called.expires, Date | null>,
          ];
          // @ts-expect-error an unknown per-request cache option is a type error
          await http.get('/x', { cache: { expireAfterr: 60 } });
          // @ts-expect-error cache is an object or false, not true
          await http.get('/x', { cache: 'yes' });
          // @ts-expect-error an unknown setup option is a type error
          setupCache(axios.create(), { expireAfterr: 60 });
          // @ts-expect-error fromCache is a boolean, not a string
          const wrong: string = res.fromCache;
          return [checks, wrong];
        }
      `;
      const configPath = resolve(here, '..', '..', 'tsconfig.json');
      const parsed = ts.getParsedCommandLineOfConfigFile(configPath, {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined });
      expect(parsed, 'tsconfig.json').to.not.equal(undefined);
      const options = { ...parsed!.options, noEmit: true };
      const host = ts.createCompilerHost(options);
      const getSourceFile = host.getSourceFile.bind(host);
      const fileExists = host.fileExists.bind(host);
      host.getSourceFile = (name, language, ...rest) =>
        resolve(name) === file ? ts.createSourceFile(name, source, language, true) : getSourceFile(name, language, ...rest);
      host.fileExists = (name) => resolve(name) === file || fileExists(name);
      const program = ts.createProgram([file], options, host);
      const sourceFile = program.getSourceFile(file)!;
      const diagnostics = [...program.getSyntacticDiagnostics(sourceFile), ...program.getSemanticDiagnostics(sourceFile)];
      const messages = diagnostics.map((d) => {
        const line = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line + 1 : 0;
        return `line ${line}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
      });
      expect(messages).to.deep.equal([]);
    });
  });

  describe('SPEC §4: never-expiring entries get no TTL (there is no Redis backend yet: checked on the TTL a Keyv store receives)', () => {
    it('fixes requests-cache BUG: never-expiring entries get no TTL (the store is handed none, and the entry outlives any TTL)', async () => {
      const map = new Map<string, unknown>();
      const ttls: Array<[string, unknown]> = [];
      const store = {
        opts: {},
        namespace: undefined as string | undefined,
        on: () => store,
        get: async (key: string) => map.get(key),
        set: async (key: string, value: unknown, ttl?: unknown) => {
          ttls.push([key, ttl]);
          map.set(key, value);
          return true;
        },
        delete: async (key: string) => map.delete(key),
        clear: async () => map.clear(),
        has: async (key: string) => map.has(key),
      };
      const http = h.cached({ backend: store as unknown as KeyvStoreAdapter });
      const first = await http.get('/no-ttl');
      expect(first.expires).to.equal(null);
      // The store's format record (written once per store) is the other write.
      const entryWrites = ttls.filter(([key]) => !key.endsWith(FORMAT_KEY));
      expect(entryWrites).to.have.length(1);
      expect(entryWrites[0]![1], 'TTL handed to the store for a never-expiring entry').to.equal(undefined);
      h.clock.advance(10 * 365 * 86_400);
      expect((await http.get('/no-ttl')).fromCache).to.equal(true);
    });

    it('fixes requests-cache BUG: never-expiring entries get no TTL (through a Keyv instance: keyv.set gets no ttl argument)', async () => {
      const keyv = new Keyv();
      const ttls: unknown[] = [];
      const set = keyv.set.bind(keyv);
      keyv.set = ((key: string, value: unknown, ttl?: number) => {
        if (!key.endsWith(FORMAT_KEY)) ttls.push(ttl);
        return set(key, value, ttl);
      }) as typeof keyv.set;
      const http = h.cached({ backend: keyv });
      await http.get('/no-ttl-keyv');
      await http.get('/no-ttl-keyv-2', { cache: { expireAfter: -1 } });
      expect(ttls).to.deep.equal([undefined, undefined]);
    });
  });

  describe('docs/behaviour.md §10 item 14: Vary: Authorization with an Authorization on the request is always a miss', () => {
    it("also when axios adds the Authorization itself from the `auth` option (one user is never served another's response)", async () => {
      h.origin.route('/vary-basic', (req, res, n) => sendJson(res, { user: req.headers.authorization ?? null, n }, { vary: 'Authorization' }));
      const http = h.cached({ hashedParameters: false });
      const alice = await http.get('/vary-basic', { auth: { username: 'alice', password: 'a' } });
      expect(alice.data.user, 'premise: axios sends the credentials').to.equal(basic('alice', 'a'));
      const bob = await http.get('/vary-basic', { auth: { username: 'bob', password: 'b' } });
      expect(bob.data.user, "bob must get bob's response").to.equal(basic('bob', 'b'));
      expect(bob.fromCache).to.equal(false);
      const aliceAgain = await http.get('/vary-basic', { auth: { username: 'alice', password: 'a' } });
      expect(aliceAgain.fromCache, 'always a miss, as with an Authorization header').to.equal(false);
      expect(h.origin.count('/vary-basic')).to.equal(3);
    });
  });

  describe('coalescing never merges requests that axios would send differently', () => {
    it("concurrent requests with different `auth` credentials never share a call, so no user gets another's response", async () => {
      h.origin.route('/co-basic', async (req, res) => {
        await sleep(40);
        sendJson(res, { user: req.headers.authorization ?? null }, { vary: 'Authorization' });
      });
      const http = h.cached();
      const [alice, bob] = await Promise.all([
        http.get('/co-basic', { auth: { username: 'alice', password: 'a' } }),
        http.get('/co-basic', { auth: { username: 'bob', password: 'b' } }),
      ]);
      expect(alice.data.user).to.equal(basic('alice', 'a'));
      expect(bob.data.user).to.equal(basic('bob', 'b'));
      expect(h.origin.count('/co-basic')).to.equal(2);
    });

    it('concurrent requests with different maxRedirects never share a call: each gets what axios gives it', async () => {
      const routes = (): void => {
        h.origin.route('/co-redirect', async (_req, res) => {
          await sleep(40);
          res.statusCode = 302;
          res.setHeader('location', '/co-landing');
          res.end();
        });
        h.origin.route('/co-landing', (_req, res) => sendJson(res, { landed: true }));
      };
      routes();
      const reference = await axios.get(h.origin.url('/co-redirect'), { maxRedirects: 0, validateStatus: () => true });
      expect(reference.status, 'premise: with maxRedirects 0 axios gives the 302').to.equal(302);
      h.origin.reset();
      routes();

      const http = h.cached();
      const [noFollow, follow] = await Promise.all([
        http.get('/co-redirect', { maxRedirects: 0, validateStatus: () => true }),
        http.get('/co-redirect', { validateStatus: () => true }),
      ]);
      expect(noFollow.status).to.equal(302);
      expect(follow.status, 'the default request follows the redirect').to.equal(200);
      expect(follow.data).to.deep.equal({ landed: true });
    });
  });

  describe('a cancelled or timed-out waiter neither leaks nor cancels others', () => {
    it("leaves no abort listener on any caller's signal and nothing in flight, after a response, an error and a timeout", async () => {
      h.origin.route('/leak-ok', async (_req, res, n) => {
        await sleep(60);
        sendJson(res, { n });
      });
      h.origin.route('/leak-err', async (req) => {
        await sleep(30);
        req.socket.destroy();
      });
      const http = h.cached();
      const signals = Array.from({ length: 4 }, () => new AbortController().signal);
      const [ok1, ok2, timedOut, failed] = await Promise.all([
        http.get('/leak-ok', { signal: signals[0] }),
        http.get('/leak-ok', { signal: signals[1] }),
        rejection(http.get('/leak-ok', { signal: signals[2], timeout: 20 })),
        rejection(http.get('/leak-err', { signal: signals[3] })),
      ]);
      expect(ok1.data).to.deep.equal({ n: 1 });
      expect(ok2.data).to.deep.equal({ n: 1 });
      expect((timedOut as AxiosError).code).to.equal('ECONNABORTED');
      expect(axios.isAxiosError(failed)).to.equal(true);
      expect(h.origin.count('/leak-ok')).to.equal(1);
      for (const [i, signal] of signals.entries()) expect(getEventListeners(signal, 'abort'), `signal ${i}`).to.have.length(0);
      expect(inFlight(http)).to.equal(0);
    });

    it('a request arriving right after every waiter cancelled starts its own call instead of inheriting the cancellation', async () => {
      h.origin.route('/late-joiner', async (_req, res, n) => {
        await sleep(80);
        if (!res.destroyed) sendJson(res, { n });
      });
      const http = h.cached();
      const controller = new AbortController();
      const cancelled = rejection(http.get('/late-joiner', { signal: controller.signal }));
      await waitFor(() => h.origin.count('/late-joiner') === 1, 'the first request to reach the origin');
      controller.abort();
      const late = await http.get('/late-joiner'); // started in the same tick as the abort
      expect(axios.isCancel(await cancelled)).to.equal(true);
      expect(late.status).to.equal(200);
      expect(late.data).to.deep.equal({ n: 2 });
      expect((await http.get('/late-joiner')).fromCache).to.equal(true);
    });
  });

  describe('no request header is added except If-None-Match / If-Modified-Since', () => {
    it('the stale-while-revalidate background refresh sends what plain axios sends, plus the validator only', async () => {
      h.origin.route('/swr-headers', (req, res, n) => {
        res.sendDate = false;
        if (req.headers['if-none-match'] === '"w"') return sendNotModified(res, { etag: '"w"' });
        sendJson(res, { n }, { etag: '"w"' });
      });
      await axios.create({ baseURL: h.origin.base }).get('/swr-headers');
      const reference = h.origin.requests[0]!.headers;
      const http = h.cached({ expireAfter: 1, staleWhileRevalidate: true });
      await http.get('/swr-headers');
      h.clock.advance(5);
      const stale = await http.get('/swr-headers', { cache: { staleWhileRevalidate: true, expireAfter: 60 } });
      expect(stale.isExpired).to.equal(true);
      await waitFor(() => h.origin.count('/swr-headers') === 3, 'the background refresh to reach the origin');
      const { 'if-none-match': validator, ...rest } = h.origin.requests[2]!.headers;
      expect(validator).to.equal('"w"');
      expect(rest).to.deep.equal(reference);
    });
  });

  describe('docs/behaviour.md §10 "also useful": JSON roots of every type round-trip (SQLite file, reopened)', () => {
    const roots: Array<[string, string]> = [
      ['/root-array', '[3,1,{"a":null}]'],
      ['/root-string', '"just a string ✓"'],
      ['/root-number', '-12.5e3'],
      ['/root-true', 'true'],
      ['/root-false', 'false'],
      ['/root-null', 'null'],
      ['/root-object', '{"z":1,"a":[true,false]}'],
    ];

    it('every root comes back from the cache as axios gives it from the network, as json and as text', async () => {
      for (const [path, text] of roots) {
        h.origin.route(path, (_req, res) => {
          res.setHeader('content-type', 'application/json');
          res.end(text);
        });
      }
      const plain = axios.create({ baseURL: h.origin.base });
      const cacheName = join(tempDir(), 'roots');
      const writer = setupCache(axios.create({ baseURL: h.origin.base }), { cacheName });
      try {
        for (const [path] of roots) await writer.get(path);
      } finally {
        await writer.cache.close();
      }
      expect(existsSync(`${cacheName}.sqlite`)).to.equal(true);
      const reader = setupCache(axios.create({ baseURL: h.origin.base }), { cacheName });
      try {
        for (const [path, text] of roots) {
          const reference = await plain.get(path);
          const hit = await reader.get(path);
          expect(hit.fromCache, path).to.equal(true);
          expect(hit.data, path).to.deep.equal(reference.data);
          expect(typeof hit.data, path).to.equal(typeof reference.data);
          const asText = await reader.get(path, { responseType: 'text' });
          expect(asText.data, path).to.equal(text);
        }
      } finally {
        await reader.cache.close();
      }
      expect(h.origin.count()).to.equal(roots.length * 2); // the writer's misses and the plain references only
    });
  });

  describe('policy rule without a unit test: code-point order (Python sorted() on str)', () => {
    it('compareCodePoints orders astral characters after U+E000..U+FFFF, unlike UTF-16 code-unit order', () => {
      const astral = '\u{1F600}';
      const bmpHigh = '\uFFFD';
      expect(astral < bmpHigh, 'premise: JavaScript compares code units').to.equal(true);
      expect(compareCodePoints(bmpHigh, astral)).to.be.below(0);
      expect(compareCodePoints(astral, bmpHigh)).to.be.above(0);
      expect(compareCodePoints('a', 'ab')).to.be.below(0);
      expect(compareCodePoints('\uD800', '\uD800\uDC00')).to.be.below(0);
      expect(compareCodePoints('same', 'same')).to.equal(0);
    });

    it('JSON body keys are sorted by code point, so the normalized body is the one requests-cache hashes', () => {
      const out = normalizeBody('{"\u{1F600}":1,"\uFFFD":2,"a":3}', 'application/json', []);
      expect(out).to.equal('{"a":3,"\uFFFD":2,"\u{1F600}":1}');
      expect(normalizeBody('{"\uFFFD":2,"a":3,"\u{1F600}":1}', 'application/json', [])).to.equal(out);
    });
  });
});
