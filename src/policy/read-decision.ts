/**
 * What to do with the entry found for a request (docs/behaviour.md §0 step 5, §2.4 "usability", §4 "when
 * validation headers are added"). The first matching rule wins; each decision carries its reason.
 */
import { hasCallerValidators } from './conditional.js';
import { parseCacheControl } from './directives.js';
import { hasValidator, headerValue, validationHeaders } from './headers.js';
import type { RequestActions } from './request-actions.js';
import type { CacheSettings } from './settings.js';
import type { CachedEntry, RequestInfo } from './types.js';
import { decideRfcRead } from './rfc9111/read.js';
import { checkVary } from './vary.js';

export type ReadDecision =
  /** Nothing usable was found: send the request as is. */
  | { action: 'send'; reason: string }
  /** The entry is for another Vary variant: look under the secondary key, never revalidate this one. */
  | { action: 'vary-mismatch'; reason: string }
  /** Serve the entry. `stale` marks a response served past its expiry (max-stale, only-if-cached + stale-if-error). */
  | { action: 'serve'; stale: boolean; reason: string }
  /** Send a conditional request; a 304 confirms the entry. */
  | { action: 'revalidate'; headers: Record<string, string>; reason: string }
  /** The entry is stale and has no validator: fetch again (stale-if-error may still fall back to it). */
  | { action: 'refetch'; reason: string }
  /** Serve the stale entry now and refresh it in the background (RFC 5861 §3). */
  | { action: 'stale-while-revalidate'; headers: Record<string, string>; reason: string }
  /** only-if-cached and nothing usable: a synthetic 504 (RFC 9111 §5.2.1.7). */
  | { action: 'gateway-timeout'; reason: string };

/**
 * The one expiry predicate: an entry (or anything with a stored `expires`, epoch ms or null for
 * never) is expired from its `expires` instant on. Freshness comes only from the stored value.
 */
export function isExpired(entry: { readonly expires: number | null }, now: number): boolean {
  return entry.expires !== null && now >= entry.expires;
}

/**
 * May this entry be served? Freshness comes only from the stored `expires` (docs/behaviour.md §2.4). One
 * allowance applies, in upstream's order: on the error path, stale-if-error; for an expired entry,
 * stale-while-revalidate (which then decides alone: a `max-stale` never widens it); otherwise the
 * request's max-stale (RFC 9111 §5.2.1.2) widens the window, or else min-fresh (§5.2.1.3) narrows
 * it. As upstream, a zero `max-stale` counts as absent, so `min-fresh` still applies.
 * `onError`: the question is asked after a failed request, so the stale-if-error allowance applies,
 * and a fresh entry stays usable even without it (upstream `is_usable(error=True)`).
 */
export function isUsable(entry: CachedEntry, actions: RequestActions, now: number, onError = false): boolean {
  if (entry.expires === null) return true;
  let allowance: number;
  if (onError && actions.staleIfError !== false) allowance = actions.staleIfError;
  else if (isExpired(entry, now) && actions.staleWhileRevalidate !== false) allowance = actions.staleWhileRevalidate;
  else if (actions.maxStale) allowance = actions.maxStale;
  else allowance = actions.minFresh ? -actions.minFresh : 0;
  return now < entry.expires + allowance * 1000;
}

export interface ReadContext {
  settings: CacheSettings;
  actions: RequestActions;
  request: RequestInfo;
  now: number;
  /** True when `entry` came from a Vary-qualified key: its Vary was already accounted for. */
  secondary?: boolean;
}

