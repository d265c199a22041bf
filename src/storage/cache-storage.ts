/**
 * Responses and redirect aliases on one Keyv instance (reference §3.5, §6). Aliases live under
 * `redirect:<key>` so any Keyv store can hold both; `responses` and `redirects` views keep them apart.
 * A value that cannot be read back is a miss, logged, never an exception to the caller.
 */
import type { Keyv } from 'keyv';
import { log } from '../debug.js';
import type { CachedEntry } from '../policy/types.js';
import type { Serializer } from '../serializers/types.js';

export const REDIRECT_PREFIX = 'redirect:';

/**
 * How long a request waits on the backend for one read or write before it goes on without it: a
 * read that takes longer is a miss, a write that takes longer finishes in the background. A locked
 * SQLite file (busy timeout 5 s) or a hung remote store then slows a request by this much at most,
 * instead of failing it or hanging it.
 */
export const BACKEND_DEADLINE_MS = 2000;

const TIMED_OUT = Symbol('timed out');

/** `promise`, or TIMED_OUT after `ms`; the promise keeps running either way. */
function within<T>(promise: Promise<T>, ms: number): Promise<T | typeof TIMED_OUT> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(resolve, ms, TIMED_OUT);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

/** How entries travel to the store: as live objects (memory) or through a serializer. */
export type EntryCodec = { live: true; name: string } | { live: false; name: string; serializer: Serializer };

export interface StoredItem {
  key: string;
  entry?: CachedEntry;
  /** Why the value could not be read back, for `filter({ invalid: true })` and `delete({ invalid: true })`. */
  error?: unknown;
}

export class CacheStorage {
  /**
   * The memory backend's Map, read directly on the hot path: Keyv's get adds several awaits and
   * hooks per read, a measurable share of a memory hit. Writes still go through Keyv.
   */
  private readonly liveMap: Map<string, { value?: unknown }> | undefined;

  constructor(
    readonly keyv: Keyv,
    readonly codec: EntryCodec,
    /** Shown in logs and errors, e.g. `sqlite http_cache.sqlite`. */
    readonly description: string,
  ) {
    // Keyv 5's iterator strips everything up to the first ':' of each key when `useKeyPrefix` is on,
    // even without a namespace, turning our colon-free keys into ''. Without a namespace there is
    // no prefix to add or strip, so switching it off changes nothing else.
    if (!keyv.namespace) keyv.useKeyPrefix = false;
    const store: unknown = keyv.store;
    this.liveMap = codec.live && store instanceof Map && !keyv.namespace ? (store as Map<string, { value?: unknown }>) : undefined;
  }

  private async read(key: string): Promise<unknown> {
    return this.liveMap ? this.liveMap.get(key)?.value : this.keyv.get(key);
  }

  private decode(key: string, raw: unknown): CachedEntry {
    if (this.codec.live) {
      if (typeof raw !== 'object' || raw === null || (raw as CachedEntry).v !== 1) throw new TypeError('not a cache entry');
      return raw as CachedEntry;
    }
    if (typeof raw !== 'string') throw new TypeError(`expected serialized text, got ${typeof raw}`);
    return this.codec.serializer.loads(raw);
  }

  private encode(entry: CachedEntry): unknown {
    return this.codec.live ? entry : this.codec.serializer.dumps(entry);
  }

  /** Writes that outlived BACKEND_DEADLINE_MS; `close()` gives them a last chance to land. */
  private readonly pending = new Set<Promise<boolean>>();

  /**
   * The entry under `key`, or under the key a redirect alias points to. Any failure is a miss, and so
   * is a backend that has not answered within `deadlineMs` (the memory backend always answers).
   */
  get(key: string, deadlineMs = BACKEND_DEADLINE_MS): Promise<{ key: string; entry: CachedEntry } | undefined> {
    // Not async itself: a memory hit would pay for a second promise layer.
    if (this.codec.live) return this.lookup(key);
    return within(this.lookup(key), deadlineMs).then((found) => {
      if (found !== TIMED_OUT) return found;
      log('cache read of %s on %s took over %d ms; treating it as a miss', key, this.description, deadlineMs);
      return undefined;
    });
  }

  private async lookup(key: string): Promise<{ key: string; entry: CachedEntry } | undefined> {
    try {
      let raw = this.liveMap ? this.liveMap.get(key)?.value : await this.keyv.get(key);
      let found = key;
      if (raw === undefined) {
        const target = await this.read(REDIRECT_PREFIX + key);
        if (typeof target !== 'string') return undefined;
        raw = await this.read(target);
        found = target;
        if (raw === undefined) {
          // The response it pointed at is gone: drop the alias now rather than scanning for it later.
          await this.keyv.delete(REDIRECT_PREFIX + key);
          return undefined;
        }
      }
      return { key: found, entry: this.decode(found, raw) };
    } catch (error) {
      log('cache read failed for %s on %s; treating it as a miss: %O', key, this.description, error);
      return undefined;
    }
  }

