/**
 * `instance.cache`: inspecting and deleting what is stored (requests-cache's BaseCache, docs/behaviour.md §6),
 * all async. URLs and request configs are turned into keys exactly as requests are.
 */
import type { AxiosRequestConfig } from 'axios';
import { CachedResponse } from './cached-response.js';
import type { CacheContext } from './context.js';
import { log } from './debug.js';
import { expiresAt, parseExpiration } from './policy/expiration.js';
import { ENTRY_FORMAT, type ExpireAfter } from './policy/types.js';
import { requestInfo, type RequestLike } from './request-like.js';
import type { Keyv } from 'keyv';
import type { CacheStorage, StoredItem } from './storage/cache-storage.js';
import { KeyvStore } from './storage/keyv-store.js';


export interface ContainsOptions {
  key?: string;
  url?: string;
  request?: RequestLike;
}

export interface DeleteOptions {
  keys?: Iterable<string>;
  /** GET requests to these URLs. */
  urls?: Iterable<string>;
  requests?: Iterable<RequestLike>;
  expired?: boolean;
  /** Entries that cannot be read back (corrupt, or written in another format). */
  invalid?: boolean;
  /** Entries created more than this long ago (seconds or a duration such as '7d'). */
  olderThan?: ExpireAfter;
}

export interface FilterOptions {
  /** Unexpired entries. Default true. */
  valid?: boolean;
  /** Expired entries. Default true. */
  expired?: boolean;
  /** Unreadable entries, as 504 placeholders carrying their key. Default false. */
  invalid?: boolean;
  olderThan?: ExpireAfter;
}

/** Seconds from an `olderThan` value: a number, or a duration string. */
function ageLimitMs(olderThan: ExpireAfter, now: number): number {
  const expiration = parseExpiration(olderThan, 'olderThan');
  const at = expiresAt(expiration, now);
  if (expiration.type !== 'relative' || at === null) {
    throw new RangeError(`Invalid olderThan: ${String(olderThan)} (expected seconds or a duration such as '7d')`);
  }
  return at - now;
}

export class HttpCache {
  /**
   * @param defaults the axios instance's defaults, so `contains({ url: '/users/1' })` on an instance
   *   with a baseURL (or default headers that are part of the key) finds what its requests stored.
   */
  constructor(
    private readonly ctx: CacheContext,
    private readonly defaults?: () => AxiosRequestConfig,
  ) {}

  /** The storage behind this cache; `responses` and `redirects` views, and the Keyv instance. */
  get storage(): CacheStorage {
    return this.ctx.storage;
  }

  /** The Keyv instance when the backend is a Keyv (or a Keyv store adapter), else undefined. */
  get keyv(): Keyv | undefined {
    const store = this.ctx.storage.store;
    return store instanceof KeyvStore ? store.keyv : undefined;
  }

  /** The key a request would be cached under. */
  createKey(request: RequestLike): string {
    return this.ctx.keyFor(requestInfo(request, this.defaults?.()));
  }

  /** Is there a response (or a redirect alias) for this key, URL (GET) or request? */
  async contains(options: ContainsOptions): Promise<boolean> {
    const key = options.key ?? (options.url !== undefined ? this.createKey({ url: options.url }) : options.request ? this.createKey(options.request) : undefined);
    if (key === undefined) throw new TypeError('contains() needs one of key, url or request');
    return (await this.storage.hasResponse(key)) || (await this.storage.hasAlias(key));
  }

  /**
   * Stored responses, filtered. Expiry is judged on the stored `expires` only. Unreadable entries
   * (with `invalid`) come back as 504 placeholders carrying their key, as upstream.
   */
  async *filter(options: FilterOptions = {}): AsyncGenerator<CachedResponse> {
    const { valid = true, expired = true, invalid = false, olderThan } = options;
    if (!valid && !expired && !invalid) return;
    const now = Date.now();
    const maxAge = olderThan === undefined ? undefined : ageLimitMs(olderThan, now);
    for await (const item of this.storage.responses()) {
      const response = this.select(item, { valid, expired, invalid, maxAge }, now);
      if (response) yield response;
    }
  }

  private select(
    item: StoredItem,
    { valid, expired, invalid, maxAge }: { valid: boolean; expired: boolean; invalid: boolean; maxAge?: number },
    now: number,
  ): CachedResponse | undefined {
    if (!item.entry) {
      if (!invalid) return undefined;
      const placeholder = { v: ENTRY_FORMAT as typeof ENTRY_FORMAT, url: '', status: 504, statusText: 'Not Cached', headers: {}, body: Buffer.alloc(0), request: { method: 'GET', url: '', headers: {} }, createdAt: now, expires: null };
      return new CachedResponse(item.key, placeholder);
    }
    const isExpired = item.entry.expires !== null && now >= item.entry.expires;
    if (isExpired ? !expired : !valid) return undefined;
    if (maxAge !== undefined && !(item.entry.createdAt < now - maxAge)) return undefined;
    return new CachedResponse(item.key, item.entry);
  }

