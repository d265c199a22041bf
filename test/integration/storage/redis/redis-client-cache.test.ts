/**
 * The redis backend's client-side caching (`redisClientCache`, src/storage/redis/client-cache.ts)
 * against real redis-servers started here on free 127.0.0.1 ports and stopped by PID: hits served
 * from process memory (proved by the server's own GET call count, `INFO commandstats`), other
 * clients' writes, deletes and clears invalidating the local copy, credentialed entries kept per
 * caller, a restarted server never shadowed by old local entries, bytes and text round trips, the
 * option's validation, the entry / byte / age bounds and compact copies of the local cache
 * (src/storage/redis/local-cache.ts), a user's own caching client, and a Redis Cluster.
 *
 * Invalidation is asynchronous (Redis pushes an `invalidate` message after the write,
 * https://redis.io/docs/latest/develop/reference/client-side-caching/), so the reader is polled for
 * at most INVALIDATION_WAIT_MS.
 */
import { format } from 'node:util';
import axios from 'axios';
import { expect } from 'chai';
import { createClient, createCluster } from '@keyv/redis';
import { log } from '../../../../src/debug.js';
import { setupCache, type CacheAxiosInstance, type CacheOptions } from '../../../../src/index.js';
import { DEFAULT_CLIENT_CACHE_BYTES, DEFAULT_CLIENT_CACHE_ENTRIES, parseRedisClientCache, type RedisClientCacheConfig } from '../../../../src/storage/redis/client-cache.js';
import { createLocalCache, type RedisClientModule } from '../../../../src/storage/redis/local-cache.js';
import { decodeValue, encodeValue, RedisStore } from '../../../../src/storage/redis/redis-store.js';
import type { StoreSettings } from '../../../../src/storage/record-store.js';
import { startOrigin, type Origin } from '../../../support/origin.js';
import { redisCli, requireRedis, startRedis, startRedisCluster, type RedisCluster, type RedisServer } from '../../../support/servers/redis-server.js';
import { waitFor } from '../../../support/wait.js';

const SETTINGS: StoreSettings = { deadlineMs: 2000, ttlOffsetMs: 3_600_000, maxEntrySize: undefined, maxEntries: undefined, maxBytes: undefined };
const CACHE: RedisClientCacheConfig = { maxEntries: 100, maxBytes: 1024 * 1024 * 1024, ttl: 0, evictPolicy: 'LRU' };
/** RESP_TYPES.BLOB_STRING in @redis/client (not re-exported by @keyv/redis). */
const BLOB_STRING = 36;
const ALL_BYTES = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
/** Bound on waiting for an invalidation push on loopback (it normally lands within a millisecond). */
const INVALIDATION_WAIT_MS = 2000;

/** `cmdstat_get:calls=N` from INFO commandstats: GETs the server actually executed. */
async function serverGets(port: number): Promise<number> {
  const info = await redisCli(port, 'info', 'commandstats');
  const match = /cmdstat_get:calls=(\d+)/.exec(info);
  return match ? Number(match[1]) : 0;
}