  /**
   * Writes the entry and points each alias at it. Returns false (logged) when the backend failed, or
   * has not finished within BACKEND_DEADLINE_MS (the write then goes on in the background).
   */
  async save(key: string, entry: CachedEntry, aliases: readonly string[] = []): Promise<boolean> {
    const writing = this.write(key, entry, aliases);
    if (this.codec.live) return writing;
    const saved = await within(writing, BACKEND_DEADLINE_MS);
    if (saved !== TIMED_OUT) return saved;
    log('cache write of %s on %s still pending after %d ms; going on without it', key, this.description, BACKEND_DEADLINE_MS);
    this.pending.add(writing);
    void writing.finally(() => this.pending.delete(writing));
    return false;
  }

  private async write(key: string, entry: CachedEntry, aliases: readonly string[]): Promise<boolean> {
    try {
      await this.keyv.set(key, this.encode(entry));
      for (const alias of aliases) {
        if (alias !== key) await this.keyv.set(REDIRECT_PREFIX + alias, key);
      }
      return true;
    } catch (error) {
      log('cache write failed for %s on %s: %O', key, this.description, error);
      return false;
    }
  }

  /** Deletes responses (and any alias spelled the same). Missing keys are ignored. */
  async deleteKeys(keys: Iterable<string>): Promise<number> {
    let deleted = 0;
    for (const key of keys) {
      if (await this.keyv.delete(key)) deleted += 1;
      await this.keyv.delete(REDIRECT_PREFIX + key);
    }
    return deleted;
  }

  /** Deletes on a request's path: bounded by BACKEND_DEADLINE_MS, and a failure is only logged. */
  async discard(keys: readonly string[]): Promise<boolean> {
    try {
      const deleted = await within(this.deleteKeys(keys), BACKEND_DEADLINE_MS);
      if (deleted === TIMED_OUT) log('cache delete of %s on %s still pending after %d ms', keys.join(', '), this.description, BACKEND_DEADLINE_MS);
      return deleted !== TIMED_OUT && deleted > 0;
    } catch (error) {
      log('cache delete of %s failed on %s: %O', keys.join(', '), this.description, error);
      return false;
    }
  }

  async deleteAliases(aliases: Iterable<string>): Promise<void> {
    for (const alias of aliases) await this.keyv.delete(REDIRECT_PREFIX + alias);
  }

  async hasResponse(key: string): Promise<boolean> {
    return this.keyv.has(key);
  }

  async hasAlias(key: string): Promise<boolean> {
    return this.keyv.has(REDIRECT_PREFIX + key);
  }

  /** Where an alias points, or undefined. */
  async aliasTarget(alias: string): Promise<string | undefined> {
    const target = await this.read(REDIRECT_PREFIX + alias);
    return typeof target === 'string' ? target : undefined;
  }

  private rawItems(): AsyncGenerator<[string, unknown]> {
    const iterator = this.keyv.iterator;
    if (typeof iterator !== 'function') {
      throw new Error(`The ${this.description} backend cannot list its keys, so this cache operation is unavailable`);
    }
    return iterator.call(this.keyv, undefined) as AsyncGenerator<[string, unknown]>;
  }

  /**
   * Every stored response, decoded one at a time. Only keys are collected first: callers may delete
   * while iterating (@keyv/sqlite pages with OFFSET, which deletes would shift), and holding every
   * value of a large cache in memory at once is what we avoid.
   */
  async *responses(): AsyncGenerator<StoredItem> {
    const keys: string[] = [];
    for await (const [key] of this.rawItems()) {
      if (!key.startsWith(REDIRECT_PREFIX)) keys.push(key);
    }
    for (const key of keys) {
      let raw: unknown;
      try {
        raw = await this.read(key);
      } catch (error) {
        yield { key, error };
        continue;
      }
      if (raw === undefined) continue; // deleted meanwhile
      try {
        yield { key, entry: this.decode(key, raw) };
      } catch (error) {
        yield { key, error };
      }
    }
  }

  /** Every redirect alias as `[alias, target]`. */
  async aliases(): Promise<[string, string][]> {
    const result: [string, string][] = [];
    for await (const [key, target] of this.rawItems()) {
      if (key.startsWith(REDIRECT_PREFIX) && typeof target === 'string') result.push([key.slice(REDIRECT_PREFIX.length), target]);
    }
    return result;
  }

  async clear(): Promise<void> {
    await this.keyv.clear();
  }

  private closing: Promise<void> | undefined;

  /**
   * Closes the backend once, after writes still pending get a last BACKEND_DEADLINE_MS to land; later
   * calls wait for the same close (a second disconnect would throw).
   */
  close(): Promise<void> {
    this.closing ??= within(Promise.allSettled([...this.pending]), BACKEND_DEADLINE_MS).then(() => this.keyv.disconnect());
    return this.closing;
  }
}
