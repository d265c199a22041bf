/**
 * Requests named to the inspection API (`contains`, `delete`, `createKey`) turned into the request the
 * adapter would see, so they produce the same keys as real requests.
 */
import { mergeConfig, type AxiosRequestConfig } from 'axios';
import { applyCredentials, fullUrl, plainHeaders } from './adapter/request-info.js';
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
 * A config as the adapter would see it: merged with the instance's defaults (baseURL, default
 * headers such as Accept), with objects turned into JSON as axios' default transformRequest does.
 */
export function requestInfo(request: RequestLike, defaults: AxiosRequestConfig | undefined): RequestInfo {
  if (isRequestInfo(request)) return request;
  const merged = (defaults ? mergeConfig(defaults, request as AxiosRequestConfig) : request) as AxiosRequestConfig;
  const method = (merged.method ?? 'get').toLowerCase();
  const headers = plainHeaders(flattenHeaders(merged.headers, method));
  let body: string | Buffer | undefined;
  const data: unknown = merged.data;
  if (typeof data === 'string' || Buffer.isBuffer(data)) body = data;
  else if (data instanceof URLSearchParams) {
    body = data.toString();
    headers['content-type'] ??= 'application/x-www-form-urlencoded;charset=utf-8';
  } else if (data !== undefined && data !== null) {
    body = JSON.stringify(data);
    headers['content-type'] ??= 'application/json';
  }
  const info: RequestInfo = { method: method.toUpperCase(), url: applyCredentials(fullUrl(merged), headers, merged.auth), headers };
  if (body !== undefined && body.length > 0) info.body = body;
  return info;
}
