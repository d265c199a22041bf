/**
 * Validation of `setupCache` options and per-request `cache` options into the plain settings the
 * policy reads. Bad input fails here, at the point of the mistake, naming the option and the value
 * (requests-cache silently drops unknown keyword arguments; we do not).
 */
import { inspect } from 'node:util';
import type { AxiosResponse } from 'axios';
import { DEFAULT_HASHED_PARAMETERS, DEFAULT_IGNORED_PARAMETERS } from '../constants.js';
import { parseExpiration } from './expiration.js';
import { compileUrlPatterns } from './url-patterns.js';
import type { Expiration, RequestInfo, UrlPattern } from './types.js';
import type { KeyFnContext } from '../types.js';

/** The two RFC 9111 cache kinds (https://www.rfc-editor.org/rfc/rfc9111#section-1). */
export type RfcMode = 'private' | 'shared';

/** `cacheControl`: false, true, or one of the RFC modes. */
function cacheControlMode(value: unknown): { legacy: boolean; rfc: RfcMode | undefined } {
  if (value === undefined || value === false) return { legacy: false, rfc: undefined };
  if (value === true) return { legacy: true, rfc: undefined };
  if (value === 'private' || value === 'shared') return { legacy: false, rfc: value };
  throw new TypeError(`Invalid cacheControl: ${show(value)} (expected false, true, 'private' or 'shared')`);
}

/** A staleness allowance: false (none), or seconds past expiry (Infinity for `true`). */
export type StaleAllowance = false | number;

export interface CacheSettings {
  expireAfter: Expiration;
  urlsExpireAfter: readonly UrlPattern[];
  /** requests-cache's `cache_control=True` (response headers set the expiration). False in the RFC modes. */
  cacheControl: boolean;
  /**
   * `cacheControl: 'private' | 'shared'`: a private (browser-like) or shared (proxy-like) HTTP cache
   * under RFC 9111 and RFC 5861 (src/policy/rfc9111/). Undefined in the requests-cache modes.
   */
  rfcMode: RfcMode | undefined;
  allowableCodes: ReadonlySet<number>;
  /** The user set `allowableCodes`: in the RFC modes it then restricts storability further. */
  allowableCodesGiven: boolean;
  allowableMethods: ReadonlySet<string>;
  alwaysRevalidate: boolean;
  /** Effective ignored names: the user's list, plus the credential names when hashing is off. */
  ignoredParameters: readonly string[];
  /** Effective hashed names: the defaults plus the user's, minus any the user ignores; `[]` when off. */
  hashedParameters: readonly string[];
  /** The `hashSecret` option as bytes, when given (the environment and the secret file are read by the context). */
  hashSecret: Buffer | undefined;
  /** Vary-purpose key derived from the hash secret; set by `createContext`, never by `parseSettings`. */
  varyKey?: Uint8Array;
  matchHeaders: boolean | readonly string[];
  contentRootKey: string | undefined;
  filterFn: ((response: AxiosResponse) => boolean) | undefined;
  keyFn: ((request: RequestInfo, context: KeyFnContext) => string) | undefined;
  staleIfError: StaleAllowance;
  staleWhileRevalidate: StaleAllowance;
  onlyIfCached: boolean;
  readOnly: boolean;
  /** Store (and replay) responses that carry `Set-Cookie`. */
  storeSetCookie: boolean;
  /** Ignore a response `Cache-Control: no-store` unless `cacheControl` is on (requests-cache's behaviour). */
  ignoreResponseNoStore: boolean;
}

/** Per-request options after validation; undefined means "not given: use the setting". */
export interface RequestOptions {
  expireAfter?: Expiration;
  onlyIfCached?: boolean;
  refresh?: boolean;
  forceRefresh?: boolean;
  staleIfError?: StaleAllowance;
  staleWhileRevalidate?: StaleAllowance;
}

