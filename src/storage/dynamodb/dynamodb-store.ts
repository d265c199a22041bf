/**
 * The DynamoDB backend, through @aws-sdk/client-dynamodb v3 directly. @keyv/dynamo 1.2.4 cannot
 * serve as the store (../shared/reference/infra-notes.md §3): it has no iterator (nothing to list or
 * count with), it writes `expiresAt = now + 6 h` on items without a TTL (so never-expiring entries
 * would vanish after 6 h on real DynamoDB, which dynalite never shows since it never sweeps), and its
 * `clear()` puts every key into one BatchWriteItem, which fails above 25 items (the error is
 * swallowed, so nothing is deleted), after a single unpaginated Scan that also matches `axios2`
 * for `axios`.
 *
 * Layout (one rule): every cache lives in ONE table, `connection.table` (default 'http_cache'),
 * with partition key `namespace` (S) and sort key `key` (S). The namespace is
 * `<nameSegment(cacheName)>:<r|a|m>` (responses, redirect aliases, meta records), so listing one
 * cache's bin is a Query on one partition, not a Scan, and caches never see each other: `a` and
 * `a:b` are `a:r` and `a%3Ab:r`, exact partition values, never prefixes. requests-cache uses the
 * cache name as the table name; we do not, because DynamoDB table names allow only `[a-zA-Z0-9_.-]`
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html)
 * and a table per cache would need CreateTable rights for every new cacheName.
 *
 * Items: `{ namespace, key, value (S for text, B for bytes), url, expires (N, ms; absent: never),
 * createdAt (N, ms), ttl (N, epoch seconds) }`. `ttl` is the store-level TTL (expiry + offset, from
 * CacheStorage) and is written ONLY when a TTL was given: never-expiring entries have no `ttl`, so
 * DynamoDB's TTL sweeper never deletes them. DynamoDB deletes expired items lazily, "typically
 * within a few days" (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/howitworks-ttl.html),
 * and dynalite never does, so reads, listing and counting treat a passed `ttl` as absent.
 *
 * The table is created only when `connection.createTable` is true (production roles often lack
 * CreateTable/UpdateTimeToLive). Enabling TTL on attribute `ttl` is attempted after creation; when it
 * is denied or unknown (dynalite has no UpdateTimeToLive) that is logged and the store goes on.
 */
