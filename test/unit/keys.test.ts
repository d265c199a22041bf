import { expect } from 'chai';
import { DEFAULT_HASHED_PARAMETERS, REDACTED } from '../../src/constants.js';
import { createKey, redactRequest, redactUrl } from '../../src/policy/keys.js';
import { MULTIPART_BOUNDARY } from '../../src/policy/normalize-body.js';
import type { HeaderRecord, KeySettings, RequestInfo } from '../../src/policy/types.js';

/** The credential names as an ignored list: what `hashedParameters: false` ignores (requests-cache 1.x's defaults plus Cookie). */
const CREDENTIAL_NAMES = DEFAULT_HASHED_PARAMETERS;

const SETTINGS: KeySettings = {
  ignoredParameters: CREDENTIAL_NAMES,
  matchHeaders: false,
  serializerName: 'json',
};

function req(url: string, extra: Partial<RequestInfo> = {}): RequestInfo {
  return { method: 'GET', url, headers: {}, ...extra };
}

function key(request: RequestInfo, settings: Partial<KeySettings> = {}, matchHeaders?: boolean | readonly string[]) {
  return createKey(request, { ...SETTINGS, ...settings }, matchHeaders);
}

function post(body: string | Buffer, contentType: string, headers: HeaderRecord = {}): RequestInfo {
  return { method: 'POST', url: 'https://example.com/api', headers: { 'content-type': contentType, ...headers }, body };
}

