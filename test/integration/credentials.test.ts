/**
 * Credentials that axios adds itself (the `auth` option, `user:password@` in the URL) are seen by the
 * cache as the Authorization header the origin gets: redacted in storage, never in a key or a stored
 * URL, and never shared between callers through coalescing.
 */
import axios from 'axios';
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { setupCache } from '../../src/index.js';
import { rejection, useHarness } from '../support/harness.js';
import { stored } from '../support/inspect.js';
import { rawFilesText, secretTraces } from '../support/storage-text.js';
import { tempDir } from '../support/temp.js';
import { sendJson, sleep } from '../support/wait.js';

const basic = (user: string, password: string): string => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('integration: credentials axios adds itself', () => {
  const h = useHarness();

  it('fixes requests-cache leak: a password in the URL never reaches the SQLite file, and the URL still hits', async () => {
    const password = 'url-pass-7f3e9a1c';
    const dir = tempDir();
    const withCredentials = h.origin.base.replace('://', `://alice:${password}@`) + '/creds';
    const http = h.cached({ backend: 'sqlite', cacheName: join(dir, 'creds') }, axios.create());

    await http.get(withCredentials);
    expect(h.origin.requests[0]!.headers.authorization, 'premise: axios sends the URL credentials as Basic auth').to.equal(
      basic('alice', password),
    );
    const second = await http.get(withCredentials);
    expect(second.fromCache).to.equal(true);
    expect(await http.cache.contains({ url: withCredentials })).to.equal(true);

    const [entry] = await stored(http);
    expect(entry!.url).to.equal(h.origin.url('/creds'));
    expect(entry!.request.url).to.equal(h.origin.url('/creds'));
    expect(entry!.request.headers.authorization).to.equal('REDACTED');
    await http.cache.close();
    const raw = rawFilesText(dir, 'creds');
    expect(raw, 'premise: the entry is in the file').to.include('/creds');
    expect(secretTraces(raw, password)).to.deep.equal([]);
    expect(secretTraces(raw, basic('alice', password).slice('Basic '.length))).to.deep.equal([]);
  });

  it('fixes a leak: credentials from `auth` on a redirected request never reach storage, and the final URL still hits', async () => {
    const password = 'auth-pass-4c2d8e6b';
    h.origin.route('/to-landing', (_req, res) => {
      res.statusCode = 302;
      res.setHeader('location', '/landing');
      res.end();
    });
    const dir = tempDir();
    const http = h.cached({ backend: 'sqlite', cacheName: join(dir, 'redirect') });
    const auth = { username: 'bob', password };

    const first = await http.get('/to-landing', { auth });
    expect(h.origin.requests[1]!.headers.authorization, 'premise: axios sends `auth` to the final URL').to.equal(basic('bob', password));
    expect(first.request.res.responseUrl, 'premise: follow-redirects writes the credentials into responseUrl').to.include(password);
    const final = await http.get('/landing', { auth });
    expect(final.fromCache, 'the final URL is a hit through its alias').to.equal(true);
    // The Authorization is hashed into the key, so the lookup names the same credentials.
    expect(await http.cache.contains({ request: { url: h.origin.url('/landing'), auth } })).to.equal(true);

    const [entry] = await stored(http);
    expect(entry!.url).to.equal(h.origin.url('/landing'));
    expect(entry!.request.headers.authorization).to.equal('REDACTED');
    await http.cache.close();
    const raw = rawFilesText(dir, 'redirect');
    expect(raw, 'premise: the entry is in the file').to.include('/landing');
    expect(secretTraces(raw, password)).to.deep.equal([]);
  });

  it('`auth` replaces an Authorization header as axios does, so Vary: Authorization compares what was sent', async () => {
    h.origin.route('/vary-auth', (req, res, n) => sendJson(res, { user: req.headers.authorization ?? null, n }, { vary: 'Authorization' }));
    // Authorization is not ignored here, so Vary compares its real values.
    const http = h.cached({ ignoredParameters: [] });
    const headers = { Authorization: 'Bearer shared-token' };
    const carol = await http.get('/vary-auth', { headers, auth: { username: 'carol', password: 'c' } });
    expect(carol.data.user, 'premise: `auth` wins over the header').to.equal(basic('carol', 'c'));
    const dave = await http.get('/vary-auth', { headers, auth: { username: 'dave', password: 'd' } });
    expect(dave.fromCache, 'another user is another variant').to.equal(false);
    expect(dave.data.user).to.equal(basic('dave', 'd'));
    const carolAgain = await http.get('/vary-auth', { headers, auth: { username: 'carol', password: 'c' } });
    expect(carolAgain.fromCache).to.equal(true);
    expect(carolAgain.data.user).to.equal(basic('carol', 'c'));
  });

  it('inspection sees `auth` as requests do: contains({ request: { url, auth } }) with matchHeaders', async () => {
    const http = h.cached({ matchHeaders: true, hashedParameters: false });
    await http.get('/inspect-auth', { auth: { username: 'erin', password: 'e' } });
    expect(await http.cache.contains({ request: { url: '/inspect-auth', auth: { username: 'erin', password: 'other' } } })).to.equal(
      true,
      'Authorization is ignored: any password has the same key',
    );
    expect(await http.cache.contains({ request: { url: '/inspect-auth' } })).to.equal(false, 'without credentials: another key');
  });

  it('concurrent requests with different per-request staleIfError never share a call: each gets its own fallback', async () => {
    let failing = false;
    h.origin.route('/sie-split', async (_req, res, n) => {
      if (failing) {
        await sleep(40);
        return sendJson(res, { error: true }, {}, 500);
      }
      sendJson(res, { n });
    });
    const http = h.cached({ expireAfter: 1 });
    await http.get('/sie-split');
    h.clock.advance(5);
    failing = true;
    const [tolerant, strict] = await Promise.all([
      http.get('/sie-split', { cache: { staleIfError: true } }),
      rejection(http.get('/sie-split')),
    ]);
    expect(tolerant.fromCache).to.equal(true);
    expect(tolerant.isExpired).to.equal(true);
    expect(tolerant.data).to.deep.equal({ n: 1 });
    expect(axios.isAxiosError(strict) && strict.response?.status, 'no staleIfError: the 500 rejects').to.equal(500);
  });

  it('the per-user recipe in the README: keyFn on a hash of Authorization keeps users apart, and no token is stored', async () => {
    const tokens = ['alice-token-5e1f', 'bob-token-9a7c'];
    h.origin.route('/me', (req, res, n) => sendJson(res, { me: String(req.headers.authorization).split(' ')[1]!.split('-')[0], n }));
    const dir = tempDir();
    const instance = axios.create({ baseURL: h.origin.base });
    let token = tokens[0]!;
    instance.interceptors.request.use((config) => {
      config.headers.set('Authorization', `Bearer ${token}`);
      return config;
    });
    const http = h.cached(
      {
        backend: 'sqlite',
        cacheName: join(dir, 'per-user'),
        serializer: 'json', // legible, so the stored request can be checked as text
        keyFn: (request, context) => `${context.defaultKey()}:${createHash('sha256').update(request.headers.authorization ?? '').digest('hex')}`,
      },
      instance,
    );
    expect((await http.get('/me')).data.me).to.equal('alice');
    token = tokens[1]!;
    const bob = await http.get('/me');
    expect(bob.fromCache, "bob is not served alice's response").to.equal(false);
    expect(bob.data.me).to.equal('bob');
    token = tokens[0]!;
    expect((await http.get('/me')).fromCache, "alice's own entry").to.equal(true);
    await http.cache.close();
    const raw = rawFilesText(dir, 'per-user');
    expect(raw, 'premise: entries are in the file').to.include('/me');
    expect(raw).to.include('"authorization":"REDACTED"');
    for (const secret of tokens) expect(secretTraces(raw, secret)).to.deep.equal([]);
  });

  it('setupCache on an instance with default `auth` keeps sending it, and the stored request is redacted', async () => {
    h.origin.route('/default-auth', (req, res, n) => sendJson(res, { user: req.headers.authorization ?? null, n }));
    const http = setupCache(axios.create({ baseURL: h.origin.base, auth: { username: 'frank', password: 'f' } }), { backend: 'memory' });
    try {
      expect((await http.get('/default-auth')).data.user).to.equal(basic('frank', 'f'));
      expect((await http.get('/default-auth')).fromCache).to.equal(true);
      const [entry] = await stored(http);
      expect(entry!.request.headers.authorization).to.equal('REDACTED');
    } finally {
      await http.cache.close();
    }
  });
});
