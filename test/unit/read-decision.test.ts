import { expect } from 'chai';
import { decideRead, isExpired, isUsable, type ReadDecision } from '../../src/policy/read-decision.js';
import { varyDigestsOf } from '../../src/policy/keys.js';
import { parseSettings } from '../../src/policy/settings.js';
import type { CachedEntry, HeaderRecord, StoredHeaders } from '../../src/policy/types.js';
import { NOW, actionsFor, at, entryWith, makeEntry, makeRequest } from '../support/entries.js';

const ETAG = '"v1-abc"';
const LAST_MODIFIED = 'Wed, 31 Dec 2025 12:00:00 GMT';

interface Scenario {
  settings?: Record<string, unknown>;
  /** Request headers (lower-case names). */
  headers?: HeaderRecord;
  /** Per-request `cache` options. */
  options?: Record<string, unknown>;
  now?: number;
  secondary?: boolean;
}

/** decideRead for `entry` under the given settings, request headers and per-request options. */
function read(entry: CachedEntry | undefined, s: Scenario = {}): ReadDecision {
  const headers = s.headers ?? { accept: 'application/json' };
  return decideRead(entry, {
    settings: parseSettings(s.settings ?? {}),
    actions: actionsFor(s.settings ?? {}, headers, s.options ?? {}),
    request: makeRequest(headers),
    now: s.now ?? NOW,
    secondary: s.secondary,
  });
}

/** An entry that expires `seconds` from NOW (negative: already expired), with extra response headers. */
function expiringIn(seconds: number, headers: StoredHeaders = {}): CachedEntry {
  return entryWith(headers, { expires: at(seconds) });
}

const fresh = (headers: StoredHeaders = {}) => expiringIn(60, headers);
const expired = (headers: StoredHeaders = {}) => expiringIn(-10, headers);

