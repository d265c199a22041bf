/**
 * The duration-string grammar (README "Expiration"): case-insensitive units with the names people
 * write, optional spaces between number and unit and between parts, decimals, no sign.
 */
import { expect } from 'chai';
import { parseExpiration } from '../../src/policy/expiration.js';

const seconds = (text: string) => {
  const exp = parseExpiration(text, 'expireAfter');
  if (exp.type !== 'relative') throw new Error(`${text} gave ${exp.type}`);
  return exp.seconds;
};

describe('policy/expiration duration strings', () => {
  const units: Array<[number, string[]]> = [
    [0.001, ['ms', 'msec', 'msecs', 'millisecond', 'milliseconds']],
    [1, ['s', 'sec', 'secs', 'second', 'seconds']],
    [60, ['m', 'min', 'mins', 'minute', 'minutes']],
    [3600, ['h', 'hr', 'hrs', 'hour', 'hours']],
    [86_400, ['d', 'day', 'days']],
    [604_800, ['w', 'wk', 'wks', 'week', 'weeks']],
  ];

  for (const [unit, names] of units) {
    it(`reads ${names.join(', ')} as ${unit} s, in any case, with or without a space`, () => {
      for (const name of names) {
        for (const spelled of [name, name.toUpperCase(), name[0]!.toUpperCase() + name.slice(1)]) {
          expect(seconds(`2${spelled}`), `2${spelled}`).to.equal(unit < 1 ? 0.002 : 2 * unit);
          expect(seconds(`2 ${spelled}`), `2 ${spelled}`).to.equal(unit < 1 ? 0.002 : 2 * unit);
        }
      }
    });
  }

  it('reads the forms people write', () => {
    const cases: Array<[string, number]> = [
      ['1H', 3600],
      ['2 days', 172_800],
      ['1 hour', 3600],
      ['1hr', 3600],
      ['5 m', 300],
      ['1h 30m', 5400],
      ['1h30m', 5400],
      ['1 hour 30 minutes', 5400],
      ['1 Day 2 Hours', 93_600],
      ['1.5 hours', 5400],
      ['.5 min', 30],
      ['1w 2d 3h 4m 5s 6ms', 604_800 + 172_800 + 10_800 + 240 + 5 + 0.006],
      ['  2   days  ', 172_800],
      ['250 milliseconds', 0.25],
    ];
    for (const [text, expected] of cases) expect(seconds(text), text).to.be.closeTo(expected, 1e-9);
  });

  it('refuses unknown units, numbers without units and other punctuation', () => {
    for (const text of ['5x', '5 mn', '1h30', 'hour', '1 hour and 30 minutes', '1h,30m', '1e3s', '5 m s', '1..5h', '5.m']) {
      expect(() => parseExpiration(text, 'expireAfter'), text).to.throw(RangeError, `Invalid expireAfter: '${text}' (expected`);
    }
  });

  it('refuses a signed duration, pointing to a negative number instead', () => {
    for (const text of ['-5m', '+5m', '- 1 hour']) {
      expect(() => parseExpiration(text, 'expireAfter'), text).to.throw(
        RangeError,
        `Invalid expireAfter: '${text}' (a duration string cannot be signed; pass a number of seconds, such as -300`,
      );
    }
  });

  it('still refuses a bare number string with the helpful message', () => {
    for (const text of ['60', ' 1.5 ']) {
      expect(() => parseExpiration(text, 'expireAfter'), text).to.throw(RangeError, 'a number in a string is ambiguous');
    }
  });
});