/** Options handled outside the policy (storage), accepted by `parseSettings` without complaint. */
const STORAGE_OPTIONS = [
  'cacheName',
  'backend',
  'connection',
  'serializer',
  'onStorageError',
  'throwOnStorageError',
  'storageTimeout',
  'ttlOffset',
  'maxEntries',
  'maxBytes',
  'maxEntrySize',
  'sqliteDriver',
  'fastSave',
  'redisClientCache',
  'secretKey',
  'encryptionKey',
] as const;

const SETTING_OPTIONS = [
  'expireAfter',
  'urlsExpireAfter',
  'cacheControl',
  'allowableCodes',
  'allowableMethods',
  'alwaysRevalidate',
  'ignoredParameters',
  'hashedParameters',
  'hashSecret',
  'matchHeaders',
  'contentRootKey',
  'filterFn',
  'keyFn',
  'staleIfError',
  'staleWhileRevalidate',
  'onlyIfCached',
  'readOnly',
  'storeSetCookie',
  'ignoreResponseNoStore',
] as const;

const REQUEST_OPTIONS = [
  'expireAfter',
  'onlyIfCached',
  'refresh',
  'forceRefresh',
  'staleIfError',
  'staleWhileRevalidate',
] as const;

const show = (value: unknown): string => inspect(value, { depth: 2, breakLength: Infinity });

function rejectUnknown(options: object, known: readonly string[], where: string): void {
  for (const name of Object.keys(options)) {
    if (!known.includes(name)) {
      throw new TypeError(`Unknown ${where} option: '${name}' (known options: ${known.join(', ')})`);
    }
  }
}

function bool(value: unknown, option: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new TypeError(`Invalid ${option}: ${show(value)} (expected true or false)`);
  return value;
}

function stringList(value: unknown, option: string): string[] {
  if (typeof value === 'string' || value === null || typeof (value as Iterable<unknown>)[Symbol.iterator] !== 'function') {
    throw new TypeError(`Invalid ${option}: ${show(value)} (expected a list of strings)`);
  }
  const list = [...(value as Iterable<unknown>)];
  for (const item of list) {
    if (typeof item !== 'string' || item.trim() === '') {
      throw new TypeError(`Invalid ${option}: ${show(value)} (every item must be a non-empty string; got ${show(item)})`);
    }
  }
  return list as string[];
}

function codes(value: unknown): Set<number> {
  if (value === undefined) return new Set([200]);
  // A string or a lone number is a list missing its brackets; iterating '200' would complain about '2'.
  if (typeof value === 'string' || typeof value === 'number') {
    const example = typeof value === 'number' || /^\d{3}$/.test(value.trim()) ? `[${Number(value)}]` : '[200]';
    throw new TypeError(`Invalid allowableCodes: ${show(value)} (expected a list of HTTP status codes, such as ${example})`);
  }
  if (value === null || typeof (value as Iterable<unknown>)[Symbol.iterator] !== 'function') {
    throw new TypeError(`Invalid allowableCodes: ${show(value)} (expected a list of HTTP status codes, such as [200])`);
  }
  const list = [...(value as Iterable<unknown>)];
  for (const code of list) {
    if (typeof code !== 'number' || !Number.isInteger(code) || code < 100 || code > 999) {
      throw new RangeError(`Invalid allowableCodes: ${show(value)} (${show(code)} is not an HTTP status code)`);
    }
  }
  return new Set(list as number[]);
}

/**
 * `true` accepts any staleness; an expiration value limits it to that many seconds past expiry
 * (docs/behaviour.md §1 `stale_if_error`: "A time value limits acceptable staleness").
 */
export function parseStaleAllowance(value: unknown, option: string): StaleAllowance {
  if (value === undefined || value === false || value === null) return false;
  if (value === true) return Infinity;
  const expiration = parseExpiration(value, option);
  switch (expiration.type) {
    case 'never':
      return Infinity;
    case 'relative':
      if (expiration.seconds < 0) throw new RangeError(`Invalid ${option}: ${show(value)} (staleness cannot be negative)`);
      return expiration.seconds;
    default:
      throw new RangeError(`Invalid ${option}: ${show(value)} (expected true, false or a duration such as 60 or '5m')`);
  }
}

