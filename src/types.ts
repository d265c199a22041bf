import type { AxiosInstance, AxiosRequestConfig, AxiosResponse } from 'axios';
import type { Keyv, KeyvStoreAdapter } from 'keyv';
import type { CachedEntry, ExpireAfter, RequestInfo } from './policy/types.js';
import type { Serializer } from './serializers/types.js';
import type { UrlsExpireAfter } from './policy/url-patterns.js';
import type { HttpCache } from './cache.js';

export type { ExpireAfter, RequestInfo, UrlsExpireAfter };

/** Backend names built in so far. */
/** The built-in serializers by name. */
export type SerializerName = 'json' | 'yaml' | 'bson' | 'binary' | 'pickle' | 'json+binary';

export type BackendName = 'sqlite' | 'memory' | 'filesystem' | 'redis' | 'mongodb' | 'gridfs' | 'dynamodb';

/** The storage operation that failed; a timeout is reported with the operation that timed out. */
export type StorageOperation = 'open' | 'read' | 'write' | 'delete' | 'clear' | 'iterate';

/** What `onStorageError` receives beside the error. */
export interface StorageErrorInfo {
  operation: StorageOperation;
  /** The cache key involved, when the operation had one. */
  key?: string;
  /** The backend, as shown in logs: `sqlite /path/http_cache.sqlite`, `memory`, `keyv api`… */
  backend: string;
}

/**
 * Called for every failed storage operation (the request itself still succeeds from the network).
 * Errors thrown (or promises rejected) by the hook are logged and ignored.
 */
export type StorageErrorHook = (error: Error, info: StorageErrorInfo) => void | Promise<void>;

/**
 * What `keyFn` receives besides the request. The request itself is redacted: URL, headers and body
 * normalized as for the key, ignored values `REDACTED`, hashed values replaced by their keyed digest
 * (a raw token never reaches `keyFn`).
 */
export interface KeyFnContext {
  /** Effective ignored names (after merging with `hashedParameters`). */
  ignoredParameters: readonly string[];
  /** Effective hashed names (the defaults plus the user's, minus ignored ones); empty when off. */
  hashedParameters: readonly string[];
  matchHeaders: boolean | readonly string[];
  contentRootKey?: string;
  serializerName: string;
  /** The key the cache would compute itself, for wrappers that only add to it. */
  defaultKey: () => string;
  /** HMAC-SHA256 (hex) of a value under the cache's hash secret, for values you add to a key yourself. */
  hash: (value: string) => string;
}

