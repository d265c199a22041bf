/**
 * Responses and redirect aliases on one record store (docs/behaviour.md §3.5, §6): encoding,
 * deadlines, the format check, size limits, the store-level TTL and error reporting, the same for
 * every backend. A value that cannot be read back is a miss, logged, never an exception to the
 * caller (unless `throwOnStorageError`).
 */
import { log } from '../debug.js';
import { ENTRY_FORMAT, type CachedEntry } from '../policy/types.js';
import type { Serializer } from '../serializers/types.js';
import type { StorageOperation } from '../types.js';
import { EntryTooLargeError, StorageTimeoutError } from './errors.js';
import type { EntryCipher } from './entry-encryption.js';
import type { EntrySigner } from './entry-signing.js';
import { MemoryStore } from './memory-store.js';
import { valueSize, type ExpiryReset, type IndexedResponses, type IndexedRow, type IndexedSelection, type RecordStore, type StoreSettings, type StoredValue } from './record-store.js';

/** The metadata record naming the entry format a store's responses are written in. */
export const FORMAT_META = 'format';

/** How the storage reports failures (src/storage/errors.ts `storageErrorReporter`). */
export type StorageErrorReport = (error: unknown, operation: StorageOperation, key?: string) => void;

export interface CacheStorageOptions {
  /** A readOnly cache never writes or deletes anything on a request's path (nor purges old formats). */
  readOnly?: boolean;
  report?: StorageErrorReport;
  /** Rethrow storage failures to the request instead of treating them as misses. */
  throwOnError?: boolean;
  /** Signs every stored value and alias (`secretKey`). */
  signer?: EntrySigner;
  /** Encrypts every stored value (`encryptionKey`); the URL index then holds URL HMACs. */
  cipher?: EntryCipher;
}

/**
 * How long a request waits on the backend for one read or write before it goes on without it, by
 * default (`storageTimeout`): a read that takes longer is a miss, a write that takes longer
 * finishes in the background. A locked SQLite file or a hung remote store then slows a request by
 * this much at most, instead of failing or hanging it.
 */
export const BACKEND_DEADLINE_MS = 2000;

/** The store-level TTL beyond an entry's expiry, by default (`ttlOffset`): one hour. */
export const DEFAULT_TTL_OFFSET_MS = 3600_000;

export const DEFAULT_STORE_SETTINGS: StoreSettings = {
  deadlineMs: BACKEND_DEADLINE_MS,
  ttlOffsetMs: DEFAULT_TTL_OFFSET_MS,
  maxEntrySize: undefined,
  maxEntries: undefined,
  maxBytes: undefined,
};

const TIMED_OUT = Symbol('timed out');
/** Entries a listing visits between two turns of the event loop (responses()). */
export const YIELD_EVERY = 1000;

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

/** A rough size of a live entry, for the memory backend's `maxBytes`: its body plus its header text. */
export function liveEntrySize(entry: CachedEntry): number {
  let size = entry.body.byteLength + entry.url.length;
  for (const [name, value] of Object.entries(entry.headers)) size += name.length + String(value).length;
  return size;
}

export class CacheStorage {
  /** The memory backend, read synchronously on the hot path (no store promise per hit). */
  private readonly memory: MemoryStore<CachedEntry> | undefined;
  private readonly readOnly: boolean;
  private readonly throwOnError: boolean;
  private readonly report: StorageErrorReport;
  private formatChecked: boolean;
  private formatCheck: Promise<void> | undefined;
  /** Writes that outlived the deadline; `close()` gives them a last chance to land. */
  private readonly pending = new Set<Promise<boolean>>();
  private readonly signer: EntrySigner | undefined;
  private readonly cipher: EntryCipher | undefined;
  /** Responses not cached because they were larger than the limit, since open. */
  oversizedSkipped = 0;

  constructor(
    readonly store: RecordStore,
    readonly codec: EntryCodec,
    readonly settings: StoreSettings = DEFAULT_STORE_SETTINGS,
    options: CacheStorageOptions = {},
  ) {
    this.readOnly = options.readOnly === true;
    this.throwOnError = options.throwOnError === true;
    this.signer = options.signer;
    this.cipher = options.cipher;
    this.report = options.report ?? ((error, operation, key) => log('storage %s failed on %s (%s): %O', operation, store.description, key, error));
    this.memory = codec.live && store instanceof MemoryStore ? (store as MemoryStore<CachedEntry>) : undefined;
    // The built-in memory backend starts empty in every process: no older format can be in it.
    this.formatChecked = this.memory !== undefined;
  }

