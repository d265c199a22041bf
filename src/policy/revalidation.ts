/**
 * Folding a 304 Not Modified into the stored entry (RFC 9111 §4.3.4; reference §4).
 */
import type { CachedEntry, StoredHeaders } from './types.js';

/**
 * Headers a 304 never replaces (RFC 9111 §3.2): Content-Length describes the stored body, not the
 * empty 304; hop-by-hop fields (RFC 9110 §7.6.1) belong to one connection. Upstream only dropped
 * Content-Length when Transfer-Encoding was also present; a 304 carrying `Content-Length: 0` would
 * then have described the cached body as empty.
 */
const NOT_UPDATED = new Set([
  'content-length',
  'connection',
  'keep-alive',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

export interface MergedEntry {
  entry: CachedEntry;
  /**
   * Whether anything changed that is worth a write: the expiry, or a header value the 304 sent.
   * Headers missing from the 304 do not count (upstream `test_revalidation__skip_update`).
   */
  changed: boolean;
}

function same(a: string | string[] | undefined, b: string | string[]): boolean {
  if (Array.isArray(a) || Array.isArray(b)) return JSON.stringify(a) === JSON.stringify(b);
  return a === b;
}

/**
 * A new entry (the stored one is never mutated) with the 304's headers merged in and the new expiry.
 * `createdAt` and the body are kept: the 304 confirmed them.
 */
export function mergeNotModified(cached: CachedEntry, notModifiedHeaders: StoredHeaders, expires: number | null): MergedEntry {
  const headers: StoredHeaders = { ...cached.headers };
  let changed = expires !== cached.expires;
  for (const [name, value] of Object.entries(notModifiedHeaders)) {
    if (NOT_UPDATED.has(name)) continue;
    if (!same(headers[name], value)) changed = true;
    headers[name] = value;
  }
  return { entry: { ...cached, headers, expires }, changed };
}
