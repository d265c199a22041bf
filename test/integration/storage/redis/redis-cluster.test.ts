/**
 * The redis backend against a real 3-master Redis Cluster started here (redis-server
 * --cluster-enabled yes on three ports whose bus ports, +10000, are free too, then
 * `redis-cli --cluster create`): the record-store contract and the backend conformance suite with
 * `connection` as a list of node URLs, a ready cluster client, and proof that one cache's keys
 * spread over several masters while count/clear/keys still see them all.
 */
import { expect } from 'chai';
import { createCluster } from '@keyv/redis';
import type { StoreSettings } from '../../../../src/storage/record-store.js';
import { openRedisStore, RedisStore } from '../../../../src/storage/redis/redis-store.js';
import { backendConformance } from '../../../support/backend-conformance.js';
import { storeConformance } from '../../../support/store-conformance.js';
import { redisCli, requireRedis, startRedisCluster, type RedisCluster } from '../../../support/servers/redis-server.js';
import { serializerRoundTrips } from '../../../support/serializer-round-trips.js';


const SETTINGS: StoreSettings = { deadlineMs: 2000, ttlOffsetMs: 3_600_000, maxEntrySize: undefined, maxEntries: undefined, maxBytes: undefined };

describe('integration: redis backend on a 3-master cluster', function () {
  this.timeout(60000);
  let cluster: RedisCluster;
  const opened: RedisStore[] = [];
  const open = (cacheName: string, connection: unknown = cluster.urls): RedisStore => {
    const store = openRedisStore({ cacheName, connection, settings: SETTINGS, readOnly: false }) as RedisStore;
    opened.push(store);
    return store;
  };
  before(async function () {
    requireRedis(this, true);
    cluster = await startRedisCluster();
  });
  after(async () => cluster?.stop());
  afterEach(async () => {
    for (const s of opened.splice(0)) await s.close();
  });

  describe('store conformance (node URLs)', () => {
    storeConformance((name) => openRedisStore({ cacheName: name, connection: cluster.urls, settings: SETTINGS, readOnly: false }), {
      foreign: {
        plant: async () => {
          await redisCli(cluster.ports[0]!, '-c', 'set', 'foreign:k', 'app');
        },
        stillThere: async () => (await redisCli(cluster.ports[0]!, '-c', 'get', 'foreign:k')).trim() === 'app',
      },
    });
  });

  describe('backend conformance through setupCache', () => {
    backendConformance((cacheName) => ({ backend: 'redis', cacheName, connection: cluster.urls }));
    serializerRoundTrips((serializer, cacheName) => ({ backend: 'redis', serializer, cacheName, connection: cluster.urls }));
  });

  it('spreads one cache over several masters, and count/keys/clear see every key', async () => {
    const s = open('spread');
    expect(s.isCluster).to.equal(true);
    const n = 300;
    await Promise.all(Array.from({ length: n }, (_, i) => s.set('responses', `k${i}`, `v${i}`, { ttlMs: 60000 })));
    const perMaster = await Promise.all(cluster.ports.map(async (p) => (await redisCli(p, '--scan', '--pattern', 'spread:r:*')).trim().split('\n').filter(Boolean).length));
    expect(perMaster.filter((c) => c > 0).length, `keys per master: ${perMaster}`).to.be.greaterThan(1);
    expect(perMaster.reduce((a, b) => a + b, 0)).to.equal(n);
    expect(await s.count('responses')).to.equal(n);
    const listed = new Set<string>();
    for await (const k of s.keys('responses')) listed.add(k);
    expect(listed.size).to.equal(n);
    const ttls = await Promise.all([0, 1, 2].map((i) => redisCli(cluster.ports[0]!, '-c', 'pttl', `spread:r:k${i}`)));
    for (const t of ttls) expect(Number(t)).to.be.greaterThan(0).and.at.most(60000);
    expect(await s.delete('responses', ['k0', 'k1', 'k2', 'missing'])).to.equal(3);
    await s.clear();
    expect(await s.count('responses')).to.equal(0);
    const left = await Promise.all(cluster.ports.map((p) => redisCli(p, '--scan', '--pattern', 'spread:*')));
    expect(left.join('').trim()).to.equal('');
  });

  it('works with a ready cluster client, and close() leaves it open', async () => {
    const client = createCluster({ rootNodes: [{ url: cluster.urls[1]! }] });
    client.on('error', () => undefined);
    await client.connect();
    try {
      const s = open('user', client);
      await s.set('responses', 'k', Buffer.from([1, 2, 3]));
      expect(await s.get('responses', 'k')).to.deep.equal(Buffer.from([1, 2, 3]));
      expect(await s.count('responses')).to.equal(1);
      await s.close();
      expect(client.isOpen).to.equal(true);
    } finally {
      await client.close();
    }
  });

  it('accepts { rootNodes } options', async () => {
    const s = open('opts', { rootNodes: cluster.urls.map((url) => ({ url })) });
    await s.setMeta('format', '3');
    expect(await s.getMeta('format')).to.equal('3');
  });
});
