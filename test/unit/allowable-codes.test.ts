/** `allowableCodes` must be a list: a lone string or number gets a TypeError suggesting the list. */
import { expect } from 'chai';
import { parseSettings } from '../../src/policy/settings.js';

describe('policy/settings allowableCodes must be a list', () => {
  it("refuses '200' as not a list, suggesting [200]", () => {
    expect(() => parseSettings({ allowableCodes: '200' })).to.throw(
      TypeError,
      "Invalid allowableCodes: '200' (expected a list of HTTP status codes, such as [200])",
    );
  });

  it('refuses a lone number, suggesting it in a list', () => {
    expect(() => parseSettings({ allowableCodes: 404 })).to.throw(
      TypeError,
      'Invalid allowableCodes: 404 (expected a list of HTTP status codes, such as [404])',
    );
  });

  it('suggests [200] for other strings and non-iterables', () => {
    expect(() => parseSettings({ allowableCodes: '200,404' })).to.throw(TypeError, "Invalid allowableCodes: '200,404' (expected a list of HTTP status codes, such as [200])");
    expect(() => parseSettings({ allowableCodes: {} })).to.throw(TypeError, 'Invalid allowableCodes: {} (expected a list of HTTP status codes, such as [200])');
  });

  it('still accepts lists and names a bad member', () => {
    expect([...parseSettings({ allowableCodes: [200, 203] }).allowableCodes]).to.deep.equal([200, 203]);
    expect(() => parseSettings({ allowableCodes: ['200'] })).to.throw(RangeError, "('200' is not an HTTP status code)");
  });
});
