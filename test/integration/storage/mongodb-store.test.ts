/**
 * The mongodb backend (src/storage/mongo-store.ts) against jongodb started here, and against a real
 * mongod when MONGO_URL is set: the store contract in both layouts (a database per cacheName, and
 * prefixed collections in a named database), the stored TTL fields, indexes, naming, connection
 * forms, and a dead server (fast rejection, recovery after a restart on the same port).
 */
import { expect } from 'chai';
import { Collection, MongoClient } from 'mongodb';
import { EntryTooLargeError } from '../../../src/storage/errors.js';
import { MONGO_MAX_VALUE_SIZE, MongoStore, mongoCollectionPrefix, mongoDatabaseName, openMongoStore } from '../../../src/storage/mongo-store.js';
import { storeConformance } from '../../support/store-conformance.js';
import { foreignRecords, forEachMongoServer, rawClient, requireJongodb, SETTINGS, startJongodb, storeOpener, type Jongodb, type Raw } from '../../support/servers/jongodb.js';
import { freePort } from '../../support/servers/process.js';
import { settleWithin } from '../../support/wait.js';

const meta = (url: string, expires: number | null = null) => ({ url, expires, createdAt: Date.now() });


describe('integration: mongodb store', function () {
  this.timeout(30000);

  describe('database names and collection prefixes', () => {
    it('maps every cacheName to a valid database name, distinct ignoring case, at most 63 bytes', () => {
      const names = ['a', 'A', 'a:b', 'a.b', 'a/b', 'a b', 'a"b', 'a$b', 'a*?<>|\\', 'x*?[_%', 'x__%%', 'ü', 'http_cache', 'admin', 'local', 'config', 'x'.repeat(200), 'x'.repeat(199) + 'y'];
      const mapped = names.map(mongoDatabaseName);
      for (const [i, name] of mapped.entries()) {
        expect(Buffer.byteLength(name), names[i]).to.be.at.most(63);
        expect(name, names[i]).to.not.match(/[/\\. "$*<>:|?\0]/);
        expect(['admin', 'local', 'config']).to.not.include(name);
      }
      expect(new Set(mapped.map((n) => n.toLowerCase())).size).to.equal(names.length);
      expect(mongoDatabaseName('http_cache')).to.equal('http_cache');
    });

    it('makes collection prefixes that never start with system. and keep names apart', () => {
      expect(mongoCollectionPrefix('system')).to.not.match(/^system\./);
      expect(mongoCollectionPrefix('a')).to.equal('a.');
      expect(mongoCollectionPrefix('a.responses')).to.not.equal('a.responses.');
      expect(mongoCollectionPrefix('y'.repeat(300)).length).to.be.at.most(121);
    });
  });

  describe('connection forms', () => {
    it('refuses a connection it cannot use, synchronously and without connecting', () => {
      const open = (connection: unknown) => () => openMongoStore({ cacheName: 'c', connection, settings: SETTINGS, readOnly: false });
      expect(open('http://127.0.0.1:1')).to.throw(TypeError, /mongodb:\/\//);
      expect(open({ uri: 'mongodb://127.0.0.1:1' })).to.throw(TypeError, /unknown key 'uri'/);
      expect(open({ url: 'mongodb://127.0.0.1:1', db: 'a.b' })).to.throw(TypeError, /not a valid MongoDB database name/);
      expect(open(42)).to.throw(TypeError);
      // An unreachable server is not a constructor error: the store connects on first use.
      expect(open('mongodb://127.0.0.1:1')).to.not.throw();
    });

    it('names its database after cacheName by default, or uses the db given (collections prefixed)', () => {
      const a = new MongoStore({ cacheName: 'api:v2', connection: 'mongodb://127.0.0.1:1/ignored', settings: SETTINGS, readOnly: false });
      expect(a.database).to.equal('api%3Av2');
      expect(a.prefix).to.equal('');
      const b = new MongoStore({ cacheName: 'api:v2', connection: { url: 'mongodb://127.0.0.1:1', db: 'app' }, settings: SETTINGS, readOnly: false });
      expect(b.database).to.equal('app');
      expect(b.prefix).to.equal('api%3Av2.');
      expect(b.description).to.equal('mongodb app (collections api%3Av2.*)');
    });
  });

  forEachMongoServer((target) => {
    const client = rawClient(target);

    describe('contract, a database per cacheName', () => {
      storeConformance((name) => {
        const store = openMongoStore({ cacheName: name, connection: target.url(), settings: SETTINGS, readOnly: false }) as MongoStore;
        target.track(store.database);
        return store;
      }, { maxValueSize: MONGO_MAX_VALUE_SIZE, manyRecords: 200, foreign: foreignRecords(target, client) });
    });

    describe('contract, prefixed collections in a named database', () => {
      const db = `shared${process.pid}`;
      before(() => target.track(db));
      storeConformance((name) => openMongoStore({ cacheName: name, connection: { url: target.url(), db }, settings: SETTINGS, readOnly: false }), {
        maxValueSize: MONGO_MAX_VALUE_SIZE,
        manyRecords: 200,
        foreign: foreignRecords(target, client, db),
      });
    });

    describe('documents, TTL and indexes', () => {
      const open = storeOpener(target);
      let n = 0;
      const name = () => `mongo${process.pid}n${(n += 1)}`;

      it('stores the TTL as expiresAt (a Date) only when given; never-expiring records have none', async () => {
        const store = open(name());
        const expires = Date.now() + 60_000;
        const before = Date.now();
        await store.set('responses', 'ttl', '{"a":1}', { ttlMs: 3_660_000, meta: meta('https://x.test/ttl', expires) });
        await store.set('responses', 'forever', Buffer.from([1, 2, 3]), { meta: meta('https://x.test/forever') });
        await store.set('redirects', 'alias', 'ttl', { ttlMs: 3_660_000 });
        const docs = client().db(store.database).collection<Raw>('responses');
        const ttl = (await docs.findOne({ _id: 'ttl' }))!;
        expect(ttl.expiresAt).to.be.instanceOf(Date);
        expect(ttl.expiresAt.getTime()).to.be.within(before + 3_660_000, Date.now() + 3_660_000);
        expect(ttl).to.include({ kind: 'text', url: 'https://x.test/ttl', value: '{"a":1}' });
        expect(ttl.expires.getTime()).to.equal(expires);
        expect(ttl.createdAt).to.be.instanceOf(Date);
        const forever = (await docs.findOne({ _id: 'forever' }))!;
        expect(forever).to.not.have.property('expiresAt');
        expect(forever.expires).to.equal(null);
        expect(forever.kind).to.equal('bytes');
        expect(forever.value._bsontype).to.equal('Binary');
        const alias = (await client().db(store.database).collection<Raw>('redirects').findOne({ _id: 'alias' }))!;
        expect(alias.expiresAt).to.be.instanceOf(Date);
        // An overwrite without TTL removes the old expiresAt (the document is replaced).
        await store.set('responses', 'ttl', 'now forever', { meta: meta('https://x.test/ttl') });
        expect(await docs.findOne({ _id: 'ttl' })).to.not.have.property('expiresAt');
      });

      it('creates a TTL index on expiresAt (expireAfterSeconds 0) and a url index on the first write', async () => {
        const store = open(name());
        await store.set('responses', 'k', 'v', { meta: meta('https://x.test/k') });
        const indexes = await client().db(store.database).collection('responses').listIndexes().toArray();
        const byName = new Map(indexes.map((i) => [i.name as string, i]));
        expect(byName.get('expiresAt_1')).to.include({ expireAfterSeconds: 0 });
        expect(byName.get('url_1')?.key).to.deep.equal({ url: 1 });
        const aliases = await client().db(store.database).collection('redirects').listIndexes().toArray();
        expect(aliases.find((i) => i.name === 'expiresAt_1')).to.include({ expireAfterSeconds: 0 });
      });

      it('treats a record past its store-level TTL as gone, and listing removes it (no TTL monitor needed)', async () => {
        const store = open(name());
        await store.set('responses', 'short', 'v', { ttlMs: 1, meta: meta('https://x.test/short') });
        await store.set('responses', 'long', 'v', { meta: meta('https://x.test/short') });
        await new Promise((r) => setTimeout(r, 20));
        expect(await store.get('responses', 'short')).to.equal(undefined);
        expect(await store.keysForUrl('https://x.test/short')).to.deep.equal(['long']);
        expect(await store.count('responses')).to.equal(1);
        const keys: string[] = [];
        for await (const key of store.keys('responses')) keys.push(key);
        expect(keys).to.deep.equal(['long']);
        expect(await client().db(store.database).collection<Raw>('responses').findOne({ _id: 'short' })).to.equal(null);
      });

      it('refuses a value over its limit with a clear error, below the 16 MiB document limit', async () => {
        const store = open(name());
        expect(store.maxValueSize).to.be.below(16 * 1024 * 1024);
        let error: unknown;
        try {
          await store.set('responses', 'huge', Buffer.alloc(MONGO_MAX_VALUE_SIZE + 1), { meta: meta('https://x.test/huge') });
        } catch (e) {
          error = e;
        }
        expect(error).to.be.instanceOf(EntryTooLargeError);
        expect((error as Error).message).to.match(/over the \d+-byte limit.*gridfs/);
      });

      it('works in databases named after awkward cacheNames (/\\. "$*<>:|?, case, length, admin)', async () => {
        for (const cacheName of ['a/b\\c. "$*<>:|?', 'Case', 'case', 'z'.repeat(100), 'admin']) {
          const store = open(cacheName);
          await store.set('responses', 'k', cacheName, { meta: meta('https://x.test/k') });
          expect(await store.get('responses', 'k'), cacheName).to.equal(cacheName);
          expect(await client().db(store.database).collection<Raw>('responses').findOne({ _id: 'k' }), cacheName).to.include({ value: cacheName });
        }
        expect(await client().db('admin').collection<Raw>('responses').findOne({ _id: 'k' })).to.equal(null);
      });

      it('uses a ready MongoClient as given and never closes it; { client, db } names the database', async () => {
        const mine = new MongoClient(target.url(), { serverSelectionTimeoutMS: 2000 });
        try {
          const plain = open(name(), mine);
          await plain.set('responses', 'k', 'v', { meta: meta('https://x.test/k') });
          await plain.close();
          const named = open('c1', { client: mine, db: `named${process.pid}` });
          target.track(`named${process.pid}`);
          await named.set('responses', 'k', 'w', { meta: meta('https://x.test/k') });
          await named.close();
          expect(await mine.db(plain.database).collection<Raw>('responses').findOne({ _id: 'k' })).to.include({ value: 'v' });
          expect(await mine.db(`named${process.pid}`).collection<Raw>('c1.responses').findOne({ _id: 'k' })).to.include({ value: 'w' });
        } finally {
          await mine.close();
        }
      });

      it('goes on without its indexes when the user may not create them', async () => {
        // createIndex fails as for a user without the createIndex privilege (error 13, Unauthorized).
        const original = Collection.prototype.createIndex;
        Collection.prototype.createIndex = async function () {
          throw Object.assign(new Error('not authorized on db to execute command createIndexes'), { name: 'MongoServerError', code: 13 });
        };
        try {
          const store = open(name());
          await store.set('responses', 'k', 'v', { meta: meta('https://x.test/k') });
          expect(await store.get('responses', 'k')).to.equal('v');
          const indexes = await client().db(store.database).collection('responses').listIndexes().toArray();
          expect(indexes.map((i) => i.name)).to.deep.equal(['_id_']);
        } finally {
          Collection.prototype.createIndex = original;
        }
      });

      it('in readOnly mode reads, refuses writes and creates nothing', async () => {
        const cacheName = name();
        const writer = open(cacheName);
        await writer.set('responses', 'k', 'v', { meta: meta('https://x.test/k') });
        const reader = open(cacheName, target.url(), true);
        expect(await reader.get('responses', 'k')).to.equal('v');
        let error: unknown;
        await reader.set('responses', 'x', 'y').catch((e: unknown) => (error = e));
        expect((error as Error)?.message).to.match(/read-only/);
        const other = open(name(), target.url(), true);
        expect(await other.count('responses')).to.equal(0);
        // mongod: no such collection; jongodb lists the implicit _id index. Either way, none of ours.
        const indexes = await client().db(other.database).collection('responses').listIndexes().toArray().catch(() => []);
        expect(indexes.map((i) => i.name).filter((i) => i !== '_id_')).to.deep.equal([]);
      });
    });

    describe('a server that is not there', () => {
      const open = storeOpener(target);

      it('rejects within ~1.5 s on a port nobody listens on, and close() returns at once', async () => {
        const store = open('nobody', `mongodb://127.0.0.1:${await freePort()}`);
        for (const op of <(() => Promise<unknown>)[]>[() => store.get('responses', 'k'), () => store.set('responses', 'k', 'v'), () => store.count('responses')]) {
          const result = await settleWithin(5000, op());
          expect(result.error?.name, String(result.error)).to.match(/MongoServerSelectionError|MongoNetworkError/);
          expect(result.ms).to.be.below(1500);
        }
        const closing = await settleWithin(3000, store.close());
        expect(closing.error).to.equal(undefined);
        expect(closing.ms).to.be.below(500);
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
    const open = (cacheName: string) => {
      const s = new MongoStore({ cacheName, connection: server!.url, settings: SETTINGS, readOnly: false });
      stores.push(s);
      return s;
    };

    it('rejects quickly while the server is down (never hangs) and works again after the restart', async () => {
      const store = open('restart');
      await store.set('responses', 'k', 'v', { meta: meta('https://x.test/k') });
      expect(await store.get('responses', 'k')).to.equal('v');
      await server!.stop();
      for (const op of <(() => Promise<unknown>)[]>[() => store.get('responses', 'k'), () => store.set('responses', 'k', 'w'), () => store.count('responses'), () => store.clear()]) {
        const result = await settleWithin(5000, op());
        expect(result.error, 'rejects').to.be.instanceOf(Error);
        expect(result.ms).to.be.below(1500);
      }
      server = await startJongodb(server!.port);
      // In memory: the data is gone, but the same store (and client) works again.
      const back = await settleWithin(5000, store.get('responses', 'k'));
      expect(back.error).to.equal(undefined);
      expect(back.value).to.equal(undefined);
      await store.set('responses', 'k', 'again', { meta: meta('https://x.test/k') });
      expect(await store.get('responses', 'k')).to.equal('again');
    });

    it('a store first used while the server is down connects once it is up', async () => {
      await server!.stop();
      const store = open('late');
      const first = await settleWithin(5000, store.get('responses', 'k'));
      expect(first.error?.name).to.equal('MongoServerSelectionError');
      expect(first.ms).to.be.below(1500);
      const second = await settleWithin(5000, store.get('responses', 'k'));
      expect(second.error, 'a failed first connect is tried again').to.be.instanceOf(Error);
      server = await startJongodb(server!.port);
      await store.set('responses', 'k', 'v', { meta: meta('https://x.test/k') });
      expect(await store.get('responses', 'k')).to.equal('v');
    });

    it('close() ends within 2.5 s while the server is down', async () => {
      const store = open('closing');
      await store.set('responses', 'k', 'v', { meta: meta('https://x.test/k') });
      await server!.stop();
      const closing = await settleWithin(5000, store.close());
      expect(closing.error).to.equal(undefined);
      expect(closing.ms).to.be.below(2500);
      server = await startJongodb(server!.port);
    });
  });
});
