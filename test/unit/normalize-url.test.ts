import { expect } from 'chai';
import { DEFAULT_HASHED_PARAMETERS, REDACTED } from '../../src/constants.js';
import { normalizeQuery, normalizeUrl } from '../../src/policy/normalize-url.js';

/** The credential names as an ignored list: what `hashedParameters: false` ignores (requests-cache 1.x's defaults plus Cookie). */
const CREDENTIAL_NAMES = DEFAULT_HASHED_PARAMETERS;

const none: readonly string[] = [];
const url = (raw: string, ignored: readonly string[] = none) => normalizeUrl(raw, ignored);
const query = (raw: string, ignored: string[] = []) => normalizeQuery(raw, new Set(ignored));

describe('normalizeUrl (docs/behaviour.md §3.4)', () => {
  // Queries of only unreserved characters take a string fast path (no byte decoding); these pin
  // that it agrees with the byte path on everything quote_plus and the redactor do.
  it('a plain-character query: "=" inside a value is encoded, names sort by byte, repeats keep their order', () => {
    expect(url('https://e.test/p?b=x=y&a=2&B=1&a=1')).to.equal('https://e.test/p?B=1&a=2&a=1&b=x%3Dy');
    expect(query('z&a=1&y&b=')).to.equal('a=1&y&z');
    expect(query('a=~._-')).to.equal(query('a=%7E%2E%5F%2D'));
  });

  it('a plain-character query: listed names of any case are redacted, and the replacement is encoded', () => {
    expect(url('https://e.test/p?API_KEY=s3cret&q=1', ['api_key'])).to.equal(`https://e.test/p?API_KEY=${REDACTED}&q=1`);
    expect(url('https://e.test/p?api_key=a&api_key=b', ['api_key'])).to.equal(`https://e.test/p?api_key=${REDACTED}&api_key=${REDACTED}`);
  });

  it('userinfo, a trailing host dot and percent-escapes in the path are normalized on the common http(s) path too', () => {
    expect(url('http://u:p@e.test/a%7eb/%2f?x=1')).to.equal('http://e.test/a~b/%2F?x=1');
    expect(url('http://e.test./a?x=1')).to.equal('http://e.test/a?x=1');
    expect(url('http://e.test:8080/a#frag')).to.equal('http://e.test:8080/a');
  });

  it('canonicalizes scheme, host case, default port, dot segments, query order and a trailing &', () => {
    expect(url('HTTPS://Example.com:443/a/../b?b=2&a=1&')).to.equal('https://example.com/b?a=1&b=2');
  });

  it('treats `?`, `/?` and an empty path alike', () => {
    const expected = 'https://example.com/?a=1';
    expect(url('https://example.com?a=1')).to.equal(expected);
    expect(url('https://example.com/?a=1')).to.equal(expected);
    expect(url('https://example.com')).to.equal('https://example.com/');
    expect(url('https://example.com/?')).to.equal('https://example.com/');
  });

  it('drops only the default port of the scheme', () => {
    expect(url('http://example.com:80/x')).to.equal('http://example.com/x');
    expect(url('https://example.com:443/x')).to.equal('https://example.com/x');
    expect(url('https://example.com:80/x')).to.equal('https://example.com:80/x');
    expect(url('https://example.com:8443/x')).to.equal('https://example.com:8443/x');
  });

  it('preserves path case', () => {
    expect(url('https://example.com/Some/PATH')).to.equal('https://example.com/Some/PATH');
    expect(url('https://example.com/a')).to.not.equal(url('https://example.com/A'));
  });

  it('IDNA-encodes the host and drops a trailing host dot, as url-normalize does', () => {
    expect(url('https://Bücher.DE./x')).to.equal('https://xn--bcher-kva.de/x');
  });

  it('upper-cases percent-escapes and decodes escaped unreserved characters only (RFC 3986 §6.2.2)', () => {
    expect(url('https://example.com/%7euser/a%2fb')).to.equal('https://example.com/~user/a%2Fb');
    expect(url('https://example.com/a/b')).to.not.equal(url('https://example.com/a%2Fb'));
  });

  it('drops the fragment: axios never sends it (requests-cache keeps it)', () => {
    expect(url('https://example.com/p?b=1&a=2#Section')).to.equal('https://example.com/p?a=2&b=1');
    expect(url('https://example.com/p#a')).to.equal(url('https://example.com/p#b'));
    expect(url('https://example.com/p#')).to.equal('https://example.com/p');
  });

  it('keeps non-default ports', () => {
    expect(url('https://example.com:8443/p')).to.equal('https://example.com:8443/p');
    expect(url('https://example.com:443/p')).to.equal('https://example.com/p');
  });

  it('fixes requests-cache leak: userinfo never reaches a key or a stored URL (axios sends it as Authorization)', () => {
    expect(url('https://user:pw@example.com:8443/p?a=1')).to.equal('https://example.com:8443/p?a=1');
    expect(url('https://user@example.com/p')).to.equal('https://example.com/p');
    expect(url('https://:pw@example.com/p')).to.equal('https://example.com/p');
  });

  it('redacts ignored query parameters, in any case, and keeps the others', () => {
    expect(url('https://example.com/?z=1&access_token=secret&a=2', CREDENTIAL_NAMES)).to.equal(
      `https://example.com/?a=2&access_token=${REDACTED}&z=1`,
    );
    expect(url('https://example.com/?Access_Token=secret', CREDENTIAL_NAMES)).to.equal(
      `https://example.com/?Access_Token=${REDACTED}`,
    );
  });

  it('falls back to the raw string with a normalized query when WHATWG cannot parse it', () => {
    expect(url('/relative/path?b=2&a=1&#frag')).to.equal('/relative/path?a=1&b=2');
    expect(url('http://[bad/x?b=2&a=1')).to.equal('http://[bad/x?a=1&b=2');
    expect(() => url('%%%?%zz=%&&=')).to.not.throw();
  });
});

