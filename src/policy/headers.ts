/** Reading stored response headers (lower-case names; `set-cookie` may be a list). */
import type { StoredHeaders } from './types.js';

export function headerValue(headers: StoredHeaders, name: string): string | undefined {
  const value = headers[name];
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value.join(', ') : value;
}

/** An entry can be revalidated when it carries a validator (RFC 9110 §8.8). */
export function hasValidator(headers: StoredHeaders): boolean {
  return headers.etag !== undefined || headers['last-modified'] !== undefined;
}

/**
 * Conditional request headers for a stored response (RFC 9110 §13.1.1, §13.1.3): the ETag verbatim
 * (weak `W/` included) and Last-Modified verbatim; both when both exist, as upstream.
 */
export function validationHeaders(headers: StoredHeaders): Record<string, string> {
  const result: Record<string, string> = {};
  const etag = headerValue(headers, 'etag');
  const lastModified = headerValue(headers, 'last-modified');
  if (etag !== undefined) result['If-None-Match'] = etag;
  if (lastModified !== undefined) result['If-Modified-Since'] = lastModified;
  return result;
}
