import { expect } from 'chai';
import { DEFAULT_HASHED_PARAMETERS, DEFAULT_IGNORED_PARAMETERS, REDACTED } from '../../src/constants.js';
import { createKey, keyFnRequest, redactRequest, redactResponseHeaders, redactUrl, varyDigestsOf } from '../../src/policy/keys.js';
import { mergeParameterLists, parseSettings } from '../../src/policy/settings.js';
import type { CachedEntry, KeySettings, RequestInfo } from '../../src/policy/types.js';
import { checkVary } from '../../src/policy/vary.js';

const SETTINGS: KeySettings = {
  ignoredParameters: [],
  hashedParameters: DEFAULT_HASHED_PARAMETERS,
  credentialKey: Buffer.alloc(32, 1),
  varyKey: Buffer.alloc(32, 2),
  matchHeaders: false,
  serializerName: 'json',
};

const get = (url: string, headers: Record<string, string> = {}): RequestInfo => ({ method: 'GET', url, headers });
const key = (request: RequestInfo, settings: Partial<KeySettings> = {}) => createKey(request, { ...SETTINGS, ...settings });

describe('hashedParameters: merge rules', () => {
  it('defaults: nothing ignored, the credential names hashed', () => {
    expect(DEFAULT_IGNORED_PARAMETERS).to.deep.equal([]);
    const s = parseSettings({});
    expect(s.ignoredParameters).to.deep.equal([]);
    expect(s.hashedParameters).to.deep.equal(DEFAULT_HASHED_PARAMETERS);
    expect(DEFAULT_HASHED_PARAMETERS).to.include.members(['Authorization', 'Cookie', 'api_key']);
  });

  it("a user's list is added to the defaults, never replacing them", () => {
    const { hashed } = mergeParameterLists(undefined, ['X-Tenant']);
    expect(hashed).to.include.members(['Authorization', 'Cookie', 'X-Tenant']);
  });

  it('naming a default in ignoredParameters shares it (removed from the hashed set, any case)', () => {
    const { ignored, hashed } = mergeParameterLists(['cookie'], undefined);
    expect(ignored).to.deep.equal(['cookie']);
    expect(hashed.map((n) => n.toLowerCase())).to.not.include('cookie');
    expect(hashed).to.include('Authorization');
  });

  it('hashedParameters: false hashes nothing and ignores the credential names', () => {
    const { ignored, hashed } = mergeParameterLists(['x'], false);
    expect(hashed).to.deep.equal([]);
    expect(ignored).to.include.members(['x', 'Authorization', 'Cookie', 'api_key']);
  });

  it('a name in both lists is a TypeError naming it', () => {
    expect(() => parseSettings({ ignoredParameters: ['X-Tenant'], hashedParameters: ['x-tenant'] })).to.throw(TypeError, /x-tenant/);
  });

  it('hashSecret: string or bytes, at least 16 bytes; otherwise a clear error', () => {
    expect(parseSettings({ hashSecret: 'sixteen-bytes-ok' }).hashSecret).to.deep.equal(Buffer.from('sixteen-bytes-ok'));
    expect(() => parseSettings({ hashSecret: 'short' })).to.throw(RangeError, /hashSecret.*16 bytes/);
    expect(() => parseSettings({ hashSecret: new Uint8Array(8) })).to.throw(RangeError, /hashSecret/);
    expect(() => parseSettings({ hashSecret: 42 })).to.throw(TypeError, /hashSecret/);
  });
});

