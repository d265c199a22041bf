/**
 * The read side of the RFC modes: may a stored response answer this request, does it need
 * validation first, or may it be served stale (https://www.rfc-editor.org/rfc/rfc9111#section-4,
 * RFC 5861). Called by read-decision.ts once Vary and Range have matched.
 */
import { hasCallerValidators } from '../conditional.js';
import { hasValidator, validationHeaders } from '../headers.js';
import type { ReadContext, ReadDecision } from '../read-decision.js';
import type { RequestActions } from '../request-actions.js';
import type { RfcMode } from '../settings.js';
import type { CacheDirectives, CachedEntry } from '../types.js';
import { currentAge } from './age.js';
import { responseDirectives } from './write.js';

/** RFC 5861 §4: the statuses stale-if-error answers for. */
export const ERROR_STATUSES: ReadonlySet<number> = new Set([500, 502, 503, 504]);

/**
 * Directives that forbid serving the response stale (RFC 9111 §4.2.4): must-revalidate; in a
 * shared cache also proxy-revalidate and s-maxage (§5.2.2.8, §5.2.2.10); and an unqualified
 * no-cache, which forbids any use without validation.
 */
function staleForbidden(cc: CacheDirectives, mode: RfcMode): string | undefined {
  if (cc.mustRevalidate) return 'must-revalidate (RFC 9111 §5.2.2.2)';
  if (mode === 'shared' && cc.proxyRevalidate) return 'proxy-revalidate (RFC 9111 §5.2.2.8)';
  if (mode === 'shared' && cc.sMaxAge !== undefined) return 's-maxage (RFC 9111 §5.2.2.10)';
  if (cc.noCache && cc.noCacheFields === undefined) return 'no-cache (RFC 9111 §5.2.2.4)';
  return undefined;
}

interface Freshness {
  fresh: boolean;
  age: number;
  /** Seconds past expiry (0 when fresh). */
  staleFor: number;
  /** Seconds of freshness left (0 when stale). */
  left: number;
}

function freshness(entry: CachedEntry, now: number): Freshness {
  const age = currentAge(entry, now);
  if (entry.expires === null) return { fresh: true, age, staleFor: 0, left: Infinity };
  const fresh = now < entry.expires;
  return { fresh, age, staleFor: fresh ? 0 : (now - entry.expires) / 1000, left: fresh ? (entry.expires - now) / 1000 : 0 };
}

/** The stale-while-revalidate window in seconds: the response's directive, else the user's setting or request. */
function swrWindow(cc: CacheDirectives, actions: RequestActions): number | undefined {
  if (cc.staleWhileRevalidate !== undefined) return cc.staleWhileRevalidate;
  return actions.staleWhileRevalidate === false ? undefined : actions.staleWhileRevalidate;
}

/** The stale-if-error window in seconds: the response's directive (RFC 5861 §4), else the user's. */
function sieWindow(cc: CacheDirectives, actions: RequestActions): number | undefined {
  if (cc.staleIfError !== undefined) return cc.staleIfError;
  return actions.staleIfError === false ? undefined : actions.staleIfError;
}

