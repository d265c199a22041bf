/**
 * Building the Keyv instance behind a cache from the `backend`, `cacheName` and `serializer` options.
 */
import { accessSync, chmodSync, constants as fsConstants, mkdirSync, statSync } from 'node:fs';
import { dirname, extname, resolve } from 'node:path';
import { inspect } from 'node:util';
import { Keyv, type KeyvStoreAdapter } from 'keyv';
import { resolveSerializer } from '../serializers/registry.js';
import type { StorageErrorHook } from '../types.js';
import { CacheStorage, liveEntrySize, type EntryCodec } from './cache-storage.js';
import { EntryCipher } from './entry-encryption.js';
import { EntrySigner, parseSecretKeys } from './entry-signing.js';
import { storageErrorReporter } from './errors.js';
import { KeyvStore, transportKeyv } from './keyv-store.js';
import { MemoryStore } from './memory-store.js';
import { openDynamoStore } from './dynamodb/dynamodb-store.js';
import { openFilesystemStore } from './filesystem-store.js';
import { openGridfsStore } from './gridfs-store.js';
import { openMongoStore } from './mongo-store.js';
import { parseRedisClientCache } from './redis/client-cache.js';
import { openRedisStore, RedisStore } from './redis/redis-store.js';
import { nameSegment, type OpenStoreOptions, type RecordStore, type StoreFactory } from './record-store.js';
import { checkSqlitePath } from './sqlite/sqlite-path.js';
import { SqliteStore } from './sqlite/sqlite-store.js';
import { nodeSqliteModule } from './sqlite/node-sqlite-driver.js';
import type { SqliteDriverName } from './sqlite/driver.js';
import { parseStoreSettings } from './store-settings.js';

export const DEFAULT_CACHE_NAME = 'http_cache';
/** Options of `setupCache` that the storage reads (validated here, at setup). */
export interface StorageOptions {
  cacheName?: unknown;
  backend?: unknown;
  connection?: unknown;
  serializer?: unknown;
  /** Validated by parseSettings before storage is built. */
  readOnly?: unknown;
  onStorageError?: unknown;
  throwOnStorageError?: unknown;
  storageTimeout?: unknown;
  ttlOffset?: unknown;
  maxEntries?: unknown;
  maxBytes?: unknown;
  maxEntrySize?: unknown;
  sqliteDriver?: unknown;
  fastSave?: unknown;
  redisClientCache?: unknown;
  secretKey?: unknown;
  encryptionKey?: unknown;
}

const show = (value: unknown): string => inspect(value, { depth: 1, breakLength: Infinity });


