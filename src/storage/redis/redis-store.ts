/**
 * The Redis and Redis Cluster backend, through node-redis 5 as re-exported by @keyv/redis 5 (the
 * one optional peer dependency). We call the raw client's GET / SET PX / DEL / SCAN directly
 * instead of going through the KeyvRedis adapter: the adapter's namespace handling double-prefixes
 * keys (../shared/reference/infra-notes.md §2), its calls hang with Redis down by default (keyv
 * #1470, #1496), and it has no per-master SCAN for a cluster's count/clear. The raw client gives
 * binary-safe values, native TTLs and fail-fast behaviour with less code.
 *
 * Key layout (one flat key space shared with other applications):
 *   `<nameSegment(cacheName)>:r:<key>`  responses
 *   `<nameSegment(cacheName)>:a:<key>`  redirect aliases
 *   `<nameSegment(cacheName)>:m:<name>` meta records (the format version)
 * cacheName is applied exactly once, here. nameSegment percent-encodes ':' and the glob characters,
 * so `a` and `a:b` never share a prefix; SCAN MATCH patterns are glob-escaped anyway
 * (https://redis.io/docs/latest/commands/keys/ for the pattern syntax).
 *
 * Values are stored as bytes with a one-byte type tag: `t` + UTF-8 text or `b` + raw bytes, and
 * read back with a Buffer type mapping (RESP3/RESP2 blob strings as Buffer), so text comes back
 * as a string and bytes as bytes, all 256 byte values included. A JSON entry reads as `t{...}` in
 * redis-cli.
 *
 * TTL: `SET key value PX ttlMs` when CacheStorage gives a store-level TTL (expiry + offset); no
 * expiry otherwise, so never-expiring entries stay (and are never evicted under a
 * `maxmemory-policy volatile-*`; use `allkeys-lru` to bound memory,
 * https://redis.io/docs/latest/develop/reference/eviction/).
 *
 * Client-side caching (`redisClientCache`, off by default; ./client-cache.ts, ./local-cache.ts):
 * our client then connects with RESP3 and CLIENT TRACKING, GET replies are kept in process memory
 * and Redis tells us when another client changes one. Our own writes also drop the local copy at once, so a
 * read after our own write never waits for the server's invalidation message.
 *
 * keys/count/clear use SCAN with COUNT 500, never KEYS (which blocks the server); on a cluster they
 * SCAN every master, and deletes go key by key there since keys of one cache live in many slots
 * (a multi-key DEL across slots fails with CROSSSLOT). No URL index is kept (keysForUrl is left
 * out): CacheStorage finds a URL's keys by reading entries, so nothing can drift when Redis expires
 * or evicts keys behind our back.
 */
import { log } from '../../debug.js';
import { importOptional } from '../optional-import.js';
import { BIN_TAG, nameSegment, type Bin, type OpenStoreOptions, type RecordStore, type SetOptions, type StoredValue, type StoreFactory } from '../record-store.js';
import type { RedisClientCacheConfig } from './client-cache.js';
import { createLocalCache, type LocalCache as LocalCacheProvider, type RedisClientModule } from './local-cache.js';
import { BLOB_STRING, BUFFER_REPLIES, checkCachingPlan, clientOptions, clusterOptions, planConnection, type ConnectionPlan, type LocalCache, type RedisCommands, type RedisLike } from './connection.js';

type KeyvRedisModule = typeof import('@keyv/redis');

/** Keys asked for per SCAN step (a hint to Redis, https://redis.io/docs/latest/commands/scan/#the-count-option). */
export const SCAN_COUNT = 500;
/** No type mapping: node-redis's own reply types (blob strings as strings). */
const STRING_REPLIES: Record<number, unknown> = Object.freeze({});
/** Keys per DEL command on one server. */
const DELETE_CHUNK = 500;

/** Redis strings hold up to 512 MB (proto-max-bulk-len default); one byte goes to our type tag. */
export const REDIS_MAX_VALUE_SIZE = 512 * 1024 * 1024 - 1;

