import { expect } from 'chai';
import { DO_NOT_CACHE, EXPIRE_IMMEDIATELY, NEVER_EXPIRE } from '../../src/constants.js';
import { isMethodAllowed, requestActions } from '../../src/policy/request-actions.js';
import { parseRequestOptions, parseSettings } from '../../src/policy/settings.js';
import type { HeaderRecord } from '../../src/policy/types.js';
import { actionsFor, makeRequest } from '../support/entries.js';

const relative = (seconds: number) => ({ type: 'relative', seconds });

describe('policy/request-actions', () => {
  describe('defaults', () => {
    it('reads and writes, with the session expiration and no allowances', () => {
      const a = actionsFor();
      expect(a.expiration).to.deep.equal({ type: 'never' });
      expect(a.skipRead).to.equal(false);
      expect(a.skipWrite).to.equal(false);
      expect(a.refresh).to.equal(false);
      expect(a.onlyIfCached).to.equal(false);
      expect(a.staleIfError).to.equal(false);
      expect(a.staleWhileRevalidate).to.equal(false);
      expect(a.maxStale).to.equal(undefined);
      expect(a.minFresh).to.equal(undefined);
    });
  });

  describe('expiration precedence (docs/behaviour.md §2.4 steps 4-6)', () => {
    const session = { expireAfter: 10, urlsExpireAfter: { 'example.com/api': 20 } };

    it('per-request expireAfter beats everything', () => {
      const a = actionsFor(session, { 'cache-control': 'max-age=30' }, { expireAfter: 40 });
      expect(a.expiration).to.deep.equal(relative(40));
      expect(a.expirationSource).to.include('request cache.expireAfter');
    });

    it('per-request expireAfter wins even when the header max-age is lexicographically later (no sorted-set quirk)', () => {
      expect(actionsFor({}, { 'cache-control': 'max-age=5' }, { expireAfter: 10 }).expiration).to.deep.equal(relative(10));
    });

    it('request Cache-Control max-age beats urlsExpireAfter and the session', () => {
      const a = actionsFor(session, { 'cache-control': 'max-age=30' });
      expect(a.expiration).to.deep.equal(relative(30));
      expect(a.expirationSource).to.include('request Cache-Control max-age');
    });

    it('a matching urlsExpireAfter pattern beats the session', () => {
      const a = actionsFor(session);
      expect(a.expiration).to.deep.equal(relative(20));
      expect(a.expirationSource).to.include('urlsExpireAfter[example.com/api]');
    });

    it('the first matching pattern wins, in definition order', () => {
      const patterns = [['example.com/api/items', 5], ['example.com', 7]];
      expect(actionsFor({ urlsExpireAfter: patterns }).expiration).to.deep.equal(relative(5));
      expect(actionsFor({ urlsExpireAfter: [...patterns].reverse() }).expiration).to.deep.equal(relative(7));
    });

    it('the session expireAfter applies when no pattern matches', () => {
      const a = actionsFor({ expireAfter: 10, urlsExpireAfter: { 'other.org': 20 } });
      expect(a.expiration).to.deep.equal(relative(10));
      expect(a.expirationSource).to.match(/^expireAfter/);
    });

    it('per-request NEVER_EXPIRE overrides a session expiration (docs/behaviour.md §10.17)', () => {
      expect(actionsFor({ expireAfter: 60 }, {}, { expireAfter: NEVER_EXPIRE }).expiration).to.deep.equal({ type: 'never' });
    });

    it('a request max-age overrides a DO_NOT_CACHE pattern, as upstream coalesce does', () => {
      const a = actionsFor({ urlsExpireAfter: { '*': DO_NOT_CACHE } }, { 'cache-control': 'max-age=30' });
      expect(a.expiration).to.deep.equal(relative(30));
      expect(a.skipRead).to.equal(false);
      expect(a.skipWrite).to.equal(false);
    });
  });

  describe('setting vs request directive for stale allowances (upstream `setting or directive`)', () => {
    it('a truthy staleIfError setting wins over a request stale-if-error directive', () => {
      expect(actionsFor({ staleIfError: true }, { 'cache-control': 'stale-if-error=30' }).staleIfError).to.equal(Infinity);
      expect(actionsFor({ staleIfError: 600 }, { 'cache-control': 'stale-if-error=30' }).staleIfError).to.equal(600);
    });
    it('the directive applies when the setting is off', () => {
      expect(actionsFor({}, { 'cache-control': 'stale-if-error=30' }).staleIfError).to.equal(30);
      expect(actionsFor({}, { 'cache-control': 'stale-while-revalidate=20' }).staleWhileRevalidate).to.equal(20);
    });
    it('a truthy staleWhileRevalidate setting wins over the directive; a per-request option wins over both', () => {
      expect(actionsFor({ staleWhileRevalidate: true }, { 'cache-control': 'stale-while-revalidate=20' }).staleWhileRevalidate).to.equal(Infinity);
      expect(actionsFor({ staleWhileRevalidate: true }, { 'cache-control': 'stale-while-revalidate=20' }, { staleWhileRevalidate: 5 }).staleWhileRevalidate).to.equal(5);
    });
  });

  describe('per-request expireAfter: null', () => {
    it('means "not given" (upstream None): the session expiration applies', () => {
      expect(actionsFor({ expireAfter: 60 }, {}, { expireAfter: null }).expiration).to.deep.equal({ type: 'relative', seconds: 60 });
    });
  });

  describe('skipRead / skipWrite', () => {
    it('a disabled cache skips both', () => {
      const a = requestActions(parseSettings({}), makeRequest(), {}, true);
      expect(a.skipRead).to.equal(true);
      expect(a.skipWrite).to.equal(true);
      expect(a.readCriteria['disabled cache']).to.equal(true);
    });

    it('a method not in allowableMethods skips both (docs/behaviour.md §10.6)', () => {
      for (const method of ['POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']) {
        const a = actionsFor({}, {}, {}, { method });
        expect(a.skipRead, method).to.equal(true);
        expect(a.skipWrite, method).to.equal(true);
      }
      expect(actionsFor({}, {}, {}, { method: 'HEAD' }).skipRead).to.equal(false);
    });

    it('an allowed POST is read and written', () => {
      const a = actionsFor({ allowableMethods: ['GET', 'POST'] }, {}, {}, { method: 'POST' });
      expect(a.skipRead).to.equal(false);
      expect(a.skipWrite).to.equal(false);
    });

    it('request no-cache skips the read but still writes', () => {
      const a = actionsFor({}, { 'cache-control': 'no-cache' });
      expect(a.skipRead).to.equal(true);
      expect(a.skipWrite).to.equal(false);
    });

    it('request no-store skips both (docs/behaviour.md §10.36)', () => {
      const a = actionsFor({}, { 'cache-control': 'no-store' });
      expect(a.skipRead).to.equal(true);
      expect(a.skipWrite).to.equal(true);
    });

    it('forceRefresh skips the read but still writes', () => {
      const a = actionsFor({}, {}, { forceRefresh: true });
      expect(a.skipRead).to.equal(true);
      expect(a.skipWrite).to.equal(false);
      expect(actionsFor({}, {}, { forceRefresh: false }).skipRead).to.equal(false);
    });

    it('a session DO_NOT_CACHE skips both', () => {
      const a = actionsFor({ expireAfter: DO_NOT_CACHE });
      expect(a.expiration).to.deep.equal({ type: 'do-not-cache' });
      expect(a.skipRead).to.equal(true);
      expect(a.skipWrite).to.equal(true);
    });

    it('a per-request DO_NOT_CACHE skips both (docs/behaviour.md §10.20)', () => {
      const a = actionsFor({ expireAfter: 60 }, {}, { expireAfter: DO_NOT_CACHE });
      expect(a.skipRead).to.equal(true);
      expect(a.skipWrite).to.equal(true);
    });

    it('urlsExpireAfter {X: 60, "*": DO_NOT_CACHE} caches only X (docs/behaviour.md §10.19)', () => {
      const settings = { urlsExpireAfter: [['example.com/api', 60], ['*', DO_NOT_CACHE]] };
      const x = actionsFor(settings);
      expect(x.expiration).to.deep.equal(relative(60));
      expect(x.skipRead).to.equal(false);
      expect(x.skipWrite).to.equal(false);
      const other = actionsFor(settings, {}, {}, { url: 'https://other.org/page' });
      expect(other.skipRead).to.equal(true);
      expect(other.skipWrite).to.equal(true);
    });

    it('readOnly skips only the write', () => {
      const a = actionsFor({ readOnly: true });
      expect(a.skipRead).to.equal(false);
      expect(a.skipWrite).to.equal(true);
      expect(a.writeCriteria['read only']).to.equal(true);
    });

    it('per-request options never show up as request headers (SPEC §4)', () => {
      const request = makeRequest({ accept: 'application/json' });
      requestActions(parseSettings({}), request, parseRequestOptions({ expireAfter: 60, refresh: true, onlyIfCached: true }), false);
      expect(request.headers).to.deep.equal({ accept: 'application/json' });
    });
  });

  describe('refresh', () => {
    it('is off for a plain request', () => {
      expect(actionsFor({ expireAfter: 60 }).refresh).to.equal(false);
    });

    it('is set by the refresh option', () => {
      expect(actionsFor({}, {}, { refresh: true }).refresh).to.equal(true);
      expect(actionsFor({}, {}, { refresh: false }).refresh).to.equal(false);
    });

    it('is set by request max-age=0 but not by another max-age', () => {
      expect(actionsFor({}, { 'cache-control': 'max-age=0' }).refresh).to.equal(true);
      expect(actionsFor({}, { 'cache-control': 'max-age=1' }).refresh).to.equal(false);
    });

    it('is set by request must-revalidate', () => {
      expect(actionsFor({}, { 'cache-control': 'must-revalidate' }).refresh).to.equal(true);
    });

    it('is set by a per-request expireAfter of 0 (and 0.5, the int(x) == 0 quirk), not by 60', () => {
      expect(actionsFor({}, {}, { expireAfter: EXPIRE_IMMEDIATELY }).refresh).to.equal(true);
      expect(actionsFor({}, {}, { expireAfter: 0.5 }).refresh).to.equal(true);
      expect(actionsFor({}, {}, { expireAfter: 60 }).refresh).to.equal(false);
    });

    it('is not set by a session expireAfter of 0 (upstream only refreshes on a request max-age=0)', () => {
      expect(actionsFor({ expireAfter: 0 }).refresh).to.equal(false);
    });
  });

  describe('method override headers (docs/behaviour.md §10.7)', () => {
    const settings = parseSettings({});

    for (const name of ['x-http-method-override', 'x-http-method', 'x-method-override']) {
      it(`a POST with ${name}: GET is allowed when only GET is`, () => {
        const headers: HeaderRecord = { [name]: 'GET' };
        expect(isMethodAllowed(settings, makeRequest(headers, 'POST'))).to.equal(true);
        const a = actionsFor({}, headers, {}, { method: 'POST' });
        expect(a.skipRead).to.equal(false);
        expect(a.skipWrite).to.equal(false);
      });
    }

    it('compares the override value case-insensitively, trimmed', () => {
      expect(isMethodAllowed(settings, makeRequest({ 'x-http-method-override': ' get ' }, 'POST'))).to.equal(true);
    });

    it('an override to a method that is not allowed does not help', () => {
      expect(isMethodAllowed(settings, makeRequest({ 'x-http-method-override': 'DELETE' }, 'POST'))).to.equal(false);
      expect(isMethodAllowed(settings, makeRequest({}, 'POST'))).to.equal(false);
    });

    it('an allowed method stays allowed whatever the override says', () => {
      expect(isMethodAllowed(settings, makeRequest({ 'x-http-method-override': 'DELETE' }, 'GET'))).to.equal(true);
    });
  });

  describe('onlyIfCached', () => {
    it('comes from the setting', () => {
      expect(actionsFor({ onlyIfCached: true }).onlyIfCached).to.equal(true);
    });

    it('comes from the request directive', () => {
      expect(actionsFor({}, { 'cache-control': 'only-if-cached' }).onlyIfCached).to.equal(true);
    });

    it('comes from the per-request option', () => {
      expect(actionsFor({}, {}, { onlyIfCached: true }).onlyIfCached).to.equal(true);
    });

    it('the per-request option wins over the setting and the directive', () => {
      expect(actionsFor({ onlyIfCached: true }, { 'cache-control': 'only-if-cached' }, { onlyIfCached: false }).onlyIfCached).to.equal(false);
    });
  });

  describe('staleIfError / staleWhileRevalidate', () => {
    it('come from the setting', () => {
      const a = actionsFor({ staleIfError: true, staleWhileRevalidate: 30 });
      expect(a.staleIfError).to.equal(Infinity);
      expect(a.staleWhileRevalidate).to.equal(30);
    });

    it('come from the request directives', () => {
      const a = actionsFor({}, { 'cache-control': 'stale-if-error=60, stale-while-revalidate=15' });
      expect(a.staleIfError).to.equal(60);
      expect(a.staleWhileRevalidate).to.equal(15);
    });

    it('a bare directive is unlimited', () => {
      const a = actionsFor({}, { 'cache-control': 'stale-if-error, stale-while-revalidate' });
      expect(a.staleIfError).to.equal(Infinity);
      expect(a.staleWhileRevalidate).to.equal(Infinity);
    });

    it('come from the per-request options, which win over directive and setting', () => {
      const a = actionsFor(
        { staleIfError: true, staleWhileRevalidate: true },
        { 'cache-control': 'stale-if-error=60, stale-while-revalidate=15' },
        { staleIfError: 5, staleWhileRevalidate: false },
      );
      expect(a.staleIfError).to.equal(5);
      expect(a.staleWhileRevalidate).to.equal(false);
    });
  });

  describe('max-stale / min-fresh', () => {
    it('are carried from the request Cache-Control', () => {
      const a = actionsFor({}, { 'cache-control': 'max-stale=15, min-fresh=5' });
      expect(a.maxStale).to.equal(15);
      expect(a.minFresh).to.equal(5);
    });

    it('a bare max-stale is unlimited', () => {
      expect(actionsFor({}, { 'cache-control': 'max-stale' }).maxStale).to.equal(Infinity);
    });

    it('neither skips the read', () => {
      const a = actionsFor({}, { 'cache-control': 'max-stale=15, min-fresh=5' });
      expect(a.skipRead).to.equal(false);
      expect(a.skipWrite).to.equal(false);
    });
  });

  it('reads the request Cache-Control even with cacheControl off (docs/behaviour.md §2.3)', () => {
    const a = actionsFor({ cacheControl: false }, { 'cache-control': 'no-store, max-age=30' });
    expect(a.skipRead).to.equal(true);
    expect(a.expiration).to.deep.equal(relative(30));
  });
});
