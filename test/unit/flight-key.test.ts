/**
 * The transport part of a flight's identity: which config differences keep concurrent requests from
 * sharing one network call.
 */
import http from 'node:http';
import { expect } from 'chai';
import type { InternalAxiosRequestConfig } from 'axios';
import { transportFingerprint } from '../../src/adapter/flight-key.js';

const config = (fields: Record<string, unknown>): InternalAxiosRequestConfig =>
  ({ url: '/x', method: 'get', headers: {}, maxRedirects: 21, ...fields }) as unknown as InternalAxiosRequestConfig;

describe('flight identity: transportFingerprint', () => {
  it('compares plain objects by value, since mergeConfig copies them on every request (proxy, env)', () => {
    const fetchImpl = async () => new Response('');
    const a = config({ proxy: { host: '127.0.0.1', port: 3128, auth: { username: 'u', password: 'p' } }, env: { fetch: fetchImpl } });
    const b = config({ proxy: { port: 3128, host: '127.0.0.1', auth: { password: 'p', username: 'u' } }, env: { fetch: fetchImpl } });
    expect(transportFingerprint(a)).to.equal(transportFingerprint(b));
    const otherPort = config({ proxy: { host: '127.0.0.1', port: 3129, auth: { username: 'u', password: 'p' } }, env: { fetch: fetchImpl } });
    expect(transportFingerprint(otherPort)).to.not.equal(transportFingerprint(a));
  });

  it('compares agents and functions by identity', () => {
    const agent = new http.Agent();
    const follow = () => undefined;
    expect(transportFingerprint(config({ httpAgent: agent, beforeRedirect: follow }))).to.equal(
      transportFingerprint(config({ httpAgent: agent, beforeRedirect: follow })),
    );
    expect(transportFingerprint(config({ httpAgent: agent }))).to.not.equal(transportFingerprint(config({ httpAgent: new http.Agent() })));
    expect(transportFingerprint(config({ beforeRedirect: follow }))).to.not.equal(
      transportFingerprint(config({ beforeRedirect: () => undefined })),
    );
    agent.destroy();
  });

  it('tells apart what changes the exchange: maxRedirects, socketPath, maxContentLength, the adapter', () => {
    const base = transportFingerprint(config({}));
    expect(transportFingerprint(config({ maxRedirects: 0 }))).to.not.equal(base);
    expect(transportFingerprint(config({ socketPath: '/tmp/s.sock' }))).to.not.equal(base);
    expect(transportFingerprint(config({ maxContentLength: 10 }))).to.not.equal(base);
    expect(transportFingerprint(config({ adapter: () => undefined }))).to.not.equal(base);
    // A number is not its string spelling.
    expect(transportFingerprint(config({ maxContentLength: 10 }))).to.not.equal(transportFingerprint(config({ maxContentLength: '10' })));
  });

  it('ignores what each caller applies to its own copy: validateStatus, responseType, timeouts, cancellation, progress', () => {
    const base = transportFingerprint(config({}));
    const perCaller = config({
      validateStatus: () => true,
      responseType: 'stream',
      responseEncoding: 'latin1',
      transformResponse: [(d: unknown) => d],
      timeout: 5,
      timeoutErrorMessage: 'slow',
      signal: new AbortController().signal,
      onDownloadProgress: () => undefined,
      transitional: { clarifyTimeoutError: true },
      cache: { staleIfError: true },
      auth: { username: 'u', password: 'p' },
      params: { a: 1 },
      url: '/y',
      headers: { accept: 'text/plain' },
    });
    expect(transportFingerprint(perCaller)).to.equal(base);
  });

  it('terminates on cyclic plain objects', () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    expect(transportFingerprint(config({ fetchOptions: cyclic }))).to.be.a('string');
  });
});
