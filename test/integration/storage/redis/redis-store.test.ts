/**
 * The redis backend (src/storage/redis/redis-store.ts) against one redis-server started here on a
 * free 127.0.0.1 port and stopped by PID (../shared/reference/infra-notes.md §2): the record-store
 * contract with foreign keys planted by a raw client, the backend conformance suite through
 * setupCache, the raw key layout and native TTLs, the accepted and refused `connection` forms,
 * AUTH (--requirepass), and a dead or restarted server (fast rejections, no offline queue,
 * reconnect).
 */
import { expect } from 'chai';
import { createClient } from '@keyv/redis';
import { nameSegment, type StoreSettings } from '../../../../src/storage/record-store.js';
import { openRedisStore, RedisStore } from '../../../../src/storage/redis/redis-store.js';
import { backendConformance } from '../../../support/backend-conformance.js';
import { storeConformance } from '../../../support/store-conformance.js';
import { freePort } from '../../../support/servers/process.js';
import { redisCli, requireRedis, startRedis, type RedisServer } from '../../../support/servers/redis-server.js';
import { serializerRoundTrips } from '../../../support/serializer-round-trips.js';
import { settleWithin } from '../../../support/wait.js';

const SETTINGS: StoreSettings = { deadlineMs: 2000, ttlOffsetMs: 3_600_000, maxEntrySize: undefined, maxEntries: undefined, maxBytes: undefined };
const meta = (url: string) => ({ url, expires: null, createdAt: Date.now() });