const TEXT_TAG = 0x74; // 't'
const BYTES_TAG = 0x62; // 'b'

/** `*`, `?`, `[`, `]` and `\` escaped for a SCAN MATCH pattern. */
export function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}

export function encodeValue(value: StoredValue): Buffer {
  if (typeof value === 'string') return Buffer.concat([Buffer.of(TEXT_TAG), Buffer.from(value, 'utf8')]);
  return Buffer.concat([Buffer.of(BYTES_TAG), Buffer.from(value.buffer, value.byteOffset, value.byteLength)]);
}

/**
 * A stored value from its bytes: a Buffer (a socket reply, or the copy our local cache keeps,
 * ./local-cache.ts) or a plain Uint8Array from node-redis's own BasicClientSideCache, which hands
 * out `structuredClone(value)` (a clone of a Buffer is a Uint8Array,
 * https://nodejs.org/api/buffer.html#buffers-and-typedarrays). A Buffer is copied, so the value we
 * return never pins a socket chunk and is never shared with the local cache or another caller; a
 * clone is already the caller's own, so it is viewed, not copied again.
 */
export function decodeValue(raw: Uint8Array): StoredValue {
  const own = !Buffer.isBuffer(raw);
  const bytes = own ? Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength) : raw;
  if (bytes.length > 0 && bytes[0] === BYTES_TAG) return own ? bytes.subarray(1) : Buffer.from(bytes.subarray(1));
  if (bytes.length > 0 && bytes[0] === TEXT_TAG) return bytes.toString('utf8', 1);
  // Not written by us (a hand-made key): treat as text, so it is never misread as bytes.
  return bytes.toString('utf8');
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms).unref());

export class RedisStore implements RecordStore {
  readonly description: string;
  readonly maxValueSize = REDIS_MAX_VALUE_SIZE;
  /** `<nameSegment(cacheName)>:` */
  readonly prefix: string;
  private readonly plan: ConnectionPlan;
  private readonly connectTimeout: number;
  private readonly clientCache: RedisClientCacheConfig | undefined;
  /** node-redis's client-side cache when our reads go through it (ours, or the user's client's). */
  private local: LocalCache | undefined;
  private opening: Promise<RedisLike> | undefined;
  private client: RedisLike | undefined;
  private buffers: RedisCommands | undefined;
  private lastError: Error | undefined;
  private lastConnectAttempt = 0;
  private closed = false;
  private readonly onError = (error: unknown): void => {
    // node-redis emits 'error' on every failed (re)connect; without a listener the process dies.
    this.lastError = error instanceof Error ? error : new Error(String(error));
    log('redis %s: %s', this.description, this.lastError.message);
  };

  constructor(options: OpenStoreOptions & { clientCache?: RedisClientCacheConfig }) {
    this.plan = planConnection(options.connection);
    this.clientCache = options.clientCache;
    checkCachingPlan(this.plan, this.clientCache);
    this.prefix = `${nameSegment(options.cacheName)}:`;
    this.description = `redis ${options.cacheName} (${this.plan.where})`;
    // Each connect attempt ends well inside one operation's deadline.
    this.connectTimeout = Math.max(100, Math.min(1000, Math.floor(options.settings.deadlineMs / 2)));
  }

  /** True when a cluster was asked for (node URLs, rootNodes, or a cluster client). */
  get isCluster(): boolean {
    return this.plan.kind === 'cluster' || (this.plan.kind === 'client' && this.plan.cluster);
  }

  private key(bin: Bin, key: string): string {
    return `${this.prefix}${BIN_TAG[bin]}:${key}`;
  }

  private metaKey(name: string): string {
    return `${this.prefix}m:${name}`;
  }

