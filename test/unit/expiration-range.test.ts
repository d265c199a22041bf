/**
 * Expirations too far away to make a valid JavaScript Date are refused at setup (every place an
 * expiration is accepted), a response `max-age` that large is clamped, and summaries never throw on
 * whatever number an older entry holds. See README "Expiration" (limits).
 */
import { expect } from 'chai';
import { CachedResponse, describeResponse } from '../../src/index.js';
import { summary } from '../../src/cached-response.js';
import {
  MAX_DURATION_SECONDS,
  describeExpiration,
  expiresAt,
  parseExpiration,
} from '../../src/policy/expiration.js';
import { parseRequestOptions, parseSettings, parseStaleAllowance } from '../../src/policy/settings.js';
import { compileUrlPatterns } from '../../src/policy/url-patterns.js';
import { NOW, makeEntry } from '../support/entries.js';

const TOO_FAR: unknown[] = [1e13, -1e13, '99999999999999w', '300000000000000s', `${'9'.repeat(400)}d`];

describe('policy/expiration range limits', () => {
  it('accepts durations up to the documented limit, either way', () => {
    expect(MAX_DURATION_SECONDS).to.equal(8e12);
    expect(parseExpiration(8e12, 'expireAfter')).to.deep.equal({ type: 'relative', seconds: 8e12 });
    expect(parseExpiration(-8e12, 'expireAfter')).to.deep.equal({ type: 'relative', seconds: -8e12 });
    expect(parseExpiration('13000000w', 'expireAfter')).to.deep.equal({ type: 'relative', seconds: 13e6 * 604_800 });
    // The largest accepted duration still gives a valid Date from now.
    for (const seconds of [8e12, -8e12]) {
      const at = expiresAt({ type: 'relative', seconds }, Date.now());
      expect(Number.isNaN(new Date(at!).getTime())).to.equal(false);
    }
  });

  for (const value of TOO_FAR) {
    it(`refuses ${typeof value === 'string' ? `'${value.slice(0, 20)}'` : value} with a RangeError naming the option and the value`, () => {
      const shown = typeof value === 'string' ? `'${value.length > 80 ? value.slice(0, 77) + '...' : value}'` : String(value);
      const check = (fn: () => unknown, option: string) =>
        expect(fn, option).to.throw(RangeError, `Invalid ${option}: ${shown} (too far away`);
      check(() => parseExpiration(value, 'expireAfter'), 'expireAfter');
      check(() => parseSettings({ expireAfter: value }), 'expireAfter');
      check(() => compileUrlPatterns({ 'example.com': value }), "urlsExpireAfter['example.com']");
      check(() => parseSettings({ urlsExpireAfter: [[/x/, value]] }), 'urlsExpireAfter[/x/]');
      check(() => parseRequestOptions({ expireAfter: value }), 'cache.expireAfter');
      const positive = typeof value === 'number' ? Math.abs(value) : value;
      const shownPositive = typeof positive === 'number' ? String(positive) : shown;
      for (const option of ['staleIfError', 'staleWhileRevalidate']) {
        expect(() => parseStaleAllowance(positive, option), option).to.throw(RangeError, `Invalid ${option}: ${shownPositive} (too far away`);
        expect(() => parseSettings({ [option]: positive }), option).to.throw(RangeError, `Invalid ${option}:`);
        expect(() => parseRequestOptions({ [option]: positive }), option).to.throw(RangeError, `Invalid cache.${option}:`);
      }
    });
  }

  it('clamps a computed expiry to the Date range (a response max-age is not checked at setup)', () => {
    expect(expiresAt({ type: 'relative', seconds: 1e20 }, NOW)).to.equal(8.64e15);
    expect(expiresAt({ type: 'relative', seconds: -1e20 }, NOW)).to.equal(-8.64e15);
    expect(expiresAt({ type: 'relative', seconds: 60 }, NOW)).to.equal(NOW + 60_000);
  });

  it('describes any absolute expiration without throwing', () => {
    expect(describeExpiration({ type: 'absolute', at: 1e20 })).to.equal('at 100000000000000000000 ms');
    expect(describeExpiration({ type: 'absolute', at: 0 })).to.equal('at 1970-01-01T00:00:00.000Z');
  });
});

describe('cached-response summaries never throw', () => {
  const fields = (expires: Date | null, createdAt = new Date(NOW)) => ({
    status: 200,
    fromCache: true,
    createdAt,
    expires,
    size: 3,
    method: 'GET',
    url: 'https://example.com/',
  });

  for (const stored of [1e20, -1e20, 8.64e15, -8.64e15, Number.NaN, Number.MAX_VALUE]) {
    it(`summarizes an entry whose expires is ${stored}`, () => {
      const entry = makeEntry({ expires: stored });
      const text = String(new CachedResponse('k', entry));
      expect(text).to.match(/^<CachedResponse \[200\]: created: \S+ \S+ UTC, expires: /);
      if (Number.isNaN(new Date(stored).getTime())) expect(text).to.include('expires: invalid date');
      expect(() => summary(fields(new Date(stored)))).to.not.throw();
    });
  }

  it('summarizes an invalid creation date too', () => {
    expect(summary(fields(null, new Date(Number.NaN)))).to.include('created: invalid date, expires: N/A (fresh)');
  });

  it('describeResponse accepts a response whose expires is an Invalid Date', () => {
    const response = {
      status: 200,
      data: 'abc',
      config: { url: 'https://example.com/', method: 'get' },
      fromCache: true,
      createdAt: new Date(NOW),
      expires: new Date(1e20),
    };
    expect(describeResponse(response as never)).to.include('expires: invalid date');
  });
});
