/** Which URLs an unsafe request invalidates (src/policy/rfc9111/invalidation.ts, RFC 9111 §4.4). */
import { expect } from 'chai';
import { invalidationTargets, isUnsafeMethod } from '../../../src/policy/rfc9111/invalidation.js';

describe('policy/rfc9111/invalidation', () => {
  const url = 'https://api.example.com/items/1?x=1#frag';

  it('safe methods invalidate nothing; every other method, unknown ones included, does', () => {
    for (const method of ['GET', 'HEAD', 'OPTIONS', 'TRACE', 'get']) expect(isUnsafeMethod(method), method).to.equal(false);
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE', 'PURGE', 'M-SEARCH']) expect(isUnsafeMethod(method), method).to.equal(true);
    expect(invalidationTargets('GET', url, 200, {})).to.deep.equal([]);
  });

  it('only a non-error response (2xx, 3xx) invalidates', () => {
    expect(invalidationTargets('POST', url, 199, {})).to.deep.equal([]);
    expect(invalidationTargets('POST', url, 404, {})).to.deep.equal([]);
    expect(invalidationTargets('POST', url, 500, {})).to.deep.equal([]);
    expect(invalidationTargets('POST', url, 303, {})).to.deep.equal(['https://api.example.com/items/1?x=1']);
  });

  it('adds same-origin Location and Content-Location, resolved against the request URL; never another origin', () => {
    expect(
      invalidationTargets('PUT', url, 201, { location: '/items/2', 'content-location': 'https://api.example.com/items/3', }),
    ).to.deep.equal(['https://api.example.com/items/1?x=1', 'https://api.example.com/items/2', 'https://api.example.com/items/3']);
    expect(invalidationTargets('PUT', url, 201, { location: 'https://other.example.com/items/2', 'content-location': 'http://api.example.com/items/3' })).to.deep.equal([
      'https://api.example.com/items/1?x=1',
    ]);
  });

  it('an unparsable request URL or reference invalidates nothing it cannot name', () => {
    expect(invalidationTargets('POST', 'not a url', 200, {})).to.deep.equal([]);
    expect(invalidationTargets('POST', url, 200, { location: 'http://[bad' })).to.deep.equal(['https://api.example.com/items/1?x=1']);
  });
});
