/** Strict HTTP-date parsing for the RFC modes (src/policy/rfc9111/http-date.ts, RFC 9110 §5.6.7). */
import { expect } from 'chai';
import { parseStrictHttpDate } from '../../../src/policy/rfc9111/http-date.js';

describe('policy/rfc9111/http-date', () => {
  const at = Date.UTC(1994, 10, 6, 8, 49, 37);

  it('reads the three formats a recipient must accept, names in any case', () => {
    expect(parseStrictHttpDate('Sun, 06 Nov 1994 08:49:37 GMT')).to.equal(at);
    expect(parseStrictHttpDate('Sunday, 06-Nov-94 08:49:37 GMT')).to.equal(at);
    expect(parseStrictHttpDate('Sun Nov  6 08:49:37 1994')).to.equal(at);
    expect(parseStrictHttpDate('SUN, 06 NOV 1994 08:49:37 gmt')).to.equal(at);
  });

  for (const text of [
    'Sun, 06  Nov 1994 08:49:37 GMT',
    'Sun, 06-Nov-1994 08:49:37 GMT',
    'Sun, 06 Nov 1994 08:49:37 UTC',
    'Sun 06 Nov 1994 08:49:37 GMT',
    'Sun, 06 Nov 94 08:49:37 GMT',
    'Sun, 06 Nov 1994 8:49:37 GMT',
    'Sun, 06 Nov 1994 08.49.37 GMT',
    'Sun, 32 Nov 1994 08:49:37 GMT',
    '0',
    '',
  ]) {
    it(`rejects ${JSON.stringify(text)}`, () => expect(parseStrictHttpDate(text)).to.equal(undefined));
  }
});
