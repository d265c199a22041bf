/**
 * Everything one cache shares between its adapter and its inspection API: settings, storage, key
 * computation, in-flight calls and background refreshes.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { Flights } from './adapter/flights.js';
import { createKey } from './policy/keys.js';
import { type CacheSettings, parseSettings } from './policy/settings.js';
import type { KeySettings, RequestInfo } from './policy/types.js';
import { createStorage } from './storage/backends.js';
import type { CacheStorage } from './storage/cache-storage.js';
import type { CacheOptions } from './types.js';

export interface CacheContext {
  readonly settings: CacheSettings;
  readonly storage: CacheStorage;
  readonly keySettings: KeySettings;
  readonly flights: Flights;
  /** Background refreshes (stale-while-revalidate) still running; `close()` waits for them. */
  readonly background: Set<Promise<unknown>>;
  /** `cacheDisabled(fn)` marks the async context of `fn`, so concurrent requests elsewhere are unaffected. */
  readonly disabledScope: AsyncLocalStorage<boolean>;
  /** The key for a request: the user's keyFn when given, else ours. */
  keyFor(request: RequestInfo, matchHeaders?: boolean | readonly string[]): string;
}

export function createContext(options: CacheOptions): CacheContext {
  // Settings first: an invalid option must fail before a database file is created.
  const settings = parseSettings(options as Record<string, unknown>);
  const storage = createStorage(options);
  const keySettings: KeySettings = {
    ignoredParameters: settings.ignoredParameters,
    matchHeaders: settings.matchHeaders,
    contentRootKey: settings.contentRootKey,
    serializerName: storage.codec.name,
  };
  return {
    settings,
    storage,
    keySettings,
    flights: new Flights(),
    background: new Set(),
    disabledScope: new AsyncLocalStorage<boolean>(),
    keyFor(request, matchHeaders) {
      const defaultKey = (): string => createKey(request, keySettings, matchHeaders);
      if (!settings.keyFn) return defaultKey();
      const key = settings.keyFn(request, { ...keySettings, matchHeaders: matchHeaders ?? keySettings.matchHeaders, defaultKey });
      if (typeof key !== 'string' || key === '') throw new TypeError(`keyFn returned ${String(key)} (expected a non-empty string)`);
      return key;
    },
  };
}
