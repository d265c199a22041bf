import { expect } from 'chai';
import { DEFAULT_IGNORED_PARAMETERS, DO_NOT_CACHE, EXPIRE_IMMEDIATELY, NEVER_EXPIRE } from '../../src/constants.js';
import { parseRequestOptions, parseSettings, parseStaleAllowance } from '../../src/policy/settings.js';

/** Runs `fn` and returns what it threw, failing the test when it throws nothing. */
function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  expect.fail('expected an error to be thrown');
}

describe('policy/settings', () => {
  describe('parseSettings defaults', () => {
    const s = parseSettings({});

    it('never expires by default', () => {
      expect(s.expireAfter).to.deep.equal({ type: 'never' });
      expect(s.urlsExpireAfter).to.deep.equal([]);
    });

    it('writes only status 200 by default', () => {
      expect([...s.allowableCodes]).to.deep.equal([200]);
      expect(s.allowableCodes.has(404)).to.equal(false);
    });

    it('reads and writes only GET and HEAD by default', () => {
      expect([...s.allowableMethods].sort()).to.deep.equal(['GET', 'HEAD']);
      expect(s.allowableMethods.has('POST')).to.equal(false);
    });

    it("ignores nothing, and hashes requests-cache 1.3.2's default parameters plus Cookie", () => {
      expect([...s.ignoredParameters]).to.deep.equal([]);
      expect([...s.hashedParameters]).to.deep.equal([
        'Authorization',
        'Proxy-Authorization',
        'Cookie',
        'X-API-Key',
        'X-Auth-Token',
        'X-API-Token',
        'X-Access-Token',
        'access_token',
        'api_key',
        'apikey',
      ]);
    });

    it('has every boolean switch off and no callbacks', () => {
      expect(s.cacheControl).to.equal(false);
      expect(s.alwaysRevalidate).to.equal(false);
      expect(s.onlyIfCached).to.equal(false);
      expect(s.readOnly).to.equal(false);
      expect(s.matchHeaders).to.equal(false);
      expect(s.staleIfError).to.equal(false);
      expect(s.staleWhileRevalidate).to.equal(false);
      expect(s.contentRootKey).to.equal(undefined);
      expect(s.filterFn).to.equal(undefined);
      expect(s.keyFn).to.equal(undefined);
    });
  });

  describe('parseSettings option names', () => {
    it('throws a TypeError naming an unknown option (requests-cache silently drops it)', () => {
      const error = thrown(() => parseSettings({ expire_after: 60 }));
      expect(error).to.be.instanceOf(TypeError);
      expect(error.message).to.include("'expire_after'");
    });

    it('names the unknown option even among valid ones', () => {
      const error = thrown(() => parseSettings({ expireAfter: 60, staleIfErorr: true }));
      expect(error).to.be.instanceOf(TypeError);
      expect(error.message).to.include("'staleIfErorr'");
    });

    it('accepts the storage options (cacheName, backend, serializer) without complaint', () => {
      expect(() => parseSettings({ cacheName: 'x', backend: 'memory', serializer: 'json' })).not.to.throw();
    });

    it('rejects options that are not an object', () => {
      expect(() => parseSettings(null as unknown as Record<string, unknown>)).to.throw(TypeError, /cache options/);
      expect(() => parseSettings('fast' as unknown as Record<string, unknown>)).to.throw(TypeError, /'fast'/);
    });
  });

  describe('parseSettings expireAfter', () => {
    it('parses numbers, durations and the sentinels', () => {
      expect(parseSettings({ expireAfter: 60 }).expireAfter).to.deep.equal({ type: 'relative', seconds: 60 });
      expect(parseSettings({ expireAfter: '5m' }).expireAfter).to.deep.equal({ type: 'relative', seconds: 300 });
      expect(parseSettings({ expireAfter: EXPIRE_IMMEDIATELY }).expireAfter).to.deep.equal({ type: 'relative', seconds: 0 });
      expect(parseSettings({ expireAfter: NEVER_EXPIRE }).expireAfter).to.deep.equal({ type: 'never' });
      expect(parseSettings({ expireAfter: DO_NOT_CACHE }).expireAfter).to.deep.equal({ type: 'do-not-cache' });
    });

    it('throws a RangeError naming the option and the value for an unparsable string', () => {
      const error = thrown(() => parseSettings({ expireAfter: 'tomorrow' }));
      expect(error).to.be.instanceOf(RangeError);
      expect(error.message).to.include('expireAfter').and.to.include("'tomorrow'");
    });

    it('throws a TypeError naming the option and the value for a non-time object', () => {
      const error = thrown(() => parseSettings({ expireAfter: { hours: 1 } }));
      expect(error).to.be.instanceOf(TypeError);
      expect(error.message).to.include('expireAfter').and.to.include('{"hours":1}');
    });

    it('refuses a number in a string instead of reading it as EXPIRE_IMMEDIATELY', () => {
      const error = thrown(() => parseSettings({ expireAfter: '60' }));
      expect(error).to.be.instanceOf(RangeError);
      expect(error.message).to.include('expireAfter').and.to.include("'60'");
    });
  });

  describe('parseSettings allowableCodes', () => {
    it('replaces the default set', () => {
      const s = parseSettings({ allowableCodes: [200, 404] });
      expect([...s.allowableCodes].sort()).to.deep.equal([200, 404]);
      expect(s.allowableCodes.has(500)).to.equal(false);
    });

    it('accepts any iterable', () => {
      expect([...parseSettings({ allowableCodes: new Set([203]) }).allowableCodes]).to.deep.equal([203]);
    });

    it('throws a RangeError naming the option and the bad code', () => {
      for (const bad of ['404', 99, 1000, 200.5, NaN]) {
        const error = thrown(() => parseSettings({ allowableCodes: [200, bad] }));
        expect(error, String(bad)).to.be.instanceOf(RangeError);
        expect(error.message).to.include('allowableCodes');
        expect(error.message).to.include(typeof bad === 'string' ? `'${bad}'` : String(bad));
      }
    });

    it('throws a TypeError naming the option and the value when it is not a list', () => {
      const error = thrown(() => parseSettings({ allowableCodes: 200 }));
      expect(error).to.be.instanceOf(TypeError);
      expect(error.message).to.include('allowableCodes').and.to.include('200');
      expect(() => parseSettings({ allowableCodes: null })).to.throw(TypeError, /allowableCodes: null/);
    });
  });

  describe('parseSettings allowableMethods', () => {
    it('replaces the default and upper-cases the names', () => {
      const s = parseSettings({ allowableMethods: ['get', 'Post'] });
      expect([...s.allowableMethods].sort()).to.deep.equal(['GET', 'POST']);
      expect(s.allowableMethods.has('HEAD')).to.equal(false);
    });

    it('rejects a bare string and empty names, naming the option', () => {
      expect(() => parseSettings({ allowableMethods: 'GET' })).to.throw(TypeError, /allowableMethods: 'GET'/);
      expect(() => parseSettings({ allowableMethods: ['GET', ''] })).to.throw(TypeError, /allowableMethods/);
    });
  });

  describe('parseSettings urlsExpireAfter', () => {
    it('compiles the patterns in order with their expirations', () => {
      const s = parseSettings({ urlsExpireAfter: [['example.com/static', NEVER_EXPIRE], ['*', 60]] });
      expect(s.urlsExpireAfter.map((p) => p.source)).to.deep.equal(['example.com/static', '*']);
      expect(s.urlsExpireAfter.map((p) => p.expiration)).to.deep.equal([{ type: 'never' }, { type: 'relative', seconds: 60 }]);
    });

    it('throws a RangeError naming the option and a malformed glob', () => {
      const error = thrown(() => parseSettings({ urlsExpireAfter: { 'example.com/[abc': 60 } }));
      expect(error).to.be.instanceOf(RangeError);
      expect(error.message).to.include('urlsExpireAfter').and.to.include("'example.com/[abc'");
    });

    it('throws a RangeError naming the option, the pattern and a bad expiration', () => {
      const error = thrown(() => parseSettings({ urlsExpireAfter: { 'example.com': 'tomorrow' } }));
      expect(error).to.be.instanceOf(RangeError);
      expect(error.message).to.include("urlsExpireAfter['example.com']").and.to.include("'tomorrow'");
    });

    it('throws a TypeError for a value that is not a mapping', () => {
      expect(() => parseSettings({ urlsExpireAfter: 'example.com' })).to.throw(TypeError, /urlsExpireAfter/);
    });
  });

  describe('parseSettings matchHeaders', () => {
    it('accepts true, false and a list', () => {
      expect(parseSettings({ matchHeaders: true }).matchHeaders).to.equal(true);
      expect(parseSettings({ matchHeaders: false }).matchHeaders).to.equal(false);
      expect(parseSettings({ matchHeaders: ['Accept', 'Accept-Language'] }).matchHeaders).to.deep.equal(['Accept', 'Accept-Language']);
    });

    it('throws a TypeError naming the option and the value for a bare string', () => {
      const error = thrown(() => parseSettings({ matchHeaders: 'Accept' }));
      expect(error).to.be.instanceOf(TypeError);
      expect(error.message).to.include('matchHeaders').and.to.include("'Accept'");
    });

    it('throws a TypeError naming the bad item of a list', () => {
      const error = thrown(() => parseSettings({ matchHeaders: ['Accept', 42] }));
      expect(error).to.be.instanceOf(TypeError);
      expect(error.message).to.include('matchHeaders').and.to.include('42');
      expect(() => parseSettings({ matchHeaders: ['  '] })).to.throw(TypeError, /matchHeaders/);
      expect(() => parseSettings({ matchHeaders: 1 })).to.throw(TypeError, /matchHeaders: 1/);
    });
  });

  describe('parseSettings ignoredParameters', () => {
    it('replaces the defaults instead of extending them', () => {
      const s = parseSettings({ ignoredParameters: ['session_id'] });
      expect([...s.ignoredParameters]).to.deep.equal(['session_id']);
      expect(s.ignoredParameters).not.to.include('Authorization');
    });

    it('an empty list ignores nothing', () => {
      expect([...parseSettings({ ignoredParameters: [] }).ignoredParameters]).to.deep.equal([]);
    });

    it('rejects a bare string, naming the option', () => {
      expect(() => parseSettings({ ignoredParameters: 'token' })).to.throw(TypeError, /ignoredParameters: 'token'/);
    });

    it('does not let the defaults be changed through a parsed settings object', () => {
      const s = parseSettings({});
      expect(() => (s.ignoredParameters as string[]).push('x')).to.throw(TypeError);
      expect(DEFAULT_IGNORED_PARAMETERS).not.to.include('x');
    });
  });

  describe('parseSettings staleIfError / staleWhileRevalidate', () => {
    it('reads true as unlimited, false/null as none, and durations as seconds', () => {
      expect(parseSettings({ staleIfError: true }).staleIfError).to.equal(Infinity);
      expect(parseSettings({ staleIfError: false }).staleIfError).to.equal(false);
      expect(parseSettings({ staleIfError: null }).staleIfError).to.equal(false);
      expect(parseSettings({ staleIfError: 15 }).staleIfError).to.equal(15);
      expect(parseSettings({ staleIfError: '2m' }).staleIfError).to.equal(120);
      expect(parseSettings({ staleWhileRevalidate: true }).staleWhileRevalidate).to.equal(Infinity);
      expect(parseSettings({ staleWhileRevalidate: 30 }).staleWhileRevalidate).to.equal(30);
    });

    it('throws a RangeError naming the option and an unparsable value', () => {
      const error = thrown(() => parseSettings({ staleIfError: 'soon' }));
      expect(error).to.be.instanceOf(RangeError);
      expect(error.message).to.include('staleIfError').and.to.include("'soon'");
    });

    it('throws a RangeError for a negative staleness, naming the option and the value', () => {
      const error = thrown(() => parseSettings({ staleWhileRevalidate: -5 }));
      expect(error).to.be.instanceOf(RangeError);
      expect(error.message).to.include('staleWhileRevalidate').and.to.include('-5');
    });

    it('refuses an absolute date and DO_NOT_CACHE as a staleness', () => {
      expect(() => parseSettings({ staleIfError: new Date(Date.UTC(2030, 0, 1)) })).to.throw(RangeError, /staleIfError/);
      expect(() => parseSettings({ staleIfError: DO_NOT_CACHE })).to.throw(RangeError, /staleIfError/);
    });

    it('throws a TypeError naming the option for a non-time object', () => {
      expect(() => parseSettings({ staleIfError: { seconds: 5 } })).to.throw(TypeError, /staleIfError/);
    });

    it('parseStaleAllowance names the option it was given', () => {
      expect(() => parseStaleAllowance('later', 'cache.staleIfError')).to.throw(RangeError, /cache\.staleIfError: 'later'/);
      expect(parseStaleAllowance(undefined, 'x')).to.equal(false);
      expect(parseStaleAllowance(0, 'x')).to.equal(0);
    });
  });

  describe('parseSettings other options', () => {
    it('throws a TypeError naming a boolean option given a non-boolean', () => {
      expect(() => parseSettings({ cacheControl: 'yes' })).to.throw(TypeError, /cacheControl: 'yes'/);
      expect(() => parseSettings({ readOnly: 1 })).to.throw(TypeError, /readOnly: 1/);
      expect(() => parseSettings({ alwaysRevalidate: 'true' })).to.throw(TypeError, /alwaysRevalidate/);
      expect(() => parseSettings({ onlyIfCached: null })).to.throw(TypeError, /onlyIfCached/);
    });

    it('keeps the booleans it is given', () => {
      const s = parseSettings({ cacheControl: true, readOnly: true, alwaysRevalidate: true, onlyIfCached: true });
      expect([s.cacheControl, s.readOnly, s.alwaysRevalidate, s.onlyIfCached]).to.deep.equal([true, true, true, true]);
    });

    it('keeps the callbacks and rejects non-functions, naming the option', () => {
      const filterFn = () => true;
      const keyFn = () => 'k';
      const s = parseSettings({ filterFn, keyFn });
      expect(s.filterFn).to.equal(filterFn);
      expect(s.keyFn).to.equal(keyFn);
      expect(() => parseSettings({ filterFn: true })).to.throw(TypeError, /filterFn/);
      expect(() => parseSettings({ keyFn: 'sha256' })).to.throw(TypeError, /keyFn: 'sha256'/);
    });

    it('accepts a contentRootKey and rejects an empty or non-string one', () => {
      expect(parseSettings({ contentRootKey: 'data' }).contentRootKey).to.equal('data');
      expect(() => parseSettings({ contentRootKey: '' })).to.throw(TypeError, /contentRootKey/);
      expect(() => parseSettings({ contentRootKey: 3 })).to.throw(TypeError, /contentRootKey: 3/);
    });
  });

  describe('parseRequestOptions', () => {
    it('reads undefined, null and true as "no per-request options"', () => {
      expect(parseRequestOptions(undefined)).to.deep.equal({});
      expect(parseRequestOptions(null)).to.deep.equal({});
      expect(parseRequestOptions(true)).to.deep.equal({});
    });

    it('leaves options that were not given undefined, so the settings apply', () => {
      const o = parseRequestOptions({});
      expect(Object.keys(o)).to.deep.equal([]);
    });

    it('parses each option', () => {
      expect(parseRequestOptions({ expireAfter: 60, refresh: true, forceRefresh: false, onlyIfCached: true })).to.deep.equal({
        expireAfter: { type: 'relative', seconds: 60 },
        refresh: true,
        forceRefresh: false,
        onlyIfCached: true,
      });
      expect(parseRequestOptions({ expireAfter: DO_NOT_CACHE }).expireAfter).to.deep.equal({ type: 'do-not-cache' });
      expect(parseRequestOptions({ expireAfter: NEVER_EXPIRE }).expireAfter).to.deep.equal({ type: 'never' });
      expect(parseRequestOptions({ expireAfter: 0 }).expireAfter).to.deep.equal({ type: 'relative', seconds: 0 });
      expect(parseRequestOptions({ staleIfError: true, staleWhileRevalidate: '10s' })).to.deep.equal({
        staleIfError: Infinity,
        staleWhileRevalidate: 10,
      });
    });

    it('keeps an explicit false so it can override a setting', () => {
      expect(parseRequestOptions({ onlyIfCached: false, staleIfError: false })).to.deep.equal({ onlyIfCached: false, staleIfError: false });
    });

    it('throws a TypeError naming an unknown request option', () => {
      const error = thrown(() => parseRequestOptions({ expire_after: 60 }));
      expect(error).to.be.instanceOf(TypeError);
      expect(error.message).to.include("'expire_after'");
    });

    it('rejects session-only options per request, naming them', () => {
      expect(() => parseRequestOptions({ cacheControl: true })).to.throw(TypeError, /'cacheControl'/);
      expect(() => parseRequestOptions({ readOnly: true })).to.throw(TypeError, /'readOnly'/);
    });

    it("rejects expireAfter='tomorrow' at request time with a RangeError (upstream ValueError, docs/behaviour.md §10.22)", () => {
      const error = thrown(() => parseRequestOptions({ expireAfter: 'tomorrow' }));
      expect(error).to.be.instanceOf(RangeError);
      expect(error.message).to.include('cache.expireAfter').and.to.include("'tomorrow'");
    });

    it('rejects a non-time expireAfter at request time with a TypeError (docs/behaviour.md §10.22)', () => {
      const error = thrown(() => parseRequestOptions({ expireAfter: { days: 1 } }));
      expect(error).to.be.instanceOf(TypeError);
      expect(error.message).to.include('cache.expireAfter').and.to.include('{"days":1}');
      expect(() => parseRequestOptions({ expireAfter: [60] })).to.throw(TypeError, /cache\.expireAfter/);
    });

    it('names the request option for a bad boolean or staleness', () => {
      expect(() => parseRequestOptions({ refresh: 'yes' })).to.throw(TypeError, /cache\.refresh: 'yes'/);
      expect(() => parseRequestOptions({ forceRefresh: 1 })).to.throw(TypeError, /cache\.forceRefresh: 1/);
      expect(() => parseRequestOptions({ onlyIfCached: 'no' })).to.throw(TypeError, /cache\.onlyIfCached/);
      expect(() => parseRequestOptions({ staleIfError: -1.5 })).to.throw(RangeError, /cache\.staleIfError/);
      expect(() => parseRequestOptions({ staleWhileRevalidate: 'later' })).to.throw(RangeError, /cache\.staleWhileRevalidate: 'later'/);
    });

    it('rejects a cache value that is neither an object nor a boolean', () => {
      expect(() => parseRequestOptions('no-store')).to.throw(TypeError, /'no-store'/);
      expect(() => parseRequestOptions(60)).to.throw(TypeError, /60/);
    });
  });
});
