/**
 * The shared network call behind a miss, a revalidation or a refetch (docs/behaviour.md §0 steps
 * 7–8). Only I/O lives here: what the answer means (a 304 merge, stale-if-error, a write, a deletion)
 * is decided by policy/response-decision.ts.
 */
import { AxiosError, AxiosHeaders, isAxiosError, isCancel, type AxiosAdapter, type AxiosResponse, type InternalAxiosRequestConfig } from 'axios';
import type { CacheContext } from '../context.js';
import { log, trueCriteria } from '../debug.js';
import { decideResponse, decideUntouched, staleFallback } from '../policy/response-decision.js';
import type { CachedEntry, StoredHeaders } from '../policy/types.js';
import { fieldsForNetwork, storedHeaders } from './build-response.js';
import { shownUrl, type Lookup } from './lookup.js';
import { globalDefaults, passesFilter, type DefaultTransforms } from './filter.js';
import { splitUserinfo } from './request-info.js';
import { invalidateAfter } from './invalidation.js';
import { updateStoredGet } from './head-update.js';
import { isUnsafeMethod } from '../policy/rfc9111/invalidation.js';
import { toBuffer, type BodyShape } from './response-data.js';

/** The result of one shared network call: what every waiting caller builds its response from. */
export type Outcome =
  | {
      kind: 'network';
      status: number;
      statusText: string;
      headers: StoredHeaders;
      body: Buffer;
      request: unknown;
      createdAt: number;
      written?: { key: string; expires: number | null };
    }
  | { kind: 'cached'; entry: CachedEntry; key: string; revalidated: boolean }
  /** The adapter answered with data that is not bytes (a mock adapter's objects): passed on, not stored. */
  | { kind: 'not-bytes'; response: AxiosResponse; createdAt: number };

/**
 * An error from the shared network call carries the internal config it was sent with. Each caller
 * gets it rebuilt around its own config, so `error.config` re-sent by a retry interceptor is that
 * caller's request (its responseType, validateStatus, timeout), as without the cache.
 */
export function forCaller(error: unknown, config: InternalAxiosRequestConfig): unknown {
  if (!isAxiosError(error) || error.config === config) return error;
  const response = error.response ? { ...error.response, config } : undefined;
  const rebuilt = new AxiosError(error.message, error.code, config, error.request, response);
  rebuilt.name = error.name;
  if (error.status != null) rebuilt.status = error.status;
  // The same `cause` the caller would have seen (the system error behind a network failure), kept
  // non-enumerable as axios keeps it.
  if ('cause' in error) Object.defineProperty(rebuilt, 'cause', { value: error.cause, writable: true, enumerable: false, configurable: true });
  rebuilt.stack = error.stack;
  return rebuilt;
}

/** The cached entry as the outcome of a failed call, when the policy lets it answer (docs/behaviour.md §2.5). */
export function fallbackOutcome(lookup: Lookup, now: number, settings: CacheContext['settings']): Outcome | undefined {
  const fallback = staleFallback(lookup, now, 'error', settings);
  return fallback && { kind: 'cached', ...fallback, revalidated: false };
}

/**
 * Where a followed redirect ended, without userinfo: follow-redirects writes the credentials of
 * `auth` (or of the URL) into `responseUrl`, and axios never sends them in a URL. Whether it counts
 * as a redirect target is the policy's call (`redirectTarget`).
 */
function finalUrl(response: AxiosResponse): string | undefined {
  const request = response.request as { res?: { responseUrl?: unknown }; responseURL?: unknown } | undefined;
  const url = request?.res?.responseUrl ?? request?.responseURL ?? undefined;
  if (typeof url !== 'string') return undefined;
  return splitUserinfo(url)?.url ?? url;
}

/** The method of the last request sent: the Node http adapter's `response.request` is that ClientRequest. */
function finalMethod(response: AxiosResponse): string | undefined {
  const method = (response.request as { method?: unknown } | undefined)?.method;
  return typeof method === 'string' ? method : undefined;
}

/** The caller's own validators are never sent alongside the cache's (policy/conditional.ts). */
const CALLER_VALIDATORS = ['if-none-match', 'if-modified-since'];