describe('createKey (docs/behaviour.md §3.1)', () => {
  it('is 64 lower-case hex chars (full sha256) and stable', () => {
    const first = key(req('https://example.com?foo=bar&param=1'));
    expect(first).to.match(/^[0-9a-f]{64}$/);
    expect(key(req('https://example.com?foo=bar&param=1'))).to.equal(first);
  });

  it('pins a known value, so key changes are deliberate (they orphan every stored entry)', () => {
    // Changed in 0.2 with entry format 3: the serializer is no longer a key part.
    expect(key(req('https://example.com?foo=bar&param=1'))).to.equal(
      '1c2a458f0a988cb0ced68e4547c04ce36f0a0c1e04bf2d9a5d4d7d4c17486089',
    );
  });

  it('upper-cases the method, and different methods differ', () => {
    expect(key(req('https://example.com/', { method: 'get' }))).to.equal(key(req('https://example.com/')));
    expect(key(req('https://example.com/', { method: 'HEAD' }))).to.not.equal(key(req('https://example.com/')));
  });

  describe('URL equivalences (docs/behaviour.md §10.3)', () => {
    const canonical = key(req('https://example.com/?a=1&b=2'));

    for (const variant of [
      'https://example.com/?b=2&a=1', // param order
      'https://example.com?a=1&b=2', // `?` vs `/?`
      'https://example.com/?a=1&b=2&', // trailing &
      'https://example.com:443/?a=1&b=2', // default port
      'HTTPS://example.com/?a=1&b=2', // scheme case
      'https://EXAMPLE.com/?a=1&b=2', // host case
      'https://example.com/x/../?a=1&b=2', // dot segments
      'https://example.com/?a=1&b=2&c=', // blank values dropped
    ]) {
      it(`${variant} shares the key of https://example.com/?a=1&b=2`, () => {
        expect(key(req(variant))).to.equal(canonical);
      });
    }

    it('preserves path case', () => {
      expect(key(req('https://example.com/Path'))).to.not.equal(key(req('https://example.com/path')));
    });

    it('keeps the port when it is not the default', () => {
      expect(key(req('https://example.com:8443/'))).to.not.equal(key(req('https://example.com/')));
    });
  });

  describe('duplicate and key-only params (docs/behaviour.md §10.4)', () => {
    it('?a=1&a=2 differs from ?a=1, from ?a=2 and from ?a=2&a=1', () => {
      const both = key(req('https://example.com/?a=1&a=2'));
      expect(both).to.not.equal(key(req('https://example.com/?a=1')));
      expect(both).to.not.equal(key(req('https://example.com/?a=2')));
      expect(key(req('https://example.com/?a=1'))).to.not.equal(key(req('https://example.com/?a=2')));
      expect(key(req('https://example.com/?a=2&a=1'))).to.not.equal(both);
    });

    it('key-only params are distinct and order-insensitive', () => {
      expect(key(req('https://example.com/?param_1'))).to.not.equal(key(req('https://example.com/?param_2')));
      expect(key(req('https://example.com/?k=v&p'))).to.equal(key(req('https://example.com/?p&k=v')));
      expect(key(req('https://example.com/?p'))).to.not.equal(key(req('https://example.com/')));
    });
  });

  describe('bodies', () => {
    it('hashes raw (non-JSON, non-form) bodies verbatim, order-sensitive (docs/behaviour.md §10.5)', () => {
      expect(key(post('b=2&a=1', 'text/plain'))).to.not.equal(key(post('a=1&b=2', 'text/plain')));
      expect(key(post('{"b":1,"a":2}', 'text/plain'))).to.not.equal(key(post('{"a":2,"b":1}', 'text/plain')));
      expect(key(post('same', 'text/plain'))).to.equal(key(post(Buffer.from('same'), 'text/plain')));
    });

    it('a body is part of the key; no body equals an empty body', () => {
      const noBody: RequestInfo = { method: 'POST', url: 'https://example.com/api', headers: {} };
      expect(key(post('x', 'text/plain'))).to.not.equal(key(noBody));
      expect(key({ ...noBody, body: '' })).to.equal(key(noBody));
    });

    it('JSON bodies share a key under key reordering at any depth, not for different values (docs/behaviour.md §10.2)', () => {
      const a = key(post('{"b":1,"a":{"y":1,"x":2}}', 'application/json'));
      expect(key(post('{"a": {"y": 1, "x": 2}, "b": 1}', 'application/json'))).to.equal(a);
      expect(key(post('{"b":2,"a":{"y":1,"x":2}}', 'application/json'))).to.not.equal(a);
      // Nested objects are reordered too (upstream: top level only).
      expect(key(post('{"b":1,"a":{"x":2,"y":1}}', 'application/json'))).to.equal(a);
    });

    it('form bodies are normalized like queries (docs/behaviour.md §10.2)', () => {
      const form = 'application/x-www-form-urlencoded';
      expect(key(post('b=2&a=1', form))).to.equal(key(post('a=1&b=2', form)));
      expect(key(post('a=1&b=3', form))).to.not.equal(key(post('a=1&b=2', form)));
      expect(key(post('a=x+y', form))).to.equal(key(post('a=x%20y', form)));
    });

    it('multipart uploads with different random boundaries share a key, in body and content type', () => {
      const upload = (boundary: string, content = 'hello') =>
        post(`--${boundary}\r\nContent-Disposition: form-data; name="f"\r\n\r\n${content}\r\n--${boundary}--\r\n`,
          `multipart/form-data; boundary=${boundary}`);
      expect(key(upload('axios-111'))).to.equal(key(upload('axios-222')));
      expect(key(upload('axios-111'), {}, true)).to.equal(key(upload('axios-222'), {}, true));
      expect(key(upload('axios-111', 'a'))).to.not.equal(key(upload('axios-222', 'b')));
    });

    it('uses contentRootKey to normalize only that part of a JSON body', () => {
      const settings = { contentRootKey: 'q', ignoredParameters: ['tok'] };
      const a = post('{"meta":1,"q":{"b":1,"a":2,"tok":"x"}}', 'application/json');
      const b = post('{"meta":1,"q":{"a":2,"tok":"y","b":1}}', 'application/json');
      expect(key(a, settings)).to.equal(key(b, settings));
    });
  });

  describe('ignoredParameters: value changes share a key, presence does not (docs/behaviour.md §10.10)', () => {
    const settings = { ignoredParameters: ['x'] };

    it('query', () => {
      const one = key(req('https://example.com/?a=1&x=1'), settings);
      expect(key(req('https://example.com/?x=2&a=1'), settings)).to.equal(one);
      expect(key(req('https://example.com/?a=1'), settings)).to.not.equal(one);
    });

    it('form body', () => {
      const form = 'application/x-www-form-urlencoded';
      const one = key(post('a=1&x=1', form), settings);
      expect(key(post('a=1&x=2', form), settings)).to.equal(one);
      expect(key(post('a=1', form), settings)).to.not.equal(one);
    });

    it('JSON body', () => {
      const one = key(post('{"a":1,"x":1}', 'application/json'), settings);
      expect(key(post('{"x":"two","a":1}', 'application/json'), settings)).to.equal(one);
      expect(key(post('{"a":1}', 'application/json'), settings)).to.not.equal(one);
    });

    it('header, with matchHeaders true (any case)', () => {
      const withHeader = (value: string) => req('https://example.com/', { headers: { accept: 'a', x: value } });
      const one = key(withHeader('1'), settings, true);
      expect(key(withHeader('2'), settings, true)).to.equal(one);
      expect(key(req('https://example.com/', { headers: { accept: 'a' } }), settings, true)).to.not.equal(one);
      expect(key(withHeader('2'), { ignoredParameters: ['X'] }, true)).to.equal(key(withHeader('1'), { ignoredParameters: ['X'] }, true));
    });

    it('fix of BUG? (docs/behaviour.md §3.3): lower-case `authorization` is ignored by the default `Authorization`', () => {
      const as = (token: string) => req('https://example.com/', { headers: { authorization: `Bearer ${token}` } });
      expect(key(as('alice'), {}, true)).to.equal(key(as('bob'), {}, true));
      expect(key(as('alice'), {}, true)).to.not.equal(key(req('https://example.com/'), {}, true));
    });

    it('custom ignoredParameters replace the defaults instead of extending them', () => {
      const settings2 = { ignoredParameters: ['x'] };
      expect(key(req('https://example.com/?access_token=1'), settings2)).to.not.equal(
        key(req('https://example.com/?access_token=2'), settings2),
      );
      const as = (token: string) => req('https://example.com/', { headers: { authorization: token } });
      expect(key(as('a'), settings2, true)).to.not.equal(key(as('b'), settings2, true));
      // The defaults do ignore them.
      expect(key(req('https://example.com/?access_token=1'))).to.equal(key(req('https://example.com/?access_token=2')));
    });
  });

  describe('matchHeaders (docs/behaviour.md §10.12)', () => {
    const headers = (h: HeaderRecord) => req('https://example.com/', { headers: h });

    it('false (the default) ignores request headers', () => {
      expect(key(headers({ accept: 'text/html' }))).to.equal(key(headers({ accept: 'application/json' })));
      expect(key(headers({ accept: 'text/html' }))).to.equal(key(headers({})));
    });

    it('true keys on every header, in any order', () => {
      const one = key(headers({ accept: 'text/html', 'user-agent': 'a' }), { matchHeaders: true });
      expect(key(headers({ 'user-agent': 'a', accept: 'text/html' }), { matchHeaders: true })).to.equal(one);
      expect(key(headers({ accept: 'text/html', 'user-agent': 'b' }), { matchHeaders: true })).to.not.equal(one);
      expect(key(headers({ accept: 'text/html' }), { matchHeaders: true })).to.not.equal(one);
    });

    it("['Accept'] keys only on Accept, in any name case", () => {
      const settings = { matchHeaders: ['Accept'] as const };
      const one = key(headers({ accept: 'text/html', 'user-agent': 'a' }), settings);
      expect(key(headers({ accept: 'text/html', 'user-agent': 'b' }), settings)).to.equal(one);
      expect(key(headers({ accept: 'application/json', 'user-agent': 'a' }), settings)).to.not.equal(one);
    });

    it('normalizes comma-list values before matching', () => {
      expect(key(headers({ 'accept-encoding': 'gzip, deflate' }), { matchHeaders: true })).to.equal(
        key(headers({ 'accept-encoding': 'Deflate,gzip' }), { matchHeaders: true }),
      );
    });

    it('the matchHeaders argument overrides settings.matchHeaders (used for Vary)', () => {
      const a = headers({ accept: 'text/html' });
      const b = headers({ accept: 'application/json' });
      expect(key(a, { matchHeaders: false }, ['accept'])).to.not.equal(key(b, { matchHeaders: false }, ['accept']));
      expect(key(a, { matchHeaders: true }, false)).to.equal(key(b, { matchHeaders: true }, false));
      expect(key(a, { matchHeaders: ['accept'] }, false)).to.equal(key(a));
    });
  });

  it('the serializer is not part of the key (the stored value names its format instead)', () => {
    expect(key(req('https://example.com/'), { serializerName: 'json' })).to.equal(
      key(req('https://example.com/'), { serializerName: 'binary' }),
    );
  });

  it('parts cannot run together: a body that mimics a header part does not collide', () => {
    const plain = post('abc\0accept=x', 'application/octet-stream');
    const withHeader = post('abc', 'application/octet-stream', { accept: 'x' });
    expect(key(plain, {}, false)).to.not.equal(key(withHeader, {}, ['accept']));
  });
});

