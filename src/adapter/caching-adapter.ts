/**
 * The adapter that stands in front of the real one. It runs after every request interceptor and
 * transformRequest, so keys see the request exactly as it will be sent, whatever order interceptors
 * were registered in; and before transformResponse, so cached bodies go through the caller's own
 * transforms like network ones. It follows the request algorithm of reference §0.
 */
import {
  AxiosError,
  AxiosHeaders,
  isAxiosError,
  isCancel,
  type AxiosAdapter,
  type AxiosResponse,
  type InternalAxiosRequestConfig,
} from 'axios';
import { createHash } from 'node:crypto';
import type { CacheContext } from '../context.js';
import { log, trueCriteria } from '../debug.js';
import { describeExpiration, expiresAt } from '../policy/expiration.js';
import { redactRequest } from '../policy/keys.js';
import { normalizeUrl } from '../policy/normalize-url.js';
import { decideRead, isUsable, type ReadContext, type ReadDecision } from '../policy/read-decision.js';
import { requestActions, type RequestActions } from '../policy/request-actions.js';
import { mergeNotModified } from '../policy/revalidation.js';
import { parseRequestOptions } from '../policy/settings.js';
import type { CachedEntry, RequestInfo, StoredHeaders } from '../policy/types.js';
import { secondaryMatchHeaders } from '../policy/vary.js';
import { decideWrite, effectiveExpiration } from '../policy/write-decision.js';
import type { CacheAxiosResponse } from '../types.js';
import {
  buildResponse,
  cachedRequestStub,
  fieldsForEntry,
  fieldsForNetwork,
  storedHeaders,
} from './build-response.js';
import { waiterFor } from './flights.js';
import { buildRequestInfo } from './request-info.js';
import { toBuffer, transformedData, type BodyShape } from './response-data.js';
import { settle } from './settle.js';

/** The result of one shared network call: what every waiting caller builds its response from. */
type Outcome =
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
  | { kind: 'cached'; entry: CachedEntry; key: string; revalidated: boolean };

/** What one request found in the cache and decided about it. */
interface Lookup {
  request: RequestInfo;
  actions: RequestActions;
  /** Where a new response is written (the Vary-qualified key after a Vary mismatch). */
  key: string;
  /** The entry decided on, and the key it lives under (an alias target, for redirects). */
  entry?: CachedEntry;
  entryKey: string;
  decision: ReadDecision;
}

const INNER = Symbol('axios-keyv-cache inner adapter');

type WrappedAdapter = AxiosAdapter & { [INNER]?: AxiosAdapter };

/** The adapter a wrapped one stands for, so a config that comes back (retries) is not wrapped twice. */
export function innerAdapter(adapter: unknown): unknown {
  return (adapter as WrappedAdapter | undefined)?.[INNER] ?? adapter;
}

export function createCachingAdapter(ctx: CacheContext, inner: AxiosAdapter, shape: BodyShape): AxiosAdapter {
  const adapter: WrappedAdapter = (config) => handle(ctx, inner, config, shape);
  adapter[INNER] = inner;
  return adapter;
}

async function passThrough(inner: AxiosAdapter, config: InternalAxiosRequestConfig): Promise<AxiosResponse> {
  const response = await inner(config);
  return Object.assign(response, fieldsForNetwork(Date.now()));
}

async function handle(ctx: CacheContext, inner: AxiosAdapter, config: InternalAxiosRequestConfig, shape: BodyShape): Promise<AxiosResponse> {
  if (config.cache === false) return passThrough(inner, config);
  if (config.decompress === false) {
    // The body would be stored still encoded, and served so to callers that expect it decoded.
    log('%s %s: not cached: decompress: false', config.method?.toUpperCase(), config.url);
    return passThrough(inner, config);
  }
  const options = parseRequestOptions(config.cache);
  const pending = buildRequestInfo(config);
  const built = pending instanceof Promise ? await pending : pending;
  if (!built.cacheable) {
    log('%s %s: not cached: %s', config.method?.toUpperCase(), config.url, built.reason);
    return passThrough(inner, config);
  }
  const request = built.info;
  const actions = requestActions(ctx.settings, request, options, ctx.disabledScope.getStore() === true);
  if (actions.skipRead && actions.skipWrite && !actions.onlyIfCached) {
    if (log.enabled) log('%s %s: cache skipped: %s', request.method, request.url, trueCriteria(actions.readCriteria));
    return passThrough(inner, config);
  }

  const lookup = await look(ctx, request, actions);
  const { decision, entry, entryKey } = lookup;
  if (log.enabled) {
    log('%s %s: key %s, %s; expiration from %s (%s)', request.method, request.url, lookup.key, describe(decision), actions.expirationSource, describeExpiration(actions.expiration));
  }

  switch (decision.action) {
    case 'gateway-timeout':
      return settle(gatewayTimeout(config, shape));
    case 'serve':
      return serveEntry(ctx, config, shape, entry!, entryKey, false);
    case 'stale-while-revalidate':
      refreshInBackground(ctx, inner, config, shape, lookup);
      return serveEntry(ctx, config, shape, entry!, entryKey, false);
    default: {
      const outcome = await ctx.flights
        .join(flightKey(lookup), (signal) => fetchAndStore(ctx, inner, config, shape, lookup, signal), waiterFor(config))
        .catch((error: unknown) => {
          // A timeout of this caller ends its wait outside the shared call, so stale-if-error is
          // applied here too: a hanging origin is the commonest outage (upstream catches Timeout).
          const fallback = isCancel(error) ? undefined : staleFallback(lookup, Date.now());
          if (fallback) {
            log('%s %s failed (%s); serving the stale cached response', request.method, request.url, (error as Error).message);
            return fallback;
          }
          throw forCaller(error, config);
        });
      return outcome.kind === 'cached'
        ? serveEntry(ctx, config, shape, outcome.entry, outcome.key, outcome.revalidated)
        : settle(buildResponse(config, outcome, fieldsForNetwork(outcome.createdAt, outcome.written), shape));
    }
  }
}

