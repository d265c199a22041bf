/**
 * The MongoDB backend, through the `mongodb` driver 7 directly. @keyv/mongo cannot pass the store
 * contract: its GridFS `clear()` drops the whole bucket (every cache's files, and jongodb has no
 * `drop` at all), and when the server is down its `connect` promise never settles, so every call
 * hangs (../shared/reference/infra-notes.md §4).
 *
 * Where a cache lives (one rule):
 * - by default in its own database, named after cacheName (as requests-cache's MongoCache:
 *   db = cache name, collections `responses` and `redirects`), plus a `meta` collection;
 * - when `connection` names a database (`{ url, db }` or `{ client, db }`), in that database, in
 *   collections prefixed by the escaped cacheName: `<name>.responses`, `<name>.redirects`, `<name>.meta`.
 * A database in the URL's path is only the driver's default authentication database (MongoDB
 * connection-string spec, "/defaultauthdb"); a ready MongoClient alone follows the default rule too.
 * cacheName is escaped (mongoSegment) so every name maps to a valid, distinct database or prefix.
 *
 * Documents: `{ _id: key, value: string | Binary, kind: 'text' | 'bytes', url, expires, createdAt,
 * expiresAt }`; `expiresAt` (the store-level TTL, expiry + offset, computed by CacheStorage) is only
 * present when a TTL was given, and a TTL index with `expireAfterSeconds: 0` removes the document
 * then (https://www.mongodb.com/docs/manual/core/index-ttl/). Never-expiring entries have no
 * `expiresAt`, so they are never removed. The TTL monitor runs once a minute (jongodb: never), so
 * reads also treat a passed `expiresAt` as absent, and listing a writable store first deletes such
 * records itself.
 */
import { createHash } from 'node:crypto';
import type { Collection, Db, Document, Filter, IndexSpecification, MongoClient, MongoClientOptions } from 'mongodb';
import { log } from '../debug.js';
import { EntryTooLargeError } from './errors.js';
import { importOptional } from './optional-import.js';
import { valueSize, type Bin, type OpenStoreOptions, type RecordStore, type SetOptions, type StoredValue, type StoreFactory } from './record-store.js';

export type MongoModule = typeof import('mongodb');

export const DEFAULT_MONGO_URL = 'mongodb://127.0.0.1:27017';

/**
 * A bit under MongoDB's 16 MiB BSON document limit (https://www.mongodb.com/docs/manual/reference/limits/#bson-documents),
 * leaving room for the key, the URL and the other fields.
 */
export const MONGO_MAX_VALUE_SIZE = 16 * 1024 * 1024 - 128 * 1024;

/**
 * Client defaults: a dead server must reject quickly. The driver waits 30 s for server selection
 * and has no socket timeout by default (https://www.mongodb.com/docs/drivers/node/current/connect/connection-options/),
 * so an operation on an unreachable server would outlive every deadline. The driver reconnects by
 * itself (its monitor re-checks the server, at once when an operation is waiting).
 * `options` in `connection` override these.
 */
export const MONGO_CLIENT_DEFAULTS: MongoClientOptions = {
  serverSelectionTimeoutMS: 1000,
  connectTimeoutMS: 1000,
  // A connection whose server stopped answering mid-operation ends after this (not forever).
  socketTimeoutMS: 10000,
  // A pool full of stuck operations makes new ones fail instead of queueing without end.
  waitQueueTimeoutMS: 2000,
  appName: 'axios-keyv-cache',
};

/** Records fetched per page when listing: keyset pagination on `_id`, so deleting while listing skips nothing. */
export const PAGE_SIZE = 500;

/** Database names MongoDB keeps for itself (https://www.mongodb.com/docs/manual/reference/local-database/ and siblings). */
const RESERVED_DATABASES = new Set(['admin', 'local', 'config']);