describe('integration: redis client-side caching (redisClientCache)', function () {
  this.timeout(60000);
  let redis: RedisServer;
  let origin: Origin;
  let seq = 0;
  const opened: RedisStore[] = [];
  const apps: CacheAxiosInstance[] = [];
  /** `clientCache` null: off. */
  const store = (cacheName: string, clientCache: RedisClientCacheConfig | null = CACHE, connection: unknown = redis.url): RedisStore => {
    const s = new RedisStore({ cacheName, connection, settings: SETTINGS, readOnly: false, clientCache: clientCache ?? undefined });
    opened.push(s);
    return s;
  };
  const app = (cacheName: string, extra: CacheOptions = {}): CacheAxiosInstance => {
    const http = setupCache(axios.create({ baseURL: origin.base }), { backend: 'redis', connection: redis.url, cacheName, redisClientCache: true, ...extra });
    apps.push(http);
    return http;
  };
  const name = (): string => `csc-${process.pid}-${(seq += 1)}`;

  before(async function () {
    requireRedis(this, true);
    redis = await startRedis();
    origin = await startOrigin();
  });
  after(async () => {
    await origin?.close();
    await redis?.stop();
  });
  afterEach(async () => {
    for (const http of apps.splice(0)) await http.cache.close();
    for (const s of opened.splice(0)) await s.close();
    origin.reset();
  });

  describe('the option', () => {
    it('true means 10,000 local entries, 64 MiB and no local TTL; an object sets maxEntries, maxBytes and ttl (ms)', () => {
      expect(parseRedisClientCache(true)).to.deep.equal({ maxEntries: DEFAULT_CLIENT_CACHE_ENTRIES, maxBytes: DEFAULT_CLIENT_CACHE_BYTES, ttl: 0, evictPolicy: 'LRU' });
      expect(DEFAULT_CLIENT_CACHE_ENTRIES).to.equal(10_000);
      expect(DEFAULT_CLIENT_CACHE_BYTES).to.equal(64 * 1024 * 1024);
      expect(parseRedisClientCache({ maxEntries: 5, maxBytes: 4096, ttl: 60_000 })).to.deep.equal({ maxEntries: 5, maxBytes: 4096, ttl: 60_000, evictPolicy: 'LRU' });
      expect(parseRedisClientCache({})).to.deep.equal({ maxEntries: 10_000, maxBytes: 64 * 1024 * 1024, ttl: 0, evictPolicy: 'LRU' });
      expect(parseRedisClientCache(false)).to.equal(undefined);
      expect(parseRedisClientCache(undefined)).to.equal(undefined);
    });

    it('refuses bad values, naming the option and the value', () => {
      expect(() => parseRedisClientCache('yes')).to.throw(TypeError, "Invalid redisClientCache: 'yes'");
      expect(() => parseRedisClientCache({ maxEntries: 0 })).to.throw(RangeError, 'Invalid redisClientCache.maxEntries: 0 (expected a whole number >= 1)');
      expect(() => parseRedisClientCache({ maxBytes: '1mb' })).to.throw(RangeError, "Invalid redisClientCache.maxBytes: '1mb'");
      expect(() => parseRedisClientCache({ ttl: -1 })).to.throw(RangeError, 'Invalid redisClientCache.ttl: -1');
      expect(() => parseRedisClientCache({ ttl: 1.5 })).to.throw(RangeError, 'Invalid redisClientCache.ttl: 1.5');
      expect(() => parseRedisClientCache({ maxentries: 5 })).to.throw(TypeError, "unknown field 'maxentries'");
    });

    it('is refused on another backend, with a client the user created, with RESP 2, and beside node-redis clientSideCache', () => {
      const axiosInstance = (): ReturnType<typeof axios.create> => axios.create();
      expect(() => setupCache(axiosInstance(), { backend: 'memory', redisClientCache: true })).to.throw(TypeError, "Invalid redisClientCache: true (only the 'redis' backend");
      expect(() => setupCache(axiosInstance(), { backend: 'memory', redisClientCache: 'on' as never })).to.throw(TypeError, "Invalid redisClientCache: 'on'");
      const client = createClient({ url: redis.url });
      expect(() => setupCache(axiosInstance(), { backend: 'redis', connection: client, redisClientCache: true })).to.throw(TypeError, 'create it with createClient({ RESP: 3, clientSideCache');
      expect(() => store(name(), CACHE, { url: redis.url, RESP: 2 })).to.throw(TypeError, 'Invalid connection: RESP 2 with redisClientCache');
      expect(() => store(name(), null, { url: redis.url, RESP: 3, clientSideCache: { maxEntries: 10 } })).to.throw(TypeError, 'use the redisClientCache option instead');
      expect(() => store(name(), null, { rootNodes: [{ url: redis.url }], defaults: { clientSideCache: {} } })).to.throw(TypeError, 'use the redisClientCache option instead');
    });
  });

  describe('hits without a round trip', () => {
    it('serves repeated reads from process memory: the server runs one GET, not one per read (without the option: one per read)', async () => {
      const cached = store(name());
      const plain = store(name(), null);
      await cached.set('responses', 'k', 'v1');
      await plain.set('responses', 'k', 'v1');
      expect(await cached.get('responses', 'k')).to.equal('v1'); // warms the local copy
      let before = await serverGets(redis.port);
      for (let i = 0; i < 50; i += 1) expect(await cached.get('responses', 'k')).to.equal('v1');
      expect((await serverGets(redis.port)) - before).to.equal(0);
      before = await serverGets(redis.port);
      for (let i = 0; i < 50; i += 1) expect(await plain.get('responses', 'k')).to.equal('v1');
      expect((await serverGets(redis.port)) - before).to.equal(50);
    });

    it('serves a cache hit through setupCache with no GET reaching the server', async () => {
      const cacheName = name();
      const http = app(cacheName);
      const first = await http.get('/hit');
      expect(first.fromCache).to.equal(false);
      expect((await http.get('/hit')).fromCache).to.equal(true); // local copies now warm
      const before = await serverGets(redis.port);
      for (let i = 0; i < 20; i += 1) {
        const hit = await http.get('/hit');
        expect(hit.fromCache).to.equal(true);
        expect(hit.data).to.deep.equal(first.data);
      }
      expect((await serverGets(redis.port)) - before).to.equal(0);
      expect(origin.count('/hit')).to.equal(1);
    });

    it('reads its own writes at once (our writes drop the local copy without waiting for the push)', async () => {
      const s = store(name());
      await s.set('responses', 'k', 'v1');
      expect(await s.get('responses', 'k')).to.equal('v1');
      for (let i = 2; i < 30; i += 1) {
        await s.set('responses', 'k', `v${i}`);
        expect(await s.get('responses', 'k')).to.equal(`v${i}`);
      }
      await s.delete('responses', ['k']);
      expect(await s.get('responses', 'k')).to.equal(undefined);
      await s.setMeta('format', '1');
      expect(await s.getMeta('format')).to.equal('1');
      await s.setMeta('format', '2');
      expect(await s.getMeta('format')).to.equal('2');
    });

    it('keeps at most maxEntries local copies (the least recently used are read from Redis again)', async () => {
      const s = store(name(), { ...CACHE, maxEntries: 3 });
      for (const k of ['a', 'b', 'c', 'd']) await s.set('responses', k, k);
      for (const k of ['a', 'b', 'c', 'd']) await s.get('responses', k); // 'a' is evicted by 'd'
      let before = await serverGets(redis.port);
      for (const k of ['b', 'c', 'd']) expect(await s.get('responses', k)).to.equal(k);
      expect((await serverGets(redis.port)) - before).to.equal(0);
      before = await serverGets(redis.port);
      expect(await s.get('responses', 'a')).to.equal('a');
      expect((await serverGets(redis.port)) - before).to.equal(1);
    });

    it('keeps at most maxBytes of values, and never a value over an eighth of it (read from Redis each time)', async () => {
      const s = store(name(), { ...CACHE, maxBytes: 8 * 1024 });
      const kb = (fill: string): string => fill.repeat(1023); // 1 KB stored with its tag byte
      for (const k of ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i']) await s.set('responses', k, kb(k));
      for (const k of ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i']) await s.get('responses', k); // 9 KB read: 'a' is evicted
      let before = await serverGets(redis.port);
      for (const k of ['b', 'c', 'd', 'e', 'f', 'g', 'h', 'i']) expect(await s.get('responses', k)).to.equal(kb(k));
      expect((await serverGets(redis.port)) - before).to.equal(0);
      before = await serverGets(redis.port);
      expect(await s.get('responses', 'a')).to.equal(kb('a'));
      expect((await serverGets(redis.port)) - before).to.equal(1);
      await s.set('responses', 'big', 'x'.repeat(1100)); // over 8 KB / 8
      before = await serverGets(redis.port);
      for (let i = 0; i < 3; i += 1) await s.get('responses', 'big');
      expect((await serverGets(redis.port)) - before).to.equal(3);
    });

    it('with a local ttl, a copy older than ttl ms is read from Redis again', async () => {
      // A ttl long enough that a loaded CI machine reaches the second read
      // within it; the read inside the ttl is only asserted when it was.
      const ttl = 1000;
      const s = store(name(), { ...CACHE, ttl });
      await s.set('responses', 'k', 'v');
      await s.get('responses', 'k');
      const kept = Date.now();
      let before = await serverGets(redis.port);
      const withinTtl = Date.now() - kept < ttl - 100;
      expect(await s.get('responses', 'k')).to.equal('v');
      if (withinTtl) expect(await serverGets(redis.port)).to.equal(before);
      await new Promise((resolve) => setTimeout(resolve, ttl + 100));
      before = await serverGets(redis.port);
      expect(await s.get('responses', 'k')).to.equal('v');
      expect((await serverGets(redis.port)) - before).to.equal(1);
    });

    it('keeps a compact copy of each reply, not the socket chunk it arrived in (16 GETs in flight)', async () => {
      const redisClient = (await import('@redis/client')) as unknown as RedisClientModule;
      const local = createLocalCache(redisClient, CACHE, false);
      const client = createClient({ url: redis.url, RESP: 3, clientSideCache: local as never, commandOptions: { typeMapping: { [BLOB_STRING]: Buffer } } });
      client.on('error', () => undefined);
      await client.connect();
      try {
        expect(client.clientSideCache).to.equal(local);
        const value = Buffer.alloc(2300, 1);
        for (let i = 0; i < 32; i += 1) await client.set(`chunk:${i}`, value);
        await Promise.all(Array.from({ length: 32 }, (_, i) => client.get(`chunk:${i}`)));
        expect(local.size()).to.equal(32);
        expect(local.localStats().bytes).to.equal(32 * 2300);
        for (const kept of local.kept.values()) expect(kept.value.buffer.byteLength).to.equal(2300);
      } finally {
        await client.close();
      }
    });
  });

  describe('invalidation by other clients (separate connections)', () => {
    const seesWithin = async (s: RedisStore, key: string, expected: unknown): Promise<void> => {
      let last: unknown;
      await waitFor(async () => (last = await s.get('responses', key)) === expected, `the reader to see ${String(expected)} (last read ${String(last)})`, INVALIDATION_WAIT_MS);
    };

    it('another store overwriting, deleting, and clearing the entry is seen by the caching reader', async () => {
      const cacheName = name();
      const reader = store(cacheName);
      const writer = store(cacheName);
      await writer.set('responses', 'k', 'v1');
      expect(await reader.get('responses', 'k')).to.equal('v1');
      const before = await serverGets(redis.port);
      expect(await reader.get('responses', 'k')).to.equal('v1');
      expect(await serverGets(redis.port)).to.equal(before); // the reader holds a local copy
      await writer.set('responses', 'k', 'v2');
      await seesWithin(reader, 'k', 'v2');
      await writer.delete('responses', ['k']);
      await seesWithin(reader, 'k', undefined);
      await writer.set('responses', 'k', 'v3');
      await seesWithin(reader, 'k', 'v3');
      await writer.clear();
      await seesWithin(reader, 'k', undefined);
    });

    it('a plain RESP2 client (no tracking of its own) writing the raw key, and FLUSHALL, invalidate too', async () => {
      const cacheName = name();
      const reader = store(cacheName);
      await reader.set('responses', 'k', 'v1');
      expect(await reader.get('responses', 'k')).to.equal('v1');
      await redisCli(redis.port, 'set', `${cacheName}:r:k`, 'tfrom-cli');
      await seesWithin(reader, 'k', 'from-cli');
      await redisCli(redis.port, 'flushall');
      await seesWithin(reader, 'k', undefined);
    });

    it('another cache instance fetching a new response (forceRefresh), deleting it, or clearing: the first serves the new one or goes to the origin', async () => {
      const cacheName = name();
      const a = app(cacheName);
      const b = app(cacheName);
      const first = await a.get('/shared');
      expect((first.data as { n: number }).n).to.equal(1);
      expect((await a.get('/shared')).fromCache).to.equal(true);

      const refreshed = await b.get('/shared', { cache: { forceRefresh: true } });
      expect((refreshed.data as { n: number }).n).to.equal(2);
      await waitFor(async () => ((await a.get('/shared')).data as { n: number }).n === 2, 'instance a to serve response 2', INVALIDATION_WAIT_MS);
      expect(origin.count('/shared')).to.equal(2); // a served it from Redis / its local copy, not the origin

      await b.cache.delete({ urls: [origin.url('/shared')] });
      await waitFor(async () => ((await a.get('/shared')).data as { n: number }).n === 3, 'instance a to miss and fetch response 3', INVALIDATION_WAIT_MS);
      expect(origin.count('/shared')).to.equal(3);
      expect(((await a.get('/shared')).data as { n: number }).n).to.equal(3);

      await b.cache.clear();
      await waitFor(async () => ((await a.get('/shared')).data as { n: number }).n === 4, 'instance a to miss and fetch response 4', INVALIDATION_WAIT_MS);
      expect(origin.count('/shared')).to.equal(4);
    });
  });

  it("never serves one caller's credentialed response to another caller, in one instance or across two", async () => {
    origin.route('/me', (req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ auth: req.headers.authorization ?? null }));
    });
    const cacheName = name();
    const a = app(cacheName);
    const b = app(cacheName);
    const alice = { headers: { Authorization: 'Bearer alice-token' } };
    const bob = { headers: { Authorization: 'Bearer bob-token' } };
    expect((await a.get('/me', alice)).data).to.deep.equal({ auth: 'Bearer alice-token' });
    const aliceHit = await a.get('/me', alice);
    expect(aliceHit.fromCache).to.equal(true);
    expect(aliceHit.data).to.deep.equal({ auth: 'Bearer alice-token' });
    for (const http of [a, b]) {
      const other = await http.get('/me', bob);
      expect(other.data).to.deep.equal({ auth: 'Bearer bob-token' });
      const anonymous = await http.get('/me');
      expect(anonymous.data).to.deep.equal({ auth: null });
    }
    expect(origin.count('/me')).to.equal(3); // alice once, bob once, anonymous once
    expect((await b.get('/me', alice)).data).to.deep.equal({ auth: 'Bearer alice-token' });
  });

  it('a server going down empties the local cache: after a restart with other data, the old local copies are never served', async () => {
    const restartable = await startRedis();
    try {
      const cacheName = name();
      const s = store(cacheName, CACHE, restartable.url);
      await s.set('responses', 'k', 'old');
      expect(await s.get('responses', 'k')).to.equal('old');
      const before = await serverGets(restartable.port);
      expect(await s.get('responses', 'k')).to.equal('old');
      expect(await serverGets(restartable.port)).to.equal(before); // served locally

      await restartable.stop();
      const port = restartable.port;
      const again = await startRedis(port);
      try {
        await redisCli(port, 'set', `${cacheName}:r:k`, 'tnew');
        const seen: unknown[] = [];
        await waitFor(
          async () => {
            const value = await s.get('responses', 'k').catch(() => 'unreachable');
            seen.push(value);
            return value === 'new';
          },
          'the store to reconnect and read the new server',
          10000,
        );
        expect(seen).to.not.include('old');
        // And the new value is tracked again: served locally from now on.
        const gets = await serverGets(port);
        expect(await s.get('responses', 'k')).to.equal('new');
        expect(await serverGets(port)).to.equal(gets);
      } finally {
        await s.close();
        await again.stop();
      }
    } finally {
      await restartable.stop().catch(() => undefined);
    }
  });

  describe('values', () => {
    it('bytes with all 256 values come back as Buffers, from Redis and from the local copy; text as strings', async () => {
      const s = store(name());
      await s.set('responses', 'bytes', new Uint8Array(ALL_BYTES));
      await s.set('responses', 'text', 'héllo ✓');
      for (let i = 0; i < 3; i += 1) {
        const bytes = await s.get('responses', 'bytes');
        expect(Buffer.isBuffer(bytes)).to.equal(true);
        expect(Buffer.compare(bytes as Buffer, ALL_BYTES)).to.equal(0);
        expect(await s.get('responses', 'text')).to.equal('héllo ✓');
      }
    });

    it('a local copy handed out is the caller\'s own: changing it does not change the next hit', async () => {
      const s = store(name());
      await s.set('responses', 'bytes', ALL_BYTES);
      await s.get('responses', 'bytes');
      const hit = (await s.get('responses', 'bytes')) as Buffer;
      hit.fill(0);
      expect(Buffer.compare((await s.get('responses', 'bytes')) as Buffer, ALL_BYTES)).to.equal(0);
    });

    it('decodeValue reads a plain Uint8Array (what node-redis hands out from its cache) like a Buffer', () => {
      const clone = (b: Buffer): Uint8Array => structuredClone(b) as Uint8Array;
      expect(Buffer.isBuffer(clone(encodeValue(ALL_BYTES)))).to.equal(false);
      expect(Buffer.compare(decodeValue(clone(encodeValue(ALL_BYTES))) as Buffer, ALL_BYTES)).to.equal(0);
      expect(decodeValue(clone(encodeValue('text ✓')))).to.equal('text ✓');
      expect(decodeValue(clone(Buffer.from('hand-made')))).to.equal('hand-made');
    });

    it('a 1 MB binary response through setupCache round-trips from the local copy', async () => {
      const big = Buffer.alloc(1024 * 1024);
      for (let i = 0; i < big.length; i += 1) big[i] = (i * 7) & 0xff;
      origin.route('/big', (_req, res) => {
        res.setHeader('content-type', 'application/octet-stream');
        res.end(big);
      });
      const http = app(name());
      await http.get('/big', { responseType: 'arraybuffer' });
      for (let i = 0; i < 3; i += 1) {
        const hit = await http.get('/big', { responseType: 'arraybuffer' });
        expect(hit.fromCache).to.equal(true);
        expect(Buffer.compare(Buffer.from(hit.data as ArrayBuffer), big)).to.equal(0);
      }
    });
  });

  describe("a user's own client", () => {
    it('created with RESP 3, clientSideCache and Buffer replies by default: the backend reads through its cache', async () => {
      const client = createClient({ url: redis.url, RESP: 3, clientSideCache: { maxEntries: 100 }, commandOptions: { typeMapping: { [BLOB_STRING]: Buffer } } });
      client.on('error', () => undefined);
      try {
        const s = store(name(), null, client);
        await s.set('responses', 'bytes', ALL_BYTES);
        await s.get('responses', 'bytes');
        const before = await serverGets(redis.port);
        for (let i = 0; i < 10; i += 1) expect(Buffer.compare((await s.get('responses', 'bytes')) as Buffer, ALL_BYTES)).to.equal(0);
        expect(await serverGets(redis.port)).to.equal(before);
      } finally {
        if (client.isOpen) await client.close();
      }
    });

    it('with clientSideCache but string replies: reads bypass that cache and stay binary-safe', async () => {
      const client = createClient({ url: redis.url, RESP: 3, clientSideCache: { maxEntries: 100 } });
      client.on('error', () => undefined);
      try {
        const s = store(name(), null, client);
        await s.set('responses', 'bytes', ALL_BYTES);
        const before = await serverGets(redis.port);
        for (let i = 0; i < 5; i += 1) expect(Buffer.compare((await s.get('responses', 'bytes')) as Buffer, ALL_BYTES)).to.equal(0);
        expect((await serverGets(redis.port)) - before).to.equal(5);
      } finally {
        if (client.isOpen) await client.close();
      }
    });
  });

  describe('Redis Cluster', () => {
    let cluster: RedisCluster;
    before(async function () {
      this.timeout(60000);
      cluster = await startRedisCluster();
    });
    after(async () => {
      await cluster?.stop();
    });
    const clusterGets = async (): Promise<number> => (await Promise.all(cluster.ports.map(serverGets))).reduce((a, b) => a + b, 0);

    it('serves hits from the pooled local cache and sees another cluster client\'s writes', async () => {
      const cacheName = name();
      const reader = store(cacheName, CACHE, cluster.urls);
      const writer = store(cacheName, CACHE, cluster.urls);
      const keys = Array.from({ length: 12 }, (_, i) => `k${i}`); // spread over the three masters' slots
      for (const k of keys) await writer.set('responses', k, `${k}-v1`);
      for (const k of keys) expect(await reader.get('responses', k)).to.equal(`${k}-v1`);
      const before = await clusterGets();
      for (const k of keys) expect(await reader.get('responses', k)).to.equal(`${k}-v1`);
      expect(await clusterGets()).to.equal(before);
      await writer.set('responses', 'k3', 'k3-v2');
      await writer.delete('responses', ['k7']);
      await waitFor(async () => (await reader.get('responses', 'k3')) === 'k3-v2', 'the reader to see k3-v2', INVALIDATION_WAIT_MS);
      await waitFor(async () => (await reader.get('responses', 'k7')) === undefined, 'the reader to miss k7', INVALIDATION_WAIT_MS);
      await reader.set('responses', 'bytes', ALL_BYTES);
      await reader.get('responses', 'bytes');
      expect(Buffer.compare((await reader.get('responses', 'bytes')) as Buffer, ALL_BYTES)).to.equal(0);
    });

    it('a cluster client created by the user cannot take redisClientCache (refused clearly)', () => {
      const client = createCluster({ rootNodes: cluster.urls.map((url) => ({ url })) });
      expect(() => store(name(), CACHE, client)).to.throw(TypeError, 'Invalid redisClientCache: connection is a client you created');
    });
  });

  it('logs through the debug logger when client-side caching is turned on', async () => {
    const lines: string[] = [];
    const wasEnabled = log.enabled;
    const wasLog = log.log;
    log.enabled = true;
    // debug leaves %s / %d to its output function (util.format in Node's default one).
    log.log = (...args: unknown[]) => lines.push(format(...args));
    try {
      const s = store(name());
      await s.set('responses', 'k', 'v');
    } finally {
      log.enabled = wasEnabled;
      log.log = wasLog;
    }
    expect(lines.filter((l) => l.includes('client-side caching on'))).to.have.length(1);
    expect(lines.find((l) => l.includes('client-side caching on'))).to.include('client-side caching on (RESP3, CLIENT TRACKING; at most 100 local entries, 1073741824 bytes, local ttl none)');
  });
});