/**
 * An error from the shared network call carries the internal config it was sent with. Each caller
 * gets it rebuilt around its own config, so `error.config` re-sent by a retry interceptor is that
 * caller's request (its responseType, validateStatus, timeout), as without the cache.
 */
function forCaller(error: unknown, config: InternalAxiosRequestConfig): unknown {
  if (!isAxiosError(error) || error.config === config) return error;
  const response = error.response ? { ...error.response, config } : undefined;
  const rebuilt = AxiosError.from(error, error.code, config, error.request, response);
  rebuilt.stack = error.stack;
  return rebuilt;
}

function describe(decision: ReadDecision): string {
  return `${decision.action} (${decision.reason})`;
}

/** A stored entry the policy cannot read (a damaged or foreign value that passed decoding) is a miss. */
function decide(entry: CachedEntry | undefined, ctx: ReadContext): ReadDecision {
  try {
    return decideRead(entry, ctx);
  } catch (error) {
    log('unreadable cache entry, treated as a miss: %O', error);
    return decideRead(undefined, ctx);
  }
}

/** Reference §0 steps 4–6: read the entry, decide, and on a Vary mismatch look under the secondary key. */
async function look(ctx: CacheContext, request: RequestInfo, actions: RequestActions): Promise<Lookup> {
  const now = Date.now();
  const key = ctx.keyFor(request);
  let found = actions.skipRead ? undefined : await ctx.storage.get(key);
  // Through a redirect alias, the entry must still be the response of this URL: the redirecting
  // URL may have been refetched since and now answer something else (upstream keeps the final
  // response under its own key, which takes precedence).
  if (found && found.key !== key && found.entry.url !== normalizeUrl(request.url, ctx.settings.ignoredParameters)) {
    log('%s %s: redirect alias points at %s, which no longer answers this URL; a miss', request.method, request.url, found.entry.url);
    found = undefined;
  }
  const decision = decide(found?.entry, { settings: ctx.settings, actions, request, now });
  if (decision.action !== 'vary-mismatch') {
    return { request, actions, key, entry: found?.entry, entryKey: found?.key ?? key, decision };
  }
  // The primary entry is another variant: it is never served nor revalidated for this request, so its
  // validators cannot make a 304 serve the wrong variant (fixes the reference's §3.6 BUG).
  const secondaryKey = ctx.keyFor(request, secondaryMatchHeaders(found!.entry, ctx.settings.matchHeaders));
  const secondary = await ctx.storage.get(secondaryKey);
  log('%s %s: %s; secondary key %s', request.method, request.url, decision.reason, secondaryKey);
  return {
    request,
    actions,
    key: secondaryKey,
    entry: secondary?.entry,
    entryKey: secondary?.key ?? secondaryKey,
    decision: decide(secondary?.entry, { settings: ctx.settings, actions, request, now, secondary: true }),
  };
}

/**
 * Requests share a call only when they would send exactly the same request (method, URL, every
 * header, body: not just the same cache key, which leaves ignored parameters such as Authorization
 * out) and write it the same way (key, conditional headers, expiration, write decision). Computed on
 * the network path only.
 */
function flightKey({ key, decision, actions, request }: Lookup): string {
  const hash = createHash('sha256').update(`${request.method} ${request.url}\0`);
  for (const name of Object.keys(request.headers).sort()) hash.update(`${name}: ${request.headers[name]}\0`);
  if (request.body !== undefined) hash.update(request.body);
  const conditional = 'headers' in decision ? JSON.stringify(decision.headers) : '';
  return [key, hash.digest('hex'), decision.action, conditional, JSON.stringify(actions.expiration), actions.skipWrite].join('\n');
}