import type { AttributeValue, DynamoDBClient, DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { log } from '../../debug.js';
import { EntryTooLargeError, StorageOpenError } from '../errors.js';
import { importOptional } from '../optional-import.js';
import { nameSegment, valueSize, type Bin, type OpenStoreOptions, type RecordStore, type SetOptions, type StoredValue, type StoreFactory } from '../record-store.js';

type DynamoModule = typeof import('@aws-sdk/client-dynamodb');
type Item = Record<string, AttributeValue>;

export const DEFAULT_DYNAMO_TABLE = 'http_cache';
/** The attribute DynamoDB's TTL is enabled on (epoch seconds). */
export const DYNAMO_TTL_ATTRIBUTE = 'ttl';

/** DynamoDB's item size limit, attribute names included (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html#limits-items). */
export const DYNAMO_ITEM_LIMIT = 400 * 1024;
/**
 * The largest value we accept: the item limit less room for the other attributes (names, namespace,
 * key, a URL of up to ~14 KB, numbers). `set` also checks the real item size.
 */
export const DYNAMO_MAX_VALUE_SIZE = DYNAMO_ITEM_LIMIT - 16 * 1024;
/** Sort key values are limited to 1024 bytes (same page as the item limit). */
const MAX_SORT_KEY = 1024;
/** BatchWriteItem takes at most 25 requests (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchWriteItem.html). */
const BATCH = 25;
const BATCH_RETRIES = 8;

const BIN_NS: Record<Bin | 'meta', string> = { responses: 'r', redirects: 'a', meta: 'm' };

export interface DynamoConnectionOptions {
  /** e.g. http://127.0.0.1:8000 for dynalite or DynamoDB Local; default: the region's AWS endpoint. */
  endpoint?: string;
  region?: string;
  credentials?: DynamoDBClientConfig['credentials'];
  /** The one table every cache shares; default 'http_cache'. */
  table?: string;
  /** Create the table (and try to enable TTL) on first use when it does not exist. Default false. */
  createTable?: boolean;
  /** A ready client (not destroyed by close()). */
  client?: DynamoDBClient;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
const isClient = (v: unknown): v is DynamoDBClient => isObject(v) && typeof v.send === 'function' && typeof v.destroy === 'function' && 'config' in v;
const KNOWN = new Set(['endpoint', 'region', 'credentials', 'table', 'createTable', 'client']);
const errName = (error: unknown): string => (error as { name?: string })?.name ?? '';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class DynamoStore implements RecordStore {
  readonly description: string;
  readonly maxValueSize = DYNAMO_MAX_VALUE_SIZE;
  readonly table: string;
  private readonly segment: string;
  private readonly options: DynamoConnectionOptions;
  private readonly ownClient: boolean;
  private client?: Promise<{ sdk: DynamoModule; client: DynamoDBClient }>;
  private tableReady?: Promise<void>;
  private closed = false;
  private readonly callTimeoutMs: number;

  constructor(opts: OpenStoreOptions) {
    const c = opts.connection;
    if (c === undefined) this.options = {};
    else if (isClient(c)) this.options = { client: c };
    else if (isObject(c)) {
      for (const k of Object.keys(c)) if (!KNOWN.has(k)) throw new TypeError(`Invalid dynamodb connection: unknown key '${k}' (expected ${[...KNOWN].join(', ')})`);
      if (c.client !== undefined && !isClient(c.client)) throw new TypeError('Invalid dynamodb connection: client is not a DynamoDBClient');
      if (c.table !== undefined && (typeof c.table !== 'string' || !/^[a-zA-Z0-9_.-]{3,255}$/.test(c.table))) throw new TypeError(`Invalid dynamodb connection: table ${String(c.table)} is not a valid DynamoDB table name`);
      this.options = c as DynamoConnectionOptions;
    } else throw new TypeError('Invalid dynamodb connection: expected { endpoint?, region?, credentials?, table?, createTable?, client? } or a DynamoDBClient');
    this.ownClient = this.options.client === undefined;
    this.table = this.options.table ?? DEFAULT_DYNAMO_TABLE;
    this.segment = nameSegment(opts.cacheName);
    this.callTimeoutMs = opts.settings.deadlineMs + 500;
    this.description = `dynamodb ${this.table} (namespace ${this.segment}:*)`;
  }

  /** The partition key value of one bin of this cache. */
  namespace(bin: Bin | 'meta'): string {
    return `${this.segment}:${BIN_NS[bin]}`;
  }

  private connect(): Promise<{ sdk: DynamoModule; client: DynamoDBClient }> {
    if (this.closed) return Promise.reject(new Error(`${this.description} is closed`));
    this.client ??= importOptional<DynamoModule>('@aws-sdk/client-dynamodb', '@aws-sdk/client-dynamodb@3', 'dynamodb').then((sdk) => {
      const o = this.options;
      const client =
        o.client ??
        new sdk.DynamoDBClient({
          ...(o.endpoint ? { endpoint: o.endpoint } : {}),
          region: o.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1',
          ...(o.credentials ? { credentials: o.credentials } : {}),
          // The SDK retries 3 times with backoff and has no request timeout by default
          // (https://docs.aws.amazon.com/sdk-for-javascript/v3/developer-guide/node-configuring-maxsockets.html,
          // @smithy/node-http-handler options): a dead endpoint must reject quickly instead.
          // The connect timeout is the cache's deadline, not less: a loaded machine with many
          // requests in flight waits for sockets (measured: 1 s timed out 300 parallel writes on 2
          // cores); a refused connection fails at once anyway, a hung one at the deadline.
          maxAttempts: 2,
          requestHandler: { connectionTimeout: this.callTimeoutMs - 500, requestTimeout: this.callTimeoutMs - 500 },
        });
      return { sdk, client };
    });
    return this.client;
  }

  /** Sends one command, after the table is known to exist (or creation was attempted). */
  private async send<T>(build: (sdk: DynamoModule) => unknown): Promise<T> {
    const { sdk, client } = await this.connect();
    await this.ensureTable(sdk, client);
    try {
      // The whole call, retries included, ends a little after the cache's deadline (CacheStorage
      // gives up then anyway), so a server that accepts and never answers frees its socket.
      return (await client.send(build(sdk) as never, { abortSignal: AbortSignal.timeout(this.callTimeoutMs) })) as T;
    } catch (error) {
      if (errName(error) === 'ResourceNotFoundException') {
        // With createTable, a table deleted behind us (or a restarted dynalite) is made again next time.
        this.tableReady = undefined;
        throw new StorageOpenError(`DynamoDB table '${this.table}' does not exist: create it (partition key 'namespace' S, sort key 'key' S) or pass connection.createTable: true`, { cause: error });
      }
      throw error;
    }
  }

  private ensureTable(sdk: DynamoModule, client: DynamoDBClient): Promise<void> {
    if (!this.options.createTable) return Promise.resolve();
    this.tableReady ??= this.createTable(sdk, client).catch((error) => {
      this.tableReady = undefined; // a dead server at first use: try again next time
      throw error;
    });
    return this.tableReady;
  }

  private async createTable(sdk: DynamoModule, client: DynamoDBClient): Promise<void> {
    const TableName = this.table;
    try {
      const d = await client.send(new sdk.DescribeTableCommand({ TableName }));
      if (d.Table?.TableStatus === 'ACTIVE') return;
    } catch (error) {
      if (errName(error) !== 'ResourceNotFoundException') throw error;
      try {
        await client.send(
          new sdk.CreateTableCommand({
            TableName,
            AttributeDefinitions: [{ AttributeName: 'namespace', AttributeType: 'S' }, { AttributeName: 'key', AttributeType: 'S' }],
            KeySchema: [{ AttributeName: 'namespace', KeyType: 'HASH' }, { AttributeName: 'key', KeyType: 'RANGE' }],
            BillingMode: 'PAY_PER_REQUEST',
          }),
        );
      } catch (createError) {
        // Another process created it meanwhile (ResourceInUse) or we may not: go on, operations say why.
        log('dynamodb CreateTable %s failed, continuing: %O', TableName, createError);
        if (errName(createError) !== 'ResourceInUseException') return;
      }
    }
    // A new table is CREATING for a few seconds on AWS (dynalite with --createTableMs 0: at once).
    for (let i = 0; i < 60; i += 1) {
      const d = await client.send(new sdk.DescribeTableCommand({ TableName }));
      if (d.Table?.TableStatus === 'ACTIVE') break;
      await sleep(500);
    }
    try {
      await client.send(new sdk.UpdateTimeToLiveCommand({ TableName, TimeToLiveSpecification: { AttributeName: DYNAMO_TTL_ATTRIBUTE, Enabled: true } }));
    } catch (error) {
      // Denied to the role, or unknown (dynalite has no UpdateTimeToLive, infra-notes §3): our reads ignore expired items anyway.
      log('dynamodb UpdateTimeToLive on %s failed, continuing without native expiry: %O', TableName, error);
    }
  }

  private live = (item: Item | undefined, now = Date.now() / 1000): boolean => {
    const ttl = item?.[DYNAMO_TTL_ATTRIBUTE]?.N;
    return item !== undefined && (ttl === undefined || Number(ttl) > now);
  };

  async get(bin: Bin, key: string): Promise<StoredValue | undefined> {
    return this.read(this.namespace(bin), key);
  }

  private async read(namespace: string, key: string): Promise<StoredValue | undefined> {
    const out = await this.send<{ Item?: Item }>((sdk) => new sdk.GetItemCommand({ TableName: this.table, Key: { namespace: { S: namespace }, key: { S: key } }, ConsistentRead: true }));
    if (!this.live(out.Item)) return undefined;
    const v = out.Item!.value;
    if (v?.B !== undefined) return Buffer.from(v.B.buffer, v.B.byteOffset, v.B.byteLength);
    return v?.S ?? '';
  }

  async set(bin: Bin, key: string, value: StoredValue, options: SetOptions = {}): Promise<void> {
    await this.write(this.namespace(bin), key, value, options);
  }

  private async write(namespace: string, key: string, value: StoredValue, options: SetOptions): Promise<void> {
    if (Buffer.byteLength(key) > MAX_SORT_KEY) throw new Error(`key ${key.slice(0, 40)}… is over DynamoDB's ${MAX_SORT_KEY}-byte sort key limit`);
    const item: Item = { namespace: { S: namespace }, key: { S: key }, value: typeof value === 'string' ? { S: value } : { B: value } };
    const { meta, ttlMs } = options;
    if (meta) {
      item.url = { S: meta.url };
      item.createdAt = { N: String(meta.createdAt) };
      if (meta.expires !== null) item.expires = { N: String(meta.expires) };
    }
    if (ttlMs !== undefined) item[DYNAMO_TTL_ATTRIBUTE] = { N: String(Math.ceil((Date.now() + ttlMs) / 1000)) };
    const size = itemSize(item);
    if (valueSize(value) > this.maxValueSize || size > DYNAMO_ITEM_LIMIT) {
      throw new EntryTooLargeError(`${key} is ${size} bytes as a DynamoDB item, over the ${DYNAMO_ITEM_LIMIT}-byte item limit (value limit ${this.maxValueSize}); not cached`);
    }
    await this.send((sdk) => new sdk.PutItemCommand({ TableName: this.table, Item: item }));
  }

  /** Every item of one partition, paginated by LastEvaluatedKey (1 MB pages). */
  private async *query(namespace: string, projection: string, filter?: { expr: string; values: Item }): AsyncGenerator<Item> {
    let start: Item | undefined;
    do {
      const page = await this.send<{ Items?: Item[]; LastEvaluatedKey?: Item }>((sdk) =>
        new sdk.QueryCommand({
          TableName: this.table,
          KeyConditionExpression: '#ns = :ns',
          ...(filter ? { FilterExpression: filter.expr } : {}),
          ProjectionExpression: projection,
          // DynamoDB refuses names an expression does not use, so only those used are sent.
          ExpressionAttributeNames: usedNames(`#ns ${projection} ${filter?.expr ?? ''}`),
          ExpressionAttributeValues: { ':ns': { S: namespace }, ...filter?.values },
          ExclusiveStartKey: start,
        }),
      );
      for (const item of page.Items ?? []) yield item;
      start = page.LastEvaluatedKey;
    } while (start);
  }

  private async *liveKeys(namespace: string): AsyncGenerator<string> {
    const now = Date.now() / 1000;
    for await (const item of this.query(namespace, '#k, #t')) if (this.live(item, now)) yield item.key!.S!;
  }

  keys(bin: Bin): AsyncIterable<string> {
    return this.liveKeys(this.namespace(bin));
  }

  async count(bin: Bin): Promise<number> {
    let n = 0;
    for await (const _ of this.liveKeys(this.namespace(bin))) n += 1;
    return n;
  }

  /** A Query of this cache's responses partition filtered on `url`: reads keys only, not bodies. */
  async keysForUrl(url: string): Promise<string[]> {
    const now = Date.now() / 1000;
    const out: string[] = [];
    for await (const item of this.query(this.namespace('responses'), '#k, #t', { expr: '#u = :u', values: { ':u': { S: url } } })) {
      if (this.live(item, now)) out.push(item.key!.S!);
    }
    return out;
  }

  async delete(bin: Bin, keys: readonly string[]): Promise<number> {
    if (keys.length === 0) return 0;
    const namespace = this.namespace(bin);
    // The count is of keys that existed (and were live): each is checked with a GetItem projecting
    // only `ttl` (deletes are usually few; BatchGetItem, 100 keys a call, would be the next step).
    let existed = 0;
    const present: string[] = [];
    for (const key of new Set(keys)) {
      const out = await this.send<{ Item?: Item }>((sdk) => new sdk.GetItemCommand({ TableName: this.table, Key: { namespace: { S: namespace }, key: { S: key } }, ProjectionExpression: '#t', ExpressionAttributeNames: { '#t': DYNAMO_TTL_ATTRIBUTE }, ConsistentRead: true }));
      if (out.Item === undefined) continue;
      present.push(key);
      if (this.live(out.Item)) existed += 1;
    }
    await this.batchDelete(present.map((key) => ({ namespace: { S: namespace }, key: { S: key } })));
    return existed;
  }

  /** BatchWriteItem in chunks of 25, retrying UnprocessedItems with bounded backoff. */
  private async batchDelete(keys: Item[]): Promise<void> {
    for (let i = 0; i < keys.length; i += BATCH) {
      let requests = keys.slice(i, i + BATCH).map((Key) => ({ DeleteRequest: { Key } }));
      for (let attempt = 0; requests.length > 0; attempt += 1) {
        if (attempt > BATCH_RETRIES) throw new Error(`DynamoDB left ${requests.length} deletes unprocessed after ${BATCH_RETRIES} retries (throttled)`);
        if (attempt > 0) await sleep(Math.min(1000, 50 * 2 ** attempt));
        const out = await this.send<{ UnprocessedItems?: Record<string, Array<{ DeleteRequest?: { Key?: Item } }>> }>((sdk) => new sdk.BatchWriteItemCommand({ RequestItems: { [this.table]: requests } }));
        requests = (out.UnprocessedItems?.[this.table] ?? []).filter((r) => r.DeleteRequest?.Key).map((r) => ({ DeleteRequest: { Key: r.DeleteRequest!.Key! } }));
      }
    }
  }

  async clear(): Promise<void> {
    for (const bin of ['responses', 'redirects', 'meta'] as const) {
      const namespace = this.namespace(bin);
      // Collect first, then delete: every item of the partition, expired ones too.
      const keys: Item[] = [];
      for await (const item of this.query(namespace, '#k')) keys.push({ namespace: { S: namespace }, key: item.key! });
      await this.batchDelete(keys);
    }
  }

  async getMeta(name: string): Promise<string | undefined> {
    const v = await this.read(this.namespace('meta'), name);
    return v === undefined ? undefined : typeof v === 'string' ? v : Buffer.from(v).toString();
  }

  async setMeta(name: string, value: string): Promise<void> {
    await this.write(this.namespace('meta'), name, value, {});
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const pending = this.client;
    this.client = undefined;
    if (!pending || !this.ownClient) return;
    const { client } = await pending.catch(() => ({ client: undefined }));
    client?.destroy();
  }
}

const NAMES: Record<string, string> = { '#ns': 'namespace', '#k': 'key', '#t': DYNAMO_TTL_ATTRIBUTE, '#u': 'url' };
const usedNames = (expressions: string): Record<string, string> => Object.fromEntries(Object.entries(NAMES).filter(([n]) => new RegExp(`${n}\\b`).test(expressions)));

/** An item's size as DynamoDB counts it: attribute name bytes plus value bytes (numbers: ~digits/2 + 1). */
function itemSize(item: Item): number {
  let size = 0;
  for (const [name, v] of Object.entries(item)) {
    size += Buffer.byteLength(name);
    if (v.S !== undefined) size += Buffer.byteLength(v.S);
    else if (v.B !== undefined) size += v.B.byteLength;
    else if (v.N !== undefined) size += Math.ceil(v.N.length / 2) + 1;
  }
  return size;
}

export const openDynamoStore: StoreFactory = (options) => new DynamoStore(options);
