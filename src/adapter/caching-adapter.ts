/**
 * The adapter that stands in front of the real one. It runs after every request interceptor and
 * transformRequest, so keys see the request exactly as it will be sent, whatever order interceptors
 * were registered in; and before transformResponse, so cached bodies go through the caller's own
 * transforms like network ones. It follows the request algorithm of docs/behaviour.md §0.
 */
import { Readable } from 'node:stream';
import { AxiosError, AxiosHeaders, isCancel, type AxiosAdapter, type AxiosResponse, type InternalAxiosRequestConfig } from 'axios';
import type { CacheContext } from '../context.js';
import { log, trueCriteria } from '../debug.js';
import { evaluateConditional, hasCallerValidators, notModifiedHeaders } from '../policy/conditional.js';
import { describeExpiration } from '../policy/expiration.js';
import { requestActions } from '../policy/request-actions.js';
import { decideRejectedEntry, decideUntouched } from '../policy/response-decision.js';
import { parseRequestOptions } from '../policy/settings.js';
import type { CachedEntry, RequestInfo } from '../policy/types.js';
import type { CacheAxiosResponse, CacheResponseFields } from '../types.js';
import { buildResponse, cachedRequestStub, fieldsForEntry, fieldsForNetwork } from './build-response.js';
import { globalDefaults, passesFilter, type DefaultTransforms } from './filter.js';
import { waiterFor } from './flights.js';
import { flightKey } from './flight-key.js';
import { describe, look, shownUrl, type Lookup } from './lookup.js';
import { fallbackOutcome, fetchAndStore, forCaller } from './network.js';
import { buildRequestInfo, fullUrl, splitUserinfo } from './request-info.js';
import { invalidateAfter } from './invalidation.js';
import { isUnsafeMethod } from '../policy/rfc9111/invalidation.js';
import { ageHeader } from '../policy/rfc9111/age.js';
import { storedHeaders } from './build-response.js';
import type { BodyShape } from './response-data.js';
import { settle } from './settle.js';

const INNER = Symbol('axios-keyv-cache inner adapter');

type WrappedAdapter = AxiosAdapter & { [INNER]?: AxiosAdapter };

/** The adapter a wrapped one stands for, so a config that comes back (retries) is not wrapped twice. */
export function innerAdapter(adapter: unknown): unknown {
  return (adapter as WrappedAdapter | undefined)?.[INNER] ?? adapter;
}

/** Everything one request's handling needs besides its config. */
interface Glue {
  ctx: CacheContext;
  inner: AxiosAdapter;
  shape: BodyShape;
  /** The instance defaults' transformResponse, for the view filterFn judges (filter.ts). */
  defaults: DefaultTransforms;
}

export function createCachingAdapter(
  ctx: CacheContext,
  inner: AxiosAdapter,
  shape: BodyShape,
  defaults: DefaultTransforms = globalDefaults,
): AxiosAdapter {
  const glue: Glue = { ctx, inner, shape, defaults };
  const adapter: WrappedAdapter = (config) => handle(glue, config);
  adapter[INNER] = inner;
  return adapter;
}

/**
 * A request the cache does not handle: sent as is, and its response still goes through the response
 * decision, which hands it back exactly as the adapter returned it (a stream stays a stream).
 */
async function passThrough(glue: Glue, config: InternalAxiosRequestConfig, why: () => string): Promise<AxiosResponse> {
  const response = await glue.inner(config);
  const method = (config.method ?? 'get').toUpperCase();
  if (glue.ctx.settings.rfcMode && isUnsafeMethod(method)) await invalidateAfter(glue.ctx, method, requestUrl(config), response.status, storedHeaders(response.headers));
  const decision = decideUntouched(log.enabled ? why() : '');
  if (log.enabled) log('%s %s: not cached: %s', config.method?.toUpperCase(), shownUrl(glue.ctx, response.config?.url ?? config.url), decision.reason);
  return Object.assign(response, fieldsForNetwork(Date.now()));
}

/** The absolute URL a config targets, without userinfo (as keys and the URL index see it). */
function requestUrl(config: InternalAxiosRequestConfig): string {
  try {
    const url = fullUrl(config);
    return splitUserinfo(url)?.url ?? url;
  } catch {
    return '';
  }
}