  /**
   * Deletes the union of every condition given; missing keys are ignored. Redirect aliases left
   * pointing at nothing are pruned afterwards. Returns the number of responses deleted.
   */
  async delete(options: DeleteOptions = {}): Promise<number> {
    const keys = new Set(options.keys ?? []);
    for (const url of options.urls ?? []) {
      // The GET key, plus every variant stored for the URL (other Vary values, other users).
      keys.add(this.createKey({ url }));
      for (const key of await this.storage.keysForUrl(this.storedUrl(url))) keys.add(key);
    }
    for (const request of options.requests ?? []) keys.add(this.createKey(request));

    let deleted = 0;
    if (options.expired || options.invalid || options.olderThan !== undefined) {
      const now = Date.now();
      const maxAge = options.olderThan === undefined ? undefined : ageLimitMs(options.olderThan, now);
      // Where the store indexes expiry and creation time (SQLite), those conditions are one SQL
      // delete; only `invalid` still needs every entry decoded.
      const byIndex = await this.storage.deleteIndexed({
        expiredAt: options.expired ? now : undefined,
        createdBefore: maxAge === undefined ? undefined : now - maxAge,
      });
      if (byIndex !== undefined) deleted += byIndex;
      if (byIndex === undefined || options.invalid) for await (const { key, entry } of this.storage.responses()) {
        const hit =
          (!entry && options.invalid) ||
          (byIndex === undefined && entry && options.expired && entry.expires !== null && now >= entry.expires) ||
          (byIndex === undefined && entry && maxAge !== undefined && entry.createdAt < now - maxAge);
        if (hit) keys.add(key);
      }
    }
    deleted += await this.storage.deleteKeys(keys);
    await this.pruneRedirects();
    log('deleted %d responses', deleted);
    return deleted;
  }

  /** A URL as it is stored in entries: normalized and redacted, as a GET request to it would be. */
  private storedUrl(url: string): string {
    return this.ctx.storedUrl(requestInfo({ url }, this.defaults?.()));
  }

  /** Drops redirect aliases whose target response is gone (docs/behaviour.md §6.1 `delete`). */
  private async pruneRedirects(): Promise<void> {
    const dangling: string[] = [];
    for (const [alias, target] of await this.storage.aliases()) {
      if (!(await this.storage.hasResponse(target))) dangling.push(alias);
    }
    await this.storage.deleteAliases(dangling);
  }

  /** Sets every entry's expiry to `expireAfter` from now (docs/behaviour.md §6.1 `reset_expiration`). */
  async resetExpiration(expireAfter: ExpireAfter): Promise<void> {
    const expiration = parseExpiration(expireAfter, 'expireAfter');
    if (expiration.type === 'do-not-cache') return this.clear();
    const expires = expiresAt(expiration, Date.now());
    await this.storage.resetExpiration(expires);
  }

  /** Stored responses by key, dict-like (requests-cache's `cache.responses`). */
  get responses() {
    const storage = this.storage;
    return {
      get: async (key: string) => {
        const found = await storage.get(key);
        return found && found.key === key ? new CachedResponse(key, found.entry) : undefined;
      },
      has: (key: string) => storage.hasResponse(key),
      delete: async (key: string) => (await storage.deleteKeys([key])) > 0,
      keys: () => storage.responseKeys(),
    };
  }

  /** Redirect aliases: the key of a redirected URL mapped to the key its response lives under. */
  get redirects() {
    const storage = this.storage;
    return {
      get: (alias: string) => storage.aliasTarget(alias),
      has: (alias: string) => storage.hasAlias(alias),
      delete: (alias: string) => storage.deleteAliases([alias]),
      entries: () => storage.aliases(),
    };
  }

  /** Sorted, unique URLs of stored responses (redacted and normalized, as stored). */
  async urls(options: FilterOptions = {}): Promise<string[]> {
    const urls = new Set<string>();
    for await (const response of this.filter({ ...options, invalid: false })) urls.add(response.url);
    return [...urls].sort();
  }

  /** Number of stored responses; `expired: false` counts only unexpired ones. */
  async count(options: { expired?: boolean } = {}): Promise<number> {
    // From the index where the store has one (SQLite): no entry is read.
    const indexed = await this.storage.countIndexed(options.expired === false ? Date.now() : undefined);
    if (indexed !== undefined) return indexed;
    let count = 0;
    for await (const _ of this.filter({ valid: true, expired: options.expired ?? true })) count += 1;
    return count;
  }

  /** Deletes every response and alias. */
  async clear(): Promise<void> {
    await this.storage.clear();
  }

  /** Waits for background refreshes, then closes the backend connection. */
  async close(): Promise<void> {
    await Promise.allSettled([...this.ctx.background]);
    await this.storage.close();
  }

  // requests-cache 0.9 names, kept because they are cheap (docs/behaviour.md §6.2).

  /** Optionally resets expiration, then deletes expired and unreadable entries. */
  async removeExpiredResponses(expireAfter?: ExpireAfter): Promise<number> {
    if (expireAfter !== undefined) await this.resetExpiration(expireAfter);
    return this.delete({ expired: true, invalid: true });
  }

  async hasUrl(url: string, method = 'GET'): Promise<boolean> {
    return this.contains({ key: this.createKey({ url, method }) });
  }

  async deleteUrl(url: string, method = 'GET'): Promise<number> {
    return this.delete({ requests: [{ url, method }] });
  }

  async responseCount(checkExpiry = false): Promise<number> {
    return this.count({ expired: !checkExpiry });
  }
}