  /** Shown in logs and errors, e.g. `sqlite http_cache.sqlite`. */
  get description(): string {
    return this.store.description;
  }

  /** Every store call, bounded by the deadline: a hung store rejects with StorageTimeoutError. */
  private async bounded<T>(promise: Promise<T>, what: string, deadlineMs = this.settings.deadlineMs): Promise<T> {
    const result = await within(promise, deadlineMs);
    if (result === TIMED_OUT) {
      promise.catch(() => undefined);
      throw new StorageTimeoutError(`${what} on ${this.description} took over ${deadlineMs} ms`);
    }
    return result;
  }

  /**
   * Once per open store: a store stamped with an older format (or none) is purged of responses of
   * older formats, then stamped. Entries of another format that slip through (a newer version
   * writing meanwhile) read as misses.
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
    const stamp = await this.store.getMeta(FORMAT_META);
    const format = stamp === undefined ? NaN : Number(stamp);
    if (format === ENTRY_FORMAT) return;
    if (format > ENTRY_FORMAT) {
      log('%s holds entry format %s, newer than %d: its entries read as misses', this.description, stamp, ENTRY_FORMAT);
      return;
    }
    if (this.readOnly) return; // older entries read as misses; nothing is changed
    const upgrade = (this.store as { upgrade?: () => Promise<void> }).upgrade;
    if (typeof upgrade === 'function') await upgrade.call(this.store);
    if (stamp !== undefined) {
      // One by one rather than clear(): a response written meanwhile is of the current format and stays.
      const older: string[] = [];
      for await (const key of this.store.keys('responses')) {
        const raw = await this.store.get('responses', key);
        if (raw === undefined) continue;
        // Entries of the current format read back; anything else (older formats, other layouts) goes.
        try {
          this.decode(key, raw);
        } catch {
          older.push(key);
        }
      }
      if (older.length > 0) {
        log('%s holds %d records of an older format (before %d): purging them', this.description, older.length, ENTRY_FORMAT);
        await this.store.delete('responses', older);
      }
    }
    try {
      await this.store.setMeta(FORMAT_META, String(ENTRY_FORMAT));
    } catch (error) {
      // A store that reads but cannot be written: reads still work; the stamp is tried again next open.
      this.report(error, 'write', FORMAT_META);
    }
  }


  /**
   * The entry a stored value holds; with a SQLite expiry reset the row is subject to, the entry
   * carries the reset's `expires` (verified first when entries are signed).
   */
  private decode(key: string, stored: unknown, reset?: ExpiryReset): CachedEntry {
    const entry = this.decodeValue(key, stored);
    if (!reset) return entry;
    if (this.signer && !this.signer.verifyReset(reset.generation, reset.expires, reset.signature)) {
      throw new TypeError(`the expiry reset ${reset.generation} over ${key} does not verify (tampered, or signed with a key not in secretKey)`);
    }
    return { ...entry, expires: reset.expires };
  }

  private decodeValue(key: string, stored: unknown): CachedEntry {
    let raw = stored;
    if (this.signer && !this.codec.live) {
      // Never deserialized unless the signature verifies: tampered, moved or signed with a retired key.
      raw = this.signer.verifyResponse(key, stored as StoredValue);
      if (raw === undefined) throw new TypeError(`the signature of ${key} does not verify (tampered, moved, or signed with a key not in secretKey)`);
    }
    if (this.cipher && !this.codec.live) {
      raw = this.cipher.decrypt(key, raw as StoredValue);
      if (raw === undefined) throw new TypeError(`${key} does not decrypt (not encrypted, moved, altered, or another encryptionKey)`);
    }
    if (this.codec.live) {
      if (typeof raw !== 'object' || raw === null || (raw as CachedEntry).v !== ENTRY_FORMAT) throw new TypeError('not a cache entry');
      return raw as CachedEntry;
    }
    if (typeof raw !== 'string' && !(raw instanceof Uint8Array)) throw new TypeError(`expected a stored value, got ${typeof raw}`);
    return this.codec.serializer.loads(raw);
  }

