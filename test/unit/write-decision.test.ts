import { expect } from 'chai';
import { DO_NOT_CACHE, EXPIRE_IMMEDIATELY } from '../../src/constants.js';
import { decideWrite, effectiveExpiration, type WriteDecision } from '../../src/policy/write-decision.js';
import { parseSettings } from '../../src/policy/settings.js';
import type { HeaderRecord, StoredHeaders } from '../../src/policy/types.js';
import { NOW, actionsFor, at } from '../support/entries.js';

const ETAG = '"v1"';
const LAST_MODIFIED = 'Wed, 31 Dec 2025 12:00:00 GMT';
/** An HTTP date one hour after NOW (2026-01-01T12:00:00Z). */
const IN_ONE_HOUR = 'Thu, 01 Jan 2026 13:00:00 GMT';
const AN_HOUR_AGO = 'Thu, 01 Jan 2026 11:00:00 GMT';

interface Scenario {
  settings?: Record<string, unknown>;
  requestHeaders?: HeaderRecord;
  options?: Record<string, unknown>;
  status?: number;
  passesFilter?: boolean;
}

/** decideWrite for a response with these headers, at NOW. */
function write(headers: StoredHeaders = {}, s: Scenario = {}): WriteDecision {
  const settingsOptions = s.settings ?? {};
  return decideWrite(
    parseSettings(settingsOptions),
    actionsFor(settingsOptions, s.requestHeaders ?? {}, s.options ?? {}),
    { status: s.status ?? 200, headers, passesFilter: s.passesFilter ?? true },
    NOW,
  );
}

const cc = { cacheControl: true };

