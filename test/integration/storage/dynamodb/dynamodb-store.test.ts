/**
 * The dynamodb backend of src/storage/dynamodb/dynamodb-store.ts (one shared table, partition key
 * `namespace`, sort key `key`) against dynalite started here: the store contract, the stored TTL
 * attribute, more than 1,000 entries (paginated Query, BatchWrite chunks of 25), the 400 KB item
 * limit, a dead endpoint (fast rejection, recovery after a restart), a missing table, and the
 * backend conformance suite through setupCache.
 * (In its own folder, beside the src folder: test/integration/storage/dynamodb-store.test.ts belongs
 * to the other DynamoDB store, src/storage/dynamodb-store.ts.)
 */
import net from 'node:net';
import { CreateTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { expect } from 'chai';
import { EntryTooLargeError, StorageOpenError } from '../../../../src/storage/errors.js';
import { DYNAMO_MAX_VALUE_SIZE, DynamoStore, openDynamoStore } from '../../../../src/storage/dynamodb/dynamodb-store.js';
import type { StoreSettings } from '../../../../src/storage/record-store.js';
import { backendConformance } from '../../../support/backend-conformance.js';
import { storeConformance } from '../../../support/store-conformance.js';
import { DYNALITE_CREDENTIALS, requireDynalite, startDynalite, type Dynalite } from '../../../support/servers/dynalite-server.js';
import { freePort } from '../../../support/servers/process.js';
import { serializerRoundTrips } from '../../../support/serializer-round-trips.js';
import { settleWithin } from '../../../support/wait.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const SETTINGS: StoreSettings = { deadlineMs: 2000, ttlOffsetMs: 3_600_000, maxEntrySize: undefined, maxEntries: undefined, maxBytes: undefined };
// The contract checks what is stored, not deadlines (those have their own tests below): dynalite
// serves the contract's 300 concurrent writes one at a time, which took over 2 s on a loaded 2-core
// machine and failed a CI run with the deadline's AbortError.
const CONTRACT_SETTINGS: StoreSettings = { ...SETTINGS, deadlineMs: 15_000 };
const TABLE = 'http_cache';
const meta = (url: string, expires: number | null = null) => ({ url, expires, createdAt: Date.now() });


async function collect(iterable: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const key of iterable) out.push(key);
  return out;
}