function optionalFunction<T>(value: unknown, option: string): T | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'function') throw new TypeError(`Invalid ${option}: ${show(value)} (expected a function)`);
  return value as T;
}

/** Shortest accepted hash secret, in bytes. */
export const MIN_HASH_SECRET_BYTES = 16;

/** `hashSecret` (or the environment variable, named by `option`) as bytes; at least 16 of them. */
export function parseHashSecret(value: unknown, option = 'hashSecret'): Buffer | undefined {
  if (value === undefined) return undefined;
  let bytes: Buffer;
  if (typeof value === 'string') bytes = Buffer.from(value, 'utf8');
  else if (value instanceof Uint8Array) bytes = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  else throw new TypeError(`Invalid ${option}: ${show(value)} (expected a string, Buffer or Uint8Array)`);
  if (bytes.length < MIN_HASH_SECRET_BYTES) {
    throw new RangeError(`Invalid ${option}: ${bytes.length} bytes (a hash secret needs at least ${MIN_HASH_SECRET_BYTES} bytes)`);
  }
  // A copy, so a caller reusing its buffer cannot change the secret under a running cache.
  return Buffer.from(bytes);
}

/**
 * `ignoredParameters` and `hashedParameters` merged (`docs/behaviour.md §3.1`): the user's hashed
 * names are added to {@link DEFAULT_HASHED_PARAMETERS}; a name the user ignores leaves the hashed
 * set (ignoring is how a credential is shared on purpose); `hashedParameters: false` hashes nothing
 * and ignores the credential names instead, so turning hashing off never stores a token. A name in
 * both user lists is a mistake. Names compare case-insensitively.
 */