describe('policy/read-decision', () => {
  describe('isExpired', () => {
    it('never expires without an expiry', () => {
      expect(isExpired(makeEntry({ expires: null }), at(1e9))).to.equal(false);
    });

    it('is expired from the expiry instant on', () => {
      expect(isExpired(makeEntry({ expires: NOW }), NOW - 1)).to.equal(false);
      expect(isExpired(makeEntry({ expires: NOW }), NOW)).to.equal(true);
    });
  });

  describe('miss', () => {
    it('sends the request', () => {
      expect(read(undefined).action).to.equal('send');
    });

    it('with onlyIfCached answers a gateway timeout (504)', () => {
      expect(read(undefined, { options: { onlyIfCached: true } }).action).to.equal('gateway-timeout');
      expect(read(undefined, { headers: { 'cache-control': 'only-if-cached' } }).action).to.equal('gateway-timeout');
      expect(read(undefined, { settings: { onlyIfCached: true } }).action).to.equal('gateway-timeout');
    });
  });

  describe('fresh and expired entries', () => {
    it('serves a fresh entry, not marked stale', () => {
      expect(read(fresh({ etag: ETAG }))).to.deep.include({ action: 'serve', stale: false });
    });

    it('serves a never-expiring entry', () => {
      expect(read(makeEntry({ expires: null }), { now: at(1e9) })).to.deep.include({ action: 'serve', stale: false });
    });

    it('revalidates an expired entry with an ETag using If-None-Match (docs/behaviour.md §10.23)', () => {
      const d = read(expired({ etag: ETAG }));
      expect(d.action).to.equal('revalidate');
      expect(d).to.have.deep.property('headers', { 'If-None-Match': ETAG });
    });

    it('sends a weak ETag verbatim', () => {
      expect(read(expired({ etag: 'W/"weak"' }))).to.have.deep.property('headers', { 'If-None-Match': 'W/"weak"' });
    });

    it('revalidates an expired entry with Last-Modified using If-Modified-Since (docs/behaviour.md §10.24)', () => {
      const d = read(expired({ 'last-modified': LAST_MODIFIED }));
      expect(d.action).to.equal('revalidate');
      expect(d).to.have.deep.property('headers', { 'If-Modified-Since': LAST_MODIFIED });
    });

    it('sends both conditional headers when both validators exist', () => {
      expect(read(expired({ etag: ETAG, 'last-modified': LAST_MODIFIED }))).to.deep.equal({
        action: 'revalidate',
        headers: { 'If-None-Match': ETAG, 'If-Modified-Since': LAST_MODIFIED },
        reason: 'expired, has a validator',
      });
    });

    it('refetches an expired entry without a validator', () => {
      expect(read(expired()).action).to.equal('refetch');
    });

    it('treats an entry as expired exactly at its expiry', () => {
      expect(read(expiringIn(0)).action).to.equal('refetch');
      expect(read(expiringIn(0), { now: NOW - 1 }).action).to.equal('serve');
    });
  });

  describe('refresh (docs/behaviour.md §10.27)', () => {
    it('revalidates a fresh entry that has a validator', () => {
      const d = read(fresh({ etag: ETAG }), { options: { refresh: true } });
      expect(d.action).to.equal('revalidate');
      expect(d).to.have.deep.property('headers', { 'If-None-Match': ETAG });
    });

    it('serves a fresh entry without a validator and sends nothing', () => {
      expect(read(fresh(), { options: { refresh: true } })).to.deep.include({ action: 'serve', stale: false });
    });

    it('a request max-age=0 and a per-request expireAfter 0 refresh the same way', () => {
      expect(read(fresh({ etag: ETAG }), { headers: { 'cache-control': 'max-age=0' } }).action).to.equal('revalidate');
      expect(read(fresh({ etag: ETAG }), { options: { expireAfter: 0 } }).action).to.equal('revalidate');
      expect(read(fresh(), { options: { expireAfter: 0 } }).action).to.equal('serve');
    });
  });

  describe('alwaysRevalidate (docs/behaviour.md §10.29)', () => {
    it('revalidates a fresh entry that has a validator', () => {
      const d = read(fresh({ 'last-modified': LAST_MODIFIED }), { settings: { alwaysRevalidate: true } });
      expect(d.action).to.equal('revalidate');
      expect(d).to.have.deep.property('headers', { 'If-Modified-Since': LAST_MODIFIED });
    });

    it('has no effect without a validator', () => {
      expect(read(fresh(), { settings: { alwaysRevalidate: true } }).action).to.equal('serve');
    });
  });

  describe('stored no-cache / must-revalidate with cacheControl', () => {
    for (const directive of ['no-cache', 'must-revalidate', 'max-age=3600, must-revalidate']) {
      it(`revalidates a fresh entry with a validator and Cache-Control: ${directive}`, () => {
        const d = read(fresh({ etag: ETAG, 'cache-control': directive }), { settings: { cacheControl: true } });
        expect(d.action).to.equal('revalidate');
        expect(d).to.have.deep.property('headers', { 'If-None-Match': ETAG });
      });

      it(`refetches a fresh entry without a validator and Cache-Control: ${directive}`, () => {
        expect(read(fresh({ 'cache-control': directive }), { settings: { cacheControl: true } }).action).to.equal('refetch');
      });

      it(`ignores Cache-Control: ${directive} when cacheControl is off`, () => {
        expect(read(fresh({ etag: ETAG, 'cache-control': directive })).action).to.equal('serve');
        expect(read(fresh({ 'cache-control': directive })).action).to.equal('serve');
      });
    }

    it('other stored directives force nothing', () => {
      expect(read(fresh({ etag: ETAG, 'cache-control': 'max-age=60, public' }), { settings: { cacheControl: true } }).action).to.equal(
        'serve',
      );
    });
  });

  describe('onlyIfCached (docs/behaviour.md §10.30)', () => {
    it('serves a fresh entry', () => {
      expect(read(fresh(), { options: { onlyIfCached: true } })).to.deep.include({ action: 'serve', stale: false });
    });

    it('answers a gateway timeout for an expired entry, even one with a validator', () => {
      expect(read(expired(), { options: { onlyIfCached: true } }).action).to.equal('gateway-timeout');
      expect(read(expired({ etag: ETAG }), { options: { onlyIfCached: true } }).action).to.equal('gateway-timeout');
    });

    it('serves an expired entry, marked stale, when staleIfError allows it', () => {
      expect(read(expired(), { options: { onlyIfCached: true, staleIfError: true } })).to.deep.include({ action: 'serve', stale: true });
      expect(read(expired(), { options: { onlyIfCached: true, staleIfError: 15 } })).to.deep.include({ action: 'serve', stale: true });
    });

    it('answers a gateway timeout when the entry is staler than staleIfError allows', () => {
      expect(read(expired(), { options: { onlyIfCached: true, staleIfError: 5 } }).action).to.equal('gateway-timeout');
    });

    it('never revalidates a usable entry, even with refresh or alwaysRevalidate', () => {
      expect(read(fresh({ etag: ETAG }), { options: { onlyIfCached: true, refresh: true } }).action).to.equal('serve');
      expect(read(fresh({ etag: ETAG }), { settings: { alwaysRevalidate: true, onlyIfCached: true } }).action).to.equal('serve');
      expect(
        read(fresh({ etag: ETAG, 'cache-control': 'no-cache' }), { settings: { cacheControl: true }, options: { onlyIfCached: true } })
          .action,
      ).to.equal('serve');
    });

    it('with stale-while-revalidate, serves an expired entry and refreshes it (upstream still sends the background request)', () => {
      const d = read(expired({ etag: ETAG }), { options: { onlyIfCached: true, staleWhileRevalidate: true } });
      expect(d.action).to.equal('stale-while-revalidate');
      expect(d).to.have.deep.property('headers', { 'If-None-Match': ETAG });
    });
  });

  describe('staleWhileRevalidate (docs/behaviour.md §10.34)', () => {
    it('true: serves an expired entry and refreshes it conditionally when it has a validator', () => {
      const d = read(expired({ etag: ETAG }), { settings: { staleWhileRevalidate: true } });
      expect(d.action).to.equal('stale-while-revalidate');
      expect(d).to.have.deep.property('headers', { 'If-None-Match': ETAG });
    });

    it('true: works without a validator (plain background fetch)', () => {
      const d = read(expiringIn(-86_400), { settings: { staleWhileRevalidate: true } });
      expect(d.action).to.equal('stale-while-revalidate');
      expect(d).to.have.deep.property('headers', {});
    });

    it('a time value accepts an entry within the window only', () => {
      expect(read(expired(), { settings: { staleWhileRevalidate: 15 } }).action).to.equal('stale-while-revalidate');
      expect(read(expired(), { settings: { staleWhileRevalidate: 5 } }).action).to.equal('refetch');
      expect(read(expired({ etag: ETAG }), { settings: { staleWhileRevalidate: 5 } }).action).to.equal('revalidate');
    });

    it('does not touch a fresh entry', () => {
      expect(read(fresh(), { settings: { staleWhileRevalidate: true } }).action).to.equal('serve');
    });

    it('decides alone for an expired entry: a request max-stale neither blocks the background refresh nor widens the window (docs/behaviour.md §2.4)', () => {
      const maxStale = { 'cache-control': 'max-stale=100' };
      expect(read(expired({ etag: ETAG }), { settings: { staleWhileRevalidate: true }, headers: maxStale }).action).to.equal(
        'stale-while-revalidate',
      );
      expect(read(expired(), { settings: { staleWhileRevalidate: true }, headers: maxStale }).action).to.equal('stale-while-revalidate');
      // 10 s stale, a 5 s window: refetched, although max-stale alone would have served it.
      expect(read(expired(), { settings: { staleWhileRevalidate: 5 }, headers: maxStale }).action).to.equal('refetch');
      expect(read(expired(), { headers: maxStale }).action, 'premise: max-stale alone serves it').to.equal('serve');
    });

    it('the per-request option can switch it off', () => {
      expect(read(expired(), { settings: { staleWhileRevalidate: true }, options: { staleWhileRevalidate: false } }).action).to.equal(
        'refetch',
      );
    });
  });

  describe('max-stale / min-fresh (docs/behaviour.md §10.36)', () => {
    it('max-stale=15 accepts an entry expired 10 s ago; max-stale=5 does not', () => {
      expect(read(expired(), { headers: { 'cache-control': 'max-stale=15' } })).to.deep.include({ action: 'serve', stale: true });
      expect(read(expired(), { headers: { 'cache-control': 'max-stale=5' } }).action).to.equal('refetch');
    });

    it('a bare max-stale accepts any staleness', () => {
      expect(read(expiringIn(-86_400), { headers: { 'cache-control': 'max-stale' } }).action).to.equal('serve');
    });

    it('an expired entry accepted by max-stale is still revalidated when it has a validator (upstream: expired + validator)', () => {
      expect(read(expired({ etag: ETAG }), { headers: { 'cache-control': 'max-stale=15' } }).action).to.equal('revalidate');
    });

    it('min-fresh=15 rejects an entry that expires in 10 s; min-fresh=5 accepts it', () => {
      expect(read(expiringIn(10), { headers: { 'cache-control': 'min-fresh=15' } }).action).to.equal('refetch');
      expect(read(expiringIn(10), { headers: { 'cache-control': 'min-fresh=5' } })).to.deep.include({ action: 'serve', stale: false });
    });

    it('min-fresh is ignored when max-stale is present', () => {
      expect(read(expiringIn(10), { headers: { 'cache-control': 'max-stale=5, min-fresh=15' } }).action).to.equal('serve');
    });

    it('a zero max-stale counts as absent, so min-fresh still applies (upstream truthiness)', () => {
      expect(read(expiringIn(10), { headers: { 'cache-control': 'max-stale=0, min-fresh=15' } }).action).to.equal('refetch');
      expect(read(expiringIn(20), { headers: { 'cache-control': 'max-stale=0, min-fresh=15' } }).action).to.equal('serve');
    });
  });

  describe('isUsable (docs/behaviour.md §2.4, §10.33)', () => {
    it('a never-expiring entry is always usable', () => {
      expect(isUsable(makeEntry({ expires: null }), actionsFor(), at(1e9))).to.equal(true);
    });

    it('a fresh entry is usable; an expired one is not', () => {
      expect(isUsable(expiringIn(1), actionsFor(), NOW)).to.equal(true);
      expect(isUsable(expired(), actionsFor(), NOW)).to.equal(false);
    });

    it('staleIfError true makes any expired entry usable, but only on error', () => {
      const actions = actionsFor({ staleIfError: true });
      expect(isUsable(expiringIn(-86_400), actions, NOW, true)).to.equal(true);
      expect(isUsable(expiringIn(-86_400), actions, NOW, false)).to.equal(false);
    });

    it('staleIfError 15 accepts an entry expired 10 s ago on error; 5 does not', () => {
      expect(isUsable(expired(), actionsFor({ staleIfError: 15 }), NOW, true)).to.equal(true);
      expect(isUsable(expired(), actionsFor({ staleIfError: 5 }), NOW, true)).to.equal(false);
    });

    it('without staleIfError, an error does not make an expired entry usable', () => {
      expect(isUsable(expired(), actionsFor(), NOW, true)).to.equal(false);
    });

    it('the stale-if-error request directive and per-request option count too', () => {
      expect(isUsable(expired(), actionsFor({}, { 'cache-control': 'stale-if-error=15' }), NOW, true)).to.equal(true);
      expect(isUsable(expired(), actionsFor({ staleIfError: true }, {}, { staleIfError: 5 }), NOW, true)).to.equal(false);
    });

    it('max-stale widens and min-fresh narrows the window', () => {
      expect(isUsable(expired(), actionsFor({}, { 'cache-control': 'max-stale=15' }), NOW)).to.equal(true);
      expect(isUsable(expiringIn(10), actionsFor({}, { 'cache-control': 'min-fresh=15' }), NOW)).to.equal(false);
    });
  });

  describe('Vary', () => {
    const variantA = (headers: StoredHeaders = {}, expires: number | null = null) =>
      makeEntry({
        headers: { 'content-type': 'application/json', vary: 'Accept', ...headers },
        request: { method: 'GET', url: 'https://example.com/api/items?page=1', headers: { accept: 'application/json' } },
        expires,
      });

    it('serves an entry whose varied headers match', () => {
      expect(read(variantA(), { headers: { accept: 'application/json' } }).action).to.equal('serve');
    });

    it('reports a mismatch for another value of a varied header (docs/behaviour.md §10.13)', () => {
      const d = read(variantA(), { headers: { accept: 'text/html' } });
      expect(d.action).to.equal('vary-mismatch');
    });

    it('reports a mismatch when the varied header is missing from the new request', () => {
      expect(read(variantA(), { headers: {} }).action).to.equal('vary-mismatch');
    });

    it('compares varied headers after key normalization (order, case, whitespace of lists)', () => {
      const entry = makeEntry({
        headers: { vary: 'accept-encoding' },
        request: { method: 'GET', url: 'https://example.com/', headers: { 'accept-encoding': 'gzip, deflate' } },
      });
      expect(read(entry, { headers: { 'accept-encoding': 'Deflate,gzip' } }).action).to.equal('serve');
    });

    it('ignores request headers the entry does not vary on', () => {
      expect(read(variantA(), { headers: { accept: 'application/json', 'accept-language': 'fr' } }).action).to.equal('serve');
    });

    it('in secondary mode a mismatch is a plain miss', () => {
      expect(read(variantA(), { headers: { accept: 'text/html' }, secondary: true }).action).to.equal('send');
      expect(read(variantA(), { headers: { accept: 'text/html' }, secondary: true, options: { onlyIfCached: true } }).action).to.equal(
        'gateway-timeout',
      );
    });

    it('Vary: * is always a mismatch, even for identical headers (docs/behaviour.md §10.14)', () => {
      const entry = makeEntry({ headers: { vary: '*' } });
      expect(read(entry, { headers: { accept: 'application/json' } }).action).to.equal('vary-mismatch');
      expect(read(makeEntry({ headers: { vary: 'Accept, *' } })).action).to.equal('vary-mismatch');
    });

    it('Vary on an ignored header present on the request is always a mismatch (docs/behaviour.md §10.14)', () => {
      const entry = makeEntry({
        headers: { vary: 'Authorization' },
        request: { method: 'GET', url: 'https://example.com/', headers: { authorization: 'REDACTED' } },
      });
      expect(read(entry, { headers: { authorization: 'Bearer alice' } }).action).to.equal('vary-mismatch');
      expect(read(entry, { headers: { authorization: 'REDACTED' } }).action).to.equal('vary-mismatch');
    });

    it('Vary on an ignored header absent from both requests matches', () => {
      const entry = makeEntry({
        headers: { vary: 'Authorization' },
        request: { method: 'GET', url: 'https://example.com/', headers: {} },
      });
      expect(read(entry, { headers: {} }).action).to.equal('serve');
    });

    it('compares Vary: Cookie (a hashed header) order-insensitively, through its stored Vary digest', () => {
      const settings = { ...parseSettings({}), varyKey: Buffer.alloc(32, 7) };
      const entry = makeEntry({
        headers: { vary: 'Cookie' },
        request: {
          method: 'GET',
          url: 'https://example.com/',
          headers: { cookie: 'REDACTED' },
          varyDigests: varyDigestsOf({ cookie: 'a=1; b=2' }, settings),
        },
      });
      const action = (cookie: string) =>
        decideRead(entry, { settings, actions: actionsFor({}, { cookie }, {}), request: makeRequest({ cookie }), now: NOW }).action;
      expect(action('b=2;a=1')).to.equal('serve');
      expect(action('a=1; b=3')).to.equal('vary-mismatch');
    });

    it('fixes requests-cache BUG: an expired entry of another variant is never revalidated (no wrong-variant 304)', () => {
      const d = read(variantA({ etag: ETAG }, at(-10)), { headers: { accept: 'text/html' } });
      expect(d.action).to.equal('vary-mismatch');
      expect(d).not.to.have.property('headers');
    });

    it('checks Vary before freshness: a fresh entry of another variant is not served', () => {
      expect(read(variantA({}, at(60)), { headers: { accept: 'text/html' } }).action).to.equal('vary-mismatch');
    });
  });
});
