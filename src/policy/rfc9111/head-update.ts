/**
 * A 200 to a HEAD request updates, or makes stale, the stored GET response it describes
 * (https://www.rfc-editor.org/rfc/rfc9111#section-4.3.5). Pure: the glue reads the GET entry and
 * writes what this returns.
 */
import { headerValue } from '../headers.js';
import { mergeNotModified } from '../revalidation.js';
import type { RequestActions } from '../request-actions.js';
import type { RfcMode } from '../settings.js';
import type { CachedEntry, StoredHeaders } from '../types.js';
import { agedFrom } from './age.js';
import { expiryFrom, freshnessLifetime } from './freshness.js';
import { refusalAfterUpdate, responseDirectives, withoutQualifiedFields } from './write.js';

export type HeadUpdate =
  | { action: 'update' | 'stale'; entry: CachedEntry; reason: string }
  /** The HEAD response withdraws storage (no-store, private in a shared cache): delete the stored GET. */
  | { action: 'delete'; reason: string }
  | { action: 'none'; reason: string };

/** Do the validators the HEAD response carries (and its Content-Length) match the stored GET's? */
function matches(stored: StoredHeaders, head: StoredHeaders): boolean {
  let compared = false;
  for (const name of ['etag', 'last-modified', 'content-length']) {
    const value = headerValue(head, name);
    if (value === undefined) continue;
    if (name !== 'content-length') compared = true;
    if (headerValue(stored, name) !== value) return false;
  }
  return compared;
}

export function decideHeadUpdate(
  get: CachedEntry | undefined,
  head: { status: number; headers: StoredHeaders; requestTime: number; responseTime: number; authorized: boolean },
  actions: RequestActions,
  mode: RfcMode,
): HeadUpdate {
  if (!get) return { action: 'none', reason: 'no stored GET response' };
  if (head.status !== 200) return { action: 'none', reason: `HEAD answered ${head.status}` };
  if (!matches(get.headers, head.headers)) {
    // §4.3.5: the stored response no longer describes what HEAD sees: consider it stale.
    return { action: 'stale', entry: { ...get, expires: Math.min(get.expires ?? head.responseTime, head.responseTime) }, reason: 'HEAD validators differ: the stored GET is stale (RFC 9111 §4.3.5)' };
  }
  const merged = mergeNotModified(get, head.headers, get.expires).entry;
  const cc = responseDirectives(merged.headers);
  const lifetime = freshnessLifetime(get.status, cc, merged.headers, mode, { expiration: actions.expiration, source: actions.expirationSource }, head.responseTime);
  const refusal = refusalAfterUpdate(get.status, merged.headers, mode, head.authorized, lifetime.explicit);
  if (refusal) return { action: 'delete', reason: `the HEAD response withdraws storage: ${refusal}; the stored GET is deleted (RFC 9111 §4.3.5)` };
  const born = agedFrom(head.headers, head.requestTime, head.responseTime);
  return {
    action: 'update',
    entry: { ...merged, headers: withoutQualifiedFields(merged.headers, cc, mode), expires: expiryFrom(born, lifetime), agedFrom: born },
    reason: `HEAD validators match: the stored GET is updated, fresh for ${Math.round(lifetime.seconds)} s by ${lifetime.source} (RFC 9111 §4.3.5)`,
  };
}
