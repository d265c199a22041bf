/**
 * Building the Keyv instance behind a cache from the `backend`, `cacheName` and `serializer` options.
 */
import { accessSync, constants as fsConstants, mkdirSync, statSync } from 'node:fs';
import { dirname, extname, resolve } from 'node:path';
import { inspect } from 'node:util';
import { Keyv, type KeyvOptions, type KeyvStoreAdapter } from 'keyv';
import { log } from '../debug.js';
import { jsonSerializer } from '../serializers/json.js';
import type { Serializer } from '../serializers/types.js';
import type { StorageErrorHook } from '../types.js';
import { CacheStorage, type EntryCodec } from './cache-storage.js';
import { storageErrorReporter } from './errors.js';
import { checkSqlitePath, SqliteStore } from './sqlite-store.js';

export const DEFAULT_CACHE_NAME = 'http_cache';
export const BUILT_IN_BACKENDS = ['sqlite', 'memory'] as const;
/** Backends requests-cache has that are not built in yet; a Keyv instance for them works today. */
const PLANNED_BACKENDS = ['redis', 'mongodb', 'gridfs', 'dynamodb', 'filesystem'];

export interface StorageOptions {
  cacheName?: unknown;
  backend?: unknown;
  serializer?: unknown;
  /** Validated by parseSettings before storage is built. */
  readOnly?: unknown;
  onStorageError?: unknown;
}

const show = (value: unknown): string => inspect(value, { depth: 1, breakLength: Infinity });

function serializerFor(option: unknown): Serializer {
  if (option === undefined || option === 'json') return jsonSerializer;
  throw new RangeError(`Invalid serializer: ${show(option)} (expected 'json')`);
}

/** Keyv hands our text (or, for memory, the live entry) to the store as is: no second envelope. */
function transportKeyv(store: KeyvStoreAdapter | Map<unknown, unknown>, namespace: string | undefined, live: boolean): Keyv {
  const transport = live
    ? { serialize: undefined, deserialize: undefined }
    : {
        serialize: (data: { value?: unknown }) => data.value as string,
        deserialize: (text: string) => ({ value: text }),
      };
  const keyv = new Keyv({ store, namespace, throwOnErrors: true, ...transport } as KeyvOptions);
  keyv.on('error', (error: unknown) => log('backend error: %O', error));
  return keyv;
}

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
      throw new TypeError(`Invalid cacheName: ${show(cacheName)} (cannot create the folder ${level} for the SQLite file: ${(error as Error).message})`);
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

export function createStorage(options: StorageOptions): CacheStorage {
  const { backend = 'sqlite', cacheName = DEFAULT_CACHE_NAME } = options;
  if (typeof cacheName !== 'string' || cacheName.trim() === '') {
    throw new TypeError(`Invalid cacheName: ${show(cacheName)} (expected a non-empty string)`);
  }
  const serializer = serializerFor(options.serializer);
  const codec: EntryCodec = { live: false, name: serializer.name, serializer };
  const readOnly = options.readOnly === true;
  const hook = options.onStorageError as StorageErrorHook | undefined;
  const storage = (keyv: Keyv, entryCodec: EntryCodec, description: string, ownsStore: boolean): CacheStorage =>
    new CacheStorage(keyv, entryCodec, description, { readOnly, ownsStore, report: storageErrorReporter(hook, description) });

  if (backend === 'memory') {
    // Live objects, as upstream's memory backend; every read builds fresh copies for the caller.
    return storage(transportKeyv(new Map(), undefined, true), { live: true, name: 'memory' }, 'memory', true);
  }
  if (backend === 'sqlite') {
    const path = sqlitePath(cacheName);
    makeFolders(dirname(path), cacheName);
    checkSqlitePath(path, cacheName);
    if (!readOnly) checkWritable(path, cacheName);
    const store = new SqliteStore({ path, table: 'http_cache', busyTimeout: 5000, iterationLimit: 1000 });
    // The built-in table holds nothing but this cache's records.
    return storage(transportKeyv(store as unknown as KeyvStoreAdapter, undefined, false), codec, `sqlite ${path}`, true);
  }
  if (isKeyv6(backend)) {
    throw new TypeError(
      `Invalid backend: a Keyv 6 instance is not supported (this version works with Keyv 5; install it with \`npm install keyv@5\`, or pass a Keyv store adapter such as new KeyvSqlite(…) directly)`,
    );
  }
  if (isKeyv(backend)) {
    // The user's own Keyv, with its own namespace and serialization: we only hand it our text. It may
    // hold the application's own keys too, so clear() deletes only records we recognise as ours.
    return storage(backend, codec, `keyv ${backend.namespace ?? ''}`.trim(), false);
  }
  if (isStoreAdapter(backend)) {
    // A bare adapter (new KeyvRedis(url), new KeyvSqlite(…)) is wrapped in our own Keyv under the
    // cacheName namespace, so two caches on one store keep apart; the store may hold other data.
    return storage(transportKeyv(backend, cacheName, false), codec, `keyv store ${cacheName}`, false);
  }
  if (typeof backend === 'string' && PLANNED_BACKENDS.includes(backend)) {
    throw new RangeError(
      `Invalid backend: '${backend}' is not built in yet (built in: ${BUILT_IN_BACKENDS.join(', ')}); pass a Keyv instance using its adapter instead`,
    );
  }
  throw new RangeError(
    `Invalid backend: ${show(backend)} (expected ${BUILT_IN_BACKENDS.map((b) => `'${b}'`).join(' or ')}, a Keyv instance, or a Keyv store adapter)`,
  );
}
