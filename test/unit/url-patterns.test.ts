import { expect } from 'chai';
import { DO_NOT_CACHE } from '../../src/constants.js';
import { compileUrlPatterns, findUrlPattern, compileGlob } from '../../src/policy/url-patterns.js';
import type { UrlsExpireAfter } from '../../src/policy/url-patterns.js';
import type { Expiration } from '../../src/policy/types.js';

/** The expiration the first matching pattern gives `url`, or undefined when none matches. */
function expirationFor(input: UrlsExpireAfter, url: string): Expiration | undefined {
  return findUrlPattern(url, compileUrlPatterns(input))?.expiration;
}

/** Whether a single glob or RegExp pattern matches `url`. */
function matches(pattern: string | RegExp, url: string): boolean {
  return compileUrlPatterns([[pattern, 60]])[0]!.matches(url);
}

describe('policy/url-patterns', () => {
  describe('compileGlob (fnmatch translation)', () => {
    it('lets * match any characters, including /, and nothing', () => {
      const re = compileGlob('a*b');
      expect(re.test('a/x/y/b')).to.equal(true);
      expect(re.test('ab')).to.equal(true);
      expect(compileGlob('a**b').test('a/x/b')).to.equal(true);
    });

    it('is anchored at both ends', () => {
      expect(compileGlob('a*b').test('a/x/bc')).to.equal(false);
      expect(compileGlob('a*b').test('xa/b')).to.equal(false);
      expect(compileGlob('abc').test('abc\n')).to.equal(false);
    });

    it('lets ? match exactly one character', () => {
      const re = compileGlob('a?c');
      expect(re.test('abc')).to.equal(true);
      expect(re.test('a/c')).to.equal(true);
      expect(re.test('ac')).to.equal(false);
      expect(re.test('abbc')).to.equal(false);
    });

    it('supports [seq], [!seq] and ranges', () => {
      expect(compileGlob('v[12]').test('v1')).to.equal(true);
      expect(compileGlob('v[12]').test('v3')).to.equal(false);
      expect(compileGlob('v[!12]').test('v3')).to.equal(true);
      expect(compileGlob('v[!12]').test('v1')).to.equal(false);
      expect(compileGlob('v[0-9]').test('v7')).to.equal(true);
      expect(compileGlob('v[0-9]').test('vx')).to.equal(false);
    });

    it('reads ] first in a class, and - at either end, as members', () => {
      expect(compileGlob('[]]').test(']')).to.equal(true);
      expect(compileGlob('[!]]').test(']')).to.equal(false);
      expect(compileGlob('[!]]').test('a')).to.equal(true);
      expect(compileGlob('[a-]').test('-')).to.equal(true);
      expect(compileGlob('[-a]').test('-')).to.equal(true);
      expect(compileGlob('[a-]').test('b')).to.equal(false);
      expect(compileGlob('[^a]').test('^')).to.equal(true);
      expect(compileGlob('[^a]').test('b')).to.equal(false);
    });

    it('treats everything else literally, with no braces or extglobs', () => {
      expect(compileGlob('a.b').test('aXb')).to.equal(false);
      expect(compileGlob('a.b').test('a.b')).to.equal(true);
      expect(compileGlob('a+b').test('a+b')).to.equal(true);
      expect(compileGlob('a+b').test('aab')).to.equal(false);
      expect(compileGlob('{a,b}').test('a')).to.equal(false);
      expect(compileGlob('{a,b}').test('{a,b}')).to.equal(true);
      expect(compileGlob('+(a)').test('+(a)')).to.equal(true);
      expect(compileGlob('a\\*').test('a\\xyz')).to.equal(true);
      expect(compileGlob('^$|').test('^$|')).to.equal(true);
    });

    it('is case-sensitive', () => {
      expect(compileGlob('ABC').test('abc')).to.equal(false);
    });

    it('throws a RangeError for an unclosed or empty class and a reversed range', () => {
      for (const glob of ['site.com/[abc', 'a[!', '[]', '[!]', 'v[9-0]']) {
        expect(() => compileGlob(glob), glob).to.throw(RangeError, 'Malformed glob');
      }
    });
  });

  describe('glob patterns (upstream examples, docs/behaviour.md §2.2)', () => {
    it("matches as a prefix: 'site_2.com/resource_1' also matches resource_10", () => {
      expect(matches('site_2.com/resource_1', 'https://site_2.com/resource_1')).to.equal(true);
      expect(matches('site_2.com/resource_1', 'https://site_2.com/resource_10')).to.equal(true);
      expect(matches('site_2.com/resource_1', 'https://site_2.com/resource_2')).to.equal(false);
    });

    it("matches '*.site_1.com' on subdomains but not on the bare domain", () => {
      expect(matches('*.site_1.com', 'https://img.site_1.com/base/img.jpg')).to.equal(true);
      expect(matches('*.site_1.com', 'https://site_1.com/x')).to.equal(false);
    });

    it("matches everything with '*'", () => {
      expect(matches('*', 'https://anything.example/at/all?x=1')).to.equal(true);
      expect(matches('*', 'http://a')).to.equal(true);
    });

    it("matches 'httpbin.org/delay' on 'https://httpbin.org/delay/1' (where micromatch fails)", () => {
      expect(matches('httpbin.org/delay', 'https://httpbin.org/delay/1')).to.equal(true);
    });

    it('drops the scheme from both the pattern and the URL', () => {
      expect(matches('https://httpbin.org/get', 'http://httpbin.org/get?a=1')).to.equal(true);
      expect(matches('httpbin.org', 'https://httpbin.org/')).to.equal(true);
      expect(matches('httpbin.org', 'httpbin.org/')).to.equal(true);
    });

    it('anchors at the start of the scheme-less URL', () => {
      expect(matches('example.com', 'https://www.example.com/')).to.equal(false);
      expect(matches('example.com', 'https://example.com.evil.net/')).to.equal(true);
    });

    it('strips trailing stars from the pattern before adding its own', () => {
      expect(matches('site.com/*', 'https://site.com/')).to.equal(true);
      expect(matches('site.com/**', 'https://site.com/a/b')).to.equal(true);
      expect(matches('site.com/*', 'https://site.com')).to.equal(false);
    });

    it('includes the query string in the matched text', () => {
      expect(matches('site.com/search?q=cats', 'https://site.com/search?q=cats&page=2')).to.equal(true);
      expect(matches('site.com/search?q=cats', 'https://site.com/search?q=dogs')).to.equal(false);
      expect(matches('site.com/*?debug=1', 'https://site.com/a/b?debug=1')).to.equal(true);
    });

    it('is case-sensitive on the path', () => {
      expect(matches('site.com/Path', 'https://site.com/path')).to.equal(false);
    });

    it('supports character classes in patterns', () => {
      expect(matches('site.com/v[12]/', 'https://site.com/v2/users')).to.equal(true);
      expect(matches('site.com/v[12]/', 'https://site.com/v3/users')).to.equal(false);
    });
  });

  describe('RegExp patterns', () => {
    it('are searched, unanchored, on the full URL with query', () => {
      expect(matches(/\/api\/v\d+\//, 'https://x.com/api/v2/users?a=1')).to.equal(true);
      expect(matches(/\/api\/v\d+\//, 'https://x.com/api/latest/users')).to.equal(false);
      expect(matches(/a=1$/, 'https://x.com/api/v2/users?a=1')).to.equal(true);
    });

    it('see the scheme, unlike globs', () => {
      expect(matches(/^https:/, 'https://x.com/')).to.equal(true);
      expect(matches(/^https:/, 'http://x.com/')).to.equal(false);
    });

    it('keep their other flags', () => {
      expect(matches(/\/API\//i, 'https://x.com/api/v1')).to.equal(true);
    });

    it('are stateless even with the g flag', () => {
      const pattern = compileUrlPatterns([[/api/g, 60]])[0]!;
      expect(pattern.matches('https://x.com/api')).to.equal(true);
      expect(pattern.matches('https://x.com/api')).to.equal(true);
      expect(pattern.matches('https://x.com/api')).to.equal(true);
    });

    it('search the whole URL even with the y flag', () => {
      expect(matches(/api/y, 'https://x.com/api')).to.equal(true);
    });

    it('keep the original RegExp as the source', () => {
      const re = /api/g;
      const [pattern] = compileUrlPatterns(new Map([[re, 60]]));
      expect(pattern!.source).to.equal(re);
      pattern!.matches('https://x.com/api');
      expect(re.lastIndex).to.equal(0);
    });
  });

  describe('compileUrlPatterns', () => {
    it('parses each expiration', () => {
      const patterns = compileUrlPatterns({ 'a.com': 60, 'b.com': '5m', 'c.com': null, 'd.com': DO_NOT_CACHE });
      expect(patterns.map((p) => p.source)).to.deep.equal(['a.com', 'b.com', 'c.com', 'd.com']);
      expect(patterns.map((p) => p.expiration)).to.deep.equal([
        { type: 'relative', seconds: 60 },
        { type: 'relative', seconds: 300 },
        { type: 'never' },
        { type: 'do-not-cache' },
      ]);
    });

    it('reads undefined and null as no patterns', () => {
      expect(compileUrlPatterns(undefined)).to.deep.equal([]);
      expect(compileUrlPatterns(null)).to.deep.equal([]);
      expect(compileUrlPatterns({})).to.deep.equal([]);
    });

    it('lets the first match win: {X: 60, "*": DO_NOT_CACHE} caches only X', () => {
      const input = { 'site_1.com': 60, '*': DO_NOT_CACHE };
      expect(expirationFor(input, 'https://site_1.com/a')).to.deep.equal({ type: 'relative', seconds: 60 });
      expect(expirationFor(input, 'https://site_2.com/a')).to.deep.equal({ type: 'do-not-cache' });
      const reversed = { '*': DO_NOT_CACHE, 'site_1.com': 60 };
      expect(expirationFor(reversed, 'https://site_1.com/a')).to.deep.equal({ type: 'do-not-cache' });
    });

    it('keeps Map order even with integer-like keys (a plain object would reorder them)', () => {
      const map = new Map<string, number>([
        ['10', 120],
        ['1', 60],
      ]);
      expect(expirationFor(map, 'http://10.0.0.1/x')).to.deep.equal({ type: 'relative', seconds: 120 });
      // The same entries as an object: JS puts '1' before '10', so '1' wins. This is why Map exists here.
      expect(expirationFor({ '10': 120, '1': 60 }, 'http://10.0.0.1/x')).to.deep.equal({
        type: 'relative',
        seconds: 60,
      });
    });

    it('keeps array order, and accepts RegExp keys there and in a Map', () => {
      const pairs: UrlsExpireAfter = [
        ['10', 120],
        [/\/api\//, 30],
        ['1', 60],
      ];
      expect(expirationFor(pairs, 'http://10.0.0.1/api/x')).to.deep.equal({ type: 'relative', seconds: 120 });
      expect(expirationFor(pairs, 'http://1.2.3.4/api/x')).to.deep.equal({ type: 'relative', seconds: 30 });
      expect(expirationFor(pairs, 'http://1.2.3.4/x')).to.deep.equal({ type: 'relative', seconds: 60 });
      expect(expirationFor(new Map([[/x/, 5]]), 'http://a/x')).to.deep.equal({ type: 'relative', seconds: 5 });
    });

    it('rejects an input that is not an object, Map or array with a TypeError', () => {
      for (const input of ['a.com', 42, true, new Set(['a.com']), new Date(), /a/]) {
        expect(() => compileUrlPatterns(input), String(input)).to.throw(TypeError, 'Invalid urlsExpireAfter');
      }
    });

    it('rejects array items that are not pairs with a TypeError', () => {
      expect(() => compileUrlPatterns([['a.com']])).to.throw(TypeError, 'urlsExpireAfter[0]');
      expect(() => compileUrlPatterns(['a.com'])).to.throw(TypeError, 'urlsExpireAfter[0]');
      expect(() => compileUrlPatterns([['a.com', 1, 2]])).to.throw(TypeError);
    });

    it('rejects keys that are neither strings nor RegExps with a TypeError', () => {
      expect(() => compileUrlPatterns(new Map<unknown, number>([[42, 60]]))).to.throw(
        TypeError,
        'Invalid urlsExpireAfter pattern',
      );
      expect(() => compileUrlPatterns([[null, 60]])).to.throw(TypeError, 'Invalid urlsExpireAfter pattern');
    });

    it('rejects empty and blank patterns with a RangeError', () => {
      expect(() => compileUrlPatterns({ '': 60 })).to.throw(RangeError, 'is empty');
      expect(() => compileUrlPatterns([['  ', 60]])).to.throw(RangeError, 'is empty');
    });

    it('rejects a malformed glob with a RangeError naming the pattern', () => {
      expect(() => compileUrlPatterns({ 'site.com/[abc': 60 })).to.throw(
        RangeError,
        "Invalid urlsExpireAfter pattern 'site.com/[abc'",
      );
    });

    it('names the entry when its expiration is invalid', () => {
      expect(() => compileUrlPatterns({ '*.example.com': 'tomorrow' })).to.throw(
        RangeError,
        "Invalid urlsExpireAfter['*.example.com']: 'tomorrow'",
      );
      expect(() => compileUrlPatterns({ 'a.com': true })).to.throw(TypeError, "Invalid urlsExpireAfter['a.com']: true");
      expect(() => compileUrlPatterns(new Map([[/api/, {}]]))).to.throw(TypeError, 'Invalid urlsExpireAfter[/api/]');
    });

    it('uses the given option name', () => {
      expect(() => compileUrlPatterns({ 'a.com': 'x' }, 'cache.urlsExpireAfter')).to.throw(
        RangeError,
        "Invalid cache.urlsExpireAfter['a.com']",
      );
      expect(() => compileUrlPatterns('x', 'cache.urlsExpireAfter')).to.throw(TypeError, 'Invalid cache.urlsExpireAfter');
    });
  });

  describe('findUrlPattern', () => {
    it('returns undefined when nothing matches or there are no patterns', () => {
      expect(findUrlPattern('https://a.com/', [])).to.equal(undefined);
      expect(findUrlPattern('https://a.com/', compileUrlPatterns({ 'b.com': 60 }))).to.equal(undefined);
    });

    it('returns the matching compiled pattern itself', () => {
      const patterns = compileUrlPatterns({ 'a.com': 60, 'b.com': 30 });
      expect(findUrlPattern('https://b.com/x', patterns)).to.equal(patterns[1]);
    });
  });
});
