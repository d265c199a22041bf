/**
 * The gridfs backend (src/storage/gridfs-store.ts) against jongodb started here, and against a real
 * mongod when MONGO_URL is set: the store contract in both layouts, bodies above the 16 MiB document
 * limit, the stored metadata, overwrite and clear() never orphaning chunks nor touching other
 * buckets, expired files swept as keys are listed, and a dead server.
 */
import { expect } from 'chai';
import { openGridfsStore, type GridfsStore } from '../../../src/storage/gridfs-store.js';
import type { MongoStore } from '../../../src/storage/mongo-store.js';
import { storeConformance } from '../../support/store-conformance.js';
import { foreignRecords, forEachMongoServer, rawClient, requireJongodb, SETTINGS, startJongodb, storeOpener, type Jongodb, type Raw } from '../../support/servers/jongodb.js';

const meta = (url: string, expires: number | null = null) => ({ url, expires, createdAt: Date.now() });
const gridfs = (options: Parameters<typeof openGridfsStore>[0]) => openGridfsStore(options) as GridfsStore & MongoStore;

async function collect(iterable: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const key of iterable) out.push(key);
  return out.sort();
}

describe('integration: gridfs store', function () {
  this.timeout(60000);

  forEachMongoServer((target) => {
    const client = rawClient(target);

    describe('contract, a database per cacheName', () => {
      storeConformance((name) => {
        const store = gridfs({ cacheName: name, connection: target.url(), settings: SETTINGS, readOnly: false });
        target.track(store.database);
        return store;
      }, { manyRecords: 200, foreign: foreignRecords(target, client) });
    });

    describe('contract, prefixed collections in a named database', () => {
      const db = `gshared${process.pid}`;
      before(() => target.track(db));
      storeConformance((name) => gridfs({ cacheName: name, connection: { url: target.url(), db }, settings: SETTINGS, readOnly: false }), {
        manyRecords: 200,
        foreign: foreignRecords(target, client, db),
      });
    });

    describe('files, chunks and metadata', () => {
      const open = storeOpener(target, gridfs);
      let n = 0;
      const name = () => `gfs${process.pid}n${(n += 1)}`;
      const files = (store: MongoStore) => client().db(store.database).collection<Raw>(`${store.prefix}responses.files`);
      const chunks = (store: MongoStore) => client().db(store.database).collection<Raw>(`${store.prefix}responses.chunks`);

      it('has no size limit: a 20 MB body round-trips, in 255 KiB chunks', async () => {
        const store = open(name());
        expect(store.maxValueSize).to.equal(undefined);
        const big = Buffer.alloc(20 * 1024 * 1024);
        for (let i = 0; i < big.length; i += 1) big[i] = (i * 31) & 0xff;
        await store.set('responses', 'big', big, { meta: meta('https://x.test/big') });
        const back = await store.get('responses', 'big');
        expect(Buffer.isBuffer(back)).to.equal(true);
        expect((back as Buffer).equals(big)).to.equal(true);
        expect(await chunks(store).countDocuments({})).to.equal(Math.ceil(big.length / (255 * 1024)));
        const text = 'ü'.repeat(9 * 1024 * 1024); // 18 MiB of UTF-8
        await store.set('responses', 'text', text, { meta: meta('https://x.test/text') });
        expect(await store.get('responses', 'text')).to.equal(text);
      });

      it('stores url, expires, kind and expiresAt (only with a TTL) in the file metadata; no TTL index on files', async () => {
        const store = open(name());
        const before = Date.now();
        const expires = before + 60_000;
        await store.set('responses', 'ttl', '{"a":1}', { ttlMs: 3_660_000, meta: meta('https://x.test/ttl', expires) });
        await store.set('responses', 'forever', Buffer.from([1, 2]), { meta: meta('https://x.test/forever') });
        const ttl = (await files(store).findOne({ filename: 'ttl' }))!;
        expect(ttl.metadata).to.include({ kind: 'text', url: 'https://x.test/ttl' });
        expect(ttl.metadata.expires.getTime()).to.equal(expires);
        expect(ttl.metadata.expiresAt.getTime()).to.be.within(before + 3_660_000, Date.now() + 3_660_000);
        const forever = (await files(store).findOne({ filename: 'forever' }))!;
        expect(forever.metadata).to.include({ kind: 'bytes', expires: null });
        expect(forever.metadata).to.not.have.property('expiresAt');
        const indexes = await files(store).listIndexes().toArray();
        expect(indexes.filter((i) => i.expireAfterSeconds !== undefined), 'a TTL index would orphan chunks').to.deep.equal([]);
        expect(indexes.map((i) => i.name)).to.include.members(['filename_1_uploadDate_1', 'metadata.url_1', 'metadata.expiresAt_1']);
        const chunkIndexes = await chunks(store).listIndexes().toArray();
        expect(chunkIndexes.find((i) => i.name === 'files_id_1_n_1')).to.include({ unique: true });
      });

      it('an overwrite leaves one file and the new chunks only; readers never miss the key meanwhile', async () => {
        const store = open(name());
        const value = (i: number) => Buffer.alloc(600 * 1024, i);
        await store.set('responses', 'k', value(0), { meta: meta('https://x.test/k') });
        let writing = true;
        let misses = 0;
        let reads = 0;
        const reader = (async () => {
          for (; writing; reads += 1) if ((await store.get('responses', 'k')) === undefined) misses += 1;
        })();
        for (let i = 1; i <= 8; i += 1) await store.set('responses', 'k', value(i), { meta: meta('https://x.test/k') });
        writing = false;
        await reader;
        expect(reads).to.be.above(4);
        expect(misses).to.equal(0);
        expect(await files(store).countDocuments({ filename: 'k' })).to.equal(1);
        expect(await chunks(store).countDocuments({})).to.equal(3);
        expect(((await store.get('responses', 'k')) as Buffer).equals(value(8))).to.equal(true);
      });

      it('delete() and clear() remove chunks too, including those of an interrupted upload, and spare other buckets', async () => {
        const store = open(name());
        const other = open(name());
        await store.set('responses', 'a', Buffer.alloc(300 * 1024, 1), { meta: meta('https://x.test/a') });
        await store.set('responses', 'b', Buffer.alloc(300 * 1024, 2), { meta: meta('https://x.test/b') });
        await other.set('responses', 'a', 'other', { meta: meta('https://x.test/a') });
        expect(await store.delete('responses', ['a', 'missing'])).to.equal(1);
        expect(await chunks(store).countDocuments({})).to.equal(2);
        // Chunks without a files document, as a crash mid-upload leaves them.
        await chunks(store).insertOne({ _id: 'orphan', files_id: 'gone', n: 0, data: Buffer.alloc(1) } as Raw);
        await store.clear();
        expect(await files(store).countDocuments({})).to.equal(0);
        expect(await chunks(store).countDocuments({})).to.equal(0);
        expect(await other.get('responses', 'a')).to.equal('other');
      });

      it('treats a file past its store-level TTL as gone, and listing deletes it with its chunks', async () => {
        const store = open(name());
        await store.set('responses', 'short', Buffer.alloc(300 * 1024), { ttlMs: 1, meta: meta('https://x.test/s') });
        await store.set('responses', 'long', 'v', { meta: meta('https://x.test/s') });
        await new Promise((r) => setTimeout(r, 20));
        expect(await store.get('responses', 'short')).to.equal(undefined);
        expect(await store.keysForUrl('https://x.test/s')).to.deep.equal(['long']);
        expect(await collect(store.keys('responses'))).to.deep.equal(['long']);
        expect(await store.count('responses')).to.equal(1);
        expect(await files(store).countDocuments({ filename: 'short' })).to.equal(0);
        expect(await chunks(store).countDocuments({})).to.equal(1);
      });

      it('keeps redirect aliases and meta as plain documents', async () => {
        const store = open(name());
        await store.set('redirects', 'alias', 'target', { ttlMs: 60_000 });
        await store.setMeta('format', '3');
        const alias = (await client().db(store.database).collection<Raw>('redirects').findOne({ _id: 'alias' }))!;
        expect(alias).to.include({ value: 'target', kind: 'text' });
        expect(alias.expiresAt).to.be.instanceOf(Date);
        expect(await client().db(store.database).collection<Raw>('meta').findOne({ _id: 'format' })).to.include({ value: '3' });
      });
    });
  });

  describe('on jongodb that stops and comes back on the same port', () => {
    let server: Jongodb | undefined;
    const stores: MongoStore[] = [];
    before(async function () {
      requireJongodb(this);
      server = await startJongodb();
    });
    after(async () => {
      for (const s of stores) await s.close();
      await server?.stop();
    });

    it('rejects within ~1.5 s while it is down (uploads and downloads too) and works after the restart', async () => {
      const store = gridfs({ cacheName: 'restart', connection: server!.url, settings: SETTINGS, readOnly: false });
      stores.push(store);
      await store.set('responses', 'k', Buffer.alloc(600 * 1024, 1), { meta: meta('https://x.test/k') });
      await server!.stop();
      for (const op of <(() => Promise<unknown>)[]>[() => store.get('responses', 'k'), () => store.set('responses', 'k', Buffer.alloc(600 * 1024, 2)), () => store.count('responses'), () => store.clear()]) {
        const start = Date.now();
        let timer: NodeJS.Timeout | undefined;
        const outcome = await Promise.race([
          op().then(
            () => 'resolved',
            () => 'rejected',
          ),
          new Promise((resolve) => (timer = setTimeout(() => resolve('pending'), 5000))),
        ]);
        clearTimeout(timer);
        expect(outcome).to.equal('rejected');
        expect(Date.now() - start).to.be.below(1500);
      }
      server = await startJongodb(server!.port);
      expect(await store.get('responses', 'k')).to.equal(undefined);
      await store.set('responses', 'k', Buffer.alloc(600 * 1024, 3), { meta: meta('https://x.test/k') });
      expect(((await store.get('responses', 'k')) as Buffer)[0]).to.equal(3);
    });
  });
});
