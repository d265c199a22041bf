/**
 * The local half of Redis client-side caching for clients we create (`redisClientCache`): a
 * node-redis ClientSideCacheProvider of our own, bounded by entries AND bytes.
 *
 * Why not node-redis's BasicClientSideCache: it keeps each GET reply as the decoder produced it, a
 * Buffer view into the socket chunk the reply came in, so under pipelined traffic a 2 KB value
 * pins a whole 64 KB chunk (measured with 16 GETs in flight: 31 of 32 cached values held a
 * 64 KiB or 8 KiB chunk), and it returns `structuredClone(value)` on every hit, which copies that
 * whole chunk again. Its only bound is an entry count. Here a reply is copied once, compactly, when
 * it is kept; a hit returns the kept Buffer as it is, because RedisStore.decodeValue copies a
 * Buffer before handing it out (callers never share it); and the total size is bounded.
 *
 * The provider contract is node-redis 5's (ClientSideCacheProvider in
 * @redis/client/dist/lib/client/cache.d.ts: handleCache, trackingOn, invalidate, clear, stats,
 * size, onError, onClose; a cluster's pool also disable/enable/onPoolClose): the client calls
 * handleCache for every cacheable command that uses its default type mapping, sends
 * `CLIENT TRACKING ON` (trackingOn) on each (re)connect, hands each `invalidate` push to
 * invalidate(key | null), and calls onError/onClose when the connection breaks or ends, where we
 * forget everything (what changed meanwhile was never pushed to us).
 *
 * Correctness of a reply kept while other clients write: Redis starts tracking a key for this
 * connection when it runs our GET, and pushes `invalidate` for any later change after that GET's
 * reply on the same connection (https://redis.io/docs/latest/develop/reference/client-side-caching/),
 * so node-redis sees them in that order. A reply is kept only if no invalidation and no clear
 * happened while its GET was in flight: coarser than needed (any key's invalidation counts), never
 * wrong.
 */
import type { RedisClientCacheConfig } from './client-cache.js';

/** The parts of @redis/client's exports this needs (its classes are the base of ours). */
export interface RedisClientModule {
  BasicClientSideCache: Constructor;
  BasicPooledClientSideCache: Constructor;
}

export interface Kept {
  value: Buffer;
  /** ms since the epoch; 0: no local age limit. */
  expiresAt: number;
}

interface Parser {
  redisArgs: ReadonlyArray<string | Buffer>;
}

export interface LocalCacheStats {
  entries: number;
  bytes: number;
}

type Constructor = new (config?: { ttl?: number; maxEntries?: number; evictPolicy?: 'LRU' | 'FIFO'; recordStats?: boolean }) => object;

/** The cache logic, on top of node-redis's class for a single client or for a cluster's pool. */
function withLocalCache(Base: Constructor, config: RedisClientCacheConfig) {
  return class LocalCache extends Base {
    /** Redis key -> kept reply, in least-recently-used-first order (Map keeps insertion order). */
    readonly kept = new Map<string, Kept>();
    bytes = 0;
    /** Bumped by every invalidation and clear: a GET sent before a bump is not kept. */
    private changes = 0;
    private disabled = false;

    constructor() {
      // The base keeps its own (unused) entries with these bounds; ours are in `kept`.
      super({ ttl: config.ttl, maxEntries: config.maxEntries, evictPolicy: 'LRU', recordStats: false });
    }

    async handleCache(_client: unknown, parser: Parser, fn: () => Promise<unknown>, transformReply?: (reply: unknown, preserve: unknown, typeMapping: unknown) => unknown, typeMapping?: unknown): Promise<unknown> {
      const args = parser.redisArgs;
      // We only read with GET <key>; any other cacheable command goes to the server unkept.
      if (this.disabled || args.length !== 2 || String(args[0]).toUpperCase() !== 'GET') {
        const reply = await fn();
        return transformReply ? transformReply(reply, (parser as { preserve?: unknown }).preserve, typeMapping) : reply;
      }
      const key = String(args[1]);
      const hit = this.kept.get(key);
      if (hit) {
        if (hit.expiresAt === 0 || Date.now() < hit.expiresAt) {
          this.kept.delete(key);
          this.kept.set(key, hit);
          return hit.value;
        }
        this.drop(key);
      }
      const before = this.changes;
      const reply = await fn();
      if (this.changes === before && !this.disabled && reply instanceof Uint8Array) this.keep(key, reply);
      return reply;
    }

    private keep(key: string, reply: Uint8Array): void {
      // Larger than an eighth of the budget: not kept, so one big body never empties the cache.
      if (reply.byteLength > config.maxBytes / 8) return;
      this.drop(key);
      // A compact copy in its own memory: the reply is a view into a socket chunk that may be many
      // times its size, and Buffer.from would share an 8 KiB pool slab that outlives evictions.
      const value = Buffer.allocUnsafeSlow(reply.byteLength);
      value.set(reply);
      this.kept.set(key, { value, expiresAt: config.ttl > 0 ? Date.now() + config.ttl : 0 });
      this.bytes += value.byteLength;
      for (const [oldest] of this.kept) {
        if (this.kept.size <= config.maxEntries && this.bytes <= config.maxBytes) break;
        this.drop(oldest);
      }
    }

    private drop(key: string): void {
      const entry = this.kept.get(key);
      if (!entry) return;
      this.kept.delete(key);
      this.bytes -= entry.value.byteLength;
    }

    /** `CLIENT TRACKING ON`, default mode (the server remembers the keys we read): inherited. */

    invalidate(key: string | Buffer | null): void {
      this.changes += 1;
      if (key === null) this.forgetAll();
      else this.drop(key.toString());
    }

    private forgetAll(): void {
      this.changes += 1;
      this.kept.clear();
      this.bytes = 0;
    }

    clear(): void {
      this.forgetAll();
    }

    size(): number {
      return this.kept.size;
    }

    localStats(): LocalCacheStats {
      return { entries: this.kept.size, bytes: this.bytes };
    }

    onError(): void {
      this.forgetAll();
    }

    onClose(): void {
      this.forgetAll();
    }

    /** Cluster pool: node-redis disables the pool while the cluster is closed. */
    disable(): void {
      this.disabled = true;
      this.forgetAll();
    }

    enable(): void {
      this.disabled = false;
    }

    onPoolClose(): void {
      this.forgetAll();
    }
  };
}

/** What RedisStore and the tests use of our provider (node-redis calls the rest of the contract). */
export interface LocalCache {
  readonly kept: ReadonlyMap<string, Kept>;
  invalidate(key: string | Buffer | null): void;
  size(): number;
  localStats(): LocalCacheStats;
}

/**
 * Our provider for a single client or a cluster, built on the @redis/client that @keyv/redis uses
 * (node-redis recognises a provider with instanceof, so it must be that module's class).
 */
export function createLocalCache(redis: RedisClientModule, config: RedisClientCacheConfig, cluster: boolean): LocalCache {
  const Class = withLocalCache(cluster ? redis.BasicPooledClientSideCache : redis.BasicClientSideCache, config);
  return new Class();
}