/**
 * cacheName as a database name or collection prefix, collision-free (so `a`, `A`, `a:b`, `a.b` are
 * four caches): `[a-z0-9_-]` stay, every other UTF-16 code unit becomes `%XX` (ASCII) or `%uXXXX`
 * (uppercase hex). That removes every character MongoDB forbids in a database name (`/\. "$*<>:|?`,
 * NUL) or a collection name (`$`, NUL), and the `.` we use as the prefix separator; since only
 * escapes hold uppercase letters, no two names differ only by case (MongoDB refuses a database
 * whose name differs from an existing one only by case). A result longer than `maxLength` becomes
 * its first 40 characters, `~`, and 22 hex digits of the name's SHA-256 (`~` is never left plain, so
 * a shortened name never equals an unshortened one).
 * https://www.mongodb.com/docs/manual/reference/limits/#naming-restrictions
 */
export function mongoSegment(cacheName: string, maxLength: number): string {
  let out = '';
  for (let i = 0; i < cacheName.length; i += 1) {
    const ch = cacheName[i]!;
    const code = cacheName.charCodeAt(i);
    if (/[a-z0-9_-]/.test(ch)) out += ch;
    else if (code < 0x80) out += '%' + code.toString(16).toUpperCase().padStart(2, '0');
    else out += '%u' + code.toString(16).toUpperCase().padStart(4, '0');
  }
  if (out.length <= maxLength) return out;
  return out.slice(0, 40) + '~' + createHash('sha256').update(cacheName).digest('hex').slice(0, 22);
}

/** Database names are limited to 63 bytes. */
export function mongoDatabaseName(cacheName: string): string {
  const name = mongoSegment(cacheName, 63);
  // `admin`, `local`, `config` are the server's own: escape the first letter (never escaped otherwise).
  return RESERVED_DATABASES.has(name) ? '%' + name.charCodeAt(0).toString(16).toUpperCase() + name.slice(1) : name;
}

/**
 * A collection-name prefix; a namespace (`db.collection`) is limited to 255 bytes, so 120 leaves
 * room for a 63-byte database and `.responses.chunks`. Names starting with `system.` are reserved.
 */
export function mongoCollectionPrefix(cacheName: string): string {
  const name = mongoSegment(cacheName, 120);
  return (name.startsWith('system') ? '%73' + name.slice(1) : name) + '.';
}