/** Why a request goes past the cache untouched, if it does. Cheap: a hit reads two fields. */
function bypassReason(config: InternalAxiosRequestConfig): string | undefined {
  // The body would be stored still encoded, and served so to callers that expect it decoded.
  if (config.decompress === false) return 'decompress: false';
  // An event stream never ends, and a miss is read whole before it is handed over.
  if (config.responseType === 'stream' && /text\/event-stream/i.test(String(config.headers?.get?.('accept') ?? ''))) {
    return 'event stream (Accept: text/event-stream)';
  }
  return undefined;
}

async function handle(glue: Glue, config: InternalAxiosRequestConfig): Promise<AxiosResponse> {
  const { ctx, inner, shape } = glue;
  if (config.cache === false) return passThrough(glue, config, () => 'cache: false');
  const bypass = bypassReason(config);
  if (bypass) return passThrough(glue, config, () => bypass);
  const options = parseRequestOptions(config.cache);
  const pending = buildRequestInfo(config);
  const built = pending instanceof Promise ? await pending : pending;
  if (!built.cacheable) {
    const reason = built.reason;
    return passThrough(glue, config, () => reason);
  }
  const request = built.info;
  const actions = requestActions(ctx.settings, request, options, ctx.disabledScope.getStore() === true);
  if (actions.skipRead && actions.skipWrite && !actions.onlyIfCached) {
    return passThrough(glue, config, () => `cache skipped: ${trueCriteria(actions.readCriteria)}`);
  }

  // With redirects off, an entry reached through a redirect is not what this request would get.
  const lookup = await look(ctx, request, actions, {
    followsRedirects: config.maxRedirects !== 0,
    // A caller with a shorter timeout does not wait that long on the backend either.
    readDeadlineMs: config.timeout ? Math.min(config.timeout, ctx.storage.settings.deadlineMs) : ctx.storage.settings.deadlineMs,
  });
  const { decision, entry, entryKey } = lookup;
  if (log.enabled) {
    log('%s %s: key %s, %s; expiration from %s (%s)', request.method, shownUrl(ctx, request.url), lookup.key, describe(decision), actions.expirationSource, describeExpiration(actions.expiration));
  }

  switch (decision.action) {
    case 'gateway-timeout':
      return settle(await gatewayTimeout(config, shape));
    case 'serve':
      return serveEntry(glue, config, request, entry!, entryKey, false);
    case 'stale-while-revalidate':
      refreshInBackground(glue, config, lookup);
      return serveEntry(glue, config, request, entry!, entryKey, false);
    default: {
      const outcome = await ctx.flights
        .join(
          flightKey(lookup, config),
          (signal, responded) => fetchAndStore(ctx, inner, config, shape, lookup, signal, responded, glue.defaults),
          waiterFor(config, shape),
        )
        .catch((error: unknown) => {
          // A timeout of this caller ends its wait outside the shared call, so stale-if-error is
          // applied here too: a hanging origin is the commonest outage (upstream catches Timeout).
          const fallback = isCancel(error) ? undefined : fallbackOutcome(lookup, Date.now(), ctx.settings);
          if (fallback) {
            if (log.enabled) log('%s %s failed (%s); serving the cached response instead', request.method, shownUrl(ctx, request.url), (error as Error).message);
            return fallback;
          }
          throw forCaller(error, config);
        });
      switch (outcome.kind) {
        case 'cached':
          return serveEntry(glue, config, request, outcome.entry, outcome.key, outcome.revalidated);
        case 'network':
          return settle(await buildResponse(config, outcome, fieldsForNetwork(outcome.createdAt, outcome.written), shape));
        case 'not-bytes':
          // Handed over as the adapter gave it (never stored): each caller gets its own config and headers.
          return settle({ ...outcome.response, config, headers: new AxiosHeaders(outcome.response.headers as AxiosHeaders), ...fieldsForNetwork(outcome.createdAt) });
      }
    }
  }
}

/**
 * A stored entry for one caller. When the caller sent its own validators, the cache answers them
 * itself (https://www.rfc-editor.org/rfc/rfc9111#section-4.3.2): an empty 304 carrying the stored
 * headers a 304 carries when they match, the stored response otherwise (policy/conditional.ts).
 */