describe('hashedParameters: keys', () => {
  it('different credentials get different keys whatever matchHeaders is; equal ones share', () => {
    for (const matchHeaders of [false, true, ['accept']] as const) {
      const alice = key(get('https://e.com/me', { authorization: 'Bearer alice' }), { matchHeaders });
      expect(key(get('https://e.com/me', { authorization: 'Bearer bob' }), { matchHeaders }), String(matchHeaders)).to.not.equal(alice);
      expect(key(get('https://e.com/me', { authorization: 'Bearer alice' }), { matchHeaders })).to.equal(alice);
      expect(key(get('https://e.com/me'), { matchHeaders })).to.not.equal(alice);
    }
  });

  it('cookies, query, form and JSON credentials are hashed too', () => {
    expect(key(get('https://e.com/', { cookie: 'sid=a' }))).to.not.equal(key(get('https://e.com/', { cookie: 'sid=b' })));
    expect(key(get('https://e.com/', { cookie: 'a=1; sid=x' }))).to.equal(key(get('https://e.com/', { cookie: 'sid=x;a=1' })));
    expect(key(get('https://e.com/?API_KEY=a'))).to.not.equal(key(get('https://e.com/?API_KEY=b')));
    const post = (body: string, type: string): RequestInfo => ({ method: 'POST', url: 'https://e.com/', headers: { 'content-type': type }, body });
    expect(key(post('{"n":{"api_key":"a"}}', 'application/json'))).to.not.equal(key(post('{"n":{"api_key":"b"}}', 'application/json')));
    expect(key(post('api_key=a', 'application/x-www-form-urlencoded'))).to.not.equal(key(post('api_key=b', 'application/x-www-form-urlencoded')));
  });

  it('the digest depends on the secret: another credentialKey gives another key', () => {
    const request = get('https://e.com/me', { authorization: 'Bearer alice' });
    expect(key(request)).to.not.equal(key(request, { credentialKey: Buffer.alloc(32, 9) }));
    expect(key(get('https://e.com/me'))).to.equal(key(get('https://e.com/me'), { credentialKey: Buffer.alloc(32, 9) }));
  });

  it('Range is part of the key whatever matchHeaders is', () => {
    expect(key(get('https://e.com/f', { range: 'bytes=0-9' }))).to.not.equal(key(get('https://e.com/f', { range: 'bytes=10-19' })));
    expect(key(get('https://e.com/f', { range: 'bytes=0-9' }))).to.not.equal(key(get('https://e.com/f')));
  });

  it('an ignored name stays out of the key (shared on purpose)', () => {
    const settings = { ignoredParameters: ['Authorization'], hashedParameters: DEFAULT_HASHED_PARAMETERS.filter((n) => n !== 'Authorization') };
    expect(key(get('https://e.com/me', { authorization: 'a' }), settings)).to.equal(key(get('https://e.com/me', { authorization: 'b' }), settings));
  });
});

