/**
 * What to do with what the adapter answered (docs/behaviour.md §0 steps 7–9, §2.5, §4): the twin of
 * read-decision.ts on the way back. Every response reaches it, including those to requests the cache
 * skips entirely (unsafe methods, `cache: false`): the glue only does the I/O it is told to, and hands
 * back a skipped response exactly as the adapter returned it.
 *
 * Pure: no I/O, no clock. The user's filterFn is asked for through a thunk, and only when its verdict
 * matters (a 304 merge or a stale fallback never runs it).
 */
import { hasCallerValidators } from './conditional.js';
import { expiresAt } from './expiration.js';
import { redactRequest, redactResponseHeaders, redactUrl } from './keys.js';
import { isUsable, type ReadDecision } from './read-decision.js';
import type { RequestActions } from './request-actions.js';
import { mergeNotModified, withoutHopByHop } from './revalidation.js';
import type { CacheSettings } from './settings.js';
import { ENTRY_FORMAT, type CachedEntry, type KeySettings, type RequestInfo, type StoredHeaders } from './types.js';
import { decideWrite, effectiveExpiration, type WriteDecision } from './write-decision.js';
import { agedFrom } from './rfc9111/age.js';
import { ERROR_STATUSES, rfcUsableOnError } from './rfc9111/read.js';
import { decideRfcWrite, refusalAfterUpdate, responseDirectives, withoutQualifiedFields, type RfcWriteDecision } from './rfc9111/write.js';
import { expiryFrom, freshnessLifetime } from './rfc9111/freshness.js';

/** What one request found in the cache and decided about it (built by adapter/lookup.ts). */
export interface LookupFacts {
  request: RequestInfo;
  actions: RequestActions;
  /** Where a new response is written (the Vary-qualified key after a Vary mismatch). */
  key: string;
  /** The entry decided on, and the key it lives under (an alias target, for redirects). */
  entry?: CachedEntry;
  entryKey: string;
  decision: ReadDecision;
}

/** The response as the adapter gave it, with the body already read into bytes. */
export interface AdapterResponse {
  status: number;
  /** Whatever the adapter put there: mock and custom adapters often leave it out. */
  statusText: unknown;
  headers: StoredHeaders;
  body: Buffer;
  /** Where a followed redirect ended, userinfo removed, as the adapter reports it (may be relative or absent). */
  finalUrl?: string;
  /** The method of the last request the adapter sent (follow-redirects turns POST into GET on 303/301/302). */
  finalMethod?: string;
  /** The user's filterFn verdict, asked for only when it decides; absent when there is no filterFn. */
  passesFilter?: () => boolean;
}

export type ResponseDecision =
  /** Hand the adapter's response back untouched; nothing is read or written. */
  | { action: 'pass'; reason: string }
  /** Serve this entry (a 304 confirmed it, or a failure falls back to it); `save` it first when set. */
  | { action: 'serve-entry'; entry: CachedEntry; key: string; revalidated: boolean; save?: CachedEntry; discard?: boolean; reason: string }
  /**
   * Return the network response. `save` it under the lookup's key (with aliases for the given requests,
   * whose keys the glue computes) when set; `discard` what is stored under that key when true.
   */
  | {
      action: 'return';
      save?: { entry: CachedEntry; aliases: RequestInfo[] };
      discard: boolean;
      /** The write decision's named criteria, when one was taken (for the log). */
      criteria?: Record<string, boolean>;
      reason: string;
    };

export interface ResponseContext {
  settings: CacheSettings;
  keySettings: KeySettings;
  /** When the response arrived (epoch ms). */
  now: number;
  /** When the request was sent (epoch ms), for the RFC modes' age (RFC 9111 §4.2.3); `now` when absent. */
  requestTime?: number;
}

/** For a request the cache does not handle at all: the response goes back as the adapter returned it. */
export function decideUntouched(reason: string): ResponseDecision {
  // Invalidation after unsafe methods (RFC modes, https://www.rfc-editor.org/rfc/rfc9111#section-4.4)
  // is decided by rfc9111/invalidation.ts, whatever this says about the response itself.
  return { action: 'pass', reason };
}

/**
 * The cached entry, when it may answer a failed refetch or revalidation (docs/behaviour.md §2.5).
 * After a network error (or the caller's timeout) it is served if usable on the error path: fresh (a
 * `refresh` or `alwaysRevalidate` check failed), never-expiring, within max-stale, or within
 * stale-if-error. After an error status outside allowableCodes, only with stale-if-error set:
 * upstream turns the status into an error only then (requests-cache 1.3 `session.py` `_resend`).
 */