  private encode(key: string, entry: CachedEntry): StoredValue | CachedEntry {
    if (this.codec.live) return entry;
    let value = this.codec.serializer.dumps(entry);
    if (this.cipher) value = this.cipher.encrypt(key, value);
    return this.signer ? this.signer.signResponse(key, value) : value;
  }

  private fail(error: unknown, operation: StorageOperation, key?: string): void {
    this.report(error, operation, key);
    if (this.throwOnError) throw error;
  }

  /**
   * The entry under `key`, or under the key a redirect alias points to. Any failure is a miss, and so
   * is a backend that has not answered within the deadline (the memory backend always answers).
   */
  get(key: string, deadlineMs = this.settings.deadlineMs): Promise<{ key: string; entry: CachedEntry } | undefined> {
    if (this.memory) return Promise.resolve(this.memoryLookup(this.memory, key));
    return within(this.lookup(key), deadlineMs).then((found) => {
      if (found !== TIMED_OUT) return found;
      this.fail(new StorageTimeoutError(`cache read of ${key} on ${this.description} took over ${deadlineMs} ms; treated as a miss`), 'read', key);
      return undefined;
    });
  }

  private memoryLookup(memory: MemoryStore<CachedEntry>, key: string): { key: string; entry: CachedEntry } | undefined {
    let found = key;
    let raw: unknown = memory.peek('responses', key);
    if (raw === undefined) {
      const target = memory.peek('redirects', key) as unknown;
      if (typeof target !== 'string') return undefined;
      found = target;
      raw = memory.peek('responses', target);
      if (raw === undefined) {
        if (!this.readOnly) void memory.delete('redirects', [key]);
        return undefined;
      }
    }
    return this.found(found, raw);
  }

  private async lookup(key: string): Promise<{ key: string; entry: CachedEntry } | undefined> {
    let raw: { value: unknown; reset?: ExpiryReset };
    let found = key;
    try {
      const formatCheck = this.ensureFormat();
      if (formatCheck) await formatCheck;
      let row = await this.readResponse(key);
      if (row === undefined) {
        const target = this.aliasValue(key, await this.store.get('redirects', key));
        if (target === undefined) return undefined;
        row = await this.readResponse(target);
        found = target;
        if (row === undefined) {
          // The response it pointed at is gone: drop the alias now (never in a readOnly cache).
          if (!this.readOnly) await this.store.delete('redirects', [key]);
          return undefined;
        }
      }
      raw = row;
    } catch (error) {
      this.fail(error, 'read', key);
      return undefined;
    }
    return this.found(found, raw.value, raw.reset);
  }

  /** A stored response with the expiry reset over it (SQLite's index), or as the store holds it. */
  private readResponse(key: string): Promise<{ value: unknown; reset?: ExpiryReset } | undefined> {
    if (this.store.indexed) return this.store.indexed.read(key);
    return this.store.get('responses', key).then((value) => (value === undefined ? undefined : { value }));
  }

  /** A found value as an entry; a damaged one or one of another format is a miss, overwritten by the next response. */
  private found(key: string, raw: unknown, reset?: ExpiryReset): { key: string; entry: CachedEntry } | undefined {
    try {
      return { key, entry: this.decode(key, raw, reset) };
    } catch (error) {
      log('cache entry %s on %s cannot be read; treating it as a miss: %O', key, this.description, error);
      return undefined;
    }
  }

  /**
   * Writes the entry and points each alias at it. Returns false (reported) when the backend failed,
   * refused the size, or has not finished within the deadline (the write then goes on in the background).
   */
  async save(key: string, entry: CachedEntry, aliases: readonly string[] = []): Promise<boolean> {
    const writing = this.write(key, entry, aliases);
    if (this.memory) return writing;
    const saved = await within(writing, this.settings.deadlineMs);
    if (saved !== TIMED_OUT) return saved;
    this.fail(new StorageTimeoutError(`cache write of ${key} on ${this.description} still pending after ${this.settings.deadlineMs} ms; going on without it`), 'write', key);
    this.pending.add(writing);
    void writing.finally(() => this.pending.delete(writing));
    return false;
  }

