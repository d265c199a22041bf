/**
 * The adapter that stands in front of the real one. It runs after every request interceptor and
 * transformRequest, so keys see the request exactly as it will be sent, whatever order interceptors
 * were registered in; and before transformResponse, so cached bodies go through the caller's own
 * transforms like network ones. It follows the request algorithm of reference §0.
 */
import { isCancel, type AxiosAdapter, type AxiosResponse, type InternalAxiosRequestConfig } from 'axios';
import type { CacheContext } from '../context.js';
import { log, trueCriteria } from '../debug.js';
import { describeExpiration } from '../policy/expiration.js';
import { requestActions } from '../policy/request-actions.js';
import { parseRequestOptions } from '../policy/settings.js';
import type { CachedEntry } from '../policy/types.js';
import type { CacheAxiosResponse } from '../types.js';
import { buildResponse, cachedRequestStub, fieldsForEntry, fieldsForNetwork } from './build-response.js';
import { passesFilter } from './filter.js';
import { waiterFor } from './flights.js';
import { flightKey } from './flight-key.js';
import { describe, look, type Lookup } from './lookup.js';
import { fetchAndStore, forCaller, staleFallback } from './network.js';
import { buildRequestInfo } from './request-info.js';
import type { BodyShape } from './response-data.js';
import { settle } from './settle.js';

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
        .join(flightKey(lookup, config), (signal) => fetchAndStore(ctx, inner, config, shape, lookup, signal), waiterFor(config))
        .catch((error: unknown) => {
          // A timeout of this caller ends its wait outside the shared call, so stale-if-error is
          // applied here too: a hanging origin is the commonest outage (upstream catches Timeout).
          const fallback = isCancel(error) ? undefined : staleFallback(lookup, Date.now(), 'error');
          if (fallback) {
            log('%s %s failed (%s); serving the cached response instead', request.method, request.url, (error as Error).message);
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
  // (reference §0 step 9; upstream `test_filter_fn__retroactive`). A read-only cache is never changed.
  if (ctx.settings.filterFn && !passesFilter(ctx, config, response)) {
    log('%s: cached response rejected by filterFn; %s', key, ctx.settings.readOnly ? 'kept (readOnly)' : 'deleting it');
    if (!ctx.settings.readOnly) await ctx.storage.deleteKeys([key]);
  }
  return settle(response);
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
    .join(flightKey(lookup, config), (signal) => fetchAndStore(ctx, inner, config, shape, lookup, signal), waiter)
    .then(
      () => log('%s: background refresh done', lookup.key),
      (error: unknown) => log('%s: background refresh failed: %O', lookup.key, error),
    );
  ctx.background.add(task);
  void task.finally(() => ctx.background.delete(task));
}
