/**
 * Whether a response from the origin is written, and with which expiry (docs/behaviour.md §1 "Write
 * criteria", §2.3 response headers, §2.4 precedence steps 1–3).
 */
import { parseCacheControl } from './directives.js';
import { expirationFromResponseExpires, expiresAt } from './expiration.js';
import { hasValidator, headerValue } from './headers.js';
import type { RequestActions } from './request-actions.js';
import type { CacheSettings } from './settings.js';
import type { Expiration, StoredHeaders } from './types.js';

export interface WriteDecision {
  write: boolean;
  /** Epoch ms, or null for never. */
  expires: number | null;
  /** Named criteria: each true one is a reason not to write. */
  criteria: Record<string, boolean>;
}

export interface ResponseFacts {
  status: number;
  headers: StoredHeaders;
  /** The user's filterFn verdict; true when there is none. */
  passesFilter: boolean;
  /** The request carried a `Range` header. */
  rangeRequested?: boolean;
  /** The request carried the caller's own validators (If-None-Match / If-Modified-Since). */
  callerValidators?: boolean;
  /** A followed redirect changed the method (POST answered by 303, say): the response is another method's. */
  methodChanged?: boolean;
}

/**
 * The expiration that applies to a response. With `cacheControl`, response headers come first:
 * `immutable` (never), then `max-age`, then `Expires` (RFC 9111 §4.2.1; docs/behaviour.md §2.4 steps 1–3).
 * Upstream measures max-age from local receipt, with no Age/Date correction.
 */
export function effectiveExpiration(
  settings: CacheSettings,
  actions: RequestActions,
  headers: StoredHeaders,
  now: number,
): Expiration {
  if (settings.cacheControl) {
    const directives = parseCacheControl(headerValue(headers, 'cache-control'));
    if (directives.immutable) return { type: 'never' };
    if (directives.maxAge !== undefined) return { type: 'relative', seconds: directives.maxAge };
    const expires = headerValue(headers, 'expires');
    if (expires !== undefined) return { type: 'absolute', at: expirationFromResponseExpires(expires, now) };
  }
  return actions.expiration;
}

export function decideWrite(
  settings: CacheSettings,
  actions: RequestActions,
  response: ResponseFacts,
  now: number,
): WriteDecision {
  const expiration = effectiveExpiration(settings, actions, response.headers, now);
  // Response no-store is honoured in every mode (https://www.rfc-editor.org/rfc/rfc9111#section-5.2.2.5);
  // requests-cache 1.x only reads it with cache_control=True, which `ignoreResponseNoStore` restores.
  const responseNoStore =
    (settings.cacheControl || !settings.ignoreResponseNoStore) &&
    parseCacheControl(headerValue(response.headers, 'cache-control')).noStore === true;
  const criteria = {
    ...actions.writeCriteria,
    'disabled status': !settings.allowableCodes.has(response.status),
    'disabled by filter': !response.passesFilter,
    'response no-store': responseNoStore,
    // A cookie is for the one client it was sent to (a session, a CSRF token): replaying it on every
    // hit hands it to every caller. requests-cache stores it; `storeSetCookie` does too.
    'response Set-Cookie': !settings.storeSetCookie && response.headers['set-cookie'] !== undefined,
    // A part of the resource is no answer to a request for all of it
    // (https://www.rfc-editor.org/rfc/rfc9110#section-15.3.7).
    'partial response without Range': response.status === 206 && response.rangeRequested !== true,
    // The origin's 304 answers the caller's validator, not any stored entry: it is handed back only.
    "304 to the caller's own validators": response.status === 304 && response.callerValidators === true,
    'redirect changed the method': response.methodChanged === true,
    // EXPIRE_IMMEDIATELY is worth storing only when the entry can be revalidated (upstream
    // `test_expire_immediately`). Upstream compares with the integer 0 only: a setting of 0.5 is
    // written (expiring now), and an `Expires: 0` header is an absolute time, so it writes too.
    'expire immediately without validator': expiration.type === 'relative' && expiration.seconds === 0 && !hasValidator(response.headers),
  };
  return {
    write: !Object.values(criteria).some(Boolean),
    expires: expiration.type === 'do-not-cache' ? now : expiresAt(expiration, now),
    criteria,
  };
}