export function decideRfcRead(entry: CachedEntry, ctx: ReadContext): ReadDecision {
  const { settings, actions, now } = ctx;
  const mode = settings.rfcMode!;
  const cc = responseDirectives(entry.headers);
  const f = freshness(entry, now);
  const forbidden = staleForbidden(cc, mode);
  const immutable = f.fresh && cc.immutable === true;

  // Why the stored response cannot be served as it is; the first reason applies.
  const reasons: Array<[string, boolean]> = [
    ['the response says no-cache (RFC 9111 §5.2.2.4)', cc.noCache === true && cc.noCacheFields === undefined],
    ['the request says no-cache (RFC 9111 §5.2.1.4)', actions.requestNoCache === true],
    ['refresh', actions.refresh],
    // RFC 8246 §2: a fresh immutable response is not revalidated on a reload (a browser's reload is a
    // request max-age=0) nor by alwaysRevalidate; an explicit no-cache or `refresh` still validates.
    ['alwaysRevalidate', settings.alwaysRevalidate && !immutable],
    [`age ${Math.floor(f.age)} s exceeds the request max-age (RFC 9111 §5.2.1.1)`, actions.maxAge !== undefined && f.age > actions.maxAge && !immutable],
    ['less fresh than the request min-fresh (RFC 9111 §5.2.1.3)', f.fresh && actions.minFresh !== undefined && f.left < actions.minFresh],
  ];
  let why = reasons.find(([, on]) => on)?.[0];
  let servedStale = false;
  if (why === undefined && !f.fresh) {
    if (forbidden) why = `stale, and ${forbidden} forbids serving it stale`;
    else if (actions.maxStale !== undefined && f.staleFor <= actions.maxStale) servedStale = true;
    else why = `stale for ${Math.ceil(f.staleFor)} s (RFC 9111 §4.2)`;
  }

  // Only staleness stands in the way: stale-while-revalidate may serve it and refresh behind (RFC 5861 §3).
  const swr = swrWindow(cc, actions);
  const onlyStale = why !== undefined && !f.fresh && !forbidden && reasons.every(([, on]) => !on);
  const inSwr = onlyStale && swr !== undefined && f.staleFor <= swr;

  if (actions.onlyIfCached) {
    if (why === undefined) return { action: 'serve', stale: servedStale, reason: `only-if-cached: ${servedStale ? 'within the request max-stale' : 'fresh'}` };
    if (inSwr) return { action: 'stale-while-revalidate', headers: validationHeaders(entry.headers), reason: 'only-if-cached, within stale-while-revalidate (RFC 5861 §3)' };
    return { action: 'gateway-timeout', reason: `only-if-cached and ${why} (RFC 9111 §5.2.1.7)` };
  }
  if (why === undefined) {
    return { action: 'serve', stale: servedStale, reason: servedStale ? 'stale, within the request max-stale (RFC 9111 §5.2.1.2)' : `fresh: age ${Math.floor(f.age)} s, ${Math.floor(f.left)} s left (RFC 9111 §4.2)` };
  }
  if (inSwr) {
    return { action: 'stale-while-revalidate', headers: validationHeaders(entry.headers), reason: `${why}; within stale-while-revalidate=${swr} (RFC 5861 §3)` };
  }
  // The caller's own validators go to the origin alone (conditional.ts).
  if (hasCallerValidators(ctx.request.headers)) return { action: 'refetch', reason: `${why}; the caller sent its own validators` };
  return hasValidator(entry.headers)
    ? { action: 'revalidate', headers: validationHeaders(entry.headers), reason: `${why}: validating (RFC 9111 §4.3.1)` }
    : { action: 'refetch', reason: `${why}; no validator` };
}

/**
 * May the stored response answer for a failed request (RFC 9111 §4.2.4, RFC 5861 §4)? `'error'`:
 * the origin could not be reached; `'status'`: it answered 500, 502, 503 or 504. A fresh response
 * still answers a failed check (unless no-cache demanded one). A stale one answers an error status
 * only within stale-if-error (the response's or the user's); and a cache that cannot reach the origin
 * is "disconnected" (§4.2.4), when serving stale is allowed, so a network error is answered with the
 * stale response unless a directive forbids serving it stale. The response says so: `isExpired: true`.
 */
export function rfcUsableOnError(entry: CachedEntry, actions: RequestActions, mode: RfcMode, now: number, failure: 'error' | 'status'): boolean {
  const cc = responseDirectives(entry.headers);
  const sie = sieWindow(cc, actions);
  if (failure === 'status' && sie === undefined) return false;
  const f = freshness(entry, now);
  if (cc.noCache && cc.noCacheFields === undefined) return false;
  if (f.fresh) return true;
  if (staleForbidden(cc, mode)) return false;
  if (failure === 'error') return true;
  return sie !== undefined && f.staleFor <= sie;
}