  /** The store-level TTL for an entry: its expiry plus the offset; none for a never-expiring entry. */
  ttlFor(entry: CachedEntry, now = Date.now()): number | undefined {
    if (entry.expires === null) return undefined;
    return Math.max(0, entry.expires - now) + this.settings.ttlOffsetMs;
  }

  private async write(key: string, entry: CachedEntry, aliases: readonly string[]): Promise<boolean> {
    let value: StoredValue | CachedEntry;
    try {
      value = this.encode(key, entry);
    } catch (error) {
      // The serializer refused an entry it could not read back: not the store's fault.
      log('cache entry %s cannot be encoded; not written: %O', key, error);
      return false;
    }
    const limit = Math.min(this.settings.maxEntrySize ?? Infinity, this.store.maxValueSize ?? Infinity);
    const size = this.codec.live ? liveEntrySize(entry) : valueSize(value as StoredValue);
    if (size > limit) {
      this.oversizedSkipped += 1;
      this.fail(new EntryTooLargeError(`response ${key} (${entry.url}) is ${size} bytes, over the ${limit}-byte limit of ${this.description}; not cached`), 'write', key);
      return false;
    }
    // Started, not awaited: a store whose reads hang must not hold up writes too.
    this.ensureFormat()?.catch(() => undefined);
    const ttlMs = this.ttlFor(entry);
    try {
      if (this.memory) {
        this.memory.put('responses', key, value as CachedEntry, { ttlMs, meta: { url: entry.url, expires: entry.expires, createdAt: entry.createdAt } });
        for (const alias of aliases) if (alias !== key) this.memory.put('redirects', alias, key as unknown as CachedEntry, { ttlMs });
        return true;
      }
      await this.store.set('responses', key, value as StoredValue, { ttlMs, meta: { url: this.indexedUrl(entry.url), expires: entry.expires, createdAt: entry.createdAt } });
      for (const alias of aliases) {
        if (alias !== key) await this.store.set('redirects', alias, this.signer ? this.signer.signAlias(alias, key) : key, { ttlMs });
      }
      return true;
    } catch (error) {
      this.fail(error, 'write', key);
      return false;
    }
  }

  /** Deletes responses (and any alias spelled the same). Missing keys are ignored. */
  async deleteKeys(keys: Iterable<string>): Promise<number> {
    const list = [...keys];
    if (list.length === 0) return 0;
    const deleted = await this.bounded(this.store.delete('responses', list), 'delete');
    await this.bounded(this.store.delete('redirects', list), 'delete');
    return deleted;
  }

  /** Deletes on a request's path: bounded by the deadline, and a failure is only reported. */
  async discard(keys: readonly string[]): Promise<boolean> {
    if (this.readOnly) return false;
    try {
      return (await this.deleteKeys(keys)) > 0;
    } catch (error) {
      this.fail(error, 'delete', keys[0]);
      return false;
    }
  }

  async deleteAliases(aliases: Iterable<string>): Promise<void> {
    const list = [...aliases];
    if (list.length > 0) await this.bounded(this.store.delete('redirects', list), 'delete');
  }

  async hasResponse(key: string): Promise<boolean> {
    return (await this.bounded(this.store.get('responses', key), 'read')) !== undefined;
  }

  async hasAlias(key: string): Promise<boolean> {
    return (await this.bounded(this.store.get('redirects', key), 'read')) !== undefined;
  }

  /** Where an alias points, or undefined. */
  async aliasTarget(alias: string): Promise<string | undefined> {
    return this.aliasValue(alias, await this.bounded(this.store.get('redirects', alias), 'read'));
  }

  /** The key an alias points to; with signing, only when its signature verifies. */
  private aliasValue(alias: string, stored: unknown): string | undefined {
    const text = typeof stored === 'string' ? stored : stored instanceof Uint8Array ? Buffer.from(stored).toString('utf8') : undefined;
    if (text === undefined || !this.signer) return text;
    const target = this.signer.verifyAlias(alias, text);
    if (target === undefined) log('redirect alias %s on %s: the signature does not verify; ignored', alias, this.description);
    return target;
  }