describe('normalizeQuery (docs/behaviour.md §3.4 step 1)', () => {
  it('sorts pairs by name only, stably: repeated names keep their order (requests-cache sorts by value too)', () => {
    expect(query('b=2&a=1')).to.equal('a=1&b=2');
    expect(query('a=2&a=1')).to.equal('a=2&a=1');
  });

  it('keeps duplicate keys, so ?a=1&a=2 differs from ?a=1 and ?a=2 (docs/behaviour.md §10.4)', () => {
    expect(query('a=1&a=2')).to.equal('a=1&a=2');
    expect(query('a=1&a=2')).to.not.equal(query('a=1'));
    expect(query('a=1&a=2')).to.not.equal(query('a=2'));
    expect(query('a=2&a=1')).to.not.equal(query('a=1&a=2'));
  });

  it('drops pairs with a blank value, like parse_qsl', () => {
    expect(query('a=&b=1')).to.equal('b=1');
    expect(query('a=')).to.equal('');
  });

  it('appends key-only params after the pairs, sorted (docs/behaviour.md §10.4)', () => {
    expect(query('k=v&p')).to.equal('k=v&p');
    expect(query('p&k=v')).to.equal(query('k=v&p'));
    expect(query('param_2&param_1')).to.equal('param_1&param_2');
    expect(query('param_1')).to.not.equal(query('param_2'));
  });

  it('decodes %XX and + and re-encodes like quote_plus', () => {
    expect(query('q=a%20b')).to.equal('q=a+b');
    expect(query('q=a+b')).to.equal('q=a+b');
    expect(query('q=%7e%2f%C3%A9')).to.equal('q=~%2F%C3%A9');
    expect(query('q=é!*')).to.equal('q=%C3%A9%21%2A');
    expect(query('x=1%3D2')).to.equal('x=1%3D2');
    expect(query('x=1=2')).to.equal('x=1%3D2');
  });

  it('keeps invalid UTF-8 byte sequences distinct instead of collapsing them to U+FFFD', () => {
    expect(query('q=%FF')).to.equal('q=%FF');
    expect(query('q=%FF')).to.not.equal(query('q=%FE'));
  });

  it('leaves a malformed escape as literal text', () => {
    expect(query('q=100%')).to.equal('q=100%25');
    expect(query('q=%zz')).to.equal('q=%25zz');
  });

  it('gives ignored names the value REDACTED, in any case', () => {
    expect(query('token=abc&a=1', ['token'])).to.equal(`a=1&token=${REDACTED}`);
    expect(query('Token=abc', ['token'])).to.equal(`Token=${REDACTED}`);
  });
});