export function decideRead(entry: CachedEntry | undefined, ctx: ReadContext): ReadDecision {
  const { settings, actions, now } = ctx;
  if (!entry) {
    return actions.onlyIfCached
      ? { action: 'gateway-timeout', reason: 'only-if-cached and not cached' }
      : { action: 'send', reason: 'not cached' };
  }

  const vary = checkVary(entry, ctx.request.headers, settings);
  if (!vary.matches) {
    if (!ctx.secondary) return { action: 'vary-mismatch', reason: vary.reason };
    return decideRead(undefined, ctx);
  }

  // A stored partial response answers only a request for exactly the same range
  // (https://www.rfc-editor.org/rfc/rfc9111#section-3.4 needs a cache that combines ranges, which
  // this one is not). The key carries Range too; this also covers aliases and a user's keyFn.
  if (entry.status === 206 && (entry.request.headers.range ?? '') !== (ctx.request.headers.range ?? '')) {
    return actions.onlyIfCached
      ? { action: 'gateway-timeout', reason: 'only-if-cached and the stored partial response is for another Range' }
      : { action: 'send', reason: 'the stored partial response (206) is for another Range' };
  }

  // The RFC modes decide freshness, validation and staleness by RFC 9111 (policy/rfc9111/read.ts).
  if (settings.rfcMode) return decideRfcRead(entry, ctx);

  const usable = isUsable(entry, actions, now);
  const expired = isExpired(entry, now);
  // Reference §0 step 5: expired, usable and stale-while-revalidate set: serve stale, refresh behind.
  const inBackground = expired && usable && actions.staleWhileRevalidate !== false;

  if (actions.onlyIfCached) {
    // Even offline, an entry within stale-while-revalidate is refreshed in the background (upstream
    // `test_update_from_cached_response__stale_while_revalidate`).
    if (inBackground) {
      return { action: 'stale-while-revalidate', headers: validationHeaders(entry.headers), reason: 'only-if-cached with stale-while-revalidate' };
    }
    // A usable entry is served without any revalidation, even with `refresh` (upstream
    // `test_request_only_if_cached__skips_revalidation`).
    if (usable) return { action: 'serve', stale: expired, reason: 'only-if-cached: usable entry' };
    if (isUsable(entry, actions, now, true)) return { action: 'serve', stale: true, reason: 'only-if-cached: stale-if-error allows it' };
    return { action: 'gateway-timeout', reason: 'only-if-cached and the entry is expired' };
  }

  if (inBackground) {
    return { action: 'stale-while-revalidate', headers: validationHeaders(entry.headers), reason: 'expired, within stale-while-revalidate' };
  }
  // The caller's own validators go to the origin alone (see conditional.ts): its 304 then answers
  // the caller, and the cache's entry is neither confirmed nor re-armed by it.
  const ownValidators = hasCallerValidators(ctx.request.headers);
  if (!usable) {
    if (ownValidators) return { action: 'refetch', reason: 'expired; the caller sent its own validators' };
    return hasValidator(entry.headers)
      ? { action: 'revalidate', headers: validationHeaders(entry.headers), reason: 'expired, has a validator' }
      : { action: 'refetch', reason: 'expired, no validator' };
  }

  // With cacheControl, a stored `no-cache` or `must-revalidate` forces a check on every use, even while
  // fresh (upstream `test_update_from_cached_response__force_revalidate`).
  const stored = settings.cacheControl ? parseCacheControl(headerValue(entry.headers, 'cache-control')) : {};
  const forced = stored.noCache === true || stored.mustRevalidate === true;
  const validator = hasValidator(entry.headers);
  const criteria = { expired, refresh: actions.refresh, 'always revalidate': settings.alwaysRevalidate };
  const wanted = Object.entries(criteria).find(([, on]) => on);

  if (validator && (wanted || forced)) {
    const why = wanted ? wanted[0] : 'response no-cache/must-revalidate';
    if (ownValidators) return { action: 'refetch', reason: `${why}; the caller sent its own validators` };
    return { action: 'revalidate', headers: validationHeaders(entry.headers), reason: `${why}, has a validator` };
  }
  if (forced) return { action: 'refetch', reason: 'response no-cache/must-revalidate, no validator' };
  // `refresh` without a validator serves the entry and sends nothing (upstream `test_request_refresh__no_validator`).
  return { action: 'serve', stale: expired, reason: expired ? 'expired but accepted (max-stale)' : 'fresh' };
}
