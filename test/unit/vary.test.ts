import { expect } from 'chai';
import { DEFAULT_HASHED_PARAMETERS } from '../../src/constants.js';
import { checkVary, secondaryMatchHeaders, varyNames } from '../../src/policy/vary.js';
import type { CachedEntry, HeaderRecord, StoredHeaders } from '../../src/policy/types.js';
import { makeEntry } from '../support/entries.js';

/** The credential names as an ignored list: what `hashedParameters: false` ignores (requests-cache 1.x's defaults plus Cookie). */
const CREDENTIAL_NAMES = DEFAULT_HASHED_PARAMETERS;

/** An entry whose response carries `vary` and whose stored request had `requestHeaders`. */
function varying(vary: string | string[] | undefined, requestHeaders: HeaderRecord = {}): CachedEntry {
  const headers: StoredHeaders = { 'content-type': 'text/plain' };
  if (vary !== undefined) headers.vary = vary;
  return makeEntry({ headers, request: { method: 'GET', url: 'https://example.com/', headers: requestHeaders } });
}

const check = (entry: CachedEntry, headers: HeaderRecord, ignored: readonly string[] = CREDENTIAL_NAMES) =>
  checkVary(entry, headers, ignored).matches;

describe('policy/vary', () => {
  describe('varyNames', () => {
    it('is empty without a Vary header', () => {
      expect(varyNames(varying(undefined))).to.deep.equal([]);
    });

    it('lower-cases and trims the names, dropping empty items', () => {
      expect(varyNames(varying(' Accept ,Accept-Encoding,, '))).to.deep.equal(['accept', 'accept-encoding']);
    });

    it('joins a repeated Vary header', () => {
      expect(varyNames(varying(['Accept', 'Cookie']))).to.deep.equal(['accept', 'cookie']);
    });

    it("is '*' when any item is '*'", () => {
      expect(varyNames(varying('*'))).to.equal('*');
      expect(varyNames(varying('Accept, *'))).to.equal('*');
    });
  });

  describe('checkVary', () => {
    it('matches any request when there is no Vary', () => {
      expect(check(varying(undefined, { accept: 'a' }), { accept: 'b' })).to.equal(true);
    });

    it('never matches Vary: *', () => {
      const result = checkVary(varying('*'), {}, []);
      expect(result.matches).to.equal(false);
      expect(result.reason).to.equal('Vary: *');
    });

    it('matches equal values and rejects different ones, naming the header', () => {
      const entry = varying('Accept-Language', { 'accept-language': 'en' });
      expect(check(entry, { 'accept-language': 'en' })).to.equal(true);
      const result = checkVary(entry, { 'accept-language': 'fr' }, []);
      expect(result.matches).to.equal(false);
      expect(result.reason).to.include('accept-language');
    });

    it('treats present and absent as different, both ways', () => {
      expect(check(varying('Accept', { accept: 'text/html' }), {})).to.equal(false);
      expect(check(varying('Accept', {}), { accept: 'text/html' })).to.equal(false);
      expect(check(varying('Accept', {}), {})).to.equal(true);
    });

    it('requires every varied header to match', () => {
      const entry = varying('Accept, Accept-Language', { accept: 'text/html', 'accept-language': 'en' });
      expect(check(entry, { accept: 'text/html', 'accept-language': 'en' })).to.equal(true);
      expect(check(entry, { accept: 'text/html', 'accept-language': 'de' })).to.equal(false);
    });

    it('applies the key normalization to list values (order, case, whitespace)', () => {
      const entry = varying('Accept-Encoding', { 'accept-encoding': 'gzip, br' });
      expect(check(entry, { 'accept-encoding': 'BR,gzip' })).to.equal(true);
      expect(check(entry, { 'accept-encoding': 'gzip' })).to.equal(false);
    });

    it('compares Cookie as sorted name=value pairs', () => {
      const entry = varying('Cookie', { cookie: 'theme=dark; lang=en' });
      expect(check(entry, { cookie: 'lang=en;theme=dark' }, [])).to.equal(true);
      expect(check(entry, { cookie: 'lang=en; theme=light' }, [])).to.equal(false);
      expect(check(entry, {}, [])).to.equal(false);
    });

    it('never matches a varied ignored header that is present on the request (docs/behaviour.md §10.14)', () => {
      const entry = varying('Accept, Authorization', { accept: 'a', authorization: 'REDACTED' });
      const result = checkVary(entry, { accept: 'a', authorization: 'Bearer bob' }, CREDENTIAL_NAMES);
      expect(result.matches).to.equal(false);
      expect(result.reason).to.include('authorization');
    });

    it('matches ignored names case-insensitively against the user list', () => {
      const entry = varying('x-session', { 'x-session': 'REDACTED' });
      expect(check(entry, { 'x-session': 'abc' }, ['X-Session'])).to.equal(false);
      // Not ignored: the values decide.
      expect(check(varying('x-session', { 'x-session': 'abc' }), { 'x-session': 'abc' }, [])).to.equal(true);
    });
  });

  describe('secondaryMatchHeaders', () => {
    const entry = varying('Accept, Accept-Language');

    it('is the Vary names when the user matches no headers', () => {
      expect(secondaryMatchHeaders(entry, false)).to.deep.equal(['accept', 'accept-language']);
    });

    it("merges the Vary names with the user's list, lower-cased and without duplicates", () => {
      expect(secondaryMatchHeaders(entry, ['X-Client', 'Accept'])).to.deep.equal(['accept', 'accept-language', 'x-client']);
    });

    it('stays true when the user matches every header', () => {
      expect(secondaryMatchHeaders(entry, true)).to.equal(true);
    });

    it("keeps only the user's list for Vary: * and an empty list when there is nothing", () => {
      expect(secondaryMatchHeaders(varying('*'), ['Accept'])).to.deep.equal(['accept']);
      expect(secondaryMatchHeaders(varying(undefined), false)).to.deep.equal([]);
    });
  });
});
