/**
 * Everything one cache shares between its adapter and its inspection API: settings, storage, key
 * computation, in-flight calls and background refreshes.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { Flights } from './adapter/flights.js';
import { deriveKeys, resolveHashSecret } from './hash-secret.js';
import { credentialDigest, redactorFor } from './policy/credentials.js';
import { createKey, keyFnRequest, redactUrl } from './policy/keys.js';
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
  /** The request's URL as entries store it (normalized, credentials redacted), for the URL index. */
  storedUrl(request: RequestInfo): string;
}

/** Keys remembered per context; small, since it only spares repeated hashing of the same requests. */
const KEY_MEMO_SIZE = 1000;
/** Bodies longer than this are hashed every time rather than kept in a memo signature. */
const KEY_MEMO_MAX_BODY = 1024;

export function createContext(options: CacheOptions): CacheContext {
  // Settings first: an invalid option must fail before a database file is created.
  const settings = parseSettings(options as Record<string, unknown>);
  // The secret only when something is hashed (or keyFn may call `hash`); the memory backend never
  // needs the secret file.
  const keys =
    settings.hashedParameters.length === 0 && !settings.keyFn
      ? undefined
      : deriveKeys(resolveHashSecret(settings.hashSecret, options.backend !== 'memory'));
  settings.varyKey = keys?.varyKey;
  const storage = createStorage(options);
  const keySettings: KeySettings = {
    ignoredParameters: settings.ignoredParameters,
    hashedParameters: settings.hashedParameters,
    credentialKey: keys?.credentialKey,
    varyKey: keys?.varyKey,
    matchHeaders: settings.matchHeaders,
    contentRootKey: settings.contentRootKey,
    serializerName: storage.codec.name,
  };
  const hashed = redactorFor(keySettings, 'key').hashed;
  // A hit recomputes the key of the same request over and over. Without matched headers the key
  // depends only on method, URL, content type, body, `insecure`, the hashed credential headers and
  // Range, so those form a memo signature. Each part is length-prefixed: with a separator, a URL
  // or body containing it could make two different requests share a signature, and the second
  // would get the first's key (and response).
  const memo = new Map<string, string>();
  const memoSignature = (request: RequestInfo, matchHeaders: boolean | readonly string[]): string | undefined => {
    const { body } = request;
    if (matchHeaders !== false || (body !== undefined && (typeof body !== 'string' || body.length > KEY_MEMO_MAX_BODY))) return undefined;
    let signature = '';
    const add = (part: string): void => {
      signature += `${part.length}:${part}`;
    };
    add(request.insecure ? 'insecure' : '');
    add(request.method);
    add(request.url);
    add(request.headers['content-type'] ?? '');
    add(body ?? '');
    for (const name of Object.keys(request.headers).sort()) {
      if (name !== 'range' && !hashed.has(name.toLowerCase())) continue;
      add(name.toLowerCase());
      add(request.headers[name] ?? '');
    }
    return signature;
  };

  /** keyFn's helper: a keyed digest of any value, without the raw value ever entering a key. */
  const hash = (value: string): string => {
    if (typeof value !== 'string') throw new TypeError(`keyFn hash(): expected a string, got ${typeof value}`);
    return credentialDigest(keys!.credentialKey, 'keyFn', '', value);
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
      if (!settings.keyFn) {
        const signature = memoSignature(request, matchHeaders ?? keySettings.matchHeaders);
        if (signature === undefined) return defaultKey();
        let key = memo.get(signature);
        if (key === undefined) {
          key = defaultKey();
          if (memo.size >= KEY_MEMO_SIZE) memo.clear();
          memo.set(signature, key);
        }
        return key;
      }
      const key = settings.keyFn(keyFnRequest(request, keySettings), {
        ignoredParameters: keySettings.ignoredParameters,
        hashedParameters: keySettings.hashedParameters ?? [],
        matchHeaders: matchHeaders ?? keySettings.matchHeaders,
        contentRootKey: keySettings.contentRootKey,
        serializerName: keySettings.serializerName,
        defaultKey,
        hash,
      });
      if (typeof key !== 'string' || key === '') throw new TypeError(`keyFn returned ${String(key)} (expected a non-empty string)`);
      return key;
    },
    storedUrl: (request) => redactUrl(request.url, keySettings),
  };
}
