/**
 * The storage seam: the one small interface every backend satisfies (memory, SQLite, filesystem,
 * Redis, MongoDB, GridFS, DynamoDB, a user's Keyv). `CacheStorage` (cache-storage.ts) builds the cache
 * on top of it: encoding, deadlines, the format check, error reporting, inspection. A store only
 * moves opaque values.
 *
 * Responses and redirect aliases live in two separate bins, so no key spelling can make one look
 * like the other. A store holds only this cache's records in its bins (a table, a key prefix, a
 * folder, a collection): `keys`, `count` and `clear` never touch anything else on the same server.
 */

/** Which of the two record kinds. */
export type Bin = 'responses' | 'redirects';

/** What a store holds: text (JSON, YAML) or bytes (binary serializers). Both round-trip unchanged. */
export type StoredValue = string | Uint8Array;

/** Facts about a response record, given with every write so stores can index them without decoding. */
export interface RecordMeta {
  /** The stored (redacted, normalized) URL, for `keysForUrl`. */
  url: string;
  /** When the response stops being fresh, in ms since the epoch; null: never. */
  expires: number | null;
  /** When the response was stored, in ms since the epoch. */
  createdAt: number;
}

export interface SetOptions {
  /**
   * How long the store keeps the record, in ms (the entry's expiry plus the TTL offset, computed by
   * CacheStorage); undefined: no store-level expiry at all.
   */
  ttlMs?: number;
  /** Present for response records. */
  meta?: RecordMeta;
}

export interface RecordStore {
  /** Shown in logs and errors, e.g. `sqlite /srv/http_cache.sqlite`, `redis api`. */
  readonly description: string;
  /** The largest value the backend can hold, in bytes (DynamoDB's 400 KB item, MongoDB's 16 MB document). */
  readonly maxValueSize?: number;
  get(bin: Bin, key: string): Promise<StoredValue | undefined>;
  set(bin: Bin, key: string, value: StoredValue, options?: SetOptions): Promise<void>;
  /** Deletes the keys from the bin; returns how many existed. */
  delete(bin: Bin, keys: readonly string[]): Promise<number>;
  /** Every key of the bin (this cache only), in no particular order. Deleting while iterating is allowed. */
  keys(bin: Bin): AsyncIterable<string>;
  /** Records in the bin; without it CacheStorage counts `keys`. */
  count?(bin: Bin): Promise<number>;
  /**
   * Response keys stored for a URL, every Vary variant and every user. Without it CacheStorage
   * finds them by reading each entry's URL.
   */
  keysForUrl?(url: string): Promise<string[]>;
  /**
   * Optional fast paths over the indexed `expires` and `createdAt` (RecordMeta), for stores that keep
   * them in columns (SQLite). Without them CacheStorage decodes every entry. These judge the
   * indexed facts only: an entry written by the cache that no longer reads back (altered in place,
   * signed with a retired secret) counts until `delete({ invalid: true })` removes it.
   */
  indexed?: IndexedResponses;
  /** Deletes every record of this cache (both bins), nothing else. */
  clear(): Promise<void>;
  /** Reads a small piece of store metadata (the format record); undefined when absent. */
  getMeta(name: string): Promise<string | undefined>;
  setMeta(name: string, value: string): Promise<void>;
  close(): Promise<void>;
}

/** Which responses an indexed query selects, by their RecordMeta; conditions given are ORed. */
export interface IndexedSelection {
  /** Responses with `expires` set and at or before this time (ms since the epoch). */
  expiredAt?: number;
  /** Responses created before this time. */
  createdBefore?: number;
}

/**
 * A reset of every stored response's expiry (`resetExpiration` in one statement, README "SQLite"):
 * rows written before it read with these `expires` and store-level TTL instead of their own.
 * `generation` orders it against writes; `signature` is set when the cache signs entries.
 */
export interface ExpiryReset {
  generation: number;
  expires: number | null;
  signature: string | null;
}

/** A response row as the index reads it: its value, and the reset it is subject to, if any. */
export type IndexedRow = [key: string, value: StoredValue, reset?: ExpiryReset];

