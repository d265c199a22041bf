/**
 * The shared network call behind a miss, a revalidation or a refetch (reference §0 steps 7–8), with
 * stale-if-error (§2.5) and the 304 merge (§4).
 */
import { AxiosError, AxiosHeaders, isAxiosError, isCancel, type AxiosAdapter, type AxiosResponse, type InternalAxiosRequestConfig } from 'axios';
import type { CacheContext } from '../context.js';
import { log, trueCriteria } from '../debug.js';
import { expiresAt } from '../policy/expiration.js';
import { redactRequest } from '../policy/keys.js';
import { normalizeUrl } from '../policy/normalize-url.js';
import { isUsable } from '../policy/read-decision.js';
import { mergeNotModified } from '../policy/revalidation.js';
import type { CachedEntry, StoredHeaders } from '../policy/types.js';
import { decideWrite, effectiveExpiration } from '../policy/write-decision.js';
import { buildResponse, fieldsForNetwork, storedHeaders } from './build-response.js';
import type { Lookup } from './lookup.js';
import { passesFilter } from './filter.js';
import { splitUserinfo } from './request-info.js';
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

/**
 * The cached entry, when it may answer a failed refetch or revalidation (reference §2.5). After a
 * network error (or the caller's timeout) it is served if usable on the error path: fresh (a
 * `refresh` or `alwaysRevalidate` check failed), never-expiring, within max-stale, or within
 * stale-if-error. After an error status outside allowableCodes, only with stale-if-error set:
 * upstream turns the status into an error only then.
 */
export function staleFallback(lookup: Lookup, now: number, failure: 'error' | 'status'): Outcome | undefined {
  const { entry, actions, decision } = lookup;
  // Only re-fetches are protected: a first request (or a Vary miss) has nothing to fall back on.
  if (!entry || decision.action === 'send') return undefined;
  if (failure === 'status' && actions.staleIfError === false) return undefined;
  if (!isUsable(entry, actions, now, true)) return undefined;
  return { kind: 'cached', entry, key: lookup.entryKey, revalidated: false };
}

/**
 * Where a followed redirect ended, without userinfo: follow-redirects writes the credentials of
 * `auth` (or of the URL) into `responseUrl`, and axios never sends them in a URL.
 */
function finalUrl(response: AxiosResponse): string | undefined {
  const request = response.request as { res?: { responseUrl?: string }; responseURL?: string } | undefined;
  const url = request?.res?.responseUrl ?? request?.responseURL ?? undefined;
  return url === undefined ? undefined : (splitUserinfo(url)?.url ?? url);
}

/** The shared network call of reference §0 steps 7–8, with §2.5's stale-if-error and §4's 304 merge. */
export async function fetchAndStore(
  ctx: CacheContext,
  inner: AxiosAdapter,
  config: InternalAxiosRequestConfig,
  shape: BodyShape,
  lookup: Lookup,
  signal: AbortSignal,
  /** Called once the response is in hand: storing it must not make anyone time out. */
  responded: () => void = () => undefined,
): Promise<Outcome> {
  const { settings, storage } = ctx;
  const { request, actions, decision, entry } = lookup;
  const headers = new AxiosHeaders(config.headers);
  if ('headers' in decision) for (const [name, value] of Object.entries(decision.headers)) headers.set(name, value);

  let response: AxiosResponse;
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
    const fallback = isCancel(error) ? undefined : staleFallback(lookup, Date.now(), 'error');
    if (!fallback) throw error;
    log('%s %s failed; serving the cached response instead: %s', request.method, request.url, (error as Error).message);
    return fallback;
  }

  const now = Date.now();
  const body = await toBuffer(response.data);
  responded();
  if (body === undefined) {
    log('%s %s: the adapter answered with %s data, not bytes: passed through, not cached', request.method, request.url, typeof response.data);
    return { kind: 'not-bytes', response, createdAt: now };
  }
  const received = storedHeaders(response.headers);

  if (response.status === 304 && entry) {
    // A 304 confirms the entry (reference §4): new expiry by the usual precedence (the 304's own
    // Cache-Control when cacheControl is on), merged headers, created_at kept.
    const expires = expiresAt(effectiveExpiration(settings, actions, received, now), now);
    const merged = mergeNotModified(entry, received, expires);
    const write = merged.changed && !actions.skipWrite;
    log('%s: revalidated (304); %s', lookup.entryKey, write ? 'entry updated' : 'nothing changed or read-only, not written');
    if (write) await storage.save(lookup.entryKey, merged.entry);
    return { kind: 'cached', entry: merged.entry, key: lookup.entryKey, revalidated: true };
  }

  if (!settings.allowableCodes.has(response.status) && response.status >= 400) {
    const fallback = staleFallback(lookup, now, 'status');
    if (fallback) {
      log('%s %s answered %d; serving the stale cached response', request.method, request.url, response.status);
      return fallback;
    }
  }

  const networkResult = { status: response.status, statusText: response.statusText, headers: received, body, request: response.request };
  const filterView = ctx.settings.filterFn ? await buildResponse(config, networkResult, fieldsForNetwork(now), shape) : undefined;
  const verdict = decideWrite(settings, actions, { ...networkResult, passesFilter: !filterView || passesFilter(ctx, config, filterView) }, now);
  if (!verdict.write) {
    log('%s %s: not written: %s', request.method, request.url, trueCriteria(verdict.criteria));
    // Reference §0 step 9: a response the filter rejects also removes what is stored for the request
    // (read-only caches are never changed).
    if (verdict.criteria['disabled by filter'] && !settings.readOnly && (await storage.discard([lookup.key]))) {
      log('%s: stored entry deleted: the new response fails filterFn', lookup.key);
    }
    return { kind: 'network', ...networkResult, createdAt: now };
  }

  const url = finalUrl(response) ?? request.url;
  const stored: CachedEntry = {
    v: 1,
    url: normalizeUrl(url, settings.ignoredParameters),
    status: response.status,
    statusText: response.statusText,
    headers: received,
    body,
    request: redactRequest(request, ctx.keySettings),
    createdAt: now,
    expires: verdict.expires,
  };
  // A redirected response also answers its final URL (reference §3.5): alias that URL's key here.
  const aliases = url !== request.url ? [ctx.keyFor({ ...request, url })] : [];
  const saved = await storage.save(lookup.key, stored, aliases);
  log('%s %s: %s under %s (expires %s)', request.method, request.url, saved ? 'written' : 'write failed', lookup.key, verdict.expires === null ? 'never' : new Date(verdict.expires).toISOString());
  return { kind: 'network', ...networkResult, createdAt: now, written: saved ? { key: lookup.key, expires: verdict.expires } : undefined };
}