async function serveEntry(
  glue: Glue,
  config: InternalAxiosRequestConfig,
  info: RequestInfo,
  entry: CachedEntry,
  key: string,
  revalidated: boolean,
): Promise<AxiosResponse> {
  const { ctx, shape } = glue;
  const request = cachedRequestStub(entry);
  const now = Date.now();
  const fields = fieldsForEntry(entry, key, now, revalidated);
  // The RFC modes tell the caller how old a stored response is (https://www.rfc-editor.org/rfc/rfc9111#section-5.1).
  if (ctx.settings.rfcMode) entry = { ...entry, headers: { ...entry.headers, age: ageHeader(entry, now) } };
  if (hasCallerValidators(info.headers) && evaluateConditional(entry, info.method, info.headers) === 'not-modified') {
    if (log.enabled) log('%s: the caller\'s own validator matches the stored response: 304 from the cache', key);
    const notModified = { status: 304, statusText: 'Not Modified', headers: notModifiedHeaders(entry.headers), body: Buffer.alloc(0), request };
    const built = buildResponse(config, notModified, fields, shape);
    const response = built instanceof Promise ? await built : built;
    const judging = judgeStored(glue, config, entry, request, fields, key);
    if (judging) await judging;
    return settle(response);
  }
  const limit = config.maxContentLength;
  // axios' adapters reject a body over maxContentLength (ERR_BAD_RESPONSE); the Node http adapter
  // fails a stream while it is read instead. A hit must too.
  const tooLong =
    typeof limit === 'number' && limit > -1 && entry.body.length > limit
      ? new AxiosError(`maxContentLength size of ${limit} exceeded`, AxiosError.ERR_BAD_RESPONSE, config, request)
      : undefined;
  const streamed = shape === 'node' && config.responseType === 'stream';
  if (tooLong && !streamed) throw tooLong;
  const built = buildResponse(config, { ...entry, request, cacheKey: key }, fields, shape);
  const response = built instanceof Promise ? await built : built;
  if (tooLong) response.data = new Readable({ read() { this.destroy(tooLong); } });
  const judging = judgeStored(glue, config, entry, request, fields, key);
  if (judging) await judging;
  return settle(response);
}

/**
 * filterFn also judges cached responses: a failing one is returned this time, then deleted
 * (docs/behaviour.md §0 step 9; requests-cache 1.3 `test_filter_fn__retroactive`). A read-only cache is
 * never changed. Undefined (no await on a hit) when there is no filterFn.
 */
function judgeStored(glue: Glue, config: InternalAxiosRequestConfig, entry: CachedEntry, request: object, fields: CacheResponseFields, key: string): Promise<void> | undefined {
  const { ctx, shape, defaults } = glue;
  if (!ctx.settings.filterFn || passesFilter(ctx, config, { ...entry, request }, fields, shape, defaults)) return undefined;
  const verdict = decideRejectedEntry(ctx.settings);
  log('%s: cached response rejected by filterFn; %s', key, verdict.reason);
  return verdict.discard ? ctx.storage.discard([key]).then(() => undefined) : undefined;
}


/** `only-if-cached` with nothing usable: a synthetic 504, as requests-cache (RFC 9111 §5.2.1.7). */
function gatewayTimeout(config: InternalAxiosRequestConfig, shape: BodyShape): CacheAxiosResponse | Promise<CacheAxiosResponse> {
  return buildResponse(
    config,
    { status: 504, statusText: 'Not Cached', headers: {}, body: Buffer.alloc(0), request: { fromCache: true } },
    { fromCache: true, createdAt: new Date(), expires: null, isExpired: false, revalidated: false, cacheKey: undefined },
    shape,
  );
}

/** RFC 5861 §3: the stale entry was served; refresh it without holding anyone up. Failures are only logged. */
function refreshInBackground(glue: Glue, config: InternalAxiosRequestConfig, lookup: Lookup): void {
  const { ctx, inner, shape } = glue;
  // The caller has its answer; only its `timeout` still applies, so a hanging origin cannot keep
  // the refresh (and `cache.close()`, which waits for it) alive forever.
  const waiter = { ...waiterFor(config, shape), signal: undefined, cancelToken: undefined };
  const task = ctx.flights
    .join(flightKey(lookup, config), (signal, responded) => fetchAndStore(ctx, inner, config, shape, lookup, signal, responded, glue.defaults), waiter)
    .then(
      () => log('%s: background refresh done', lookup.key),
      (error: unknown) => log('%s: background refresh failed: %O', lookup.key, error),
    );
  ctx.background.add(task);
  void task.finally(() => ctx.background.delete(task));
}
