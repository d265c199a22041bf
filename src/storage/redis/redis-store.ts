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
 * keys/count/clear use SCAN with COUNT 500, never KEYS (which blocks the server); on a cluster they
 * SCAN every master, and deletes go key by key there since keys of one cache live in many slots
 * (a multi-key DEL across slots fails with CROSSSLOT). No URL index is kept (keysForUrl is left
 * out): CacheStorage finds a URL's keys by reading entries, so nothing can drift when Redis expires
 * or evicts keys behind our back.
 */
import { log } from '../../debug.js';
import { importOptional } from '../optional-import.js';
import { BIN_TAG, nameSegment, type Bin, type OpenStoreOptions, type RecordStore, type SetOptions, type StoredValue, type StoreFactory } from '../record-store.js';
import { clientOptions, clusterOptions, planConnection, type ConnectionPlan, type RedisCommands, type RedisLike } from './connection.js';

type KeyvRedisModule = typeof import('@keyv/redis');

/** Keys asked for per SCAN step (a hint to Redis, https://redis.io/docs/latest/commands/scan/#the-count-option). */
export const SCAN_COUNT = 500;
/** Keys per DEL command on one server. */
const DELETE_CHUNK = 500;

/** Redis strings hold up to 512 MB (proto-max-bulk-len default); one byte goes to our type tag. */
export const REDIS_MAX_VALUE_SIZE = 512 * 1024 * 1024 - 1;

/** RESP_TYPES.BLOB_STRING in @redis/client (RESP/decoder): the `$` reply type, mapped to Buffer. */
const BLOB_STRING = 36;
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

export function decodeValue(raw: Buffer): StoredValue {
  if (raw.length > 0 && raw[0] === BYTES_TAG) return Buffer.from(raw.subarray(1));
  if (raw.length > 0 && raw[0] === TEXT_TAG) return raw.toString('utf8', 1);
  // Not written by us (a hand-made key): treat as text, so it is never misread as bytes.
  return raw.toString('utf8');
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms).unref());

export class RedisStore implements RecordStore {
  readonly description: string;
  readonly maxValueSize = REDIS_MAX_VALUE_SIZE;
  /** `<nameSegment(cacheName)>:` */
  readonly prefix: string;
  private readonly plan: ConnectionPlan;
  private readonly connectTimeout: number;
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

  constructor(options: OpenStoreOptions) {
    this.plan = planConnection(options.connection);
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
      client = create(this.plan.kind === 'cluster' ? clusterOptions(this.plan.options, this.connectTimeout) : clientOptions(this.plan.options, this.connectTimeout));
    }
    client.on('error', this.onError);
    this.client = client;
    if (this.closed) return client;
    // Buffer replies: node-redis 5 type mapping, node-redis 4 `commandOptions({ returnBuffers })`.
    if (typeof client.withTypeMapping === 'function') this.buffers = client.withTypeMapping({ [BLOB_STRING]: Buffer });
    if (!client.isOpen) await this.connect(client);
    return client;
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

  private async getBuffer(client: RedisLike, key: string): Promise<Buffer | undefined> {
    let reply: unknown;
    if (this.buffers) reply = await this.buffers.get(key);
    else if (typeof client.commandOptions === 'function') {
      reply = await (client.get as unknown as (options: unknown, key: string) => Promise<unknown>)(client.commandOptions({ returnBuffers: true }), key);
    } else reply = await client.get(key);
    if (reply === null || reply === undefined) return undefined;
    return Buffer.isBuffer(reply) ? reply : Buffer.from(String(reply), 'utf8');
  }

  async get(bin: Bin, key: string): Promise<StoredValue | undefined> {
    const client = await this.use();
    const raw = await this.getBuffer(client, this.key(bin, key));
    return raw === undefined ? undefined : decodeValue(raw);
  }

  async set(bin: Bin, key: string, value: StoredValue, options: SetOptions = {}): Promise<void> {
    const client = await this.use();
    const ttl = options.ttlMs;
    // PX takes a positive integer; a TTL already past still gets 1 ms rather than no expiry.
    await client.set(this.key(bin, key), encodeValue(value), ttl === undefined ? undefined : { PX: Math.max(1, Math.ceil(ttl)) });
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
      if (this.isCluster) {
        // Keys of one cache are spread over slots: one DEL per key, routed to its master.
        const counts = await Promise.all(chunk.map((k) => client.del(k)));
        deleted += counts.reduce((a, b) => a + Number(b), 0);
      } else {
        deleted += Number(await client.del(chunk));
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
      for await (const batch of target.scanIterator({ MATCH: match, COUNT: SCAN_COUNT })) {
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
    return raw === undefined ? undefined : raw.toString('utf8');
  }

  async setMeta(name: string, value: string): Promise<void> {
    const client = await this.use();
    await client.set(this.metaKey(name), value);
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
