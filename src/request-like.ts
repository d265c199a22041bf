/**
 * Requests named to the inspection API (`contains`, `delete`, `createKey`) turned into the request the
 * adapter would see, so they produce the same keys as real requests.
 */
import axios, { AxiosHeaders, mergeConfig, type AxiosRequestConfig, type InternalAxiosRequestConfig } from 'axios';
import { buildRequestInfoNow } from './adapter/request-info.js';
import type { RequestInfo } from './policy/types.js';

/** A request to look up: an axios-style config (GET when no method), or a prepared RequestInfo. */
export type RequestLike = Pick<AxiosRequestConfig, 'method' | 'url' | 'baseURL' | 'params' | 'headers' | 'data' | 'auth'> | RequestInfo;

/** A prepared RequestInfo: an upper-case method, an absolute URL, a headers record, no axios-only fields. */
function isRequestInfo(request: RequestLike): request is RequestInfo {
  const r = request as RequestInfo & { baseURL?: unknown; params?: unknown; auth?: unknown };
  return (
    typeof r.method === 'string' &&
    /^[A-Z]+$/.test(r.method) &&
    typeof r.url === 'string' &&
    /^[a-z][a-z\d+.-]*:\/\//i.test(r.url) &&
    typeof r.headers === 'object' &&
    r.baseURL === undefined &&
    r.params === undefined &&
    r.auth === undefined
  );
}

/** A per-method (or `common`) bucket of axios default headers: an object where a header has a value. */
const isBucket = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Default headers flattened as axios' `Axios.request` does before sending: `common`, then the
 * method's bucket, then the headers themselves, with every bucket dropped (axios 1.21 has buckets for
 * `query`, `purge`, `link` and `unlink` too, so buckets are told by their object value, as axios does).
 */
function flattenHeaders(headers: unknown, method: string): Record<string, unknown> {
  if (!headers || typeof headers !== 'object') return {};
  const h = headers as Record<string, unknown>;
  const flat: Record<string, unknown> = { ...(isBucket(h.common) ? h.common : {}), ...(isBucket(h[method]) ? h[method] : {}) };
  for (const [name, value] of Object.entries(h)) if (!isBucket(value)) flat[name] = value;
  return flat;
}

/**
 * A config as the adapter would see it, built as axios 1.x builds it before calling the adapter
 * (`lib/core/Axios.js` `_request`, `lib/core/dispatchRequest.js`): merged with the instance's
 * defaults (baseURL, default headers), header buckets flattened, the config's own
 * `transformRequest` run (so objects become JSON, a `Uint8Array` its `ArrayBuffer`, URLSearchParams
 * form text, exactly as on the wire), and the form content type axios gives a POST/PUT/PATCH that
 * has none. Then the adapter's own converter ({@link buildRequestInfoNow}) makes the RequestInfo.
 *
 * Throws a TypeError for bodies a key cannot be computed from synchronously (spec FormData, Blob,
 * streams): pass the RequestInfo itself, or look the entry up by key.
 */
export function requestInfo(request: RequestLike, defaults: AxiosRequestConfig | undefined): RequestInfo {
  if (isRequestInfo(request)) return request;
  const merged = (defaults ? mergeConfig(defaults, request as AxiosRequestConfig) : { ...request }) as AxiosRequestConfig;
  const method = (merged.method ?? 'get').toLowerCase();
  const headers = AxiosHeaders.from(flattenHeaders(merged.headers, method) as Record<string, string>);
  const config = { ...merged, method, headers } as InternalAxiosRequestConfig;
  const transforms = [merged.transformRequest ?? axios.defaults.transformRequest ?? []].flat();
  let data: unknown = merged.data;
  for (const transform of transforms) data = transform.call(config, data, headers.normalize(false));
  config.data = data;
  if (['post', 'put', 'patch'].includes(method)) headers.setContentType('application/x-www-form-urlencoded', false);
  const built = buildRequestInfoNow(config);
  if (built === undefined) {
    throw new TypeError('A FormData or Blob body cannot be keyed synchronously; pass the request as a RequestInfo, or use its key');
  }
  if (!built.cacheable) throw new TypeError(`This request is never cached: ${built.reason}`);
  return built.info;
}
