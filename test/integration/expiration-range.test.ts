/**
 * Expirations outside the Date range through a real axios instance: refused where they are written
 * (setupCache, a request's `cache`, `resetExpiration`, `olderThan`), so none can turn a successful
 * request into an error later.
 */
import axios from 'axios';
import { expect } from 'chai';
import { setupCache } from '../../src/index.js';
import { rejection, useHarness } from '../support/harness.js';

describe('integration: expirations too far away', () => {
  const h = useHarness();

  for (const value of [1e13, -1e13, '99999999999999w']) {
    it(`setupCache refuses expireAfter ${value} and the same value elsewhere`, () => {
      for (const options of [
        { expireAfter: value },
        { urlsExpireAfter: { '*': value } },
        { staleIfError: typeof value === 'number' ? Math.abs(value) : value },
        { staleWhileRevalidate: typeof value === 'number' ? Math.abs(value) : value },
      ]) {
        expect(() => setupCache(axios.create(), { backend: 'memory', ...options }), JSON.stringify(options)).to.throw(
          RangeError,
          /too far away/,
        );
      }
    });
  }

  it('a request with cache.expireAfter 1e13 rejects before anything is sent or written', async () => {
    const http = h.cached();
    const error = await rejection(http.get('/far', { cache: { expireAfter: 1e13 } }));
    expect(error).to.be.instanceOf(RangeError);
    expect((error as Error).message).to.include('Invalid cache.expireAfter: 10000000000000 (too far away');
    expect(h.origin.count('/far')).to.equal(0);
    expect(await http.cache.count()).to.equal(0);
  });

  it('resetExpiration and olderThan refuse such values', async () => {
    const http = h.cached();
    await http.get('/far2');
    for (const value of [1e13, '99999999999999w']) {
      expect(await rejection(http.cache.resetExpiration(value))).to.be.instanceOf(RangeError);
      expect(await rejection(http.cache.delete({ olderThan: value }))).to.be.instanceOf(RangeError);
    }
    expect(await http.cache.count()).to.equal(1);
  });
});
