/**
 * Responses and redirect aliases on one Keyv instance (docs/behaviour.md §3.5, §6). Aliases live under
 * `redirect:<key>` so any Keyv store can hold both; `responses` and `redirects` views keep them apart.
 * A value that cannot be read back is a miss, logged, never an exception to the caller.
 */
import type { Keyv } from 'keyv';
import { log } from '../debug.js';
import { ENTRY_FORMAT, type CachedEntry } from '../policy/types.js';
import type { Serializer } from '../serializers/types.js';
import type { StorageOperation } from '../types.js';
import { StorageTimeoutError } from './errors.js';

export const REDIRECT_PREFIX = 'redirect:';

/**
 * One record per store naming the entry format its responses are written in. Keys and entries change
 * between formats, so on open a store of an older format is purged once (only our own records)
 * instead of leaving its entries unreachable forever. Listings skip this record.
 */
export const FORMAT_KEY = 'axios-keyv-cache:format';

/** The format version of a stored value that looks like one of our entries (any format), else undefined. */
function entryFormat(raw: unknown): number | undefined {
  let value = raw;
  if (typeof raw === 'string') {
    if (!raw.startsWith('{')) return undefined;
    try {
      value = JSON.parse(raw) as unknown;
    } catch {
      return undefined;
    }
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const e = value as Record<string, unknown>;
  const looksLikeEntry = typeof e.v === 'number' && typeof e.url === 'string' && typeof e.status === 'number' && typeof e.request === 'object' && e.request !== null;
  return looksLikeEntry ? (e.v as number) : undefined;
}

/** How the storage reports failures (src/storage/errors.ts `storageErrorReporter`). */
export type StorageErrorReport = (error: unknown, operation: StorageOperation, key?: string) => void;

export interface CacheStorageOptions {
  /** A readOnly cache never writes or deletes anything on a request's path (nor purges old formats). */
  readOnly?: boolean;
  /**
   * Everything in the store is ours (the built-in SQLite table, the built-in memory Map): clear() may
   * empty it. Otherwise clear() deletes only records it recognises as this cache's.
   */
  ownsStore?: boolean;
  report?: StorageErrorReport;
}

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

  private readonly readOnly: boolean;
  private readonly ownsStore: boolean;
  private readonly report: StorageErrorReport;
  /** Set once the store's format has been checked (or there was nothing to check: memory). */
  private formatChecked: boolean;
  private formatCheck: Promise<void> | undefined;

  constructor(
    readonly keyv: Keyv,
    readonly codec: EntryCodec,
    /** Shown in logs and errors, e.g. `sqlite http_cache.sqlite`. */
    readonly description: string,
    options: CacheStorageOptions = {},
  ) {
    this.readOnly = options.readOnly === true;
    this.ownsStore = options.ownsStore === true;
    this.report = options.report ?? ((error, operation, key) => log('storage %s failed on %s (%s): %O', operation, description, key, error));
    // The built-in memory backend starts empty in every process: no older format can be in it.
    this.formatChecked = codec.live;
    // Keyv 5's iterator strips everything up to the first ':' of each key when `useKeyPrefix` is on,
    // even without a namespace, turning our colon-free keys into ''. Without a namespace there is
    // no prefix to add or strip, so switching it off changes nothing else.
    if (!keyv.namespace) keyv.useKeyPrefix = false;
    const store: unknown = keyv.store;
    this.liveMap = codec.live && store instanceof Map && !keyv.namespace ? (store as Map<string, { value?: unknown }>) : undefined;
  }

  /**
   * Once per open store: a store without our format record (or with an older one) that holds entries
   * of an older format is purged of our records, then stamped with the current format. Entries of
   * another format that slip through (a newer version writing meanwhile) read as misses.
   */
  private ensureFormat(): Promise<void> | undefined {
    if (this.formatChecked) return undefined;
    this.formatCheck ??= this.checkFormat().then(
      () => {
        this.formatChecked = true;
      },
      (error: unknown) => {
        this.formatCheck = undefined; // retried with the next operation (a store that failed to open)
        throw error;
      },
    );
    return this.formatCheck;
  }

  private async checkFormat(): Promise<void> {
    const stamp: unknown = await this.keyv.get(FORMAT_KEY);
    const format = typeof stamp === 'string' ? Number(stamp) : NaN;
    if (format === ENTRY_FORMAT) return;
    if (format > ENTRY_FORMAT) {
      log('%s holds entry format %s, newer than %d: its entries read as misses', this.description, stamp, ENTRY_FORMAT);
      return;
    }
    if (this.readOnly) return; // older entries read as misses; nothing is changed
    if (typeof this.keyv.iterator === 'function') {
      const older = new Set<string>();
      const aliases: [string, string][] = [];
      let olderFormatSeen = false;
      for await (const [key, raw] of this.rawItems()) {
        if (key === FORMAT_KEY) continue;
        if (key.startsWith(REDIRECT_PREFIX)) {
          if (typeof raw === 'string') aliases.push([key, raw]);
          continue;
        }
        const v = entryFormat(raw);
        if (v !== undefined && v < ENTRY_FORMAT) olderFormatSeen = true;
        // On the built-in table every record is ours: an unreadable one goes too.
        if ((v !== undefined && v < ENTRY_FORMAT) || (v === undefined && this.ownsStore)) older.add(key);
      }
      if (olderFormatSeen) {
        log('%s holds %d records of an older format (before %d): purging them', this.description, older.size, ENTRY_FORMAT);
        // One by one rather than clear(): a response written meanwhile (writes do not wait for this
        // check) is of the current format and stays.
        for (const key of older) await this.keyv.delete(key);
        for (const [alias, target] of aliases) {
          if (older.has(target) || !(await this.keyv.has(target))) await this.keyv.delete(alias);
        }
      }
    }
    try {
      await this.keyv.set(FORMAT_KEY, String(ENTRY_FORMAT));
    } catch (error) {
      // A store that reads but cannot be written: reads still work, so this is the write failure it
      // is; the stamp is tried again next time the cache is opened.
      this.report(error, 'write', FORMAT_KEY);
    }
  }

  private async read(key: string): Promise<unknown> {
    return this.liveMap ? this.liveMap.get(key)?.value : this.keyv.get(key);
  }

  private decode(key: string, raw: unknown): CachedEntry {
    if (this.codec.live) {
      if (typeof raw !== 'object' || raw === null || (raw as CachedEntry).v !== ENTRY_FORMAT) throw new TypeError('not a cache entry');
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
      this.report(new StorageTimeoutError(`cache read of ${key} on ${this.description} took over ${deadlineMs} ms; treated as a miss`), 'read', key);
      return undefined;
    });
  }

  private async lookup(key: string): Promise<{ key: string; entry: CachedEntry } | undefined> {
    let raw: unknown;
    let found = key;
    try {
      const formatCheck = this.ensureFormat();
      if (formatCheck) await formatCheck;
      raw = this.liveMap ? this.liveMap.get(key)?.value : await this.keyv.get(key);
      if (raw === undefined) {
        const target = await this.read(REDIRECT_PREFIX + key);
        if (typeof target !== 'string') return undefined;
        raw = await this.read(target);
        found = target;
        if (raw === undefined) {
          // The response it pointed at is gone: drop the alias now rather than scanning for it later
          // (never in a readOnly cache, which changes nothing).
          if (!this.readOnly) await this.keyv.delete(REDIRECT_PREFIX + key);
          return undefined;
        }
      }
    } catch (error) {
      this.report(error, 'read', key);
      return undefined;
    }
    try {
      return { key: found, entry: this.decode(found, raw) };
    } catch (error) {
      // A damaged entry or one of another format: a miss, overwritten by the next response. The
      // store itself worked, so this is no storage error.
      log('cache entry %s on %s cannot be read; treating it as a miss: %O', found, this.description, error);
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
    this.report(new StorageTimeoutError(`cache write of ${key} on ${this.description} still pending after ${BACKEND_DEADLINE_MS} ms; going on without it`), 'write', key);
    this.pending.add(writing);
    void writing.finally(() => this.pending.delete(writing));
    return false;
  }

  private async write(key: string, entry: CachedEntry, aliases: readonly string[]): Promise<boolean> {
    let text: unknown;
    try {
      text = this.encode(entry);
    } catch (error) {
      // The serializer refused an entry it could not read back: not the store's fault.
      log('cache entry %s cannot be encoded; not written: %O', key, error);
      return false;
    }
    // Started, not awaited: a store whose reads hang must not hold up writes too. The purge only
    // deletes records of older formats, so a write landing first survives it.
    this.ensureFormat()?.catch(() => undefined);
    try {
      await this.keyv.set(key, text);
      for (const alias of aliases) {
        if (alias !== key) await this.keyv.set(REDIRECT_PREFIX + alias, key);
      }
      return true;
    } catch (error) {
      this.report(error, 'write', key);
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
    if (this.readOnly) return false;
    try {
      const deleted = await within(this.deleteKeys(keys), BACKEND_DEADLINE_MS);
      if (deleted === TIMED_OUT) {
        this.report(new StorageTimeoutError(`cache delete of ${keys.join(', ')} on ${this.description} still pending after ${BACKEND_DEADLINE_MS} ms`), 'delete', keys[0]);
      }
      return deleted !== TIMED_OUT && deleted > 0;
    } catch (error) {
      this.report(error, 'delete', keys[0]);
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
   * Every record, after the format check; a store failure is reported as 'iterate' and rethrown, so
   * `count()`, `filter()` and the like reject with it (a SQLite cache without sqlite3 says how to
   * install it).
   */
  private async *items(): AsyncGenerator<[string, unknown]> {
    try {
      const formatCheck = this.ensureFormat();
      if (formatCheck) await formatCheck;
      for await (const item of this.rawItems()) {
        if (item[0] !== FORMAT_KEY) yield item;
      }
    } catch (error) {
      this.report(error, 'iterate');
      throw error;
    }
  }

  /**
   * Every stored response, decoded one at a time. Only keys are collected first: callers may delete
   * while iterating (@keyv/sqlite pages with OFFSET, which deletes would shift), and holding every
   * value of a large cache in memory at once is what we avoid.
   */
  async *responses(): AsyncGenerator<StoredItem> {
    const keys: string[] = [];
    for await (const [key] of this.items()) {
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
    for await (const [key, target] of this.items()) {
      if (key.startsWith(REDIRECT_PREFIX) && typeof target === 'string') result.push([key.slice(REDIRECT_PREFIX.length), target]);
    }
    return result;
  }

  /**
   * Deletes every response and alias of this cache. A store that may hold other data (the user's
   * Keyv, an adapter namespaced `cacheName`) is never emptied wholesale: only records recognised as
   * ours (entries of any format, `redirect:` aliases) are deleted, so an application key beside them
   * survives; the format record stays.
   */
  async clear(): Promise<void> {
    try {
      if (this.ownsStore) {
        await this.keyv.clear();
        if (!this.codec.live) await this.keyv.set(FORMAT_KEY, String(ENTRY_FORMAT));
        return;
      }
      if (typeof this.keyv.iterator !== 'function') {
        // Keyv scopes clear() to its namespace; without one it would empty the whole store.
        if (this.keyv.namespace) return await this.keyv.clear();
        throw new Error(`The ${this.description} backend cannot list its keys and has no namespace, so clear() cannot tell this cache's records from other data; give the Keyv a namespace`);
      }
      const ours: string[] = [];
      for await (const [key, raw] of this.rawItems()) {
        if (key === FORMAT_KEY) continue;
        if (key.startsWith(REDIRECT_PREFIX) ? typeof raw === 'string' : entryFormat(raw) !== undefined) ours.push(key);
      }
      for (const key of ours) await this.keyv.delete(key);
    } catch (error) {
      this.report(error, 'clear');
      throw error;
    }
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