/** The shared network call of docs/behaviour.md §0 steps 7–9; what to do with its answer is `decideResponse`'s. */
export async function fetchAndStore(
  ctx: CacheContext,
  inner: AxiosAdapter,
  config: InternalAxiosRequestConfig,
  shape: BodyShape,
  lookup: Lookup,
  signal: AbortSignal,
  /** Called once the response is in hand: storing it must not make anyone time out. */
  responded: () => void = () => undefined,
  defaults: DefaultTransforms = globalDefaults,
): Promise<Outcome> {
  const { settings, storage } = ctx;
  const { request, decision } = lookup;
  const headers = new AxiosHeaders(config.headers);
  if ('headers' in decision) {
    for (const name of CALLER_VALIDATORS) headers.delete(name);
    for (const [name, value] of Object.entries(decision.headers)) headers.set(name, value);
  }

  let response: AxiosResponse;
  const requestTime = Date.now();
  try {
    // The shared call answers to no single caller: cancellation and timeouts are per waiter (flights.ts).
    response = await inner({
      ...config,
      headers,
      responseType: 'arraybuffer',
      validateStatus: null,
      signal,
      cancelToken: undefined,
      timeout: 0,
    });
  } catch (error) {
    const fallback = isCancel(error) ? undefined : fallbackOutcome(lookup, Date.now(), settings);
    if (!fallback) throw error;
    if (log.enabled) log('%s %s failed; serving the cached response instead: %s', request.method, shownUrl(ctx, request.url), (error as Error).message);
    return fallback;
  }

  const now = Date.now();
  const body = await toBuffer(response.data);
  responded();
  if (body === undefined) {
    const untouched = decideUntouched(`the adapter answered with ${typeof response.data} data, not bytes: passed through, not cached`);
    if (log.enabled) log('%s %s: %s', request.method, shownUrl(ctx, request.url), untouched.reason);
    return { kind: 'not-bytes', response, createdAt: now };
  }
  const received = storedHeaders(response.headers);
  const networkResult = { status: response.status, statusText: response.statusText, headers: received, body, request: response.request };
  const verdict = decideResponse(
    lookup,
    {
      status: response.status,
      statusText: response.statusText,
      headers: received,
      body,
      finalUrl: finalUrl(response),
      finalMethod: finalMethod(response),
      passesFilter: settings.filterFn ? () => passesFilter(ctx, config, networkResult, fieldsForNetwork(now), shape, defaults) : undefined,
    },
    { settings, keySettings: ctx.keySettings, now, requestTime },
  );

  // An unsafe method the user lets the cache store (allowableMethods) still invalidates what is stored
  // for its URL (RFC 9111 §4.4), before its own response is written.
  if (settings.rfcMode && isUnsafeMethod(request.method)) await invalidateAfter(ctx, request.method, request.url, response.status, received);
  // A 200 to HEAD updates (or makes stale) the stored GET it describes (RFC 9111 §4.3.5).
  if (settings.rfcMode && request.method === 'HEAD') await updateStoredGet(ctx, request, lookup.actions, { status: response.status, headers: received, requestTime, responseTime: now });

  switch (verdict.action) {
    case 'pass':
      return { kind: 'not-bytes', response, createdAt: now };
    case 'serve-entry':
      if (log.enabled) log('%s %s: %s', request.method, shownUrl(ctx, request.url), verdict.reason);
      if (verdict.save) await storage.save(verdict.key, verdict.save);
      if (verdict.discard) await storage.discard([verdict.key]);
      return { kind: 'cached', entry: verdict.entry, key: verdict.key, revalidated: verdict.revalidated };
    case 'return': {
      if (!verdict.save) {
        if (log.enabled) log('%s %s: not written: %s', request.method, shownUrl(ctx, request.url), verdict.criteria ? trueCriteria(verdict.criteria) : verdict.reason);
        if (verdict.discard && (await storage.discard([lookup.key]))) log('%s: stored entry deleted: the new response fails filterFn', lookup.key);
        return { kind: 'network', ...networkResult, createdAt: now };
      }
      const { entry, aliases } = verdict.save;
      const saved = await storage.save(lookup.key, entry, aliases.map((alias) => ctx.keyFor(alias)));
      if (log.enabled) {
        const expires = entry.expires === null ? 'never' : Number.isFinite(new Date(entry.expires).getTime()) ? new Date(entry.expires).toISOString() : String(entry.expires);
        log('%s %s: %s under %s (expires %s; %s)', request.method, shownUrl(ctx, request.url), saved ? 'written' : 'write failed', lookup.key, expires, verdict.reason);
      }
      return { kind: 'network', ...networkResult, createdAt: now, written: saved ? { key: lookup.key, expires: entry.expires } : undefined };
    }
  }
}