describe('hashedParameters: stored data', () => {
  const SECRET = 'tok-5f0c1d';

  it('redacts hashed values like ignored ones, and stores no key digest', () => {
    const request: RequestInfo = {
      method: 'POST',
      url: `https://e.com/p;api_key=${SECRET}?Access_Token=${SECRET}&ids[]=1&api_key[0]=${SECRET}#access_token=${SECRET}`,
      headers: { authorization: `Bearer ${SECRET}`, cookie: `sid=${SECRET}`, 'content-type': 'text/plain' },
      body: `{"a":[{"deep":{"API_KEY":"${SECRET}"}}]}`,
    };
    const stored = redactRequest(request, SETTINGS);
    const text = JSON.stringify(stored);
    expect(text).to.not.include(SECRET);
    expect(stored.headers.authorization).to.equal(REDACTED);
    expect(stored.url).to.equal(`https://e.com/p;api_key=${REDACTED}?Access_Token=${REDACTED}&api_key%5B0%5D=${REDACTED}&ids%5B%5D=1`);
    expect(stored.body).to.equal(`{"a":[{"deep":{"API_KEY":"${REDACTED}"}}]}`);
    // The Vary digest is made under its own key: it is not a value the cache key was built from.
    const vary = Object.values(stored.varyDigests ?? {});
    expect(vary).to.have.length(2);
    const keyView = keyFnRequest(request, SETTINGS);
    for (const digest of vary) expect(JSON.stringify(keyView)).to.not.include(digest);
  });

  it('redacts multipart field values by name', () => {
    const boundary = 'b0undary';
    const body = `--${boundary}\r\nContent-Disposition: form-data; name="api_key"\r\n\r\n${SECRET}\r\n--${boundary}\r\nContent-Disposition: form-data; name="a"\r\n\r\nkeep\r\n--${boundary}--\r\n`;
    const stored = redactRequest({ method: 'POST', url: 'https://e.com/', headers: { 'content-type': `multipart/form-data; boundary=${boundary}` }, body }, SETTINGS);
    expect(String(stored.body)).to.not.include(SECRET);
    expect(String(stored.body)).to.include(`name="api_key"\r\n\r\n${REDACTED}\r\n`);
    expect(String(stored.body)).to.include('keep');
  });

  it('redactResponseHeaders: listed names, and credentials in Location / Content-Location', () => {
    const out = redactResponseHeaders(
      { 'x-api-key': SECRET, location: `/cb?state=1&access_token=${SECRET}#api_key=${SECRET}`, 'content-location': `/x?API_KEY=${SECRET}`, etag: '"1"' },
      SETTINGS,
    );
    expect(JSON.stringify(out)).to.not.include(SECRET);
    expect(out.location).to.equal(`/cb?state=1&access_token=${REDACTED}#api_key=${REDACTED}`);
    expect(out.etag).to.equal('"1"');
  });

  it('redactUrl takes the key settings and drops the fragment', () => {
    expect(redactUrl(`https://e.com/?b=1&apikey=${SECRET}#x`, SETTINGS)).to.equal(`https://e.com/?apikey=${REDACTED}&b=1`);
  });
});

describe('hashedParameters: Vary', () => {
  const entryFor = (authorization: string | undefined): CachedEntry => {
    const headers: Record<string, string> = authorization === undefined ? {} : { authorization };
    const stored = redactRequest(get('https://e.com/me', headers), SETTINGS);
    return { v: 3, url: 'https://e.com/me', status: 200, statusText: 'OK', headers: { vary: 'Authorization' }, body: Buffer.alloc(0), request: stored, createdAt: 0, expires: null };
  };

  it('Vary: Authorization matches when the hashes are equal, and only then', () => {
    expect(checkVary(entryFor('Bearer a'), { authorization: 'Bearer a' }, SETTINGS).matches).to.equal(true);
    expect(checkVary(entryFor('Bearer a'), { authorization: 'Bearer b' }, SETTINGS).matches).to.equal(false);
    expect(checkVary(entryFor('Bearer a'), {}, SETTINGS).matches).to.equal(false);
    expect(checkVary(entryFor(undefined), {}, SETTINGS).matches).to.equal(true);
  });

  it('an ignored Authorization present on the request is still always a miss', () => {
    const settings = { ignoredParameters: ['Authorization'], hashedParameters: [], varyKey: SETTINGS.varyKey };
    expect(checkVary(entryFor('Bearer a'), { authorization: 'Bearer a' }, settings).matches).to.equal(false);
  });

  it('varyDigestsOf is empty without a Vary key', () => {
    expect(varyDigestsOf({ authorization: 'x' }, { ...SETTINGS, varyKey: undefined })).to.equal(undefined);
  });
});

describe('keyFn request view', () => {
  it('ignored values REDACTED, hashed values digests, never a raw token', () => {
    const view = keyFnRequest(get('https://e.com/?api_key=raw-123&x=1', { authorization: 'Bearer raw-123', 'x-i': 'v' }), {
      ...SETTINGS,
      ignoredParameters: ['x-i'],
    });
    expect(JSON.stringify(view)).to.not.include('raw-123');
    expect(view.headers['x-i']).to.equal(REDACTED);
    expect(view.headers.authorization).to.match(/^[0-9a-f]{64}$/);
  });
});
