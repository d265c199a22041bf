import { expect } from 'chai';
import { hasDirectives, parseCacheControl } from '../../src/policy/directives.js';

describe('policy/directives', () => {
  describe('parseCacheControl', () => {
    it('gives no directives for a missing or empty header', () => {
      expect(parseCacheControl(undefined)).to.deep.equal({});
      expect(parseCacheControl('')).to.deep.equal({});
      expect(parseCacheControl(' , ,, ')).to.deep.equal({});
    });

    it('reads numeric directives as integers', () => {
      expect(
        parseCacheControl('max-age=60, max-stale=15, min-fresh=5, stale-if-error=30, stale-while-revalidate=10'),
      ).to.deep.equal({ maxAge: 60, maxStale: 15, minFresh: 5, staleIfError: 30, staleWhileRevalidate: 10 });
    });

    it('keeps zero values', () => {
      expect(parseCacheControl('max-age=0, stale-if-error=0')).to.deep.equal({ maxAge: 0, staleIfError: 0 });
    });

    it('reads every flag', () => {
      expect(parseCacheControl('no-cache, no-store, only-if-cached, must-revalidate, immutable')).to.deep.equal({
        noCache: true,
        noStore: true,
        onlyIfCached: true,
        mustRevalidate: true,
        immutable: true,
      });
    });

    it('ignores case and surrounding whitespace', () => {
      expect(parseCacheControl('  Max-Age=60 ,NO-CACHE,   Immutable  ')).to.deep.equal({
        maxAge: 60,
        noCache: true,
        immutable: true,
      });
      expect(parseCacheControl('max-age = 60')).to.deep.equal({ maxAge: 60 });
    });

    it('tolerates quoted digits', () => {
      expect(parseCacheControl('max-age="60", min-fresh="5"')).to.deep.equal({ maxAge: 60, minFresh: 5 });
    });

    it('ignores invalid numeric values', () => {
      for (const value of ['abc', '-1', '1.5', '', '+5', '1e3', '""', '0x10', '"60']) {
        expect(parseCacheControl(`max-age=${value}, no-store`), value).to.deep.equal({ noStore: true });
      }
    });

    it('ignores a bare max-age or min-fresh, which need a value', () => {
      expect(parseCacheControl('max-age, min-fresh, no-cache')).to.deep.equal({ noCache: true });
    });

    it('fixes requests-cache: a bare max-stale accepts any staleness (Infinity), not 1 second', () => {
      expect(parseCacheControl('max-stale')).to.deep.equal({ maxStale: Infinity });
      expect(parseCacheControl('MAX-STALE, no-cache').maxStale).to.equal(Infinity);
    });

    it('reads a bare stale-if-error or stale-while-revalidate as no limit (Infinity)', () => {
      expect(parseCacheControl('stale-if-error, stale-while-revalidate')).to.deep.equal({
        staleIfError: Infinity,
        staleWhileRevalidate: Infinity,
      });
    });

    it('counts no-cache with a field list as no-cache, without splitting the quoted list', () => {
      expect(parseCacheControl('no-cache="set-cookie"')).to.deep.equal({ noCache: true });
      expect(parseCacheControl('no-cache="set-cookie, max-age=5", max-age=60')).to.deep.equal({
        noCache: true,
        maxAge: 60,
      });
    });

    it('honours quoted-pair escapes inside quoted strings', () => {
      expect(parseCacheControl('no-cache="a\\", no-store", max-age=5')).to.deep.equal({ noCache: true, maxAge: 5 });
    });

    it('keeps later directives after an unclosed quote', () => {
      expect(parseCacheControl('no-cache="set-cookie, no-store')).to.deep.equal({ noCache: true, noStore: true });
    });

    it('uses the first occurrence of a duplicated directive (RFC 9111 §4.2.1)', () => {
      expect(parseCacheControl('max-age=5, max-age=10')).to.deep.equal({ maxAge: 5 });
      expect(parseCacheControl('max-age=10, MAX-AGE=5')).to.deep.equal({ maxAge: 10 });
      expect(parseCacheControl('max-stale, max-stale=5')).to.deep.equal({ maxStale: Infinity });
    });

    it('does not fall back to a later duplicate when the first one is invalid', () => {
      expect(parseCacheControl('max-age=abc, max-age=10')).to.deep.equal({});
      expect(parseCacheControl('max-age, max-age=10')).to.deep.equal({});
    });

    it('ignores directives it does not act on', () => {
      expect(
        parseCacheControl('private, public, s-maxage=5, no-transform, proxy-revalidate, x-custom="a,b", foo=bar'),
      ).to.deep.equal({});
    });

    it('caps huge delta-seconds at 2^31 (RFC 9111 §1.2.2)', () => {
      expect(parseCacheControl('max-age=99999999999999999999').maxAge).to.equal(2 ** 31);
      expect(parseCacheControl('max-age=2147483647').maxAge).to.equal(2147483647);
    });

    it('never throws, even on input that is not a string', () => {
      expect(parseCacheControl(42 as unknown as string)).to.deep.equal({});
      expect(parseCacheControl(['max-age=5'] as unknown as string)).to.deep.equal({});
      expect(() => parseCacheControl('=, ="", max-age="\\')).not.to.throw();
    });
  });

  describe('hasDirectives', () => {
    it('is false when nothing was recognised', () => {
      expect(hasDirectives({})).to.equal(false);
      expect(hasDirectives(parseCacheControl('private, s-maxage=5'))).to.equal(false);
    });

    it('is true for any recognised directive, including a zero value', () => {
      expect(hasDirectives(parseCacheControl('max-age=0'))).to.equal(true);
      expect(hasDirectives(parseCacheControl('no-store'))).to.equal(true);
    });
  });

  describe("strict parsing (the RFC modes, RFC 9111 §5.2 grammar)", () => {
    const strict = (value: string) => parseCacheControl(value, { strict: true });

    it('drops a directive with whitespace around "=", or an empty argument', () => {
      expect(strict('max-age =5')).to.deep.equal({});
      expect(strict('max-age= 5')).to.deep.equal({});
      expect(strict('max-age=')).to.deep.equal({});
      expect(parseCacheControl('max-age =5')).to.deep.equal({ maxAge: 5 });
    });

    it('reads the shared-cache directives and qualified field lists', () => {
      expect(strict('public, s-maxage=5, proxy-revalidate, must-understand')).to.deep.equal({ public: true, sMaxAge: 5, proxyRevalidate: true, mustUnderstand: true });
      expect(strict('no-cache="Set-Cookie, X-A", private="x-b"')).to.deep.equal({ noCache: true, noCacheFields: ['set-cookie', 'x-a'], private: true, privateFields: ['x-b'] });
    });

    it('keeps the first of duplicates even when it is the malformed one', () => {
      expect(strict('max-age =5, max-age=10')).to.deep.equal({});
    });
  });
});
