import type { AxiosInstance, AxiosRequestConfig, AxiosResponse } from 'axios';
import type { Keyv, KeyvStoreAdapter } from 'keyv';
import type { ExpireAfter, RequestInfo } from './policy/types.js';
import type { UrlsExpireAfter } from './policy/url-patterns.js';
import type { HttpCache } from './cache.js';

export type { ExpireAfter, RequestInfo, UrlsExpireAfter };

/** Backend names built in so far. */
export type BackendName = 'sqlite' | 'memory';

/** What `keyFn` receives: the request as it will be sent, plus the settings that shape a key. */
export interface KeyFnContext {
  ignoredParameters: readonly string[];
  matchHeaders: boolean | readonly string[];
  contentRootKey?: string;
  serializerName: string;
  /** The key the cache would compute itself, for wrappers that only add to it. */
  defaultKey: () => string;
}

/** Options of `setupCache(instance, options)`: requests-cache's session options in camelCase. */
export interface CacheOptions {
  /** SQLite file (`.sqlite` appended when it has no extension). Default `'http_cache'`. */
  cacheName?: string;
  /** `'sqlite'` (default), `'memory'`, a Keyv instance, or a Keyv store adapter. */
  backend?: BackendName | Keyv | KeyvStoreAdapter;
  /** Serializer for stored entries. Only `'json'` so far (the memory backend keeps live objects). */
  serializer?: 'json';
  /** Default expiration of new responses. Default NEVER_EXPIRE. */
  expireAfter?: ExpireAfter;
  /** Per-URL expiration: globs (requests-cache semantics) or RegExps; the first match in order wins. */
  urlsExpireAfter?: UrlsExpireAfter;
  /** Let response Cache-Control / Expires set the expiration. Default false. */
  cacheControl?: boolean;
  /** Statuses that may be written. Default [200]. */
  allowableCodes?: Iterable<number>;
  /** Methods read from and written to the cache. Default ['GET', 'HEAD']. */
  allowableMethods?: Iterable<string>;
  /** Revalidate on every use when the entry has a validator. Default false. */
  alwaysRevalidate?: boolean;
  /** Names kept out of keys and redacted from stored data. Replaces the defaults. */
  ignoredParameters?: Iterable<string>;
  /** `true` to key on every request header, or a list of header names. Default false. */
  matchHeaders?: boolean | Iterable<string>;
  /** Apply JSON body sorting and redaction under this top-level key instead of the root. */
  contentRootKey?: string;
  /** Return false to keep a response out of the cache (and drop it on a later read). */
  filterFn?: (response: AxiosResponse) => boolean;
  /** Compute the cache key yourself. */
  keyFn?: (request: RequestInfo, context: KeyFnContext) => string;
  /** Serve the stale entry when a refetch fails: `true`, or the longest staleness accepted. */
  staleIfError?: boolean | ExpireAfter;
  /** Serve the stale entry at once and refresh it in the background: `true`, or the longest staleness. */
  staleWhileRevalidate?: boolean | ExpireAfter;
  /** Never send a request: serve what is cached, or a 504. Default false. */
  onlyIfCached?: boolean;
  /** Read the cache but never write it. Default false. */
  readOnly?: boolean;
}

/** Per-request options: `instance.get(url, { cache: { ... } })`, or `cache: false` to bypass the cache. */
export interface RequestCacheOptions {
  expireAfter?: ExpireAfter;
  onlyIfCached?: boolean;
  /** Revalidate even a fresh entry (when it has a validator). */
  refresh?: boolean;
  /** Skip the read, always fetch, and overwrite the entry. */
  forceRefresh?: boolean;
  staleIfError?: boolean | ExpireAfter;
  staleWhileRevalidate?: boolean | ExpireAfter;
}

/** Fields the cache puts on every response of a cached instance. */
export interface CacheResponseFields {
  fromCache: boolean;
  /** When the stored entry was created (now, for a response that was not cached). */
  createdAt: Date;
  /** When the entry expires; null for never or for a response that was not written. */
  expires: Date | null;
  isExpired: boolean;
  /** True when a conditional request confirmed the cached entry (304). */
  revalidated: boolean;
  /** The key the entry lives under; undefined when the response was not written. */
  cacheKey: string | undefined;
}

export type CacheAxiosResponse<T = any, D = any> = AxiosResponse<T, D> & CacheResponseFields;

/** An axios instance after `setupCache`: the same object, with `cache` and typed responses. */
export interface CacheAxiosInstance extends AxiosInstance {
  <T = any, R = CacheAxiosResponse<T>, D = any>(config: AxiosRequestConfig<D>): Promise<R>;
  <T = any, R = CacheAxiosResponse<T>, D = any>(url: string, config?: AxiosRequestConfig<D>): Promise<R>;
  request<T = any, R = CacheAxiosResponse<T>, D = any>(config: AxiosRequestConfig<D>): Promise<R>;
  get<T = any, R = CacheAxiosResponse<T>, D = any>(url: string, config?: AxiosRequestConfig<D>): Promise<R>;
  delete<T = any, R = CacheAxiosResponse<T>, D = any>(url: string, config?: AxiosRequestConfig<D>): Promise<R>;
  head<T = any, R = CacheAxiosResponse<T>, D = any>(url: string, config?: AxiosRequestConfig<D>): Promise<R>;
  options<T = any, R = CacheAxiosResponse<T>, D = any>(url: string, config?: AxiosRequestConfig<D>): Promise<R>;
  post<T = any, R = CacheAxiosResponse<T>, D = any>(url: string, data?: D, config?: AxiosRequestConfig<D>): Promise<R>;
  put<T = any, R = CacheAxiosResponse<T>, D = any>(url: string, data?: D, config?: AxiosRequestConfig<D>): Promise<R>;
  patch<T = any, R = CacheAxiosResponse<T>, D = any>(url: string, data?: D, config?: AxiosRequestConfig<D>): Promise<R>;
  postForm<T = any, R = CacheAxiosResponse<T>, D = any>(url: string, data?: D, config?: AxiosRequestConfig<D>): Promise<R>;
  putForm<T = any, R = CacheAxiosResponse<T>, D = any>(url: string, data?: D, config?: AxiosRequestConfig<D>): Promise<R>;
  patchForm<T = any, R = CacheAxiosResponse<T>, D = any>(url: string, data?: D, config?: AxiosRequestConfig<D>): Promise<R>;
  /** The cache behind this instance: inspection and deletion. */
  cache: HttpCache;
  /** Run `fn` with the cache bypassed for the requests it starts (safe under concurrency). */
  cacheDisabled<T>(fn: () => T): T;
}

declare module 'axios' {
  interface AxiosRequestConfig {
    /** Per-request cache options (axios-keyv-cache), or `false` to bypass the cache. */
    cache?: false | RequestCacheOptions;
  }
  interface AxiosResponse {
    /** Set by axios-keyv-cache on instances it is set up on. */
    fromCache?: boolean;
    createdAt?: Date;
    expires?: Date | null;
    isExpired?: boolean;
    revalidated?: boolean;
    cacheKey?: string;
  }
}
