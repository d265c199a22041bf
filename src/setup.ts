/**
 * `setupCache(instance, options)`: the one line users add. The instance keeps its defaults and
 * interceptors; one request interceptor puts the caching adapter in front of whatever adapter the
 * request would use (the default, or its own per-request `adapter`).
 */
import { getAdapter, type AxiosAdapter, type AxiosInstance, type InternalAxiosRequestConfig } from 'axios';
import { createCachingAdapter, innerAdapter } from './adapter/caching-adapter.js';
import { HttpCache } from './cache.js';
import { createContext } from './context.js';
import type { CacheAxiosInstance, CacheOptions } from './types.js';

const SETUP = Symbol.for('axios-keyv-cache.setup');

interface SetupState {
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

  const interceptorId = instance.interceptors.request.use(
    (config: InternalAxiosRequestConfig) => {
      // A config seen before (a retry passing error.config back) carries our adapter: unwrap it first.
      const requested = innerAdapter(config.adapter ?? instance.defaults.adapter) as InternalAxiosRequestConfig['adapter'];
      const inner = getAdapter(requested, config);
      let adapter = wrapped.get(inner);
      if (!adapter) {
        adapter = createCachingAdapter(ctx, inner);
        wrapped.set(inner, adapter);
      }
      config.adapter = adapter;
      return config;
    },
    undefined,
    { synchronous: true },
  );

  const cached = instance as CacheAxiosInstance & Marked;
  cached[SETUP] = { interceptorId };
  cached.cache = new HttpCache(ctx);
  cached.cacheDisabled = <T>(fn: () => T): T => ctx.disabledScope.run(true, fn);
  return cached;
}

/**
 * Takes the cache off an instance set up with `setupCache`; requests then go straight to the network.
 * The cache itself stays open (call `cache.close()` when done with it).
 */
export function removeCache(instance: AxiosInstance): void {
  const marked = instance as Marked & Partial<CacheAxiosInstance>;
  const state = marked[SETUP];
  if (!state) return;
  instance.interceptors.request.eject(state.interceptorId);
  delete marked[SETUP];
  delete marked.cache;
  delete marked.cacheDisabled;
}

export function hasCache(instance: AxiosInstance): instance is CacheAxiosInstance {
  return Boolean((instance as Marked)[SETUP]);
}