  /**
   * Every key of a bin, after the format check, each page bounded by the deadline. A store failure
   * is reported as 'iterate' and rethrown, so `count()`, `filter()` and the like reject with it.
   */
  private async *binKeys(bin: 'responses' | 'redirects'): AsyncGenerator<string> {
    try {
      const formatCheck = this.ensureFormat();
      if (formatCheck) await this.bounded(formatCheck, 'format check');
      const iterator = this.store.keys(bin)[Symbol.asyncIterator]();
      for (;;) {
        const next = await this.bounded(iterator.next(), 'listing keys');
        if (next.done) return;
        yield next.value;
      }
    } catch (error) {
      this.report(error, 'iterate');
      throw error;
    }
  }

  /** Every response key (collected first: callers delete while iterating). */
  async responseKeys(): Promise<string[]> {
    const keys: string[] = [];
    for await (const key of this.binKeys('responses')) keys.push(key);
    return keys;
  }

  /**
   * Stored responses, or those of one URL (every variant and user) when the store indexes URLs.
   * Every YIELD_EVERY entries it lets the event loop run: a store that answers synchronously (memory,
   * a synchronous SQLite driver) otherwise held it for a whole count() or delete() (about 0.9 s for
   * count() over 100,000 memory entries in `npm run bench`, scenario d).
   */
  async *responses(keys?: readonly string[]): AsyncGenerator<StoredItem> {
    let visited = 0;
    const pause = (): Promise<void> | undefined => ((visited += 1) % YIELD_EVERY === 0 ? new Promise<void>((resolve) => setImmediate(resolve)) : undefined);
    if (!keys && this.store.indexed) {
      // Pages of keys and values, one query each, instead of one read per key.
      for await (const page of this.pages(this.store.indexed)) {
        for (const [key, raw, reset] of page) {
          await pause();
          try {
            yield { key, entry: this.decode(key, raw, reset) };
          } catch (error) {
            yield { key, error };
          }
        }
      }
      return;
    }
    for (const key of keys ?? (await this.responseKeys())) {
      await pause();
      let raw: unknown;
      try {
        raw = await this.bounded(this.store.get('responses', key), 'read');
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

  /** Pages of stored responses in key order, after the format check, each page bounded by the deadline. */
  private async *pages(indexed: IndexedResponses, size = 500, which: 'page' | 'unindexed' = 'page'): AsyncGenerator<IndexedRow[]> {
    try {
      const formatCheck = this.ensureFormat();
      if (formatCheck) await this.bounded(formatCheck, 'format check');
      for (let after = ''; ; ) {
        const page = await this.bounded(indexed[which](after, size), 'listing responses');
        if (page.length > 0) yield page;
        if (page.length < size) return;
        after = page[page.length - 1][0];
      }
    } catch (error) {
      this.report(error, 'iterate');
      throw error;
    }
  }

  /** Deadline for a bulk statement sequence (count, bulk delete, rewrite): as clear(). */
  private get bulkDeadlineMs(): number {
    return Math.max(this.settings.deadlineMs, 30_000);
  }

  /**
   * Responses counted from the store's index (SQLite), or undefined when the store has none: then
   * the caller decodes every entry. With `unexpiredAt`, only responses not expired at that time.
   * Records written without meta (by other code) are decoded and counted when they read back.
   */
  async countIndexed(unexpiredAt?: number): Promise<number | undefined> {
    const indexed = this.store.indexed;
    if (!indexed) return undefined;
    let count: number;
    try {
      const formatCheck = this.ensureFormat();
      if (formatCheck) await this.bounded(formatCheck, 'format check');
      count = await this.bounded(indexed.count({ unexpiredAt }), 'count', this.bulkDeadlineMs);
    } catch (error) {
      this.report(error, 'iterate');
      throw error;
    }
    for await (const page of this.pages(indexed, 500, 'unindexed')) {
      for (const [key, raw, reset] of page) {
        let entry: CachedEntry;
        try {
          entry = this.decode(key, raw, reset);
        } catch {
          continue;
        }
        if (unexpiredAt === undefined || entry.expires === null || entry.expires > unexpiredAt) count += 1;
      }
    }
    return count;
  }

  /** Deletes the responses the store's index selects (SQLite), or undefined when it has no index. */
  async deleteIndexed(selection: IndexedSelection): Promise<number | undefined> {
    const indexed = this.store.indexed;
    if (!indexed) return undefined;
    const formatCheck = this.ensureFormat();
    if (formatCheck) await this.bounded(formatCheck, 'format check');
    return this.bounded(indexed.delete(selection), 'delete', this.bulkDeadlineMs);
  }

  /**
   * Gives every stored response `expires`. On a store with an index (SQLite) that is one reset record
   * the rows written before it read through (O(1), whatever the number of entries: rewriting each
   * row took 9.8 s at 100,000 entries, issue 10); elsewhere each entry is rewritten, re-encoded,
   * re-encrypted and re-signed as any write. A readOnly cache goes the generic way too: each write
   * is refused and reported, as before.
   */
  async resetExpiration(expires: number | null): Promise<void> {
    const indexed = this.store.indexed;
    if (!indexed || this.codec.live || this.readOnly) {
      for await (const { key, entry } of this.responses()) if (entry) await this.save(key, { ...entry, expires });
      return;
    }
    const formatCheck = this.ensureFormat();
    if (formatCheck) await this.bounded(formatCheck, 'format check');
    const ttlMs = this.ttlFor({ expires } as CachedEntry);
    const signer = this.signer;
    try {
      await this.bounded(
        indexed.resetExpiration({
          expires,
          ttlUntil: ttlMs === undefined ? null : Date.now() + ttlMs,
          sign: signer ? (generation, value) => signer.signReset(generation, value) : undefined,
        }),
        'write',
        this.bulkDeadlineMs,
      );
    } catch (error) {
      this.report(error, 'write');
      throw error;
    }
  }

  /** The URL as the index holds it: itself, or with encryption on, its HMAC (no plaintext URL at rest). */
  private indexedUrl(url: string): string {
    return this.cipher ? this.cipher.urlTag(url) : url;
  }

  /**
   * Deletes every response stored for a URL, every variant and every caller's (RFC 9111 §4.4
   * invalidation). A failing or slow backend is reported through `onStorageError` and counts as
   * nothing deleted: the request that caused it still gets its response.
   */
  async invalidateUrl(url: string): Promise<number> {
    if (this.readOnly) return 0;
    try {
      const keys = await this.keysForUrl(url);
      return keys.length === 0 ? 0 : await this.deleteKeys(keys);
    } catch (error) {
      this.fail(error, 'delete');
      return 0;
    }
  }

  /** Keys of every response stored for a URL (as stored: redacted and normalized). */
  async keysForUrl(url: string): Promise<string[]> {
    if (this.store.keysForUrl) return this.bounded(this.store.keysForUrl(this.indexedUrl(url)), 'URL lookup');
    const keys: string[] = [];
    for await (const { key, entry } of this.responses()) if (entry?.url === url) keys.push(key);
    return keys;
  }

  /** Every redirect alias as `[alias, target]`. */
  async aliases(): Promise<[string, string][]> {
    const result: [string, string][] = [];
    for await (const alias of this.binKeys('redirects')) {
      const target = this.aliasValue(alias, await this.bounded(this.store.get('redirects', alias), 'read'));
      if (target !== undefined) result.push([alias, target]);
    }
    return result;
  }

  /** Deletes every response and alias of this cache, nothing else on the same server. */
  async clear(): Promise<void> {
    try {
      await this.bounded(this.store.clear(), 'clear', Math.max(this.settings.deadlineMs, 30_000));
      if (!this.memory) await this.bounded(this.store.setMeta(FORMAT_META, String(ENTRY_FORMAT)), 'write');
    } catch (error) {
      this.report(error, 'clear');
      throw error;
    }
  }

  private closing: Promise<void> | undefined;

  /** Closes the backend once, after writes still pending get a last deadline to land. */
  close(): Promise<void> {
    this.closing ??= within(Promise.allSettled([...this.pending]), this.settings.deadlineMs).then(() =>
      this.bounded(this.store.close(), 'close').catch((error: unknown) => log('closing %s failed: %O', this.description, error)),
    );
    return this.closing;
  }
}