const INVALID_DB = /[/\\. "$*<>:|?\0]/;

export interface MongoConnectionOptions {
  /** `mongodb://` or `mongodb+srv://` URL; default mongodb://127.0.0.1:27017. */
  url?: string;
  /** A ready MongoClient, used as it is and never closed by us. */
  client?: MongoClient;
  /** The database to keep this cache in (collections then prefixed by cacheName). */
  db?: string;
  /** MongoClient options, over MONGO_CLIENT_DEFAULTS. */
  options?: MongoClientOptions;
}

interface Connection {
  url: string;
  client?: MongoClient;
  db?: string;
  options: MongoClientOptions;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

/** A MongoClient, from any copy of the driver (so not `instanceof`). */
function isClient(value: unknown): value is MongoClient {
  return isObject(value) && ['db', 'connect', 'close'].every((m) => typeof value[m] === 'function') && typeof value.startSession === 'function';
}

function invalid(backend: string, detail: string): TypeError {
  return new TypeError(`Invalid connection for the ${backend} backend: ${detail}`);
}

function checkUrl(backend: string, url: unknown): string {
  if (typeof url !== 'string' || !/^mongodb(\+srv)?:\/\//.test(url)) throw invalid(backend, 'expected a mongodb:// or mongodb+srv:// URL');
  return url;
}

/** `connection`: a URL, a ready MongoClient, or `{ url?, client?, db?, options? }`. */
export function parseMongoConnection(connection: unknown, backend: string): Connection {
  if (connection === undefined) return { url: DEFAULT_MONGO_URL, options: {} };
  if (typeof connection === 'string') return { url: checkUrl(backend, connection), options: {} };
  if (isClient(connection)) return { url: '', client: connection, options: {} };
  if (!isObject(connection)) throw invalid(backend, 'expected a mongodb:// URL, a MongoClient, or { url, client, db, options }');
  const unknown = Object.keys(connection).filter((k) => !['url', 'client', 'db', 'options'].includes(k));
  if (unknown.length > 0) throw invalid(backend, `unknown key ${unknown.map((k) => `'${k}'`).join(', ')} (expected url, client, db, options)`);
  const { url, client, db, options } = connection;
  if (url !== undefined && client !== undefined) throw invalid(backend, 'give url or client, not both');
  if (client !== undefined && !isClient(client)) throw invalid(backend, 'client is not a MongoClient');
  if (client !== undefined && options !== undefined) throw invalid(backend, 'options apply to a client we create; a ready client keeps its own');
  if (options !== undefined && !isObject(options)) throw invalid(backend, 'options must be MongoClient options');
  if (db !== undefined && (typeof db !== 'string' || db === '' || Buffer.byteLength(db) > 63 || INVALID_DB.test(db))) {
    throw invalid(backend, `db ${JSON.stringify(db)} is not a valid MongoDB database name (1 to 63 bytes, none of /\\. "$*<>:|?)`);
  }
  return {
    url: url === undefined ? (client ? '' : DEFAULT_MONGO_URL) : checkUrl(backend, url),
    client: client as MongoClient | undefined,
    db: db as string | undefined,
    options: (options as MongoClientOptions | undefined) ?? {},
  };
}

/** A document of the `responses` or `redirects` collection. */
export interface RecordDoc {
  _id: string;
  value: string | Uint8Array;
  kind: 'text' | 'bytes';
  url?: string;
  expires?: Date | null;
  createdAt: Date;
  expiresAt?: Date;
}

interface MetaDoc {
  _id: string;
  value: string;
}

/** Bytes as a Buffer (the driver gives a Buffer with promoteBuffers, else a bson Binary). */
export function asBuffer(value: unknown): Buffer | undefined {
  if (Buffer.isBuffer(value)) return value;
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  if (isObject(value) && value._bsontype === 'Binary' && typeof value.value === 'function') return Buffer.from((value.value as () => Uint8Array)());
  return undefined;
}

/** `{ expiresAt: { $not: { $lte: now } } }`: records whose store-level TTL has not passed (or that have none). */
export function liveFilter<T extends Document>(field: string): Filter<T> {
  return { [field]: { $not: { $lte: new Date() } } } as Filter<T>;
}

const NETWORK_ERRORS = new Set(['MongoNetworkError', 'MongoNetworkTimeoutError', 'MongoServerSelectionError', 'MongoTopologyClosedError', 'MongoPoolClearedError']);

/** [collection, keys, options] of an index this store wants. */
export type IndexWanted = [string, IndexSpecification, { expireAfterSeconds?: number; unique?: boolean }];

export class MongoStore implements RecordStore {
  readonly description: string;
  readonly maxValueSize: number | undefined = MONGO_MAX_VALUE_SIZE;
  /** The database this cache lives in. */
  readonly database: string;
  /** '' in a database of its own, else `<escaped cacheName>.`. */
  readonly prefix: string;
  protected readonly connection: Connection;
  protected mongo?: MongoModule;
  private client?: MongoClient;
  private handle?: Promise<Db>;
  private indexes?: Promise<void>;
  private closed = false;

  constructor(
    protected readonly options: OpenStoreOptions,
    private readonly backend = 'mongodb',
  ) {
    this.connection = parseMongoConnection(options.connection, backend);
    this.database = this.connection.db ?? mongoDatabaseName(options.cacheName);
    this.prefix = this.connection.db === undefined ? '' : mongoCollectionPrefix(options.cacheName);
    // No URL here: it may hold a password.
    this.description = `${backend} ${this.database}${this.prefix ? ` (collections ${this.prefix}*)` : ''}`;
  }

  /** The collection name of a bin or of `meta`. */
  protected name(what: Bin | 'meta'): string {
    return this.prefix + what;
  }

  /**
   * The database, connecting on first use. A failed connect is forgotten, so the next call tries
   * again: a MongoClient whose first automatic connect failed stays closed for good ("Topology is
   * closed", measured with driver 7.9), while an explicit `connect()` may be retried. Once
   * connected, the driver itself reconnects after the server went away.
   */
  protected db(): Promise<Db> {
    if (this.closed) return Promise.reject(new Error(`${this.description}: the store is closed`));
    this.handle ??= this.connect().catch((error: unknown) => {
      this.handle = undefined;
      throw error;
    });
    return this.handle;
  }

  private async connect(): Promise<Db> {
    this.mongo ??= await importOptional<MongoModule>('mongodb', 'mongodb@7', this.backend);
    if (this.closed) throw new Error(`${this.description}: the store is closed`);
    const { url, client, options } = this.connection;
    this.client ??= client ?? new this.mongo.MongoClient(url, { ...MONGO_CLIENT_DEFAULTS, ...options });
    await this.client.connect();
    return this.client.db(this.database);
  }

  protected async collection<T extends Document = RecordDoc>(what: Bin | 'meta' | string): Promise<Collection<T>> {
    return (await this.db()).collection<T>(what === 'responses' || what === 'redirects' || what === 'meta' ? this.name(what) : what);
  }

  /** The indexes a writer creates once: the URL index, and TTL indexes on both bins. */
  protected wantedIndexes(): IndexWanted[] {
    return [
      [this.name('responses'), { url: 1 }, {}],
      [this.name('responses'), { expiresAt: 1 }, { expireAfterSeconds: 0 }],
      [this.name('redirects'), { expiresAt: 1 }, { expireAfterSeconds: 0 }],
    ];
  }

  /**
   * Creates the indexes before the first write. A user without the createIndex privilege (or a
   * conflicting index of the same name) must not break the cache: logged, and the store goes on
   * without (listing still deletes records past their TTL). A network failure is tried again next write.
   */
  private ensureIndexes(db: Db): Promise<void> {
    this.indexes ??= (async () => {
      for (const [collection, keys, options] of this.wantedIndexes()) {
        try {
          await db.collection(collection).createIndex(keys, options);
        } catch (error) {
          if (NETWORK_ERRORS.has((error as Error)?.name)) {
            this.indexes = undefined;
            return;
          }
          log('%s: cannot create index %o on %s; going on without it: %O', this.description, keys, collection, error);
        }
      }
    })();
    return this.indexes;
  }

  /** A collection to write to; refuses in readOnly mode, creates the indexes on first use. */
  protected async writable<T extends Document = RecordDoc>(what: Bin | 'meta' | string): Promise<Collection<T>> {
    if (this.options.readOnly) throw new Error(`${this.description} was opened read-only`);
    const db = await this.db();
    await this.ensureIndexes(db);
    return this.collection<T>(what);
  }

  protected checkSize(value: StoredValue): void {
    const size = valueSize(value);
    if (this.maxValueSize !== undefined && size > this.maxValueSize) {
      throw new EntryTooLargeError(`${this.description}: a ${size}-byte value is over the ${this.maxValueSize}-byte limit (MongoDB documents are at most 16 MiB); use the gridfs backend for larger bodies`);
    }
  }

  async get(bin: Bin, key: string): Promise<StoredValue | undefined> {
    const doc = await (await this.collection(bin)).findOne({ _id: key }, { promoteBuffers: true });
    if (!doc || (doc.expiresAt instanceof Date && doc.expiresAt.getTime() <= Date.now())) return undefined;
    if (doc.kind === 'bytes') return asBuffer(doc.value) ?? Buffer.alloc(0);
    return typeof doc.value === 'string' ? doc.value : undefined;
  }

  async set(bin: Bin, key: string, value: StoredValue, options: SetOptions = {}): Promise<void> {
    this.checkSize(value);
    const { ttlMs, meta } = options;
    const now = Date.now();
    const doc: Omit<RecordDoc, '_id'> = {
      value: typeof value === 'string' ? value : asBuffer(value)!,
      kind: typeof value === 'string' ? 'text' : 'bytes',
      ...(meta ? { url: meta.url, expires: meta.expires === null ? null : new Date(meta.expires) } : {}),
      createdAt: new Date(meta?.createdAt ?? now),
      ...(ttlMs === undefined ? {} : { expiresAt: new Date(now + ttlMs) }),
    };
    // A replacement, so an overwrite without TTL drops an older expiresAt.
    await (await this.writable(bin)).replaceOne({ _id: key }, doc, { upsert: true });
  }

  async delete(bin: Bin, keys: readonly string[]): Promise<number> {
    if (keys.length === 0) return 0;
    const collection = await this.writable(bin);
    let deleted = 0;
    for (let i = 0; i < keys.length; i += PAGE_SIZE) {
      deleted += (await collection.deleteMany({ _id: { $in: keys.slice(i, i + PAGE_SIZE) } })).deletedCount;
    }
    return deleted;
  }

  /** Deletes records whose store-level TTL passed, when the server's TTL monitor has not yet (or cannot). */
  protected async sweep(bin: Bin): Promise<void> {
    if (this.options.readOnly) return;
    await (await this.writable(bin)).deleteMany({ expiresAt: { $lte: new Date() } });
  }

  async *keys(bin: Bin): AsyncGenerator<string> {
    await this.sweep(bin);
    const collection = await this.collection(bin);
    let after: string | undefined;
    for (;;) {
      const live = liveFilter<RecordDoc>('expiresAt');
      const filter: Filter<RecordDoc> = after === undefined ? live : { $and: [live, { _id: { $gt: after } }] };
      const page = await collection.find(filter, { projection: { _id: 1 } }).sort({ _id: 1 }).limit(PAGE_SIZE).toArray();
      for (const doc of page) yield doc._id;
      if (page.length < PAGE_SIZE) return;
      after = page[page.length - 1]!._id;
    }
  }

  async count(bin: Bin): Promise<number> {
    await this.sweep(bin);
    return (await this.collection(bin)).countDocuments(liveFilter<RecordDoc>('expiresAt'));
  }

  async keysForUrl(url: string): Promise<string[]> {
    const docs = await (await this.collection('responses')).find({ $and: [{ url }, liveFilter<RecordDoc>('expiresAt')] }, { projection: { _id: 1 } }).toArray();
    return docs.map((doc) => doc._id);
  }

  /** deleteMany on our two bins; never `drop`/`dropDatabase` (jongodb has neither; the database may hold other data). */
  async clear(): Promise<void> {
    for (const bin of ['responses', 'redirects'] as const) await (await this.writable(bin)).deleteMany({});
  }

  async getMeta(name: string): Promise<string | undefined> {
    const doc = await (await this.collection<MetaDoc>('meta')).findOne({ _id: name });
    return typeof doc?.value === 'string' ? doc.value : undefined;
  }

  async setMeta(name: string, value: string): Promise<void> {
    await (await this.writable<MetaDoc>('meta')).replaceOne({ _id: name }, { value }, { upsert: true });
  }

  /** Ends our own client (never a client the user passed in), within 2 s whatever the server does. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const client = this.client;
    this.handle = undefined;
    if (!client || client === this.connection.client) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      client.close().catch((error: unknown) => log('%s: close failed: %O', this.description, error)),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, 2000);
        timer.unref();
      }),
    ]);
    clearTimeout(timer);
  }
}

export const openMongoStore: StoreFactory = (options) => new MongoStore(options);
