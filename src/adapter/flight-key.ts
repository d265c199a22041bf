/**
 * Which concurrent requests may share one network call (in-process coalescing). Two callers share a
 * call only when axios would send exactly the same request for both, over the same transport, and
 * the cache would store the answer the same way. Sharing more would hand one caller what another
 * caller's request got: another user's credentials, or a redirect followed where it was not wanted.
 */
import { createHash } from 'node:crypto';
import type { InternalAxiosRequestConfig } from 'axios';
import type { Lookup } from './lookup.js';

/**
 * Config fields that may differ between callers of one shared call, because each caller applies them
 * to its own copy of the result (validateStatus, responseType, transformResponse, timeouts and
 * cancellation: see flights.ts), because they are already folded into the request the key and the
 * fingerprint see (url, params, method, headers, data, auth), or because they only report progress.
 * Everything else (maxRedirects, beforeRedirect, agents, proxy, socketPath, transport, lookup,
 * maxContentLength, fetchOptions, env, the adapter...) changes what the adapter does, so it must match.
 */
const PER_CALLER = new Set([
  'url',
  'baseURL',
  'params',
  'paramsSerializer',
  'allowAbsoluteUrls',
  'method',
  'headers',
  'data',
  'auth',
  'transformRequest',
  'transformResponse',
  'validateStatus',
  'responseType',
  'responseEncoding',
  'transitional',
  'timeout',
  'timeoutErrorMessage',
  'signal',
  'cancelToken',
  'onDownloadProgress',
  'onUploadProgress',
  'cache',
]);

/** Ids for values compared by identity: functions, agents, class instances. Weak, so nothing is kept alive. */
const identities = new WeakMap<object, number>();
let nextIdentity = 0;

function identity(value: object): string {
  let id = identities.get(value);
  if (id === undefined) {
    id = ++nextIdentity;
    identities.set(value, id);
  }
  return `#${id}`;
}

function isPlain(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null || Array.isArray(value);
}

/**
 * Plain data by value (axios' mergeConfig copies plain objects such as `proxy` and `env` on every
 * request), anything else by identity (an agent, a function). `seen` guards against cycles.
 */
function fingerprint(value: unknown, seen: Set<object>): string {
  if (value === null || typeof value !== 'object') {
    return typeof value === 'function' ? identity(value) : `${typeof value}:${String(value)}`;
  }
  if (!isPlain(value) || seen.has(value)) return identity(value);
  seen.add(value);
  const entries = Object.keys(value)
    .sort()
    .map((name) => `${JSON.stringify(name)}=${fingerprint((value as Record<string, unknown>)[name], seen)}`);
  seen.delete(value);
  return `{${entries.join(',')}}`;
}

/** The transport options of a config, as text: equal for two configs only if the adapter treats them alike. */
export function transportFingerprint(config: InternalAxiosRequestConfig): string {
  const fields = config as unknown as Record<string, unknown>;
  const seen = new Set<object>();
  return Object.keys(fields)
    .filter((name) => !PER_CALLER.has(name) && fields[name] !== undefined)
    .sort()
    .map((name) => `${name}=${fingerprint(fields[name], seen)}`)
    .join('\n');
}

/**
 * The flight a request joins: the same request on the wire (method, URL, every header with its real
 * value, including credentials from `auth`, and body: not just the same cache key, which leaves
 * ignored parameters such as Authorization out), the same transport, and the same way of storing
 * and falling back (key, conditional headers, expiration, write decision, stale-if-error allowance).
 * Computed on the network path only.
 */
export function flightKey({ key, decision, actions, request }: Lookup, config: InternalAxiosRequestConfig): string {
  const hash = createHash('sha256').update(`${request.method} ${request.url}\0`);
  for (const name of Object.keys(request.headers).sort()) hash.update(`${name}: ${request.headers[name]}\0`);
  if (request.body !== undefined) hash.update(request.body);
  hash.update('\0').update(transportFingerprint(config));
  const conditional = 'headers' in decision ? JSON.stringify(decision.headers) : '';
  return [
    key,
    hash.digest('hex'),
    decision.action,
    conditional,
    JSON.stringify(actions.expiration),
    actions.skipWrite,
    String(actions.staleIfError),
  ].join('\n');
}