export function mergeParameterLists(ignoredOption: unknown, hashedOption: unknown): { ignored: readonly string[]; hashed: readonly string[] } {
  const userIgnored = ignoredOption === undefined ? [...DEFAULT_IGNORED_PARAMETERS] : stringList(ignoredOption, 'ignoredParameters');
  const lower = (names: readonly string[]) => new Set(names.map((name) => name.toLowerCase()));
  const ignoredSet = lower(userIgnored);
  if (hashedOption === false) {
    const ignored = [...userIgnored, ...DEFAULT_HASHED_PARAMETERS.filter((name) => !ignoredSet.has(name.toLowerCase()))];
    return { ignored: Object.freeze(ignored), hashed: Object.freeze([]) };
  }
  let userHashed: string[] = [];
  if (hashedOption !== undefined && hashedOption !== true) userHashed = stringList(hashedOption, 'hashedParameters');
  const clash = userHashed.find((name) => ignoredSet.has(name.toLowerCase()));
  if (clash !== undefined) {
    throw new TypeError(`Invalid hashedParameters: '${clash}' is also in ignoredParameters (a name is either shared or hashed, not both)`);
  }
  const seen = new Set<string>();
  const hashed = [...DEFAULT_HASHED_PARAMETERS, ...userHashed].filter((name) => {
    const key = name.toLowerCase();
    if (ignoredSet.has(key) || seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return { ignored: Object.freeze(userIgnored), hashed: Object.freeze(hashed) };
}

/** Validates the policy part of `setupCache` options. Unknown option names throw. */
export function parseSettings(options: Record<string, unknown>): CacheSettings {
  if (options === null || typeof options !== 'object') {
    throw new TypeError(`Invalid cache options: ${show(options)} (expected an object)`);
  }
  rejectUnknown(options, [...STORAGE_OPTIONS, ...SETTING_OPTIONS], 'setupCache');
  // Used by the storage layer (src/storage/errors.ts); checked here with the other options.
  optionalFunction(options.onStorageError, 'onStorageError');

  let matchHeaders: boolean | string[] = false;
  if (typeof options.matchHeaders === 'boolean') matchHeaders = options.matchHeaders;
  else if (options.matchHeaders !== undefined) matchHeaders = stringList(options.matchHeaders, 'matchHeaders');

  if (options.contentRootKey !== undefined && (typeof options.contentRootKey !== 'string' || options.contentRootKey === '')) {
    throw new TypeError(`Invalid contentRootKey: ${show(options.contentRootKey)} (expected a non-empty string)`);
  }

  const parameters = mergeParameterLists(options.ignoredParameters, options.hashedParameters);
  const mode = cacheControlMode(options.cacheControl);

  return {
    expireAfter: parseExpiration(options.expireAfter, 'expireAfter'),
    urlsExpireAfter: options.urlsExpireAfter === undefined ? [] : compileUrlPatterns(options.urlsExpireAfter),
    cacheControl: mode.legacy,
    rfcMode: mode.rfc,
    allowableCodes: codes(options.allowableCodes),
    allowableCodesGiven: options.allowableCodes !== undefined,
    // requests upper-cases methods before upstream's case-sensitive check; we upper-case the setting.
    allowableMethods: new Set(
      (options.allowableMethods === undefined ? ['GET', 'HEAD'] : stringList(options.allowableMethods, 'allowableMethods')).map(
        (m) => m.toUpperCase(),
      ),
    ),
    alwaysRevalidate: bool(options.alwaysRevalidate, 'alwaysRevalidate', false),
    ignoredParameters: parameters.ignored,
    hashedParameters: parameters.hashed,
    hashSecret: parseHashSecret(options.hashSecret),
    matchHeaders,
    contentRootKey: options.contentRootKey as string | undefined,
    filterFn: optionalFunction(options.filterFn, 'filterFn'),
    keyFn: optionalFunction(options.keyFn, 'keyFn'),
    staleIfError: parseStaleAllowance(options.staleIfError, 'staleIfError'),
    staleWhileRevalidate: parseStaleAllowance(options.staleWhileRevalidate, 'staleWhileRevalidate'),
    onlyIfCached: bool(options.onlyIfCached, 'onlyIfCached', false),
    readOnly: bool(options.readOnly, 'readOnly', false),
    storeSetCookie: bool(options.storeSetCookie, 'storeSetCookie', false),
    ignoreResponseNoStore: bool(options.ignoreResponseNoStore, 'ignoreResponseNoStore', false),
  };
}

/**
 * Validates a per-request `cache` object. Runs at request time, so a bad value rejects that request
 * (requests-cache raises at request time too: `test_invalid_expiration`).
 */
export function parseRequestOptions(options: unknown): RequestOptions {
  if (options === undefined || options === null || options === true) return {};
  if (typeof options !== 'object') {
    throw new TypeError(`Invalid request option cache: ${show(options)} (expected false or an object)`);
  }
  const o = options as Record<string, unknown>;
  rejectUnknown(o, REQUEST_OPTIONS, 'request cache');
  const result: RequestOptions = {};
  // A per-request null means "not given", as upstream's None: the session's expiration applies.
  if (o.expireAfter !== undefined && o.expireAfter !== null) result.expireAfter = parseExpiration(o.expireAfter, 'cache.expireAfter');
  if (o.onlyIfCached !== undefined) result.onlyIfCached = bool(o.onlyIfCached, 'cache.onlyIfCached', false);
  if (o.refresh !== undefined) result.refresh = bool(o.refresh, 'cache.refresh', false);
  if (o.forceRefresh !== undefined) result.forceRefresh = bool(o.forceRefresh, 'cache.forceRefresh', false);
  if (o.staleIfError !== undefined) result.staleIfError = parseStaleAllowance(o.staleIfError, 'cache.staleIfError');
  if (o.staleWhileRevalidate !== undefined) {
    result.staleWhileRevalidate = parseStaleAllowance(o.staleWhileRevalidate, 'cache.staleWhileRevalidate');
  }
  return result;
}
