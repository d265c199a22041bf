/**
 * Fixtures for the pure policy tests: a fixed clock, stored entries, requests, and the settings /
 * request actions built the way the adapter builds them (through parseSettings and requestActions).
 */
import type { CachedEntry, HeaderRecord, RequestInfo, StoredHeaders } from '../../src/policy/types.js';
import { parseRequestOptions, parseSettings, type CacheSettings } from '../../src/policy/settings.js';
import { requestActions, type RequestActions } from '../../src/policy/request-actions.js';

/** A fixed "now" (epoch ms) so every expiry in a test is exact. */
export const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);

export const ITEM_URL = 'https://example.com/api/items?page=1';

/** Epoch ms `n` seconds from NOW (negative: in the past). */
export const at = (seconds: number): number => NOW + seconds * 1000;

/** A stored entry: a 200 for GET ITEM_URL, created a minute ago, never expiring, no validator, no Vary. */
export function makeEntry(overrides: Partial<CachedEntry> = {}): CachedEntry {
  return {
    v: 3,
    url: ITEM_URL,
    status: 200,
    statusText: 'OK',
    headers: { 'content-type': 'application/json' },
    body: Buffer.from('{"items":[1,2,3]}'),
    request: { method: 'GET', url: ITEM_URL, headers: { accept: 'application/json' } },
    createdAt: at(-60),
    expires: null,
    ...overrides,
  };
}

/** An entry with extra response headers merged over the defaults. */
export function entryWith(headers: StoredHeaders, overrides: Partial<CachedEntry> = {}): CachedEntry {
  return makeEntry({ ...overrides, headers: { 'content-type': 'application/json', ...headers } });
}

/** A request as the adapter describes it: upper-case method, lower-case header names. */
export function makeRequest(headers: HeaderRecord = { accept: 'application/json' }, method = 'GET', url = ITEM_URL): RequestInfo {
  return { method, url, headers };
}

export function settingsWith(options: Record<string, unknown> = {}): CacheSettings {
  return parseSettings(options);
}

/** Request actions from setupCache options, request headers and per-request `cache` options. */
export function actionsFor(
  options: Record<string, unknown> = {},
  headers: HeaderRecord = {},
  requestOptions: Record<string, unknown> = {},
  request: Partial<RequestInfo> = {},
): RequestActions {
  return requestActions(
    parseSettings(options),
    { method: 'GET', url: ITEM_URL, ...request, headers },
    parseRequestOptions(requestOptions),
    false,
  );
}