  private async open(): Promise<RedisLike> {
    let client: RedisLike;
    if (this.plan.kind === 'client') {
      client = this.plan.client;
    } else {
      const redis = await importOptional<KeyvRedisModule>('@keyv/redis', '@keyv/redis@5', 'redis');
      const create = (this.plan.kind === 'cluster' ? redis.createCluster : redis.createClient) as unknown as (options: Record<string, unknown>) => RedisLike;
      const cluster = this.plan.kind === 'cluster';
      const cache = this.clientCache;
      const provider = cache ? await this.localCache(cache, cluster) : undefined;
      const csc = provider ?? (cache ? { maxEntries: cache.maxEntries, ttl: cache.ttl, evictPolicy: cache.evictPolicy } : undefined);
      client = create(cluster ? clusterOptions(this.plan.options, this.connectTimeout, csc) : clientOptions(this.plan.options, this.connectTimeout, csc));
      if (cache) {
        const ours = provider !== undefined && client.clientSideCache === provider;
        log(
          'redis %s: client-side caching on (RESP3, CLIENT TRACKING; at most %d local entries%s, local ttl %s)',
          this.description,
          cache.maxEntries,
          ours ? `, ${cache.maxBytes} bytes` : ", node-redis's own cache: no byte bound",
          cache.ttl > 0 ? `${cache.ttl} ms` : 'none',
        );
      }
    }
    client.on('error', this.onError);
    this.client = client;
    if (this.closed) return client;
    this.chooseReads(client);
    if (!client.isOpen) await this.connect(client);
    return client;
  }

  /**
   * Our bounded provider (./local-cache.ts), built on the @redis/client that @keyv/redis depends
   * on. Where that package cannot be imported from here (a strict layout such as pnpm's, where only
   * direct dependencies resolve), node-redis's own BasicClientSideCache is used with the same entry
   * bound: correct, but with no byte bound.
   */
  private async localCache(cache: RedisClientCacheConfig, cluster: boolean): Promise<LocalCacheProvider | undefined> {
    try {
      // Not our dependency (@keyv/redis's), so named through a variable: the compiler does not need its types.
      const specifier = '@redis/client';
      const module = (await import(specifier)) as Partial<RedisClientModule> & { default?: RedisClientModule };
      const redis = module.BasicClientSideCache && module.BasicPooledClientSideCache ? (module as RedisClientModule) : module.default;
      if (!redis?.BasicClientSideCache || !redis.BasicPooledClientSideCache) throw new Error('no BasicClientSideCache export');
      return createLocalCache(redis, cache, cluster);
    } catch (error) {
      log('redis %s: @redis/client cannot be imported here (%s): using node-redis\'s own client-side cache', this.description, (error as Error).message);
      return undefined;
    }
  }

  /**
   * How values are read as bytes. Through node-redis's client-side cache when the client has one
   * and Buffer replies are its default type mapping (ours with redisClientCache, or a user's client
   * created that way): any other mapping bypasses that cache. Otherwise a Buffer type mapping
   * (node-redis 5) or `commandOptions({ returnBuffers })` (node-redis 4).
   */
  private chooseReads(client: RedisLike): void {
    const cache = client.clientSideCache;
    const ours = this.clientCache !== undefined;
    if (cache && (ours || client.options?.commandOptions?.typeMapping?.[BLOB_STRING] === Buffer)) {
      this.buffers = client;
      this.local = cache;
      if (!ours) log('redis %s: reading through the client\'s own client-side cache', this.description);
      return;
    }
    if (cache) log('redis %s: the client has a client-side cache but not Buffer replies as its default type mapping: reads bypass that cache', this.description);
    if (typeof client.withTypeMapping === 'function') this.buffers = client.withTypeMapping(BUFFER_REPLIES);
  }

  /** Drops our local copies of keys we just wrote, without waiting for the server's invalidation push. */
  private forget(keys: readonly string[]): void {
    if (this.local) for (const key of keys) this.local.invalidate(key);
  }