/** Options of `setupCache(instance, options)`: requests-cache's session options in camelCase. */
export interface CacheOptions {
  /**
   * Which cache on the backend: the SQLite file (`.sqlite` appended when it has no extension), the
   * filesystem folder, the Redis key prefix, the MongoDB database, the DynamoDB namespace.
   * Default `'http_cache'`.
   */
  cacheName?: string;
  /** A backend name (default `'sqlite'`), a Keyv 5 instance, or a Keyv store adapter. */
  backend?: BackendName | Keyv | KeyvStoreAdapter;
  /**
   * For server backends: a URL (`redis://…`, `mongodb://…`), a ready client, or client options;
   * see README, one section per backend.
   */
  connection?: unknown;
  /**
   * Sign every stored entry and alias with HMAC-SHA256: one secret (>= 16 bytes) or a list, where the
   * first signs and all verify (add a new key second first, then move it first). An entry that does
   * not verify is a miss, overwritten by the next response. Default: not signed. Memory: ignored.
   */
  secretKey?: string | Uint8Array | readonly (string | Uint8Array)[];
  /**
   * Encrypt every stored entry at rest with AES-256-GCM (a key of >= 16 bytes, HKDF-derived; a fresh
   * IV per entry; the storage key as associated data). The URL index then holds URL HMACs. Default:
   * not encrypted. Memory: ignored.
   */
  encryptionKey?: string | Uint8Array;
  /** Rethrow storage failures to the request instead of serving from the network. Default false. */
  throwOnStorageError?: boolean;
  /** How long one storage read or write may take before the request goes on without it, ms. Default 2000. */
  storageTimeout?: number;
  /**
   * How long the backend keeps an entry past its expiry, for revalidation and staleIfError: seconds
   * or a duration ('1h'). Default 3600. Never-expiring entries get no backend TTL.
   */
  ttlOffset?: number | string;
  /** Least-recently-used eviction above this many responses (memory, sqlite, filesystem). Default none. */
  maxEntries?: number;
  /** Least-recently-used eviction above this many stored bytes (memory, sqlite, filesystem). Default none. */
  maxBytes?: number;
  /** Responses stored larger than this many bytes are not cached (reported). Default: the backend's limit. */
  maxEntrySize?: number;
  /**
   * SQLite driver: `'auto'` (default: node:sqlite where it loads without a warning, Node 24; else
   * better-sqlite3 if installed; else sqlite3), `'node:sqlite'`, `'better-sqlite3'`, `'sqlite3'`.
   */
  sqliteDriver?: 'auto' | 'node:sqlite' | 'better-sqlite3' | 'sqlite3';
  /**
   * SQLite backend only: `PRAGMA synchronous = OFF` (requests-cache's `fast_save`). Writes skip
   * fsync entirely; an OS crash or power loss may lose recent entries or corrupt the file (a process
   * crash cannot). Default false (`synchronous = NORMAL` in WAL mode).
   */
  fastSave?: boolean;
  /**
   * Redis backend only: client-side caching (RESP3 + CLIENT TRACKING), so a hit is served from
   * process memory and Redis invalidates it when any client changes the key. Default false (needs
   * Redis >= 6 and a service that accepts HELLO 3). `true`: at most 10,000 local entries;
   * `{ maxEntries, maxBytes, ttl }` (ttl in ms, 0 = none). For connections built from a URL or options only.
   */
  redisClientCache?: boolean | { maxEntries?: number; maxBytes?: number; ttl?: number };
  /**
   * How entries are encoded: `'json'`, `'yaml'`, `'bson'`, `'binary'` (node:v8; alias `'pickle'`), `'json+binary'` (json for text bodies, binary for others), a
   * `SerializerPipeline`, or an object with `dumps`/`loads` (or `stringify`/`parse`). Default per
   * backend (README "Serializers"); the memory backend keeps live objects.
   */
  serializer?: SerializerName | Serializer | { dumps(entry: CachedEntry): string | Uint8Array; loads(data: string | Uint8Array): unknown; id?: string } | { stringify(entry: CachedEntry): string | Uint8Array; parse(data: string | Uint8Array): unknown; id?: string };
  /** Default expiration of new responses. Default NEVER_EXPIRE. */
  expireAfter?: ExpireAfter;
  /** Per-URL expiration: globs (requests-cache semantics) or RegExps; the first match in order wins. */
  urlsExpireAfter?: UrlsExpireAfter;
  /**
   * Default false: requests-cache 1.x semantics. true: requests-cache's `cache_control=True` (response
   * Cache-Control / Expires set the expiration). `'private'` / `'shared'`: an RFC 9111 + RFC 5861
   * private (one user) or shared (many users) HTTP cache; README "HTTP caching modes".
   */
  cacheControl?: boolean | 'private' | 'shared';
  /** Statuses that may be written. Default [200]; in the RFC modes, default: what RFC 9111 §3 allows. */
  allowableCodes?: Iterable<number>;
  /** Methods read from and written to the cache. Default ['GET', 'HEAD']. */
  allowableMethods?: Iterable<string>;
  /** Revalidate on every use when the entry has a validator. Default false. */
  alwaysRevalidate?: boolean;
  /**
   * Names kept out of keys and redacted from stored data: shared between callers. Default none.
   * Naming a default hashed credential here shares it on purpose.
   */
  ignoredParameters?: Iterable<string>;
  /**
   * Credential names that enter the key only as a keyed hash and are redacted from stored data.
   * Added to DEFAULT_HASHED_PARAMETERS; `false` turns hashing off (the defaults are then ignored).
   */
  hashedParameters?: Iterable<string> | boolean;
  /**
   * Secret (at least 16 bytes) the credential hashes are keyed with; default the environment variable
   * AXIOS_KEYV_CACHE_HASH_SECRET, else a per-process secret (memory) or a generated secret file.
   * Every process sharing one cache must use the same secret.
   */
  hashSecret?: string | Uint8Array;
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
  /**
   * Called when the backend fails to open, read, write, delete, clear or list (timeouts included).
   * Default: the first failure of each cache is printed once as a process warning.
   */
  onStorageError?: StorageErrorHook;
  /**
   * Store responses that carry `Set-Cookie`, header included, and replay them on every hit. Only for
   * single-user clients: the cookie (a session id, a CSRF token) goes to every caller. Default false:
   * such responses are not stored. A 304 never adds its `Set-Cookie` to a stored entry.
   */
  storeSetCookie?: boolean;
  /**
   * Ignore a response `Cache-Control: no-store` unless `cacheControl` is true, as requests-cache does,
   * for origins that send it carelessly. Default false: a `no-store` response is never stored.
   */
  ignoreResponseNoStore?: boolean;
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
