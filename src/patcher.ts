/**
 * Patching axios' default instance (requests-cache's `install_cache` family, docs/behaviour.md §9). Instances
 * made with `axios.create()` before or after are unaffected, as sessions created before an install
 * are in Python; use `setupCache` for those.
 */
import axios from 'axios';
import type { HttpCache } from './cache.js';
import { hasCache, removeCache, restoreCache, setupCache } from './setup.js';
import type { CacheAxiosInstance, CacheOptions } from './types.js';

const defaultInstance = axios;

/** Caches every request made through the default `axios` export. Replaces an earlier install. */
export function installCache(options: CacheOptions = {}): CacheAxiosInstance {
  if (hasCache(defaultInstance)) removeCache(defaultInstance);
  return setupCache(defaultInstance, options);
}

/** Removes the cache from the default instance (the backend stays open: `getCache()?.close()` first if done). */
export function uninstallCache(): void {
  removeCache(defaultInstance);
}

export function isInstalled(): boolean {
  return hasCache(defaultInstance);
}

/** The installed cache, or null. */
export function getCache(): HttpCache | null {
  return hasCache(defaultInstance) ? defaultInstance.cache : null;
}

/**
 * Runs `fn` with a cache installed, then uninstalls and closes it. A cache installed before comes
 * back afterwards, the same one (its entries and settings).
 */
let enabledActive = false;

export async function enabled<T>(fn: () => T | Promise<T>, options: CacheOptions = {}): Promise<T> {
  // One default instance, one install at a time: overlapping calls would each restore the other's
  // cache out of order and leave a closed cache installed.
  if (enabledActive) throw new Error('enabled(): another enabled() call is still running; overlapping calls are not supported');
  enabledActive = true;
  const previous = removeCache(defaultInstance);
  let cache: HttpCache | undefined;
  try {
    cache = setupCache(defaultInstance, options).cache;
    return await fn();
  } finally {
    removeCache(defaultInstance);
    if (cache) await cache.close();
    if (previous) restoreCache(defaultInstance, previous);
    enabledActive = false;
  }
}

/** Runs `fn` with the installed cache bypassed, for the requests `fn` starts only (AsyncLocalStorage). */
export function disabled<T>(fn: () => T): T {
  return hasCache(defaultInstance) ? defaultInstance.cacheDisabled(fn) : fn();
}