describe('policy/write-decision', () => {
  describe('write criteria (docs/behaviour.md §1)', () => {
    it('writes a 200 that never expires by default', () => {
      const d = write();
      expect(d.write).to.equal(true);
      expect(d.expires).to.equal(null);
      expect(Object.entries(d.criteria).filter(([, on]) => on)).to.deep.equal([]);
    });

    it('writes with the session expiration', () => {
      expect(write({}, { settings: { expireAfter: 60 } })).to.deep.include({ write: true, expires: at(60) });
    });

    it('does not write a status outside allowableCodes (docs/behaviour.md §10.8)', () => {
      const d = write({}, { status: 404 });
      expect(d.write).to.equal(false);
      expect(d.criteria['disabled status']).to.equal(true);
    });

    it('with allowableCodes [200, 404] writes a 404 but not a 500', () => {
      const settings = { allowableCodes: [200, 404] };
      expect(write({}, { settings, status: 404 }).write).to.equal(true);
      expect(write({}, { settings, status: 500 }).write).to.equal(false);
    });

    it('does not write when the filter says no', () => {
      const d = write({}, { passesFilter: false });
      expect(d.write).to.equal(false);
      expect(d.criteria['disabled by filter']).to.equal(true);
    });

    it('does not write with readOnly, request no-store, a disabled method or DO_NOT_CACHE', () => {
      expect(write({}, { settings: { readOnly: true } }).write).to.equal(false);
      expect(write({}, { requestHeaders: { 'cache-control': 'no-store' } }).write).to.equal(false);
      expect(write({}, { settings: { expireAfter: DO_NOT_CACHE } }).write).to.equal(false);
      expect(write({}, { options: { expireAfter: DO_NOT_CACHE } }).write).to.equal(false);
      const settings = parseSettings({});
      const post = decideWrite(
        settings,
        actionsFor({}, {}, {}, { method: 'POST' }),
        { status: 200, headers: {}, passesFilter: true },
        NOW,
      );
      expect(post.write).to.equal(false);
    });

    it('still writes after request no-cache or forceRefresh (only the read is skipped)', () => {
      expect(write({}, { requestHeaders: { 'cache-control': 'no-cache' } }).write).to.equal(true);
      expect(write({}, { options: { forceRefresh: true } }).write).to.equal(true);
    });

    it('DO_NOT_CACHE is not overridden by a response max-age with cacheControl', () => {
      expect(write({ 'cache-control': 'max-age=60' }, { settings: { ...cc, expireAfter: DO_NOT_CACHE } }).write).to.equal(false);
    });

    it('writes a negative expiration already expired (docs/behaviour.md §1)', () => {
      expect(write({}, { settings: { expireAfter: -30 } })).to.deep.include({ write: true, expires: at(-30) });
    });
  });

  describe('EXPIRE_IMMEDIATELY (docs/behaviour.md §10.21)', () => {
    it('is not written without a validator', () => {
      const d = write({}, { settings: { expireAfter: EXPIRE_IMMEDIATELY } });
      expect(d.write).to.equal(false);
      expect(d.criteria['expire immediately without validator']).to.equal(true);
    });

    it('is written with an ETag, expiring now', () => {
      expect(write({ etag: ETAG }, { settings: { expireAfter: EXPIRE_IMMEDIATELY } })).to.deep.include({ write: true, expires: NOW });
    });

    it('is written with Last-Modified, expiring now', () => {
      expect(write({ 'last-modified': LAST_MODIFIED }, { options: { expireAfter: 0 } })).to.deep.include({ write: true, expires: NOW });
    });

    it('a setting of 0.5 or -0.5 expires now (int(x) == 0) but is written even without a validator (upstream compares with the integer 0)', () => {
      expect(write({}, { settings: { expireAfter: 0.5 } })).to.deep.include({ write: true, expires: NOW });
      expect(write({}, { settings: { expireAfter: -0.5 } })).to.deep.include({ write: true, expires: NOW });
      expect(write({}, { settings: { urlsExpireAfter: { 'example.com': 0.5 } } })).to.deep.include({ write: true, expires: NOW });
      expect(write({ etag: ETAG }, { settings: { expireAfter: 0.5 } })).to.deep.include({ write: true, expires: NOW });
    });

    it('a per-request 0.5 or -0.5 is upstream\'s max-age=0: written only with a validator', () => {
      expect(write({}, { options: { expireAfter: 0.5 } }).write).to.equal(false);
      expect(write({}, { options: { expireAfter: -0.5 } }).write).to.equal(false);
      expect(write({ etag: ETAG }, { options: { expireAfter: 0.5 } })).to.deep.include({ write: true, expires: NOW });
    });

    it('a request max-age=0 behaves the same', () => {
      expect(write({}, { requestHeaders: { 'cache-control': 'max-age=0' } }).write).to.equal(false);
      expect(write({ etag: ETAG }, { requestHeaders: { 'cache-control': 'max-age=0' } })).to.deep.include({ write: true, expires: NOW });
    });
  });

  describe('response headers with cacheControl (docs/behaviour.md §10.35)', () => {
    it('response max-age beats a request max-age', () => {
      const d = write({ 'cache-control': 'max-age=60' }, { settings: cc, requestHeaders: { 'cache-control': 'max-age=360' } });
      expect(d).to.deep.include({ write: true, expires: at(60) });
    });

    it('response max-age beats per-request, URL and session expirations', () => {
      const settings = { ...cc, expireAfter: 3600, urlsExpireAfter: { '*': 7200 } };
      expect(write({ 'cache-control': 'max-age=60' }, { settings }).expires).to.equal(at(60));
      expect(write({ 'cache-control': 'max-age=60' }, { settings, options: { expireAfter: 10 } }).expires).to.equal(at(60));
    });

    it('immutable means never, even with a max-age', () => {
      const d = write({ 'cache-control': 'max-age=60, immutable' }, { settings: { ...cc, expireAfter: 30 } });
      expect(d).to.deep.include({ write: true, expires: null });
    });

    it('no-store means not written', () => {
      const d = write({ 'cache-control': 'no-store' }, { settings: cc });
      expect(d.write).to.equal(false);
      expect(d.criteria['response no-store']).to.equal(true);
    });

    it('no-cache is still written (it forces revalidation on use instead)', () => {
      expect(write({ 'cache-control': 'no-cache' }, { settings: { ...cc, expireAfter: 60 } })).to.deep.include({
        write: true,
        expires: at(60),
      });
    });

    it('Expires with an HTTP date sets the expiry, future or past', () => {
      expect(write({ expires: IN_ONE_HOUR }, { settings: cc })).to.deep.include({ write: true, expires: at(3600) });
      expect(write({ expires: AN_HOUR_AGO }, { settings: cc })).to.deep.include({ write: true, expires: at(-3600) });
    });

    it('max-age beats Expires', () => {
      expect(write({ 'cache-control': 'max-age=60', expires: IN_ONE_HOUR }, { settings: cc }).expires).to.equal(at(60));
    });

    it('Expires: 0 and -1 are written, expired now, even without a validator', () => {
      expect(write({ expires: '0' }, { settings: cc })).to.deep.include({ write: true, expires: NOW });
      expect(write({ expires: '-1' }, { settings: cc })).to.deep.include({ write: true, expires: NOW });
    });

    it('max-age=0 with a validator is written expired now; without one it is not written', () => {
      expect(write({ 'cache-control': 'max-age=0', etag: ETAG }, { settings: cc })).to.deep.include({ write: true, expires: NOW });
      expect(write({ 'cache-control': 'max-age=0' }, { settings: { ...cc, expireAfter: 60 } }).write).to.equal(false);
    });

    it('fixes requests-cache BUG: an invalid Expires header means expired now and never throws', () => {
      let d: WriteDecision | undefined;
      expect(() => {
        d = write({ expires: 'next tuesday' }, { settings: { ...cc, expireAfter: 60 } });
      }).not.to.throw();
      expect(d).to.deep.include({ write: true, expires: NOW });
    });
  });

  describe('response headers without cacheControl', () => {
    it('are ignored: a request max-age applies', () => {
      const d = write({ 'cache-control': 'max-age=60' }, { requestHeaders: { 'cache-control': 'max-age=360' } });
      expect(d).to.deep.include({ write: true, expires: at(360) });
    });

    it('ignore immutable and Expires, and no-store only with ignoreResponseNoStore', () => {
      const settings = { expireAfter: 30 };
      expect(write({ 'cache-control': 'no-store' }, { settings: { ...settings, ignoreResponseNoStore: true } })).to.deep.include({ write: true, expires: at(30) });
      expect(write({ 'cache-control': 'immutable' }, { settings }).expires).to.equal(at(30));
      expect(write({ expires: 'garbage' }, { settings }).expires).to.equal(at(30));
      expect(write({ expires: '0' }, { settings }).expires).to.equal(at(30));
    });
  });

  describe('effectiveExpiration', () => {
    const settingsCc = parseSettings(cc);
    const actions = actionsFor({ ...cc, expireAfter: 30 });

    it('returns the typed expiration from the response headers', () => {
      expect(effectiveExpiration(settingsCc, actions, { 'cache-control': 'max-age=90' }, NOW)).to.deep.equal({ type: 'relative', seconds: 90 });
      expect(effectiveExpiration(settingsCc, actions, { 'cache-control': 'immutable' }, NOW)).to.deep.equal({ type: 'never' });
      expect(effectiveExpiration(settingsCc, actions, { expires: IN_ONE_HOUR }, NOW)).to.deep.equal({ type: 'absolute', at: at(3600) });
    });

    it('falls back to the request actions when the response says nothing', () => {
      expect(effectiveExpiration(settingsCc, actions, {}, NOW)).to.deep.equal({ type: 'relative', seconds: 30 });
      expect(effectiveExpiration(settingsCc, actions, { 'cache-control': 'public' }, NOW)).to.deep.equal({ type: 'relative', seconds: 30 });
    });

    it('ignores the response headers without cacheControl', () => {
      expect(effectiveExpiration(parseSettings({}), actions, { 'cache-control': 'max-age=90' }, NOW)).to.deep.equal({
        type: 'relative',
        seconds: 30,
      });
    });
  });
});