const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('integration: redis backend on one redis-server', function () {
  this.timeout(60000);
  let redis: RedisServer;
  let raw: ReturnType<typeof createClient>;
  const opened: RedisStore[] = [];
  const open = (cacheName: string, connection: unknown = redis.url, settings: StoreSettings = SETTINGS): RedisStore => {
    const store = openRedisStore({ cacheName, connection, settings, readOnly: false }) as RedisStore;
    opened.push(store);
    return store;
  };

  before(async function () {
    requireRedis(this, true);
    redis = await startRedis();
    raw = createClient({ url: redis.url });
    raw.on('error', () => undefined);
    await raw.connect();
  });
  after(async () => {
    if (raw?.isOpen) await raw.close();
    await redis?.stop();
  });
  afterEach(async () => {
    for (const s of opened.splice(0)) await s.close();
  });

  describe('store conformance', () => {
    storeConformance((name) => openRedisStore({ cacheName: name, connection: redis.url, settings: SETTINGS, readOnly: false }), {
      foreign: {
        // A plain key outside any cache prefix, and one that shares the cache-name look but no tag.
        plant: async () => {
          await raw.set('foreign:k', 'app');
          await raw.set('a:other', 'app');
        },
        stillThere: async () => (await raw.get('foreign:k')) === 'app' && (await raw.get('a:other')) === 'app',
      },
    });
  });

  describe('backend conformance through setupCache', () => {
    backendConformance((cacheName) => ({ backend: 'redis', cacheName, connection: redis.url }));
    serializerRoundTrips((serializer, cacheName) => ({ backend: 'redis', serializer, cacheName, connection: redis.url }));
  });

  describe('key layout and TTL', () => {
    it('writes <nameSegment(cacheName)>:r|a|m:<key>, the name encoded exactly once', async () => {
      const cacheName = 'lay:out_%*';
      const seg = nameSegment(cacheName);
      expect(seg).to.equal('lay%3Aout%5F%25%2A');
      const s = open(cacheName);
      await s.set('responses', 'GET https://x.test/a:b', '{"a":1}', { meta: meta('https://x.test/a:b') });
      await s.set('redirects', 'alias', 'target');
      await s.setMeta('format', '3');
      const keys = (await redisCli(redis.port, '--scan', '--pattern', 'lay*')).trim().split('\n').filter(Boolean).sort();
      expect(keys).to.deep.equal([`${seg}:a:alias`, `${seg}:m:format`, `${seg}:r:GET https://x.test/a:b`].sort());
      // Not double-encoded (no %25 from encoding a % twice) and no Keyv-style `ns::` prefix.
      for (const k of keys) expect(k.startsWith(`${seg}:`) && !k.includes('%253A') && !k.includes('::')).to.equal(true);
      expect(await raw.get(`${seg}:r:GET https://x.test/a:b`)).to.equal('t{"a":1}');
      expect(await raw.get(`${seg}:m:format`)).to.equal('3');
      expect(s.prefix).to.equal(`${seg}:`);
    });

    it('stores bytes as "b" + raw bytes and reads them back as bytes', async () => {
      const s = open('bytes');
      const all = Uint8Array.from({ length: 256 }, (_, i) => i);
      await s.set('responses', 'k', all);
      const stored = await raw.withTypeMapping({ 36: Buffer }).get('bytes:r:k');
      expect(Buffer.isBuffer(stored)).to.equal(true);
      expect((stored as unknown as Buffer).equals(Buffer.concat([Buffer.from('b'), Buffer.from(all)]))).to.equal(true);
      const back = await s.get('responses', 'k');
      expect(back).to.be.instanceOf(Uint8Array);
      expect(Buffer.from(back as Uint8Array).equals(Buffer.from(all))).to.equal(true);
    });

    it('sets a native PTTL for a TTL write and none without ttlMs', async () => {
      const s = open('ttl');
      await s.set('responses', 'short', 'v', { ttlMs: 60000 });
      await s.set('responses', 'forever', 'v');
      await s.set('redirects', 'short', 'v', { ttlMs: 5000 });
      const short = Number((await redisCli(redis.port, 'pttl', 'ttl:r:short')).trim());
      expect(short).to.be.greaterThan(0).and.at.most(60000);
      const alias = Number((await redisCli(redis.port, 'pttl', 'ttl:a:short')).trim());
      expect(alias).to.be.greaterThan(0).and.at.most(5000);
      expect(Number((await redisCli(redis.port, 'pttl', 'ttl:r:forever')).trim())).to.equal(-1);
      await s.setMeta('format', '3');
      expect(Number((await redisCli(redis.port, 'pttl', 'ttl:m:format')).trim())).to.equal(-1);
    });

    it('lets Redis expire a short TTL', async () => {
      const s = open('expire');
      await s.set('responses', 'k', 'v', { ttlMs: 150 });
      expect(await s.get('responses', 'k')).to.equal('v');
      await sleep(300);
      expect(await s.get('responses', 'k')).to.equal(undefined);
      expect(await s.count('responses')).to.equal(0);
    });
  });

  describe('connection forms', () => {
    it('accepts a URL', async () => {
      const s = open('url', redis.url);
      await s.set('responses', 'k', 'v');
      expect(await s.get('responses', 'k')).to.equal('v');
      expect(s.isCluster).to.equal(false);
    });

    it('accepts an options object ({ url } and { socket })', async () => {
      const a = open('opts', { url: redis.url });
      await a.set('responses', 'k', 'v');
      const b = open('opts', { socket: { host: '127.0.0.1', port: redis.port } });
      expect(await b.get('responses', 'k')).to.equal('v');
    });

    it('accepts a ready, not yet connected user client, connects it, and close() leaves it open', async () => {
      const client = createClient({ url: redis.url });
      client.on('error', () => undefined);
      expect(client.isOpen).to.equal(false);
      try {
        const s = open('user', client);
        await s.set('responses', 'k', Buffer.from([0, 1, 255]));
        expect(await s.get('responses', 'k')).to.deep.equal(Buffer.from([0, 1, 255]));
        expect(client.isOpen).to.equal(true);
        await s.close();
        expect(client.isOpen).to.equal(true);
        expect(await client.get('user:r:k')).to.be.a('string');
        expect(client.listenerCount('error')).to.equal(1);
      } finally {
        if (client.isOpen) await client.close();
      }
    });

    it('accepts an already connected user client and leaves it open', async () => {
      const client = createClient({ url: redis.url });
      client.on('error', () => undefined);
      await client.connect();
      try {
        const s = open('user2', client);
        await s.setMeta('format', '3');
        expect(await s.getMeta('format')).to.equal('3');
        await s.close();
        expect(client.isOpen).to.equal(true);
      } finally {
        await client.close();
      }
    });

    it('refuses an ioredis-like client synchronously with a TypeError naming connection', () => {
      const ioredisLike = { status: 'ready', pipeline: () => undefined, get: async () => null, connect: async () => undefined, on: () => undefined };
      expect(() => openRedisStore({ cacheName: 'io', connection: ioredisLike, settings: SETTINGS, readOnly: false })).to.throw(TypeError, /connection/);
      expect(() => openRedisStore({ cacheName: 'io', connection: ioredisLike, settings: SETTINGS, readOnly: false })).to.throw(/ioredis/);
    });

    it('refuses a bad URL synchronously with a TypeError naming connection', () => {
      for (const bad of ['not a url', 'http://127.0.0.1:6379', 'mongodb://127.0.0.1']) {
        expect(() => openRedisStore({ cacheName: 'bad', connection: bad, settings: SETTINGS, readOnly: false }), bad).to.throw(TypeError, /connection/);
      }
      expect(() => openRedisStore({ cacheName: 'bad', connection: { url: 'nope' }, settings: SETTINGS, readOnly: false })).to.throw(TypeError, /connection\.url/);
      expect(() => openRedisStore({ cacheName: 'bad', connection: 42, settings: SETTINGS, readOnly: false })).to.throw(TypeError, /connection/);
    });

    it('does not connect in the constructor (an unreachable URL constructs fine)', async () => {
      const port = await freePort();
      expect(() => open('lazy', `redis://127.0.0.1:${port}`)).not.to.throw();
    });
  });

  describe('AUTH (--requirepass)', () => {
    let secured: RedisServer;
    before(async () => {
      secured = await startRedis(undefined, ['--requirepass', 'secret']);
    });
    after(async () => secured?.stop());

    it('works with the password in the URL', async () => {
      const s = open('auth', `redis://:secret@127.0.0.1:${secured.port}`);
      await s.set('responses', 'k', 'v', { ttlMs: 10000 });
      expect(await s.get('responses', 'k')).to.equal('v');
      expect(s.description).not.to.include('secret');
      expect((await redisCli(secured.port, '-a', 'secret', '--no-auth-warning', 'get', 'auth:r:k')).trim()).to.equal('tv');
    });

    it('works with a password in an options object', async () => {
      const s = open('auth', { url: secured.url, password: 'secret' });
      await s.set('responses', 'k2', 'v');
      expect(await s.get('responses', 'k2')).to.equal('v');
    });

    it('rejects a wrong password in under 1.5 s, without the password in the message', async () => {
      const s = open('auth', `redis://:wrongpassword123@127.0.0.1:${secured.port}`);
      const result = await settleWithin(5000, s.get('responses', 'k'));
      expect(result.error, 'get should reject').to.be.instanceOf(Error);
      expect(result.ms).to.be.lessThan(1500);
      expect(result.error!.message).not.to.include('wrongpassword123');
      expect(s.description).not.to.include('wrongpassword123');
      const again = await settleWithin(5000, s.set('responses', 'k', 'v'));
      expect(again.error).to.be.instanceOf(Error);
      expect(again.ms).to.be.lessThan(1500);
      expect(again.error!.message).not.to.include('wrongpassword123');
      const closing = await settleWithin(3000, s.close());
      expect(closing.ms).to.be.lessThan(1500);
    });

    it('rejects a missing password in under 1.5 s', async () => {
      const s = open('auth', secured.url);
      const result = await settleWithin(5000, s.count('responses'));
      expect(result.error).to.be.instanceOf(Error);
      expect(result.ms).to.be.lessThan(1500);
    });
  });

  describe('dead or restarted server', () => {
    it('rejects get/set/count within 1.5 s on a free port, and close() returns promptly', async () => {
      const port = await freePort();
      const s = open('dead', `redis://127.0.0.1:${port}`);
      for (const op of [(): Promise<unknown> => s.get('responses', 'k'), () => s.set('responses', 'k', 'v'), () => s.count('responses'), () => s.getMeta('format')]) {
        const result = await settleWithin(5000, op());
        expect(result.error, 'should reject').to.be.instanceOf(Error);
        expect(result.ms).to.be.lessThan(1500);
      }
      // Many at once: each rejects on its own, nothing piles up behind a queue.
      const start = Date.now();
      const all = await Promise.allSettled(Array.from({ length: 50 }, (_, i) => s.get('responses', `k${i}`)));
      expect(all.every((r) => r.status === 'rejected')).to.equal(true);
      expect(Date.now() - start).to.be.lessThan(1500);
      const closing = await settleWithin(3000, s.close());
      expect(closing.error).to.equal(undefined);
      expect(closing.ms).to.be.lessThan(1500);
      const after = await settleWithin(1000, s.get('responses', 'k'));
      expect(after.error?.message).to.match(/closed/);
    });

    it('close() on a store never used returns at once', async () => {
      const port = await freePort();
      const s = open('unused', `redis://127.0.0.1:${port}`);
      const closing = await settleWithin(1000, s.close());
      expect(closing.ms).to.be.lessThan(200);
    });

    it('rejects fast while the server is down and works again after a restart on the same port', async () => {
      let server = await startRedis();
      try {
        const s = open('restart', server.url);
        await s.set('responses', 'k', 'before', { ttlMs: 60000 });
        expect(await s.get('responses', 'k')).to.equal('before');
        const port = server.port;
        await server.stop();

        for (const op of [(): Promise<unknown> => s.get('responses', 'k'), () => s.set('responses', 'queued', 'x'), () => s.count('responses')]) {
          const result = await settleWithin(5000, op());
          expect(result.error, 'should reject while down').to.be.instanceOf(Error);
          expect(result.ms).to.be.lessThan(1500);
        }
        await sleep(500);
        const still = await settleWithin(5000, s.get('responses', 'k'));
        expect(still.error).to.be.instanceOf(Error);
        expect(still.ms).to.be.lessThan(1500);

        server = await startRedis(port);
        // Reconnect backoff is capped at 2 s (connection.ts), so it should be back well within 10 s.
        const deadline = Date.now() + 10000;
        let ok = false;
        while (Date.now() < deadline) {
          const r = await settleWithin(3000, s.set('responses', 'k', 'after'));
          if (!r.error) {
            ok = true;
            break;
          }
          await sleep(100);
        }
        expect(ok, 'store reconnected after restart').to.equal(true);
        expect(await s.get('responses', 'k')).to.equal('after');
        // No offline queue: the write issued while down was rejected, not replayed on reconnect.
        expect(await s.get('responses', 'queued')).to.equal(undefined);
        expect(await s.count('responses')).to.equal(1);
        const closing = await settleWithin(3000, s.close());
        expect(closing.ms).to.be.lessThan(1500);
      } finally {
        await server.stop();
      }
    });
  });
});
