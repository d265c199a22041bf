/**
 * Folding a 304 Not Modified into the stored entry (RFC 9111 §4.3.4; docs/behaviour.md §4).
 */
import type { CachedEntry, StoredHeaders } from './types.js';

/**
 * Hop-by-hop fields (https://www.rfc-editor.org/rfc/rfc9110#section-7.6.1) belong to one connection:
 * a cache neither stores nor replays them (https://www.rfc-editor.org/rfc/rfc9111#section-3.1).
 * `proxy-connection` is the pre-standard spelling some clients and proxies still send.
 */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade']);

/** Hop-by-hop names, plus every field the response's own `Connection` names. */
function connectionScoped(headers: StoredHeaders): Set<string> {
  const connection = headers.connection;
  if (connection === undefined) return HOP_BY_HOP;
  const named = (Array.isArray(connection) ? connection.join(',') : connection)
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter(Boolean);
  return new Set([...HOP_BY_HOP, ...named]);
}

/** The headers without hop-by-hop fields; the same object when there are none (the usual case). */
export function withoutHopByHop(headers: StoredHeaders): StoredHeaders {
  const scoped = connectionScoped(headers);
  if (!Object.keys(headers).some((name) => scoped.has(name))) return headers;
  const result: StoredHeaders = {};
  for (const [name, value] of Object.entries(headers)) if (!scoped.has(name)) result[name] = value;
  return result;
}

/**
 * Headers a 304 never replaces (https://www.rfc-editor.org/rfc/rfc9111#section-3.2), besides the
 * hop-by-hop ones: Content-Length describes the stored body, not the empty 304 (upstream only dropped
 * it when Transfer-Encoding was also present, so `Content-Length: 0` described the cached body as
 * empty); and `Set-Cookie` is for whoever sent that revalidation, never for every later hit, whatever
 * `storeSetCookie` says (docs/behaviour.md §4).
 */
const NOT_UPDATED = new Set(['content-length', 'set-cookie']);

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
  const scoped = connectionScoped(notModifiedHeaders);
  for (const [name, value] of Object.entries(notModifiedHeaders)) {
    if (NOT_UPDATED.has(name) || scoped.has(name)) continue;
    if (!same(headers[name], value)) changed = true;
    headers[name] = value;
  }
  return { entry: { ...cached, headers, expires }, changed };
}
