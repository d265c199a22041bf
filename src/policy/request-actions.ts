/**
 * What a request asks of the cache, before any entry is read (docs/behaviour.md §0 step 3, upstream
 * `CacheActions.from_request`). Per-request options are kept internal: unlike requests-cache, they
 * never become request headers sent to the origin (docs/behaviour.md §0 step 1; README "Per-request options").
 */
import { METHOD_OVERRIDE_HEADERS } from '../constants.js';
import { parseCacheControl } from './directives.js';
import { isExpireImmediately } from './expiration.js';
import type { CacheSettings, RequestOptions, StaleAllowance } from './settings.js';
import type { CacheDirectives, Expiration, RequestInfo } from './types.js';
import { findUrlPattern } from './url-patterns.js';

export interface RequestActions {
  /** Expiration a response written now would get, before any response header is considered. */
  expiration: Expiration;
  /** Where `expiration` came from, for the debug log (e.g. `urlsExpireAfter[*.example.com]`). */
  expirationSource: string;
  skipRead: boolean;
  skipWrite: boolean;
  /** Revalidate even a fresh entry, if it has a validator. */
  refresh: boolean;
  onlyIfCached: boolean;
  staleIfError: StaleAllowance;
  staleWhileRevalidate: StaleAllowance;
  /** Request `max-stale` / `min-fresh` (RFC 9111 §5.2.1.2, §5.2.1.3). */
  maxStale?: number;
  minFresh?: number;
  /** RFC modes: the request `max-age`, a limit on the stored response's age (§5.2.1.1), not a lifetime. */
  maxAge?: number;
  /** RFC modes: request `no-cache` (or `Pragma: no-cache` without Cache-Control): validate, don't bypass (§5.2.1.4, §5.4). */
  requestNoCache?: boolean;
  /** The named criteria behind skipRead / skipWrite, for the debug log. */
  readCriteria: Record<string, boolean>;
  writeCriteria: Record<string, boolean>;
}

/** The method, or any method-override header, is in `allowableMethods` (docs/behaviour.md §1 `allowable_methods`). */
export function isMethodAllowed(settings: CacheSettings, request: RequestInfo): boolean {
  if (settings.allowableMethods.has(request.method)) return true;
  return METHOD_OVERRIDE_HEADERS.some((name) => {
    const value = request.headers[name];
    return value !== undefined && settings.allowableMethods.has(value.trim().toUpperCase());
  });
}

const EXPIRE_AT_ONCE: Expiration = Object.freeze({ type: 'relative', seconds: 0 });

/**
 * Expiration precedence for the request side (docs/behaviour.md §2.4 steps 4–6). We define one order where
 * upstream's merged header made it depend on string sorting: per-request `expireAfter` beats a
 * request `Cache-Control: max-age`, which beats the first matching URL pattern, then the session.
 */
function requestExpiration(
  settings: CacheSettings,
  request: RequestInfo,
  options: RequestOptions,
  directives: CacheDirectives,
): [Expiration, string] {
  if (options.expireAfter) {
    // Upstream sends a per-request value as `max-age=<whole seconds>`, so one that expires at once
    // (0.5, -0.5) arrives as max-age=0: the exact 0 the write rule looks for.
    const exp = isExpireImmediately(options.expireAfter) ? EXPIRE_AT_ONCE : options.expireAfter;
    return [exp, 'request cache.expireAfter'];
  }
  // In the RFC modes a request max-age limits the age of what is served (RFC 9111 §5.2.1.1); it
  // never sets how long a response is kept.
  if (directives.maxAge !== undefined && !settings.rfcMode) {
    return [{ type: 'relative', seconds: directives.maxAge }, 'request Cache-Control max-age'];
  }
  const pattern = findUrlPattern(request.url, settings.urlsExpireAfter);
  if (pattern) return [pattern.expiration, `urlsExpireAfter[${String(pattern.source)}]`];
  return [settings.expireAfter, 'expireAfter'];
}

/**
 * The per-request option decides when given; otherwise upstream's `setting or directive`: a truthy
 * setting wins, else the request directive applies (docs/behaviour.md §0 step 3).
 */
function allowance(option: StaleAllowance | undefined, directive: number | undefined, setting: StaleAllowance): StaleAllowance {
  if (option !== undefined) return option;
  if (setting !== false) return setting;
  return directive ?? false;
}

export function requestActions(
  settings: CacheSettings,
  request: RequestInfo,
  options: RequestOptions,
  disabled: boolean,
): RequestActions {
  // Request Cache-Control is honoured whatever `cacheControl` says (docs/behaviour.md §2.3).
  const directives = parseCacheControl(request.headers['cache-control'], { strict: settings.rfcMode !== undefined });
  const [expiration, expirationSource] = requestExpiration(settings, request, options, directives);
  const methodAllowed = isMethodAllowed(settings, request);
  const doNotCache = expiration.type === 'do-not-cache';
  const rfc = settings.rfcMode !== undefined;
  // RFC 9111 §5.4: `Pragma: no-cache` counts as `Cache-Control: no-cache` when the request has no Cache-Control.
  const noCache =
    directives.noCache === true ||
    (rfc && request.headers['cache-control'] === undefined && /(^|,)\s*no-cache\s*(,|$)/i.test(request.headers.pragma ?? ''));

  const readCriteria = {
    'disabled cache': disabled,
    'disabled method': !methodAllowed,
    // The RFC modes validate instead of bypassing (requestNoCache below).
    'request no-cache': directives.noCache === true && !rfc,
    'request no-store': directives.noStore === true,
    'force refresh': options.forceRefresh === true,
    'expire_after DO_NOT_CACHE': doNotCache,
  };
  const writeCriteria = {
    'disabled cache': disabled,
    'disabled method': !methodAllowed,
    'request no-store': directives.noStore === true,
    'expire_after DO_NOT_CACHE': doNotCache,
    'read only': settings.readOnly,
  };

  return {
    expiration,
    expirationSource,
    skipRead: Object.values(readCriteria).some(Boolean),
    skipWrite: Object.values(writeCriteria).some(Boolean),
    // `max-age=0` (header or per-request expireAfter 0) and `must-revalidate` mean "revalidate first"
    // (docs/behaviour.md §2.1 `refresh`, §2.3 `max-age=0`).
    refresh: rfc
      ? options.refresh === true
      : options.refresh === true ||
        directives.maxAge === 0 ||
        directives.mustRevalidate === true ||
        (options.expireAfter !== undefined && isExpireImmediately(options.expireAfter)),
    onlyIfCached: options.onlyIfCached ?? (directives.onlyIfCached === true || settings.onlyIfCached),
    staleIfError: allowance(options.staleIfError, directives.staleIfError, settings.staleIfError),
    staleWhileRevalidate: allowance(options.staleWhileRevalidate, directives.staleWhileRevalidate, settings.staleWhileRevalidate),
    maxStale: directives.maxStale,
    minFresh: directives.minFresh,
    ...(rfc ? { maxAge: directives.maxAge, requestNoCache: noCache } : {}),
    readCriteria,
    writeCriteria,
  };
}