async function serveEntry(
  ctx: CacheContext,
  config: InternalAxiosRequestConfig,
  shape: BodyShape,
  entry: CachedEntry,
  key: string,
  revalidated: boolean,
): Promise<AxiosResponse> {
  const response = buildResponse(config, { ...entry, request: cachedRequestStub(entry) }, fieldsForEntry(entry, key, Date.now(), revalidated), shape);
  // filterFn also judges cached responses: a failing one is returned this time, then deleted
  // (reference §0 step 9; upstream `test_filter_fn__retroactive`).
  if (ctx.settings.filterFn && !passesFilter(ctx, config, response)) {
    log('%s: cached response rejected by filterFn; deleting it', key);
    await ctx.storage.deleteKeys([key]);
  }
  return settle(response);
}

function passesFilter(ctx: CacheContext, config: InternalAxiosRequestConfig, response: AxiosResponse): boolean {
  const filterFn = ctx.settings.filterFn;
  if (!filterFn) return true;
  return filterFn({ ...response, data: transformedData(config, response) }) !== false;
}

/** `only-if-cached` with nothing usable: a synthetic 504, as requests-cache (RFC 9111 §5.2.1.7). */
function gatewayTimeout(config: InternalAxiosRequestConfig, shape: BodyShape): CacheAxiosResponse {
  return buildResponse(
    config,
    { status: 504, statusText: 'Not Cached', headers: {}, body: Buffer.alloc(0), request: { fromCache: true } },
    { fromCache: true, createdAt: new Date(), expires: null, isExpired: false, revalidated: false, cacheKey: undefined },
    shape,
  );
}

/** RFC 5861 §3: the stale entry was served; refresh it without holding anyone up. Failures are only logged. */
function refreshInBackground(ctx: CacheContext, inner: AxiosAdapter, config: InternalAxiosRequestConfig, shape: BodyShape, lookup: Lookup): void {
  // The caller has its answer; only its `timeout` still applies, so a hanging origin cannot keep
  // the refresh (and `cache.close()`, which waits for it) alive forever.
  const waiter = { ...waiterFor(config), signal: undefined, cancelToken: undefined };
  const task = ctx.flights
    .join(flightKey(lookup), (signal) => fetchAndStore(ctx, inner, config, shape, lookup, signal), waiter)
    .then(
      () => log('%s: background refresh done', lookup.key),
      (error: unknown) => log('%s: background refresh failed: %O', lookup.key, error),
    );
  ctx.background.add(task);
  void task.finally(() => ctx.background.delete(task));
}

/** The stale entry, when stale-if-error allows serving it after a failed refetch (reference §2.5). */
function staleFallback(lookup: Lookup, now: number): Outcome | undefined {
  const { entry, actions, decision } = lookup;
  // Only re-fetches are protected: a first request (or a Vary miss) has nothing to fall back on.
  if (!entry || decision.action === 'send' || actions.staleIfError === false) return undefined;
  if (!isUsable(entry, actions, now, true)) return undefined;
  return { kind: 'cached', entry, key: lookup.entryKey, revalidated: false };
}

function finalUrl(response: AxiosResponse): string | undefined {
  const request = response.request as { res?: { responseUrl?: string }; responseURL?: string } | undefined;
  return request?.res?.responseUrl ?? request?.responseURL ?? undefined;
}

/** The shared network call of reference §0 steps 7–8, with §2.5's stale-if-error and §4's 304 merge. */
async function fetchAndStore(
  ctx: CacheContext,
  inner: AxiosAdapter,
  config: InternalAxiosRequestConfig,
  shape: BodyShape,
  lookup: Lookup,
  signal: AbortSignal,
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
    const fallback = isCancel(error) ? undefined : staleFallback(lookup, Date.now());
    if (!fallback) throw error;
    log('%s %s failed; serving the stale cached response: %s', request.method, request.url, (error as Error).message);
    return fallback;
  }

  const now = Date.now();
  const body = await toBuffer(response.data);
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
    const fallback = staleFallback(lookup, now);
    if (fallback) {
      log('%s %s answered %d; serving the stale cached response', request.method, request.url, response.status);
      return fallback;
    }
  }

  const networkResult = { status: response.status, statusText: response.statusText, headers: received, body, request: response.request };
  const filterView = ctx.settings.filterFn ? buildResponse(config, networkResult, fieldsForNetwork(now), shape) : undefined;
  const verdict = decideWrite(settings, actions, { ...networkResult, passesFilter: !filterView || passesFilter(ctx, config, filterView) }, now);
  if (!verdict.write) {
    log('%s %s: not written: %s', request.method, request.url, trueCriteria(verdict.criteria));
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