async function createTable(client: DynamoDBClient, TableName: string): Promise<void> {
  await client.send(
    new CreateTableCommand({
      TableName,
      AttributeDefinitions: [{ AttributeName: 'namespace', AttributeType: 'S' }, { AttributeName: 'key', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'namespace', KeyType: 'HASH' }, { AttributeName: 'key', KeyType: 'RANGE' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
}

describe('integration: dynamodb store (shared table, namespace partitions)', function () {
  this.timeout(30000);
  let server: Dynalite;
  let raw: DynamoDBClient;
  const opened: DynamoStore[] = [];
  const connection = (extra: Record<string, unknown> = {}) => ({ endpoint: server.endpoint, region: 'us-east-1', credentials: DYNALITE_CREDENTIALS, ...extra });
  const open = (cacheName: string, extra: Record<string, unknown> = {}): DynamoStore => {
    const store = new DynamoStore({ cacheName, connection: connection(extra), settings: SETTINGS, readOnly: false });
    opened.push(store);
    return store;
  };
  const rawItem = async (namespace: string, key: string, TableName = TABLE): Promise<Record<string, AttributeValue> | undefined> =>
    (await raw.send(new GetItemCommand({ TableName, Key: { namespace: { S: namespace }, key: { S: key } } }))).Item;

  before(async function () {
    requireDynalite(this);
    server = await startDynalite();
    raw = new DynamoDBClient({ endpoint: server.endpoint, region: 'us-east-1', credentials: DYNALITE_CREDENTIALS });
    await createTable(raw, TABLE);
  });
  after(async () => {
    raw?.destroy();
    await server?.stop();
  });
  afterEach(async () => {
    for (const s of opened.splice(0)) await s.close();
  });

  describe('contract (pre-created table)', () => {
    const FOREIGN = ['foreign:r', 'foreign:a', 'r', 'a'];
    storeConformance((cacheName) => openDynamoStore({ cacheName, connection: connection(), settings: CONTRACT_SETTINGS, readOnly: false }), {
      maxValueSize: DYNAMO_MAX_VALUE_SIZE,
      foreign: {
        async plant() {
          for (const namespace of FOREIGN) await raw.send(new PutItemCommand({ TableName: TABLE, Item: { namespace: { S: namespace }, key: { S: 'k' }, value: { S: 'app' } } }));
        },
        async stillThere() {
          for (const namespace of FOREIGN) if (!(await rawItem(namespace, 'k'))) return false;
          return true;
        },
      },
    });
  });

  describe('contract (table created on first use, createTable: true)', () => {
    storeConformance((cacheName) => openDynamoStore({ cacheName, connection: connection({ table: 'created_here', createTable: true }), settings: CONTRACT_SETTINGS, readOnly: false }), {
      maxValueSize: DYNAMO_MAX_VALUE_SIZE,
      manyRecords: 60,
    });
  });

  describe('items and the TTL attribute', () => {
    it('writes ttl (epoch seconds) only when a TTL is given; never-expiring items have none', async () => {
      const s = open('ttl');
      const before = Date.now();
      await s.set('responses', 'with', 'x', { ttlMs: 7_200_000, meta: meta('https://x.test/with', before + 3_600_000) });
      await s.set('responses', 'without', 'y', { meta: meta('https://x.test/without') });
      await s.set('redirects', 'alias', 'with');
      const withTtl = (await rawItem('ttl:r', 'with'))!;
      expect(Number(withTtl.ttl!.N)).to.be.within(Math.floor((before + 7_200_000) / 1000) - 2, Math.ceil((Date.now() + 7_200_000) / 1000) + 2);
      expect(withTtl.url!.S).to.equal('https://x.test/with');
      expect(Number(withTtl.expires!.N)).to.equal(before + 3_600_000);
      expect(withTtl.value!.S).to.equal('x');
      const without = (await rawItem('ttl:r', 'without'))!;
      expect(without).to.not.have.property('ttl');
      expect(without).to.not.have.property('expiresAt');
      expect(without).to.not.have.property('expires');
      expect(Number(without.createdAt!.N)).to.be.within(before, Date.now());
      expect(await rawItem('ttl:a', 'alias')).to.not.have.property('ttl');
    });

    it('stores bytes as a binary attribute and text as a string attribute', async () => {
      const s = open('types');
      await s.set('responses', 'b', Buffer.from([0, 1, 255]));
      await s.set('responses', 't', ':base64:AA==');
      expect(Buffer.from((await rawItem('types:r', 'b'))!.value!.B!)).to.deep.equal(Buffer.from([0, 1, 255]));
      expect((await rawItem('types:r', 't'))!.value!.S).to.equal(':base64:AA==');
    });

    it('treats an item past its ttl as gone (dynalite never sweeps; DynamoDB takes days)', async () => {
      const s = open('past');
      await s.set('responses', 'old', 'x', { ttlMs: -5000 });
      await s.set('responses', 'new', 'y', { ttlMs: 60000 });
      expect(await s.get('responses', 'old')).to.equal(undefined);
      expect(await collect(s.keys('responses'))).to.deep.equal(['new']);
      expect(await s.count('responses')).to.equal(1);
      await s.clear();
      expect(await rawItem('past:r', 'old')).to.equal(undefined);
    });

    it('finds keys for a URL with a query of its own partition', async () => {
      const s = open('urls');
      await s.set('responses', 'v1', 'a', { meta: meta('https://x.test/u') });
      await s.set('responses', 'v2', 'b', { meta: meta('https://x.test/u') });
      await s.set('responses', 'v3', 'c', { meta: meta('https://x.test/other') });
      expect((await s.keysForUrl('https://x.test/u')).sort()).to.deep.equal(['v1', 'v2']);
      expect(await open('urls2').keysForUrl('https://x.test/u')).to.deep.equal([]);
    });
  });

  describe('many entries', () => {
    it('counts, lists and clears 1,200 entries (paginated Query, BatchWrite chunks of 25)', async function () {
      this.timeout(120000);
      const s = open('many');
      const other = open('many2');
      await other.set('responses', 'keep', 'k');
      const value = 'v'.repeat(2000); // 1,200 x 2 KB: several 1 MB Query pages
      const keys = Array.from({ length: 1200 }, (_, i) => `key${i}`);
      for (let i = 0; i < keys.length; i += 20) await Promise.all(keys.slice(i, i + 20).map((k) => s.set('responses', k, value, { meta: meta('https://x.test/' + k) })));
      expect(await s.count('responses')).to.equal(1200);
      const listed = await collect(s.keys('responses'));
      expect(listed).to.have.length(1200);
      expect(new Set(listed)).to.deep.equal(new Set(keys));
      expect(await s.delete('responses', keys.slice(0, 60))).to.equal(60);
      expect(await s.count('responses')).to.equal(1140);
      await s.clear();
      expect(await s.count('responses')).to.equal(0);
      expect(await other.get('responses', 'keep')).to.equal('k');
    });
  });

  describe('the 400 KB item limit', () => {
    it('stores a value at its maxValueSize and refuses a larger one with a clear error', async () => {
      const s = open('big');
      expect(s.maxValueSize).to.be.below(400 * 1024).and.above(350 * 1024);
      await s.set('responses', 'fits', Buffer.alloc(s.maxValueSize, 1), { meta: meta('https://x.test/fits') });
      expect((await s.get('responses', 'fits')) as Buffer).to.have.length(s.maxValueSize);
      const error = await s.set('responses', 'over', Buffer.alloc(s.maxValueSize + 1)).then(() => undefined, (e: Error) => e);
      expect(error).to.be.instanceOf(EntryTooLargeError);
      expect(error!.message).to.match(/item limit/);
      // A value under maxValueSize with a huge URL is refused too (the whole item counts).
      const urlError = await s.set('responses', 'longurl', Buffer.alloc(s.maxValueSize - 10), { meta: meta('https://x.test/' + 'u'.repeat(20000)) }).then(() => undefined, (e: Error) => e);
      expect(urlError).to.be.instanceOf(EntryTooLargeError);
      expect(await s.get('responses', 'over')).to.equal(undefined);
    });
  });

  describe('connection forms and tables', () => {
    it('refuses an unusable connection synchronously, and never connects in the constructor', () => {
      const make = (connection: unknown) => () => openDynamoStore({ cacheName: 'c', connection, settings: SETTINGS, readOnly: false });
      expect(make({ url: 'x' })).to.throw(TypeError, /unknown key 'url'/);
      expect(make({ table: 'a:b' })).to.throw(TypeError, /table name/);
      expect(make('http://127.0.0.1:1')).to.throw(TypeError);
      expect(make({ endpoint: 'http://127.0.0.1:1' })).to.not.throw();
    });

    it('uses a ready DynamoDBClient as given and never destroys it', async () => {
      const client = new DynamoDBClient({ endpoint: server.endpoint, region: 'us-east-1', credentials: DYNALITE_CREDENTIALS });
      const s = new DynamoStore({ cacheName: 'ready', connection: client, settings: SETTINGS, readOnly: false });
      await s.set('responses', 'k', 'v');
      await s.close();
      expect((await client.send(new GetItemCommand({ TableName: TABLE, Key: { namespace: { S: 'ready:r' }, key: { S: 'k' } } }))).Item?.value?.S).to.equal('v');
      client.destroy();
    });

    it('gives a clear error for a missing table when createTable is off (no hang)', async () => {
      const s = open('missing', { table: 'no_such_table' });
      const r = await settleWithin(3000, s.get('responses', 'k'));
      expect(r.error).to.be.instanceOf(StorageOpenError);
      expect(r.error!.message).to.match(/no_such_table.*does not exist.*createTable/);
    });

    it('creates the table on first use with createTable: true, going on without UpdateTimeToLive', async () => {
      const s = open('create', { table: 'made_here', createTable: true });
      await s.set('responses', 'k', 'v', { ttlMs: 60000 });
      expect(await s.get('responses', 'k')).to.equal('v');
      expect((await rawItem('create:r', 'k', 'made_here'))!.value!.S).to.equal('v');
      expect(await open('create', { table: 'made_here', createTable: true }).get('responses', 'k')).to.equal('v');
    });
  });

  describe('dead endpoint', () => {
    it('rejects quickly on an unreachable endpoint and never hangs', async () => {
      const port = await freePort();
      const s = new DynamoStore({ cacheName: 'dead', connection: { endpoint: `http://127.0.0.1:${port}`, region: 'us-east-1', credentials: DYNALITE_CREDENTIALS }, settings: SETTINGS, readOnly: false });
      opened.push(s);
      const ops: Array<() => Promise<unknown>> = [() => s.get('responses', 'k'), () => s.set('responses', 'k', 'v'), () => s.count('responses'), () => s.clear(), () => collect(s.keys('redirects'))];
      for (const op of ops) {
        const r = await settleWithin(5000, op());
        expect(r.error, 'rejects').to.be.instanceOf(Error);
        expect(r.error!.message).to.not.match(/still pending/);
        expect(r.ms).to.be.below(1500);
      }
      expect((await settleWithin(2000, s.close())).error).to.equal(undefined);
    });

    it('ends a call to an endpoint that accepts and never answers, shortly after the deadline', async function () {
      const silent = net.createServer(() => undefined);
      await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
      const sockets = new Set<net.Socket>();
      silent.on('connection', (socket) => sockets.add(socket));
      try {
        const port = (silent.address() as net.AddressInfo).port;
        const s = new DynamoStore({ cacheName: 'silent', connection: { endpoint: `http://127.0.0.1:${port}`, region: 'us-east-1', credentials: DYNALITE_CREDENTIALS }, settings: { ...SETTINGS, deadlineMs: 1000 }, readOnly: false });
        opened.push(s);
        const r = await settleWithin(5000, s.get('responses', 'k'));
        expect(r.error).to.be.instanceOf(Error);
        expect(r.error!.message).to.not.match(/still pending/);
        expect(r.ms).to.be.below(2500);
      } finally {
        for (const socket of sockets) socket.destroy();
        silent.close();
      }
    });

    it('recovers when the server comes back on the same port', async function () {
      this.timeout(60000);
      const own = await startDynalite();
      let restarted: Dynalite | undefined;
      try {
        const s = new DynamoStore({ cacheName: 'back', connection: { endpoint: own.endpoint, region: 'us-east-1', credentials: DYNALITE_CREDENTIALS, createTable: true }, settings: SETTINGS, readOnly: false });
        opened.push(s);
        await s.set('responses', 'k', 'v');
        await own.stop();
        const down = await settleWithin(3000, s.get('responses', 'k'));
        expect(down.error).to.be.instanceOf(Error);
        expect(down.error!.message).to.not.match(/still pending/);
        restarted = await startDynalite(own.port);
        // dynalite in memory forgot the table: the first call says so, and createTable makes it again.
        await s.set('responses', 'k2', 'v2').catch(() => undefined);
        await s.set('responses', 'k2', 'v2');
        expect(await s.get('responses', 'k2')).to.equal('v2');
      } finally {
        await restarted?.stop();
        await own.stop();
      }
    });
  });
});

describe('integration: dynamodb backend (shared table) through setupCache', function () {
  this.timeout(30000);
  let server: Dynalite | undefined;
  before(async function () {
    requireDynalite(this);
    server = await startDynalite();
  });
  after(async () => server?.stop());
  backendConformance(
    (cacheName) => ({ backend: 'dynamodb', cacheName, connection: { endpoint: server!.endpoint, region: 'us-east-1', credentials: DYNALITE_CREDENTIALS, createTable: true } }),
    { maxBody: 280 * 1024 },
  );
  serializerRoundTrips(
    (serializer, cacheName) => ({ backend: 'dynamodb', serializer, cacheName, connection: { endpoint: server!.endpoint, region: 'us-east-1', credentials: DYNALITE_CREDENTIALS, createTable: true } }),
    { bigBody: 200 * 1024 },
  );
});
