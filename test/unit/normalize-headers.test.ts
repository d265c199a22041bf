import { expect } from 'chai';
import { DEFAULT_HASHED_PARAMETERS, REDACTED } from '../../src/constants.js';
import { matchedHeaderParts, normalizeHeaders, redactHeaders } from '../../src/policy/normalize-headers.js';

/** The credential names as an ignored list: what `hashedParameters: false` ignores (requests-cache 1.x's defaults plus Cookie). */
const CREDENTIAL_NAMES = DEFAULT_HASHED_PARAMETERS;

describe('normalizeHeaders (docs/behaviour.md §3.3)', () => {
  it('canonicalizes comma lists: trimmed, lower-cased, empties dropped, sorted', () => {
    const out = normalizeHeaders({ 'accept-encoding': 'gzip,  deflate,Venmo,  PayPal, ' }, []);
    expect(out).to.deep.equal({ 'accept-encoding': 'deflate, gzip, paypal, venmo' });
  });

  it('leaves values without a comma as they are', () => {
    expect(normalizeHeaders({ accept: 'Application/JSON' }, [])).to.deep.equal({ accept: 'Application/JSON' });
  });

  it('fix of BUG? (docs/behaviour.md §3.3): redacts lower-case `authorization` for the default `Authorization`', () => {
    const out = normalizeHeaders({ authorization: 'Bearer a', 'x-api-key': 'k', accept: 'a' }, CREDENTIAL_NAMES);
    expect(out).to.deep.equal({ authorization: REDACTED, 'x-api-key': REDACTED, accept: 'a' });
  });
});

describe('redactHeaders', () => {
  it('keeps names and original values, redacting ignored names case-insensitively', () => {
    const headers = { authorization: 'Bearer a', 'proxy-authorization': 'p', accept: 'B, a' };
    expect(redactHeaders(headers, CREDENTIAL_NAMES)).to.deep.equal({
      authorization: REDACTED,
      'proxy-authorization': REDACTED,
      accept: 'B, a',
    });
  });

  it('matches a lower-case ignore list against any header case', () => {
    expect(redactHeaders({ 'X-Secret': 's' }, ['x-secret'])).to.deep.equal({ 'X-Secret': REDACTED });
  });

  it('does not mutate its input', () => {
    const headers = { authorization: 'Bearer a' };
    redactHeaders(headers, CREDENTIAL_NAMES);
    expect(headers).to.deep.equal({ authorization: 'Bearer a' });
  });
});

describe('matchedHeaderParts', () => {
  const headers = { 'user-agent': 'ua', accept: 'text/html', 'accept-language': 'en' };

  it('false matches nothing', () => {
    expect(matchedHeaderParts(headers, false)).to.deep.equal([]);
  });

  it('true matches every header, sorted by name', () => {
    expect(matchedHeaderParts(headers, true)).to.deep.equal(['accept=text/html', 'accept-language=en', 'user-agent=ua']);
  });

  it('a list matches those names in any case, only when present', () => {
    expect(matchedHeaderParts(headers, ['Accept', 'X-Missing'])).to.deep.equal(['accept=text/html']);
  });
});