export function staleFallback(lookup: LookupFacts, now: number, failure: 'error' | 'status', settings?: CacheSettings): { entry: CachedEntry; key: string } | undefined {
  const { entry, actions, decision } = lookup;
  // Only re-fetches are protected: a first request (or a Vary or Range miss) has nothing to fall back on.
  if (!entry || decision.action === 'send') return undefined;
  if (settings?.rfcMode) return rfcUsableOnError(entry, actions, settings.rfcMode, now, failure) ? { entry, key: lookup.entryKey } : undefined;
  if (failure === 'status' && actions.staleIfError === false) return undefined;
  if (!isUsable(entry, actions, now, true)) return undefined;
  return { entry, key: lookup.entryKey };
}

/**
 * Only an absolute http(s) URL is where a redirect ended: a mock adapter's relative `responseUrl`
 * (or any other scheme) would otherwise alias a key nobody can request.
 */
export function redirectTarget(finalUrl: string | undefined): string | undefined {
  if (finalUrl === undefined || !/^https?:\/\//i.test(finalUrl)) return undefined;
  return URL.canParse(finalUrl) ? finalUrl : undefined;
}

/**
 * Response headers as stored: no hop-by-hop fields (https://www.rfc-editor.org/rfc/rfc9111#section-3.1),
 * and none that echo a secret of the request (policy/keys.ts `redactResponseHeaders`).
 */
export function storableHeaders(headers: StoredHeaders, keySettings: KeySettings): StoredHeaders {
  return redactResponseHeaders(withoutHopByHop(headers), keySettings);
}

/** The entry written for a response; `statusText` is always a string ('' when the adapter gave none). */
function storedEntry(lookup: LookupFacts, response: AdapterResponse, url: string, verdict: WriteDecision & { agedFrom?: number; headers?: StoredHeaders }, ctx: ResponseContext): CachedEntry {
  const entry: CachedEntry = {
    v: ENTRY_FORMAT,
    url: redactUrl(url, ctx.keySettings),
    status: response.status,
    statusText: typeof response.statusText === 'string' ? response.statusText : '',
    headers: storableHeaders(verdict.headers ?? response.headers, ctx.keySettings),
    body: response.body,
    request: redactRequest(lookup.request, ctx.keySettings),
    createdAt: ctx.now,
    expires: verdict.expires,
  };
  if (verdict.agedFrom !== undefined) entry.agedFrom = verdict.agedFrom;
  return entry;
}

/**
 * RFC modes: a 304 makes the stored response as fresh as the merged headers say, its age counted
 * from the 304 (https://www.rfc-editor.org/rfc/rfc9111#section-4.3.4: the updated response is used
 * as if it had just been received).
 */
function refreshedByNotModified(entry: CachedEntry, notModified: StoredHeaders, lookup: LookupFacts, ctx: ResponseContext): { expires: number; agedFrom: number; headers: StoredHeaders; refusal?: string } {
  const mode = ctx.settings.rfcMode!;
  const merged = mergeNotModified(entry, notModified, entry.expires).entry.headers;
  const cc = responseDirectives(merged);
  const lifetime = freshnessLifetime(entry.status, cc, merged, mode, { expiration: lookup.actions.expiration, source: lookup.actions.expirationSource }, ctx.now);
  const born = agedFrom(notModified, ctx.requestTime ?? ctx.now, ctx.now);
  // The 304's own directives may forbid keeping the response now (no-store, private in a shared
  // cache): it answers this request, and the stored entry goes (RFC 9111 §3, §4.3.4).
  const refusal = refusalAfterUpdate(entry.status, merged, mode, lookup.request.headers.authorization !== undefined, lifetime.explicit);
  return { expires: expiryFrom(born, lifetime), agedFrom: born, headers: withoutQualifiedFields(merged, cc, mode), refusal };
}

/** The decision for a response from the network, after a miss, a revalidation or a refetch. */
export function decideResponse(lookup: LookupFacts, response: AdapterResponse, ctx: ResponseContext): ResponseDecision {
  const { settings, now } = ctx;
  const { request, actions, entry } = lookup;
  const callerValidators = hasCallerValidators(request.headers);

  if (response.status === 304) {
    // The caller's own validator was sent alone (read-decision.ts): this 304 answers the caller, and
    // confirms nothing the cache holds (docs/behaviour.md §4).
    if (callerValidators) return { action: 'return', discard: false, reason: "304 to the caller's own validators; entry untouched" };
    if (entry) {
      // A 304 confirms the entry (docs/behaviour.md §4): new expiry by the usual precedence (the 304's
      // own Cache-Control when cacheControl is on), merged headers, createdAt kept.
      const refreshed = settings.rfcMode ? refreshedByNotModified(entry, response.headers, lookup, ctx) : undefined;
      const expires = refreshed ? refreshed.expires : expiresAt(effectiveExpiration(settings, actions, response.headers, now), now);
      const merged = mergeNotModified(entry, response.headers, expires);
      if (refreshed?.refusal) {
        return {
          action: 'serve-entry',
          entry: merged.entry,
          key: lookup.entryKey,
          revalidated: true,
          discard: !settings.readOnly,
          reason: `revalidated (304), but the 304 withdraws storage: ${refreshed.refusal}; the stored entry is deleted`,
        };
      }
      if (refreshed) merged.entry = { ...merged.entry, headers: refreshed.headers, agedFrom: refreshed.agedFrom };
      const write = merged.changed && !actions.skipWrite;
      return {
        action: 'serve-entry',
        entry: merged.entry,
        key: lookup.entryKey,
        revalidated: true,
        save: write ? merged.entry : undefined,
        reason: write ? 'revalidated (304); entry updated' : 'revalidated (304); nothing changed or read-only, not written',
      };
    }
  }

  if (settings.rfcMode ? ERROR_STATUSES.has(response.status) : !settings.allowableCodes.has(response.status) && response.status >= 400) {
    const fallback = staleFallback(lookup, now, 'status', settings);
    if (fallback) return { action: 'serve-entry', ...fallback, revalidated: false, reason: `answered ${response.status}; serving the stale cached response` };
  }

  const target = redirectTarget(response.finalUrl);
  const redirected = target !== undefined && target !== request.url;
  // follow-redirects (like browsers) turns a POST into a GET on 301/302 and anything but HEAD into a
  // GET on 303 (https://www.rfc-editor.org/rfc/rfc9110#section-15.4.4): the final response answers a
  // GET, never this request's method and body. It is not stored under either: a GET key computed here
  // would carry this request's headers, which follow-redirects partly drops (body headers, and
  // credentials across hosts), so the GET itself is cached when it is really requested.
  const methodChanged = redirected && response.finalMethod !== undefined && response.finalMethod.toUpperCase() !== request.method;
  const facts = {
    status: response.status,
    headers: response.headers,
    // Asked whenever the write criteria run: a rejection also deletes what is stored.
    passesFilter: response.passesFilter ? response.passesFilter() : true,
    rangeRequested: request.headers.range !== undefined,
    callerValidators,
    methodChanged,
  };
  const verdict: WriteDecision & { agedFrom?: number; headers?: StoredHeaders } = settings.rfcMode
    ? decideRfcWrite(settings, actions, { ...facts, requestTime: ctx.requestTime ?? now, responseTime: now, authorized: request.headers.authorization !== undefined })
    : decideWrite(settings, actions, facts, now);
  if (!verdict.write) {
    // Docs/behaviour.md §0 step 9: a response the filter rejects also removes what is stored for the
    // request (read-only caches are never changed).
    const discard = verdict.criteria['disabled by filter'] === true && !settings.readOnly;
    return { action: 'return', discard, criteria: verdict.criteria, reason: 'not written' };
  }
  const url = redirected ? target : request.url;
  // A redirected response also answers its final URL (docs/behaviour.md §3.5): alias that URL's key.
  const aliases = redirected ? [{ ...request, url }] : [];
  return {
    action: 'return',
    save: { entry: storedEntry(lookup, response, url, verdict, ctx), aliases },
    discard: false,
    criteria: verdict.criteria,
    reason: 'lifetime' in verdict ? `fresh for ${Math.round((verdict as RfcWriteDecision).lifetime.seconds)} s by ${(verdict as RfcWriteDecision).lifetime.source}` : 'written',
  };
}

/** A cached response the filter now rejects is served this time and deleted, unless the cache is read-only. */
export function decideRejectedEntry(settings: CacheSettings): { discard: boolean; reason: string } {
  return settings.readOnly ? { discard: false, reason: 'kept (readOnly)' } : { discard: true, reason: 'deleting it' };
}
