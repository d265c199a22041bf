/**
 * axios-keyv-cache: a persistent HTTP cache for axios with requests-cache's behaviour, stored through
 * Keyv (SQLite by default). `setupCache(axios.create(), options)` is the one line to add.
 */
export { setupCache, removeCache, restoreCache, hasCache } from './setup.js';
export type { CacheAttachment } from './setup.js';
export { installCache, uninstallCache, isInstalled, getCache, enabled, disabled } from './patcher.js';
export { HttpCache } from './cache.js';
export type { ContainsOptions, DeleteOptions, FilterOptions } from './cache.js';
export type { RequestLike } from './request-like.js';
export { CachedResponse, describeResponse } from './cached-response.js';
export { NEVER_EXPIRE, EXPIRE_IMMEDIATELY, DO_NOT_CACHE, DEFAULT_IGNORED_PARAMETERS, DEFAULT_HASHED_PARAMETERS, ALL_METHODS } from './constants.js';
export type { Serializer } from './serializers/types.js';
export { SerializerPipeline, Stage, jsonStage, yamlStage, bsonStage, binaryStage, gzipStage, deflateStage, brotliStage, zstdStage } from './serializers/pipeline.js';
export type { StageOptions } from './serializers/pipeline.js';
export type { CachedEntry, StoredRequest, RequestInfo, ExpireAfter } from './policy/types.js';
export type {
  BackendName,
  SerializerName,
  CacheAxiosInstance,
  CacheAxiosResponse,
  CacheOptions,
  CacheResponseFields,
  KeyFnContext,
  RequestCacheOptions,
  StorageErrorHook,
  StorageErrorInfo,
  StorageOperation,
  UrlsExpireAfter,
} from './types.js';
