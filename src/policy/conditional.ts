/**
 * The caller's own conditional request (If-None-Match / If-Modified-Since), answered from a stored
 * response when the cache may serve it (RFC 9111 §4.3.2,
 * https://www.rfc-editor.org/rfc/rfc9111#section-4.3.2), and otherwise forwarded alone: the cache
 * never mixes its validators with the caller's, since the origin's 304 would then answer the
 * caller's validator while the cache took it as confirming its own (older) entry.
 */
import { headerValue } from './headers.js';
import type { CachedEntry, HeaderRecord, StoredHeaders } from './types.js';

/** Did the caller send a validator of its own? Two field reads: cheap enough for every hit. */
export function hasCallerValidators(headers: HeaderRecord): boolean {
  return headers['if-none-match'] !== undefined || headers['if-modified-since'] !== undefined;
}

/** The opaque tags of an If-None-Match list, or `'*'`. */
function entityTags(field: string): string[] | '*' {
  if (field.trim() === '*') return '*';
  return [...field.matchAll(/(?:W\/)?"([^"]*)"/g)].map((match) => match[1]!);
}

/** Weak comparison (https://www.rfc-editor.org/rfc/rfc9110#section-8.8.3.2): opaque tags equal, W/ ignored. */
function weakMatch(field: string, stored: string | undefined): boolean {
  const tags = entityTags(field);
  if (tags === '*') return true;
  if (stored === undefined) return false;
  const own = /(?:W\/)?"([^"]*)"/.exec(stored)?.[1];
  return own !== undefined && tags.includes(own);
}

function httpDate(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const time = Date.parse(value);
  return Number.isNaN(time) ? undefined : time;
}

/**
 * How the stored response answers the caller's conditional GET/HEAD: `'not-modified'` (send a 304),
 * `'modified'` (send the stored response), or undefined when there is nothing to evaluate. Per
 * https://www.rfc-editor.org/rfc/rfc9110#section-13.2.2, If-None-Match takes precedence and uses the
 * weak comparison (https://www.rfc-editor.org/rfc/rfc9110#section-13.1.2); If-Modified-Since
 * (https://www.rfc-editor.org/rfc/rfc9110#section-13.1.3) is compared with the stored Last-Modified
 * and ignored when it is not a valid date. Conditionals only apply when the response would be a 2xx
 * other than 206 (https://www.rfc-editor.org/rfc/rfc9110#section-13.2.1), and only to GET and HEAD.
 */
export function evaluateConditional(entry: CachedEntry, method: string, headers: HeaderRecord): 'not-modified' | 'modified' | undefined {
  if (method !== 'GET' && method !== 'HEAD') return undefined;
  if (entry.status < 200 || entry.status > 299 || entry.status === 206) return undefined;
  const ifNoneMatch = headers['if-none-match'];
  if (ifNoneMatch !== undefined) return weakMatch(ifNoneMatch, headerValue(entry.headers, 'etag')) ? 'not-modified' : 'modified';
  const since = httpDate(headers['if-modified-since']);
  if (since === undefined) return undefined;
  const lastModified = httpDate(headerValue(entry.headers, 'last-modified'));
  if (lastModified === undefined) return 'modified';
  return lastModified <= since ? 'not-modified' : 'modified';
}

/** Stored headers a 304 carries (https://www.rfc-editor.org/rfc/rfc9110#section-15.4.5). */
const NOT_MODIFIED_HEADERS = ['etag', 'cache-control', 'expires', 'date', 'vary', 'content-location', 'last-modified'];

export function notModifiedHeaders(stored: StoredHeaders): StoredHeaders {
  const result: StoredHeaders = {};
  for (const name of NOT_MODIFIED_HEADERS) if (stored[name] !== undefined) result[name] = stored[name]!;
  return result;
}
