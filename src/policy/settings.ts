/**
 * Validation of `setupCache` options and per-request `cache` options into the plain settings the
 * policy reads. Bad input fails here, at the point of the mistake, naming the option and the value
 * (requests-cache silently drops unknown keyword arguments; we do not).
 */
import { inspect } from 'node:util';
import type { AxiosResponse } from 'axios';
import { DEFAULT_IGNORED_PARAMETERS } from '../constants.js';
import { parseExpiration } from './expiration.js';
import { compileUrlPatterns } from './url-patterns.js';
import type { Expiration, RequestInfo, UrlPattern } from './types.js';
import type { KeyFnContext } from '../types.js';

/** A staleness allowance: false (none), or seconds past expiry (Infinity for `true`). */
export type StaleAllowance = false | number;

export interface CacheSettings {
  expireAfter: Expiration;
  urlsExpireAfter: readonly UrlPattern[];
  cacheControl: boolean;
  allowableCodes: ReadonlySet<number>;
  allowableMethods: ReadonlySet<string>;
  alwaysRevalidate: boolean;
  ignoredParameters: readonly string[];
  matchHeaders: boolean | readonly string[];
  contentRootKey: string | undefined;
  filterFn: ((response: AxiosResponse) => boolean) | undefined;
  keyFn: ((request: RequestInfo, context: KeyFnContext) => string) | undefined;
  staleIfError: StaleAllowance;
  staleWhileRevalidate: StaleAllowance;
  onlyIfCached: boolean;
  readOnly: boolean;
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
const STORAGE_OPTIONS = ['cacheName', 'backend', 'serializer'] as const;

const SETTING_OPTIONS = [
  'expireAfter',
  'urlsExpireAfter',
  'cacheControl',
  'allowableCodes',
  'allowableMethods',
  'alwaysRevalidate',
  'ignoredParameters',
  'matchHeaders',
  'contentRootKey',
  'filterFn',
  'keyFn',
  'staleIfError',
  'staleWhileRevalidate',
  'onlyIfCached',
  'readOnly',
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
  if (value === null || typeof (value as Iterable<unknown>)[Symbol.iterator] !== 'function') {
    throw new TypeError(`Invalid allowableCodes: ${show(value)} (expected a list of HTTP status codes)`);
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
 * (reference §1 `stale_if_error`: "A time value limits acceptable staleness").
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

/** Validates the policy part of `setupCache` options. Unknown option names throw. */
export function parseSettings(options: Record<string, unknown>): CacheSettings {
  if (options === null || typeof options !== 'object') {
    throw new TypeError(`Invalid cache options: ${show(options)} (expected an object)`);
  }
  rejectUnknown(options, [...STORAGE_OPTIONS, ...SETTING_OPTIONS], 'setupCache');

  let matchHeaders: boolean | string[] = false;
  if (typeof options.matchHeaders === 'boolean') matchHeaders = options.matchHeaders;
  else if (options.matchHeaders !== undefined) matchHeaders = stringList(options.matchHeaders, 'matchHeaders');

  if (options.contentRootKey !== undefined && (typeof options.contentRootKey !== 'string' || options.contentRootKey === '')) {
    throw new TypeError(`Invalid contentRootKey: ${show(options.contentRootKey)} (expected a non-empty string)`);
  }

  return {
    expireAfter: parseExpiration(options.expireAfter, 'expireAfter'),
    urlsExpireAfter: options.urlsExpireAfter === undefined ? [] : compileUrlPatterns(options.urlsExpireAfter),
    cacheControl: bool(options.cacheControl, 'cacheControl', false),
    allowableCodes: codes(options.allowableCodes),
    // requests upper-cases methods before upstream's case-sensitive check; we upper-case the setting.
    allowableMethods: new Set(
      (options.allowableMethods === undefined ? ['GET', 'HEAD'] : stringList(options.allowableMethods, 'allowableMethods')).map(
        (m) => m.toUpperCase(),
      ),
    ),
    alwaysRevalidate: bool(options.alwaysRevalidate, 'alwaysRevalidate', false),
    ignoredParameters:
      options.ignoredParameters === undefined
        ? DEFAULT_IGNORED_PARAMETERS
        : Object.freeze(stringList(options.ignoredParameters, 'ignoredParameters')),
    matchHeaders,
    contentRootKey: options.contentRootKey as string | undefined,
    filterFn: optionalFunction(options.filterFn, 'filterFn'),
    keyFn: optionalFunction(options.keyFn, 'keyFn'),
    staleIfError: parseStaleAllowance(options.staleIfError, 'staleIfError'),
    staleWhileRevalidate: parseStaleAllowance(options.staleWhileRevalidate, 'staleWhileRevalidate'),
    onlyIfCached: bool(options.onlyIfCached, 'onlyIfCached', false),
    readOnly: bool(options.readOnly, 'readOnly', false),
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
