/** The age calculation (src/policy/rfc9111/age.ts, RFC 9111 §4.2.3, §5.1). */
import { expect } from 'chai';
import { agedFrom, ageValue } from '../../../src/policy/rfc9111/age.js';

describe('policy/rfc9111/age', () => {
  const now = Date.UTC(2026, 0, 1, 12, 0, 0);
  const date = (ms: number) => new Date(ms).toUTCString();

  it('§5.1 reads the first member of Age; anything but a non-negative integer is ignored', () => {
    expect(ageValue({ age: '30' })).to.equal(30);
    expect(ageValue({ age: '30, 40' })).to.equal(30);
    for (const bad of ['-1', '1.5', 'abc', '', ' ']) expect(ageValue({ age: bad }), bad).to.equal(undefined);
    expect(ageValue({ age: '99999999999' })).to.equal(2 ** 31);
  });

  it('§4.2.3 corrected initial age is the larger of the apparent age and Age plus the response delay', () => {
    // Age 10 s, 2 s in flight: 12 s old on arrival.
    expect(now - agedFrom({ age: '10', date: date(now) }, now - 2000, now)).to.equal(12_000);
    // Date 30 s ago, Age 5: the apparent age wins.
    expect(now - agedFrom({ age: '5', date: date(now - 30_000) }, now, now)).to.equal(30_000);
    // A Date in the future is no negative age.
    expect(now - agedFrom({ date: date(now + 60_000) }, now, now)).to.equal(0);
  });

  it('the apparent age counts whole seconds, as Date has no finer resolution', () => {
    expect(now + 900 - agedFrom({ date: date(now) }, now + 900, now + 900)).to.equal(0);
  });
});
