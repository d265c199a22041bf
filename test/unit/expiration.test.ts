import { expect } from 'chai';
import { DO_NOT_CACHE, EXPIRE_IMMEDIATELY, NEVER_EXPIRE } from '../../src/constants.js';
import {
  describeExpiration,
  expirationFromResponseExpires,
  expirationSeconds,
  expiresAt,
  isExpireImmediately,
  parseExpiration,
  parseHttpDate,
} from '../../src/policy/expiration.js';
import type { Expiration } from '../../src/policy/types.js';

const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);
/** RFC 9110 §5.6.7's example instant: Sun, 06 Nov 1994 08:49:37 GMT. */
const RFC_EXAMPLE = Date.UTC(1994, 10, 6, 8, 49, 37);

const relative = (seconds: number): Expiration => ({ type: 'relative', seconds });

describe('policy/expiration', () => {
  describe('parseExpiration', () => {
    it('reads null and undefined as never', () => {
      expect(parseExpiration(null, 'expireAfter')).to.deep.equal({ type: 'never' });
      expect(parseExpiration(undefined, 'expireAfter')).to.deep.equal({ type: 'never' });
    });

    it('reads NEVER_EXPIRE (-1) as never', () => {
      expect(parseExpiration(NEVER_EXPIRE, 'expireAfter')).to.deep.equal({ type: 'never' });
      expect(parseExpiration(-1, 'expireAfter')).to.deep.equal({ type: 'never' });
    });

    it('reads DO_NOT_CACHE as do-not-cache', () => {
      expect(parseExpiration(DO_NOT_CACHE, 'expireAfter')).to.deep.equal({ type: 'do-not-cache' });
    });

    it('reads other finite numbers as relative seconds, kept as given', () => {
      expect(parseExpiration(EXPIRE_IMMEDIATELY, 'expireAfter')).to.deep.equal(relative(0));
      expect(parseExpiration(60, 'expireAfter')).to.deep.equal(relative(60));
      expect(parseExpiration(1.5, 'expireAfter')).to.deep.equal(relative(1.5));
      expect(parseExpiration(0.5, 'expireAfter')).to.deep.equal(relative(0.5));
    });

    it('keeps negative numbers other than -1 as relative (written already expired)', () => {
      expect(parseExpiration(-5, 'expireAfter')).to.deep.equal(relative(-5));
      expect(parseExpiration(-1.5, 'expireAfter')).to.deep.equal(relative(-1.5));
    });

    it('rejects NaN and infinities with a RangeError naming the option and the value', () => {
      for (const value of [NaN, Infinity, -Infinity]) {
        expect(() => parseExpiration(value, 'expireAfter'))
          .to.throw(RangeError)
          .with.property('message')
          .that.includes(`Invalid expireAfter: ${String(value)} (expected`);
      }
    });

    it('reads a Date as absolute', () => {
      const date = new Date(Date.UTC(2030, 5, 1));
      expect(parseExpiration(date, 'expireAfter')).to.deep.equal({ type: 'absolute', at: date.getTime() });
    });

    it('rejects an invalid Date with a RangeError', () => {
      expect(() => parseExpiration(new Date('nope'), 'expireAfter')).to.throw(
        RangeError,
        'Invalid expireAfter: Invalid Date',
      );
    });

    describe('duration strings', () => {
      const cases: Array<[string, number]> = [
        ['90s', 90],
        ['10sec', 10],
        ['5m', 300],
        ['10min', 600],
        ['1h', 3600],
        ['2hr', 7200],
        ['2d', 172_800],
        ['1w', 604_800],
        ['250ms', 0.25],
        ['100ms', 0.1],
        ['1h30m', 5400],
        ['1h 30m', 5400],
        ['1.5h', 5400],
        ['.5m', 30],
        ['1d2h3m4s', 86_400 + 7200 + 180 + 4],
        ['1s500ms', 1.5],
        ['90 s', 90],
        ['  5m  ', 300],
      ];
      for (const [text, seconds] of cases) {
        it(`reads '${text}' as ${seconds} s`, () => {
          expect(parseExpiration(text, 'expireAfter')).to.deep.equal(relative(seconds));
        });
      }

      for (const text of ['5x', '1h30', 'h', '1h-30m', '-5m', '5m,', '1e3s']) {
        it(`rejects '${text}' with a RangeError`, () => {
          expect(() => parseExpiration(text, 'expireAfter')).to.throw(RangeError, `Invalid expireAfter: '${text}'`);
        });
      }
    });

    it('reads an HTTP date string as absolute', () => {
      expect(parseExpiration('Sun, 06 Nov 1994 08:49:37 GMT', 'expireAfter')).to.deep.equal({
        type: 'absolute',
        at: RFC_EXAMPLE,
      });
      expect(parseExpiration('  Sunday, 06-Nov-94 08:49:37 GMT ', 'expireAfter')).to.deep.equal({
        type: 'absolute',
        at: RFC_EXAMPLE,
      });
    });

    it("rejects 'tomorrow' with the documented message", () => {
      expect(() => parseExpiration('tomorrow', 'expireAfter')).to.throw(
        RangeError,
        "Invalid expireAfter: 'tomorrow' (expected seconds, a Date, a duration such as '90s', '5m', '1h30m', " +
          "'2d', an HTTP date, NEVER_EXPIRE, EXPIRE_IMMEDIATELY or DO_NOT_CACHE)",
      );
    });

    it('rejects empty and blank strings with a RangeError', () => {
      expect(() => parseExpiration('', 'expireAfter')).to.throw(RangeError, "Invalid expireAfter: ''");
      expect(() => parseExpiration('   ', 'expireAfter')).to.throw(RangeError, "Invalid expireAfter: '   '");
    });

    it('differs from requests-cache on purpose: a bare number string is rejected, not read as expire immediately', () => {
      for (const text of ['60', '-1', '0', '1.5', ' 60 ', '+5']) {
        expect(() => parseExpiration(text, 'expireAfter'), text).to.throw(RangeError, `Invalid expireAfter: '${text}'`);
      }
      const error = (() => {
        try {
          parseExpiration('60', 'expireAfter');
        } catch (e) {
          return e as Error;
        }
        throw new Error('expected a throw');
      })();
      expect(error.message).to.include('pass the number 60').and.include("'60s'");
    });

    it('rejects other types with a TypeError naming the option and showing the value', () => {
      const cases: Array<[unknown, string]> = [
        [true, 'true'],
        [{ seconds: 5 }, '{"seconds":5}'],
        [[60], '[60]'],
        [function later() {}, '[function later]'],
        [10n, '10n'],
        [Symbol('s'), 'Symbol(s)'],
      ];
      for (const [value, shown] of cases) {
        expect(() => parseExpiration(value, 'cache.expireAfter'))
          .to.throw(TypeError)
          .with.property('message')
          .that.satisfy((m: string) => m.startsWith(`Invalid cache.expireAfter: ${shown} (expected seconds`));
      }
    });

    it('uses the given option name in messages', () => {
      expect(() => parseExpiration('x', "urlsExpireAfter['a.com']")).to.throw(
        RangeError,
        "Invalid urlsExpireAfter['a.com']: 'x'",
      );
    });
  });

  describe('parseHttpDate', () => {
    it('accepts the three formats of RFC 9110 §5.6.7', () => {
      expect(parseHttpDate('Sun, 06 Nov 1994 08:49:37 GMT')).to.equal(RFC_EXAMPLE);
      expect(parseHttpDate('Sunday, 06-Nov-94 08:49:37 GMT')).to.equal(RFC_EXAMPLE);
      expect(parseHttpDate('Sun Nov  6 08:49:37 1994')).to.equal(RFC_EXAMPLE);
    });

    it('is lenient on case, whitespace and a one-digit day', () => {
      expect(parseHttpDate('sun, 06 nov 1994 08:49:37 gmt')).to.equal(RFC_EXAMPLE);
      expect(parseHttpDate('  Sun,  6 Nov 1994  08:49:37 GMT  ')).to.equal(RFC_EXAMPLE);
      expect(parseHttpDate('Sunday, 06 Nov 1994 08:49:37 GMT')).to.equal(RFC_EXAMPLE);
    });

    it('reads RFC 850 two-digit years with a 69 pivot (00-68 are 20xx) and accepts four digits', () => {
      expect(new Date(parseHttpDate('Monday, 01-Jan-68 00:00:00 GMT')!).getUTCFullYear()).to.equal(2068);
      expect(new Date(parseHttpDate('Wednesday, 01-Jan-69 00:00:00 GMT')!).getUTCFullYear()).to.equal(1969);
      expect(parseHttpDate('Sunday, 06-Nov-1994 08:49:37 GMT')).to.equal(RFC_EXAMPLE);
    });

    it('keeps four-digit years below 100 as written', () => {
      expect(new Date(parseHttpDate('Thu, 01 Jan 0099 00:00:00 GMT')!).getUTCFullYear()).to.equal(99);
    });

    it('checks days against the month, with leap years', () => {
      expect(parseHttpDate('Thu, 29 Feb 2024 00:00:00 GMT')).to.equal(Date.UTC(2024, 1, 29));
      expect(parseHttpDate('Tue, 29 Feb 2000 00:00:00 GMT')).to.equal(Date.UTC(2000, 1, 29));
      expect(parseHttpDate('Wed, 29 Feb 2023 00:00:00 GMT')).to.equal(undefined);
      expect(parseHttpDate('Thu, 29 Feb 1900 00:00:00 GMT')).to.equal(undefined);
      expect(parseHttpDate('Thu, 31 Apr 2026 00:00:00 GMT')).to.equal(undefined);
      expect(parseHttpDate('Thu, 00 Jan 2026 00:00:00 GMT')).to.equal(undefined);
    });

    it('checks the time of day, allowing a leap second', () => {
      expect(parseHttpDate('Sun, 06 Nov 1994 24:00:00 GMT')).to.equal(undefined);
      expect(parseHttpDate('Sun, 06 Nov 1994 08:60:00 GMT')).to.equal(undefined);
      expect(parseHttpDate('Sun, 06 Nov 1994 08:49:61 GMT')).to.equal(undefined);
      expect(parseHttpDate('Wed, 31 Dec 2025 23:59:60 GMT')).to.equal(Date.UTC(2026, 0, 1));
    });

    it('returns undefined for anything else, without throwing', () => {
      const bad = [
        '',
        '0',
        '-1',
        'tomorrow',
        '2026-01-01T00:00:00Z',
        'Sun, 06 Nov 1994 08:49:37 +0000',
        'Sun, 06 Nov 1994 08:49:37',
        'Foo, 06 Nov 1994 08:49:37 GMT',
        'Sun, 06 Noo 1994 08:49:37 GMT',
        '06 Nov 1994 08:49:37 GMT',
      ];
      for (const text of bad) expect(parseHttpDate(text), text).to.equal(undefined);
      expect(parseHttpDate(42 as unknown as string)).to.equal(undefined);
    });
  });

  describe('isExpireImmediately', () => {
    it('is true when the integer part of relative seconds is 0 (upstream int(x) == 0 quirk)', () => {
      for (const s of [0, 0.5, -0.5, 0.999, -0]) expect(isExpireImmediately(relative(s)), String(s)).to.equal(true);
    });

    it('is false for other relative values and other kinds', () => {
      for (const s of [1, -1, 1.5, -1.5, 60]) expect(isExpireImmediately(relative(s)), String(s)).to.equal(false);
      expect(isExpireImmediately({ type: 'never' })).to.equal(false);
      expect(isExpireImmediately({ type: 'absolute', at: NOW })).to.equal(false);
      expect(isExpireImmediately({ type: 'do-not-cache' })).to.equal(false);
    });
  });

  describe('expiresAt', () => {
    it('is null for never', () => {
      expect(expiresAt({ type: 'never' }, NOW)).to.equal(null);
    });

    it('adds relative seconds to now', () => {
      expect(expiresAt(relative(60), NOW)).to.equal(NOW + 60_000);
      expect(expiresAt(relative(1.5), NOW)).to.equal(NOW + 1500);
      expect(expiresAt(relative(1.0006), NOW)).to.equal(NOW + 1001);
    });

    it('puts an already-expired time for negative relative values', () => {
      expect(expiresAt(relative(-5), NOW)).to.equal(NOW - 5000);
    });

    it('is now for relative values that expire immediately, including 0.5 and -0.5', () => {
      expect(expiresAt(relative(0), NOW)).to.equal(NOW);
      expect(expiresAt(relative(0.5), NOW)).to.equal(NOW);
      expect(expiresAt(relative(-0.5), NOW)).to.equal(NOW);
    });

    it('returns absolute times unchanged, whatever now is', () => {
      const at = Date.UTC(2030, 0, 1);
      expect(expiresAt({ type: 'absolute', at }, NOW)).to.equal(at);
      expect(expiresAt({ type: 'absolute', at }, 0)).to.equal(at);
    });

    it('throws for do-not-cache', () => {
      expect(() => expiresAt({ type: 'do-not-cache' }, NOW)).to.throw(Error, 'DO_NOT_CACHE');
    });
  });

  describe('expirationSeconds', () => {
    it('is -1 for never', () => {
      expect(expirationSeconds({ type: 'never' }, NOW)).to.equal(-1);
    });

    it('rounds up, so 1.5 s becomes 2 (upstream max-age=2)', () => {
      expect(expirationSeconds(relative(1.5), NOW)).to.equal(2);
      expect(expirationSeconds(relative(60), NOW)).to.equal(60);
      expect(expirationSeconds({ type: 'absolute', at: NOW + 10_200 }, NOW)).to.equal(11);
    });

    it('is 0 (never -0) for immediate or just-expired values', () => {
      expect(Object.is(expirationSeconds(relative(0.5), NOW), 0)).to.equal(true);
      expect(Object.is(expirationSeconds({ type: 'absolute', at: NOW - 500 }, NOW), 0)).to.equal(true);
    });

    it('is negative for a past expiry', () => {
      expect(expirationSeconds({ type: 'absolute', at: NOW - 5000 }, NOW)).to.equal(-5);
      expect(expirationSeconds(relative(-30), NOW)).to.equal(-30);
    });

    it('throws for do-not-cache', () => {
      expect(() => expirationSeconds({ type: 'do-not-cache' }, NOW)).to.throw(Error);
    });
  });

  describe('expirationFromResponseExpires', () => {
    it('reads a valid HTTP date, past or future, as written', () => {
      expect(expirationFromResponseExpires('Sun, 06 Nov 1994 08:49:37 GMT', NOW)).to.equal(RFC_EXAMPLE);
      expect(expirationFromResponseExpires('Thu, 01 Jan 2037 00:00:00 GMT', NOW)).to.equal(Date.UTC(2037, 0, 1));
    });

    it("reads digit strings such as '0' and '-1' as already expired (now)", () => {
      expect(expirationFromResponseExpires('0', NOW)).to.equal(NOW);
      expect(expirationFromResponseExpires('-1', NOW)).to.equal(NOW);
      expect(expirationFromResponseExpires('3600', NOW)).to.equal(NOW);
    });

    it('fixes requests-cache BUG: an invalid Expires header means already expired instead of throwing', () => {
      for (const text of ['garbage', '', 'Sun, 31 Feb 2026 00:00:00 GMT', '2026-01-01']) {
        expect(() => expirationFromResponseExpires(text, NOW), text).not.to.throw();
        expect(expirationFromResponseExpires(text, NOW), text).to.equal(NOW);
      }
    });
  });

  describe('describeExpiration', () => {
    it('gives short log text for each kind', () => {
      expect(describeExpiration({ type: 'never' })).to.equal('never');
      expect(describeExpiration(relative(60))).to.equal('60s');
      expect(describeExpiration({ type: 'absolute', at: Date.UTC(2026, 0, 1) })).to.equal(
        'at 2026-01-01T00:00:00.000Z',
      );
      expect(describeExpiration({ type: 'do-not-cache' })).to.equal('do not cache');
    });

    it('flags immediate and already-expired relative values', () => {
      expect(describeExpiration(relative(0))).to.equal('0s (expire immediately)');
      expect(describeExpiration(relative(0.5))).to.equal('0.5s (expire immediately)');
      expect(describeExpiration(relative(-5))).to.equal('-5s (already expired)');
    });
  });
});
