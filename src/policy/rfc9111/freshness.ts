/**
 * Freshness lifetime (https://www.rfc-editor.org/rfc/rfc9111#section-4.2.1) for the RFC modes:
 * explicit freshness from the response first; where there is none, the user's `expireAfter` (session,
 * URL pattern or per-request) stands in for the heuristic; then the heuristic of §4.2.2.
 */
import { MAX_DATE_MS } from '../expiration.js';
import { parseStrictHttpDate } from './http-date.js';
import { headerValue } from '../headers.js';
import type { RfcMode } from '../settings.js';
import type { CacheDirectives, Expiration, StoredHeaders } from '../types.js';
import { dateValue } from './age.js';

/**
 * Statuses "heuristically cacheable" (RFC 9110 §15.1): storable, and given a heuristic lifetime,
 * without explicit freshness.
 */
export const HEURISTIC_STATUSES: ReadonlySet<number> = new Set([200, 203, 204, 206, 300, 301, 308, 404, 405, 410, 414, 501]);

/**
 * §4.2.2 leaves the fraction and any cap to the cache; 10% of the time since Last-Modified is the
 * typical setting it names. The cap of one week is Firefox's, so a resource untouched for years is
 * still checked weekly.
 */
export const HEURISTIC_FRACTION = 0.1;
export const HEURISTIC_CAP_SECONDS = 7 * 24 * 3600;

/**
 * May a response without explicit freshness be stored and given a heuristic (or the user's) lifetime?
 * A heuristically cacheable status, or `public` (or `private`, in a private cache) (§3, §4.2.2).
 */
export function heuristicAllowed(status: number, cc: CacheDirectives, mode: RfcMode): boolean {
  return HEURISTIC_STATUSES.has(status) || cc.public === true || (mode === 'private' && cc.private === true);
}

/** The expiry of a response whose age was 0 at `agedFrom`, within the range a Date can hold. */
export function expiryFrom(agedFrom: number, lifetime: Lifetime): number {
  return Math.min(MAX_DATE_MS, Math.round(agedFrom + lifetime.seconds * 1000));
}

export interface Lifetime {
  seconds: number;
  /** Where it came from, with its section, for the decision log. */
  source: string;
  /** True when the response itself set it (max-age, s-maxage or Expires). */
  explicit: boolean;
}

/** Explicit freshness (§4.2.1), or undefined when the response has none. */
export function explicitLifetime(cc: CacheDirectives, headers: StoredHeaders, mode: RfcMode, responseTime: number): Lifetime | undefined {
  if (mode === 'shared' && cc.sMaxAge !== undefined) return { seconds: cc.sMaxAge, source: 's-maxage (RFC 9111 §5.2.2.10)', explicit: true };
  if (cc.maxAge !== undefined) return { seconds: cc.maxAge, source: 'max-age (RFC 9111 §5.2.2.1)', explicit: true };
  const expires = headerValue(headers, 'expires');
  if (expires === undefined) return undefined;
  // §5.3: an invalid date (`0`, `-1`, garbage, two values) means already expired; the lifetime is
  // Expires - Date, so a clock difference between origin and cache does not shift it.
  const at = parseStrictHttpDate(expires);
  if (at === undefined) return { seconds: 0, source: 'invalid Expires: already expired (RFC 9111 §5.3)', explicit: true };
  const date = dateValue(headers) ?? responseTime;
  return { seconds: Math.max(0, (at - date) / 1000), source: 'Expires - Date (RFC 9111 §4.2.1, §5.3)', explicit: true };
}

/** §4.2.2: a fraction of the time since Last-Modified, for a heuristically cacheable status. */
export function heuristicLifetime(status: number, cc: CacheDirectives, mode: RfcMode, headers: StoredHeaders, responseTime: number): Lifetime | undefined {
  if (!heuristicAllowed(status, cc, mode)) return undefined;
  const field = headerValue(headers, 'last-modified');
  const lastModified = field === undefined ? undefined : parseStrictHttpDate(field);
  if (lastModified === undefined) return undefined;
  const date = dateValue(headers) ?? responseTime;
  const seconds = Math.min(HEURISTIC_CAP_SECONDS, Math.max(0, (date - lastModified) / 1000) * HEURISTIC_FRACTION);
  return { seconds, source: `heuristic: ${HEURISTIC_FRACTION * 100}% of Date - Last-Modified, at most ${HEURISTIC_CAP_SECONDS} s (RFC 9111 §4.2.2)`, explicit: false };
}

/**
 * The freshness lifetime of a response in the RFC modes. `fallback` is the user's expiration for the
 * request: it stands in for the heuristic when it says something (a lifetime or a date), while
 * "never expire" says nothing and must not make a response without explicit freshness fresh forever.
 */
export function freshnessLifetime(
  status: number,
  cc: CacheDirectives,
  headers: StoredHeaders,
  mode: RfcMode,
  fallback: { expiration: Expiration; source: string },
  responseTime: number,
): Lifetime {
  const explicit = explicitLifetime(cc, headers, mode, responseTime);
  if (explicit) return explicit;
  const { expiration } = fallback;
  if (heuristicAllowed(status, cc, mode)) {
    if (expiration.type === 'relative') return { seconds: Math.max(0, expiration.seconds), source: `${fallback.source}, standing in for the heuristic`, explicit: false };
    if (expiration.type === 'absolute') return { seconds: Math.max(0, (expiration.at - responseTime) / 1000), source: `${fallback.source}, standing in for the heuristic`, explicit: false };
  }
  return heuristicLifetime(status, cc, mode, headers, responseTime) ?? { seconds: 0, source: 'no explicit or heuristic freshness: stale at once (RFC 9111 §4.2.2)', explicit: false };
}