describe('redactRequest (docs/behaviour.md §5, §10.11)', () => {
  it('stores the method upper-case and the URL normalized with ignored values REDACTED', () => {
    const stored = redactRequest(req('https://Example.com/p?z=1&access_token=secret&a=2', { method: 'get' }), SETTINGS);
    expect(stored.method).to.equal('GET');
    expect(stored.url).to.equal(`https://example.com/p?a=2&access_token=${REDACTED}&z=1`);
    expect(stored).to.not.have.property('body');
  });

  it('redacts Authorization (any case) in stored headers and keeps other values as sent', () => {
    const stored = redactRequest(
      req('https://example.com/', { headers: { authorization: 'Bearer s3cret', accept: 'B, a' } }),
      SETTINGS,
    );
    expect(stored.headers).to.deep.equal({ authorization: REDACTED, accept: 'B, a' });
    expect(JSON.stringify(stored)).to.not.include('s3cret');
  });

  it('redacts form and JSON bodies', () => {
    const form = redactRequest(post('api_key=s3cret&b=1', 'application/x-www-form-urlencoded'), SETTINGS);
    expect(form.body).to.equal(`api_key=${REDACTED}&b=1`);
    const json = redactRequest(post('{"b":1,"access_token":"s3cret"}', 'application/json'), SETTINGS);
    expect(json.body).to.equal(`{"access_token":"${REDACTED}","b":1}`);
  });

  it('stores a multipart body and its content type with the same canonical boundary', () => {
    const stored = redactRequest(post('--r4nd\r\n\r\nx\r\n--r4nd--\r\n', 'multipart/form-data; boundary=r4nd'), SETTINGS);
    expect(stored.body).to.equal(`--${MULTIPART_BOUNDARY}\r\n\r\nx\r\n--${MULTIPART_BOUNDARY}--\r\n`);
    expect(stored.headers['content-type']).to.equal(`multipart/form-data; boundary=${MULTIPART_BOUNDARY}`);
  });

  it('keeps raw bodies byte-exact', () => {
    const raw = Buffer.from([0, 1, 2, 255]);
    expect(redactRequest(post(raw, 'application/octet-stream'), SETTINGS).body).to.equal(raw);
  });

  it('custom ignoredParameters replace the defaults', () => {
    const stored = redactRequest(
      req('https://example.com/?access_token=t&x=1', { headers: { authorization: 'a', x: 'h' } }),
      { ...SETTINGS, ignoredParameters: ['x'] },
    );
    expect(stored.url).to.equal(`https://example.com/?access_token=t&x=${REDACTED}`);
    expect(stored.headers).to.deep.equal({ authorization: 'a', x: REDACTED });
  });

  it('does not mutate the request', () => {
    const request = req('https://example.com/?access_token=t', { headers: { authorization: 'a' } });
    redactRequest(request, SETTINGS);
    expect(request).to.deep.equal(req('https://example.com/?access_token=t', { headers: { authorization: 'a' } }));
  });
});

describe('redactUrl', () => {
  it('sorts the query and redacts ignored values', () => {
    expect(redactUrl('https://example.com/?b=1&apikey=k', CREDENTIAL_NAMES)).to.equal(
      `https://example.com/?apikey=${REDACTED}&b=1`,
    );
  });
});