  /**
   * Starts connecting and waits at most connectTimeout for the first outcome. A single-server
   * client's connect() keeps retrying (our reconnectStrategy never gives up), so its promise may
   * stay pending: we never wait on it unbounded. A cluster's connect() rejects when no root node
   * answers; it is retried on later operations, at most once per second.
   */
  private async connect(client: RedisLike): Promise<void> {
    this.lastConnectAttempt = Date.now();
    let settle!: () => void;
    const outcome = new Promise<void>((resolve) => (settle = resolve));
    const timer = setTimeout(settle, this.connectTimeout + 200);
    const firstError = (): void => settle();
    client.on('error', firstError);
    client.connect().then(settle, (error: unknown) => {
      this.onError(error);
      settle();
    });
    await outcome;
    clearTimeout(timer);
    (client.off ?? client.removeListener)?.call(client, 'error', firstError);
  }

  private ready(client: RedisLike): boolean {
    if (!client.isOpen) return false;
    // node-redis clients say whether their socket is up; a cluster is ready once open (its node
    // clients have no offline queue either, so a dead master rejects at once).
    return typeof client.isReady === 'boolean' ? client.isReady : true;
  }

  /** The connected client, or a quick rejection saying why Redis cannot be used now. */
  private async use(): Promise<RedisLike> {
    if (this.closed) throw new Error(`${this.description} is closed`);
    this.opening ??= this.open();
    const client = await this.opening;
    if (this.ready(client)) return client;
    if (!client.isOpen && !this.closed && Date.now() - this.lastConnectAttempt > 1000) {
      // A cluster whose first discovery failed (or a user's client that was closed): try again.
      await this.connect(client);
      if (this.ready(client)) return client;
    }
    const why = this.lastError ? `: ${this.lastError.message}` : '';
    throw new Error(`Redis ${this.plan.where} is not reachable${why} (${this.description}; reconnecting in the background)`);
  }

  private async getBuffer(client: RedisLike, key: string): Promise<Uint8Array | undefined> {
    let reply: unknown;
    if (this.buffers) reply = await this.buffers.get(key);
    else if (typeof client.commandOptions === 'function') {
      reply = await (client.get as unknown as (options: unknown, key: string) => Promise<unknown>)(client.commandOptions({ returnBuffers: true }), key);
    } else reply = await client.get(key);
    if (reply === null || reply === undefined) return undefined;
    // A Uint8Array: a client-side cache hit (structuredClone of a Buffer), see decodeValue.
    return reply instanceof Uint8Array ? reply : Buffer.from(String(reply), 'utf8');
  }

  async get(bin: Bin, key: string): Promise<StoredValue | undefined> {
    const client = await this.use();
    const raw = await this.getBuffer(client, this.key(bin, key));
    return raw === undefined ? undefined : decodeValue(raw);
  }

  async set(bin: Bin, key: string, value: StoredValue, options: SetOptions = {}): Promise<void> {
    const client = await this.use();
    const ttl = options.ttlMs;
    const raw = this.key(bin, key);
    // PX takes a positive integer; a TTL already past still gets 1 ms rather than no expiry.
    try {
      await client.set(raw, encodeValue(value), ttl === undefined ? undefined : { PX: Math.max(1, Math.ceil(ttl)) });
    } finally {
      // Also on failure: a write that timed out may still have reached the server.
      this.forget([raw]);
    }
  }

  async delete(bin: Bin, keys: readonly string[]): Promise<number> {
    if (keys.length === 0) return 0;
    const client = await this.use();
    return this.deleteRaw(client, keys.map((k) => this.key(bin, k)));
  }

  private async deleteRaw(client: RedisLike, raw: readonly string[]): Promise<number> {
    let deleted = 0;
    for (let i = 0; i < raw.length; i += DELETE_CHUNK) {
      const chunk = raw.slice(i, i + DELETE_CHUNK);
      try {
        if (this.isCluster) {
          // Keys of one cache are spread over slots: one DEL per key, routed to its master.
          const counts = await Promise.all(chunk.map((k) => client.del(k)));
          deleted += counts.reduce((a, b) => a + Number(b), 0);
        } else {
          deleted += Number(await client.del(chunk));
        }
      } finally {
        // After the DEL, so a GET answered meanwhile cannot leave the old value behind locally.
        this.forget(chunk);
      }
    }
    return deleted;
  }

