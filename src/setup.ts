/**
 * `setupCache(instance, options)`: the one line users add. The instance keeps its defaults and
 * interceptors; one request interceptor puts the caching adapter in front of whatever adapter the
 * request would use (the default, or its own per-request `adapter`).
 */
import { getAdapter, type AxiosAdapter, type AxiosInstance, type AxiosRequestConfig, type InternalAxiosRequestConfig } from 'axios';
import { createCachingAdapter, innerAdapter } from './adapter/caching-adapter.js';
import { shapeOf } from './adapter/response-data.js';
import { HttpCache } from './cache.js';
import { createContext } from './context.js';
import type { CacheAxiosInstance, CacheOptions } from './types.js';

const SETUP = Symbol.for('axios-keyv-cache.setup');

/** What `setupCache` attached to an instance; `removeCache` returns it so it can be put back. */
export interface CacheAttachment {
  readonly interceptor: (config: InternalAxiosRequestConfig) => InternalAxiosRequestConfig;
  readonly cache: HttpCache;
  readonly cacheDisabled: <T>(fn: () => T) => T;
}

interface SetupState extends CacheAttachment {
  interceptorId: number;
}

type Marked = AxiosInstance & { [SETUP]?: SetupState };

export function setupCache(instance: AxiosInstance, options: CacheOptions = {}): CacheAxiosInstance {
  if (!instance || typeof instance.interceptors?.request?.use !== 'function') {
    throw new TypeError('setupCache: expected an axios instance (for example axios.create())');
  }
  if ((instance as Marked)[SETUP]) {
    throw new Error('setupCache: this axios instance already has a cache; call removeCache(instance) first to replace it');
  }
  const ctx = createContext(options);
  const wrapped = new WeakMap<AxiosAdapter, AxiosAdapter>();

  const interceptor = (config: InternalAxiosRequestConfig): InternalAxiosRequestConfig => {
    // A config seen before (a retry passing error.config back) carries our adapter: unwrap it first.
    const requested = innerAdapter(config.adapter ?? instance.defaults.adapter) as InternalAxiosRequestConfig['adapter'];
    const inner = getAdapter(requested, config);
    let adapter = wrapped.get(inner);
    if (!adapter) {
      adapter = createCachingAdapter(ctx, inner, shapeOf(inner, config), () => instance.defaults.transformResponse);
      wrapped.set(inner, adapter);
    }
    config.adapter = adapter;
    return config;
  };
  return attach(instance, {
    interceptor,
    cache: new HttpCache(ctx, () => instance.defaults as AxiosRequestConfig),
    cacheDisabled: <T>(fn: () => T): T => ctx.disabledScope.run(true, fn),
  });
}

function attach(instance: AxiosInstance, attachment: CacheAttachment): CacheAxiosInstance {
  const interceptorId = instance.interceptors.request.use(attachment.interceptor, undefined, { synchronous: true });
  const cached = instance as CacheAxiosInstance & Marked;
  cached[SETUP] = { ...attachment, interceptorId };
  cached.cache = attachment.cache;
  cached.cacheDisabled = attachment.cacheDisabled;
  return cached;
}

/**
 * Takes the cache off an instance set up with `setupCache`; requests then go straight to the network.
 * The cache itself stays open (call `cache.close()` when done with it).
 */
export function removeCache(instance: AxiosInstance): CacheAttachment | undefined {
  const marked = instance as Marked & Partial<CacheAxiosInstance>;
  const state = marked[SETUP];
  if (!state) return undefined;
  instance.interceptors.request.eject(state.interceptorId);
  delete marked[SETUP];
  delete marked.cache;
  delete marked.cacheDisabled;
  const { interceptorId: _id, ...attachment } = state;
  return attachment;
}

/** Puts back a cache that `removeCache` took off (the same cache, entries and settings). */
export function restoreCache(instance: AxiosInstance, attachment: CacheAttachment): CacheAxiosInstance {
  if ((instance as Marked)[SETUP]) throw new Error('restoreCache: this axios instance already has a cache');
  return attach(instance, attachment);
}

export function hasCache(instance: AxiosInstance): instance is CacheAxiosInstance {
  return Boolean((instance as Marked)[SETUP]);
}