/** `<cacheName>.sqlite` unless the name already has an extension (docs/behaviour.md §7 `db_path`). */
export function sqlitePath(cacheName: string): string {
  return resolve(extname(cacheName) ? cacheName : `${cacheName}.sqlite`);
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

/**
 * A Keyv 5 instance, possibly from another copy of the package (so `instanceof` fails). Store
 * adapters have `get`/`set`/`opts`/`namespace` too, so duck typing on methods mistakes them for a
 * Keyv; what only a Keyv has is a `store` that is the same object as its `opts.store`, itself a Map
 * or an adapter.
 */
function isKeyv(value: unknown): value is Keyv {
  if (value instanceof Keyv) return true;
  if (!isObject(value) || !isObject(value.opts) || typeof value.get !== 'function') return false;
  const store = value.store as unknown;
  return store !== undefined && store === value.opts.store && (store instanceof Map || (isObject(store) && typeof store.get === 'function'));
}

/**
 * A Keyv 6 instance: it has a `serialization` adapter and `hooks` where Keyv 5 has `opts.serialize`,
 * and no `opts` at all. Its API differs (no `opts`, another iterator and hook contract), so it is
 * refused rather than half working.
 */
function isKeyv6(value: unknown): boolean {
  return isObject(value) && !(value instanceof Keyv) && 'serialization' in value && 'hooks' in value && !isObject(value.opts) && typeof value.get === 'function';
}

/**
 * Creates the folders above a SQLite file one level at a time. `mkdirSync(…, { recursive: true })`
 * never returns on some pseudo filesystems (Node 20 retries forever when /proc answers ENOENT for a
 * folder whose parent exists), so each level is created once and any failure is final.
 */
function makeFolders(folder: string, cacheName: unknown): void {
  const missing: string[] = [];
  let dir = folder;
  for (;;) {
    try {
      if (!statSync(dir).isDirectory()) {
        throw new TypeError(`Invalid cacheName: ${show(cacheName)} (${dir} is not a folder)`);
      }
      break;
    } catch (error) {
      if (error instanceof TypeError) throw error;
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT') throw new TypeError(`Invalid cacheName: ${show(cacheName)} (cannot use the folder ${dir}: ${(error as Error).message})`);
    }
    missing.unshift(dir);
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  for (const level of missing) {
    try {
      mkdirSync(level);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw new TypeError(`Invalid cacheName: ${show(cacheName)} (cannot create the folder ${level}: ${(error as Error).message})`);
    }
    // Private to the user: cached responses are other people's data (issue: cache files 0600/0700).
    try {
      chmodSync(level, 0o700);
    } catch {
      // a folder another process created meanwhile: leave its mode alone
    }
  }
}

/**
 * Refuses a SQLite file, or the folder it would be created in, that this process cannot write: SQLite
 * itself would open it and then fail every write. (As root this check always passes; a write that
 * fails later is reported through `onStorageError`.)
 */
function checkWritable(path: string, cacheName: unknown): void {
  for (const target of [path, dirname(path)]) {
    try {
      accessSync(target, fsConstants.W_OK);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue; // the file is created on first use
      // SQLite writes its journal beside the file, so the folder must be writable too.
      throw new TypeError(`Invalid cacheName: ${show(cacheName)} (${target} is not writable: ${(error as Error).message}); use readOnly: true to only read an existing cache`);
    }
  }
}

function isStoreAdapter(value: unknown): value is KeyvStoreAdapter {
  const v = value as KeyvStoreAdapter;
  return typeof v === 'object' && v !== null && ['get', 'set', 'delete', 'clear'].every((m) => typeof (v as unknown as Record<string, unknown>)[m] === 'function');
}

/** SQLite file of a cache: folders created private, the file checked, the driver chosen. */
function openSqlite(options: OpenStoreOptions & { driver: unknown; fastSave: boolean }): RecordStore {
  const { cacheName, readOnly } = options;
  const path = sqlitePath(cacheName);
  makeFolders(dirname(path), cacheName);
  checkSqlitePath(path, cacheName);
  if (!readOnly) checkWritable(path, cacheName);
  return new SqliteStore({ path, readOnly, settings: options.settings, driver: sqliteDriver(options.driver), fastSave: options.fastSave });
}

function sqliteDriver(option: unknown): SqliteDriverName | undefined {
  if (option === undefined || option === 'auto') return undefined;
  if (option === 'sqlite3') return 'sqlite3';
  // Whether the package is installed and loads is known only at open (an import): a failure there
  // is a StorageOpenError naming this option and how to install (better-sqlite3-driver.ts).
  if (option === 'better-sqlite3') return 'better-sqlite3';
  if (option === 'node:sqlite') {
    if (!nodeSqliteModule()) throw new RangeError(`Invalid sqliteDriver: 'node:sqlite' (this Node ${process.version} has no node:sqlite; it needs Node >= 22.5)`);
    return 'node:sqlite';
  }
  throw new RangeError(`Invalid sqliteDriver: ${show(option)} (expected 'auto', 'node:sqlite', 'better-sqlite3' or 'sqlite3')`);
}

/**
 * Each backend's serializer when `serializer` is not given (README "Serializers"): binary (node:v8)
 * where the store keeps bytes as they are, BSON for MongoDB (its own encoding, stored as the
 * record's value bytes), JSON where a person reads the files (filesystem: json+binary, so a binary
 * body is bytes in a .bin file rather than base64 in a .json one); Keyv stores get JSON
 * too, since they hold only text (bytes would be base64 there).
 */
export const DEFAULT_SERIALIZER: Record<string, string> = {
  sqlite: 'binary',
  redis: 'binary',
  dynamodb: 'binary',
  mongodb: 'bson',
  gridfs: 'bson',
  filesystem: 'json+binary',
};

/**
 * Backends by name. Each constructor is synchronous and connects on first use; the driver packages
 * are imported then (src/storage/optional-import.ts), so naming a backend loads nothing until used.
 */
const REGISTRY = new Map<string, StoreFactory>([
  ['memory', (options) => new MemoryStore(options.settings, liveEntrySize as (value: unknown) => number)],
  ['dynamodb', openDynamoStore],
  ['filesystem', openFilesystemStore],
  ['mongodb', openMongoStore],
  ['redis', openRedisStore],
  ['gridfs', openGridfsStore],
]);

/** The names `backend` accepts. */
export const BUILT_IN_BACKENDS = ['sqlite', ...REGISTRY.keys()] as const;

export function createStorage(options: StorageOptions): CacheStorage {
  const { backend = 'sqlite', cacheName = DEFAULT_CACHE_NAME } = options;
  if (typeof cacheName !== 'string' || cacheName.trim() === '') {
    throw new TypeError(`Invalid cacheName: ${show(cacheName)} (expected a non-empty string)`);
  }
  const settings = parseStoreSettings(options);
  const readOnly = options.readOnly === true;
  if (options.throwOnStorageError !== undefined && typeof options.throwOnStorageError !== 'boolean') {
    throw new TypeError(`Invalid throwOnStorageError: ${show(options.throwOnStorageError)} (expected true or false)`);
  }
  if (options.sqliteDriver !== undefined && backend !== 'sqlite') {
    throw new TypeError(`Invalid sqliteDriver: ${show(options.sqliteDriver)} (only the 'sqlite' backend has a driver to choose)`);
  }
  if (options.fastSave !== undefined && typeof options.fastSave !== 'boolean') {
    throw new TypeError(`Invalid fastSave: ${show(options.fastSave)} (expected true or false)`);
  }
  if (options.fastSave === true && backend !== 'sqlite') {
    throw new TypeError(`Invalid fastSave: true (only the 'sqlite' backend has it; it sets SQLite's PRAGMA synchronous = OFF)`);
  }
  // Checked whatever the backend, so a typo fails at setup; only the redis backend may turn it on.
  const clientCache = parseRedisClientCache(options.redisClientCache);
  if (clientCache && backend !== 'redis') {
    throw new TypeError(`Invalid redisClientCache: ${show(options.redisClientCache)} (only the 'redis' backend has a client-side cache)`);
  }
  const hook = options.onStorageError as StorageErrorHook | undefined;
  const secretKeys = parseSecretKeys(options.secretKey);
  const signer = secretKeys ? new EntrySigner(secretKeys) : undefined;
  const cipher = EntryCipher.fromOption(options.encryptionKey);
  const open = (store: RecordStore, codec: EntryCodec): CacheStorage =>
    new CacheStorage(store, codec, settings, { readOnly, signer, cipher, throwOnError: options.throwOnStorageError === true, report: storageErrorReporter(hook, store.description) });
  const serialized = (fallback: string): EntryCodec => {
    const serializer = resolveSerializer(options.serializer, fallback);
    return { live: false, name: serializer.id, serializer };
  };
  const storeOptions: OpenStoreOptions = { cacheName, connection: options.connection, settings, readOnly };

  if (backend === 'memory') {
    // Live objects, as upstream's memory backend; every read builds fresh copies for the caller.
    if (options.serializer !== undefined) resolveSerializer(options.serializer, 'json'); // checked, then unused: live objects
    return open(REGISTRY.get('memory')!(storeOptions), { live: true, name: 'memory' });
  }
  if (backend === 'sqlite') return open(openSqlite({ ...storeOptions, driver: options.sqliteDriver, fastSave: options.fastSave === true }), serialized(DEFAULT_SERIALIZER.sqlite));
  if (backend === 'redis') return open(new RedisStore({ ...storeOptions, clientCache }), serialized(DEFAULT_SERIALIZER.redis));
  if (typeof backend === 'string') {
    const factory = REGISTRY.get(backend);
    if (factory) return open(factory(storeOptions), serialized(DEFAULT_SERIALIZER[backend] ?? 'json'));
    throw new RangeError(`Invalid backend: ${show(backend)} (expected one of ${BUILT_IN_BACKENDS.map((b) => `'${b}'`).join(', ')}, a Keyv instance, or a Keyv store adapter)`);
  }
  if (isKeyv6(backend)) {
    throw new TypeError(
      `Invalid backend: a Keyv 6 instance is not supported (this version works with Keyv 5; install it with \`npm install keyv@5\`, or pass a Keyv store adapter such as new KeyvSqlite(…) directly)`,
    );
  }
  if (isKeyv(backend)) {
    // The user's own Keyv, with its own namespace: it may hold the application's keys too, which
    // our `r:`/`a:`/`m:` tags keep apart (src/storage/keyv-store.ts).
    return open(new KeyvStore(backend, `keyv ${backend.namespace ?? ''}`.trim()), serialized('json'));
  }
  if (isStoreAdapter(backend)) {
    // A bare adapter (new KeyvRedis(url), new KeyvSqlite(…)) in our own Keyv under the cacheName
    // namespace (escaped, so `a` and `a:b` never share a prefix); the store may hold other data.
    return open(new KeyvStore(transportKeyv(backend, nameSegment(cacheName)), `keyv store ${cacheName}`), serialized('json'));
  }
  throw new RangeError(
    `Invalid backend: ${show(backend)} (expected one of ${BUILT_IN_BACKENDS.map((b) => `'${b}'`).join(', ')}, a Keyv instance, or a Keyv store adapter)`,
  );
}