  /** The clients to SCAN: the server itself, or every master of the cluster. */
  private async scanTargets(client: RedisLike): Promise<RedisCommands[]> {
    if (!this.isCluster) return [client];
    const masters = client.masters ?? client.getMasters?.() ?? [];
    return Promise.all(masters.map(async (master) => client.nodeClient!(master)));
  }

  /**
   * Raw keys matching `<prefix><tag>:*`, each once. SCAN may return a key more than once (and a
   * cluster may move slots meanwhile), so keys seen are remembered for the duration of one listing.
   * Keys expiring meanwhile are simply not returned (https://redis.io/docs/latest/commands/scan/#scan-guarantees).
   */
  private async *scanRaw(tag: string): AsyncGenerator<string> {
    const client = await this.use();
    const match = `${escapeGlob(this.prefix + tag)}:*`;
    const seen = new Set<string>();
    for (const target of await this.scanTargets(client)) {
      // String replies for SCAN whatever the client's default type mapping: node-redis's
      // scanIterator loops until the cursor is the string '0', so a Buffer cursor (Buffer replies
      // by default, as with redisClientCache) would never end the loop.
      const scanner = typeof (target as RedisLike).withTypeMapping === 'function' ? (target as RedisLike).withTypeMapping!(STRING_REPLIES) : target;
      for await (const batch of scanner.scanIterator({ MATCH: match, COUNT: SCAN_COUNT })) {
        // node-redis 5 yields arrays of keys, node-redis 4 single keys.
        for (const rawKey of Array.isArray(batch) ? batch : [batch]) {
          const k = String(rawKey);
          if (seen.has(k)) continue;
          seen.add(k);
          yield k;
        }
      }
    }
  }

  async *keys(bin: Bin): AsyncIterable<string> {
    const start = this.prefix.length + BIN_TAG[bin].length + 1;
    for await (const raw of this.scanRaw(BIN_TAG[bin])) yield raw.slice(start);
  }

  async count(bin: Bin): Promise<number> {
    let n = 0;
    for await (const _ of this.scanRaw(BIN_TAG[bin])) n += 1;
    return n;
  }

  /** Deletes our three key families only: a foreign `<name>:other` key on the same server stays. */
  async clear(): Promise<void> {
    const client = await this.use();
    for (const tag of [BIN_TAG.responses, BIN_TAG.redirects, 'm']) {
      let batch: string[] = [];
      for await (const raw of this.scanRaw(tag)) {
        batch.push(raw);
        if (batch.length >= DELETE_CHUNK) {
          await this.deleteRaw(client, batch);
          batch = [];
        }
      }
      await this.deleteRaw(client, batch);
    }
  }

  async getMeta(name: string): Promise<string | undefined> {
    const client = await this.use();
    const raw = await this.getBuffer(client, this.metaKey(name));
    return raw === undefined ? undefined : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('utf8');
  }

  async setMeta(name: string, value: string): Promise<void> {
    const client = await this.use();
    const raw = this.metaKey(name);
    try {
      await client.set(raw, value);
    } finally {
      this.forget([raw]);
    }
  }

  /**
   * Ends a connection we created (graceful close, then destroy after 1 s or at once when not
   * connected); a client the user passed is left open, only our error listener is removed.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const client = this.client ?? (this.opening ? await this.opening.catch(() => undefined) : undefined);
    if (!client) return;
    if (this.plan.kind === 'client') {
      (client.off ?? client.removeListener)?.call(client, 'error', this.onError);
      return;
    }
    try {
      if (this.ready(client)) {
        const graceful = (client.close ?? client.quit)?.call(client);
        const done = await Promise.race([Promise.resolve(graceful).then(() => true, () => true), sleep(1000).then(() => false)]);
        if (!done) client.destroy?.();
      } else if (client.isOpen) {
        client.destroy?.();
      }
    } catch (error) {
      log('redis %s: close failed: %O', this.description, error);
      try {
        client.destroy?.();
      } catch {
        // already gone
      }
    }
  }
}

export const openRedisStore: StoreFactory = (options) => new RedisStore(options);
