/**
 * The `redisClientCache` option: Redis client-side caching (server-assisted, RESP3 tracking) for
 * the redis backend, through node-redis 5's client-side caching with our own bounded provider
 * (./local-cache.ts; https://redis.io/docs/latest/develop/reference/client-side-caching/,
 * node-redis docs/client-side-caching.md).
 *
 * With it on, our client connects with `HELLO 3` and `CLIENT TRACKING ON` (default mode: the
 * server remembers which keys this connection read), keeps each GET reply in process memory, and
 * serves later GETs of the same key from there without a round trip. When any client on that
 * server changes or deletes a key we read (SET, DEL, expiry, eviction, FLUSHALL), Redis pushes an
 * `invalidate` message on our connection and the local copy is dropped; when the connection
 * breaks, the whole local cache is emptied (what changed meanwhile was never pushed to us), so a
 * restarted server is never shadowed by older local entries.
 *
 * Off by default: RESP3 needs Redis >= 6, and some managed or proxied Redis services refuse
 * `HELLO 3` or `CLIENT TRACKING`. The local cache is bounded by entries and by bytes
 * (./local-cache.ts).
 */
import { inspect } from 'node:util';

/** Local entries kept when `redisClientCache: true` (least recently used evicted first). */
export const DEFAULT_CLIENT_CACHE_ENTRIES = 10_000;
/** Local bytes kept (stored values, as Redis holds them) when `redisClientCache: true`: 64 MiB. */
export const DEFAULT_CLIENT_CACHE_BYTES = 64 * 1024 * 1024;

export interface RedisClientCacheConfig {
  /** Most entries kept locally; the least recently used goes first. */
  maxEntries: number;
  /** Most bytes of values kept locally; a value over an eighth of this is not kept at all. */
  maxBytes: number;
  /** Local age limit in ms; 0: none (invalidation messages alone end an entry). */
  ttl: number;
  evictPolicy: 'LRU';
}

const show = (value: unknown): string => inspect(value, { depth: 1, breakLength: Infinity });

function wholeNumber(value: unknown, option: string, min: number): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw new RangeError(`Invalid ${option}: ${show(value)} (expected a whole number >= ${min})`);
  }
  return value;
}

/**
 * `redisClientCache`: undefined / false (off), true (on: 10,000 entries, 64 MiB, no local TTL),
 * or `{ maxEntries?, maxBytes?, ttl? }` (on; ttl in milliseconds, 0 = none).
 */
export function parseRedisClientCache(value: unknown): RedisClientCacheConfig | undefined {
  if (value === undefined || value === false) return undefined;
  if (value === true) return { maxEntries: DEFAULT_CLIENT_CACHE_ENTRIES, maxBytes: DEFAULT_CLIENT_CACHE_BYTES, ttl: 0, evictPolicy: 'LRU' };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TypeError(`Invalid redisClientCache: ${show(value)} (expected true, false, or { maxEntries?: number, maxBytes?: number, ttl?: number })`);
  }
  const options = value as Record<string, unknown>;
  const unknown = Object.keys(options).filter((k) => k !== 'maxEntries' && k !== 'maxBytes' && k !== 'ttl');
  if (unknown.length > 0) {
    throw new TypeError(`Invalid redisClientCache: ${show(value)} (unknown field ${unknown.map((k) => `'${k}'`).join(', ')}; expected maxEntries, maxBytes, ttl)`);
  }
  return {
    // An unbounded local cache (node-redis's maxEntries 0) is not offered: it would grow with the key space.
    maxEntries: wholeNumber(options.maxEntries, 'redisClientCache.maxEntries', 1) ?? DEFAULT_CLIENT_CACHE_ENTRIES,
    maxBytes: wholeNumber(options.maxBytes, 'redisClientCache.maxBytes', 1) ?? DEFAULT_CLIENT_CACHE_BYTES,
    ttl: wholeNumber(options.ttl, 'redisClientCache.ttl', 0) ?? 0,
    evictPolicy: 'LRU',
  };
}