/** What `IndexedResponses.resetExpiration` records. */
export interface ExpiryResetRequest {
  expires: number | null;
  /** The store-level TTL of the rows it covers, ms since the epoch; null for none. */
  ttlUntil: number | null;
  /** Signs the record once its generation is known (entry signing on), else absent. */
  sign?: (generation: number, expires: number | null) => string;
}

/**
 * The index covers responses written with RecordMeta (every entry CacheStorage writes); records
 * written without it (by other code) are not in it: `unindexed` lists them for decoding.
 */
export interface IndexedResponses {
  /** Live indexed responses (within the store-level TTL); with `unexpiredAt`, only those not expired then. */
  count(options: { unexpiredAt?: number }): Promise<number>;
  /** Deletes the selected indexed responses (and aliases spelled like them); returns how many responses. */
  delete(selection: IndexedSelection): Promise<number>;
  /** As `page`, over the live responses written without RecordMeta. */
  unindexed(after: string, limit: number): Promise<IndexedRow[]>;
  /** Up to `limit` responses with keys after `after`, in key order: one query per page. */
  page(after: string, limit: number): Promise<IndexedRow[]>;
  /** One live response with the expiry reset it is subject to (as `get`, which leaves the reset out). */
  read(key: string): Promise<{ value: StoredValue; reset?: ExpiryReset } | undefined>;
  /** Gives every stored response the request's expiry in one write (rows written later keep theirs). */
  resetExpiration(request: ExpiryResetRequest): Promise<void>;
}

/** Every backend's constructor-time settings that tests and users may set (`storage` option). */
export interface StoreSettings {
  /** How long one read or write may take before the request goes on without it, ms. Default 2000. */
  deadlineMs: number;
  /** Store-level TTL beyond the entry's expiry, ms, so expired entries stay for revalidation. Default 1 h. */
  ttlOffsetMs: number;
  /** Responses whose stored value is larger than this many bytes are not cached. Default: the backend's limit. */
  maxEntrySize: number | undefined;
  /** Least-recently-used eviction above this many responses (memory, sqlite, filesystem). */
  maxEntries: number | undefined;
  /** Least-recently-used eviction above this many stored bytes (memory, sqlite, filesystem). */
  maxBytes: number | undefined;
}

/** Size of a stored value in bytes (text as UTF-8). */
export function valueSize(value: StoredValue): number {
  return typeof value === 'string' ? Buffer.byteLength(value) : value.byteLength;
}

/**
 * Text-only stores (a Keyv adapter, a DynamoDB string attribute) carry bytes as text with the
 * marker @keyv/serialize uses, `:base64:`; text that itself starts with ':' gets one more ':' in
 * front. Our JSON and YAML entries never start with ':', so they stay legible as stored.
 */
export function valueToText(value: StoredValue): string {
  if (typeof value !== 'string') return ':base64:' + Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
  return value.startsWith(':') ? ':' + value : value;
}

export function textToValue(text: string): StoredValue {
  if (text.startsWith(':base64:')) return Buffer.from(text.slice(8), 'base64');
  return text.startsWith('::') ? text.slice(1) : text;
}

/**
 * A cacheName as one key segment of a shared key space: ':' (the segment separator), '%' (the escape)
 * and the glob and LIKE characters `*?[]\_` are percent-encoded, so `a` and `a:b` never share a
 * prefix and a SCAN MATCH or LIKE pattern built from it matches it literally.
 */
export function nameSegment(cacheName: string): string {
  return cacheName.replace(/[%:*?[\]\\_^{}]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0'));
}

/** The short bin tag used in flat key spaces: `<name>:r:<key>` for responses, `<name>:a:<key>` for aliases. */
export const BIN_TAG: Record<Bin, string> = { responses: 'r', redirects: 'a' };

/** What a backend's constructor receives. Constructors are synchronous and connect on first use. */
export interface OpenStoreOptions {
  cacheName: string;
  /** Backend-specific: a URL, a ready client, or client options (`connection` option). */
  connection?: unknown;
  settings: StoreSettings;
  readOnly: boolean;
}

export type StoreFactory = (options: OpenStoreOptions) => RecordStore;
