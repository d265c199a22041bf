/**
 * Building the Keyv instance behind a cache from the `backend`, `cacheName` and `serializer` options.
 */
import { mkdirSync } from 'node:fs';
import { dirname, extname, resolve } from 'node:path';
import { inspect } from 'node:util';
import { Keyv, type KeyvOptions, type KeyvStoreAdapter } from 'keyv';
import { log } from '../debug.js';
import { jsonSerializer } from '../serializers/json.js';
import type { Serializer } from '../serializers/types.js';
import { CacheStorage, type EntryCodec } from './cache-storage.js';
import { checkSqlitePath, SqliteStore } from './sqlite-store.js';

export const DEFAULT_CACHE_NAME = 'http_cache';
export const BUILT_IN_BACKENDS = ['sqlite', 'memory'] as const;
/** Backends requests-cache has that are not built in yet; a Keyv instance for them works today. */
const PLANNED_BACKENDS = ['redis', 'mongodb', 'gridfs', 'dynamodb', 'filesystem'];

export interface StorageOptions {
  cacheName?: unknown;
  backend?: unknown;
  serializer?: unknown;
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

/** `<cacheName>.sqlite` unless the name already has an extension (reference §7 `db_path`). */
export function sqlitePath(cacheName: string): string {
  return resolve(extname(cacheName) ? cacheName : `${cacheName}.sqlite`);
}

function isKeyv(value: unknown): value is Keyv {
  return value instanceof Keyv || (typeof value === 'object' && value !== null && 'opts' in value && 'iterator' in value && typeof (value as Keyv).get === 'function' && typeof (value as Keyv).set === 'function' && 'namespace' in value && typeof (value as Keyv).disconnect === 'function');
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

  if (backend === 'memory') {
    // Live objects, as upstream's memory backend; every read builds fresh copies for the caller.
    return new CacheStorage(transportKeyv(new Map(), undefined, true), { live: true, name: 'memory' }, 'memory');
  }
  if (backend === 'sqlite') {
    const path = sqlitePath(cacheName);
    try {
      mkdirSync(dirname(path), { recursive: true });
    } catch (error) {
      throw new Error(`Invalid cacheName: ${show(cacheName)} (cannot create the folder for ${path}: ${(error as Error).message})`);
    }
    checkSqlitePath(path, cacheName);
    const store = new SqliteStore({ path, table: 'http_cache', busyTimeout: 5000, iterationLimit: 1000 });
    return new CacheStorage(transportKeyv(store as unknown as KeyvStoreAdapter, undefined, false), codec, `sqlite ${path}`);
  }
  if (isKeyv(backend)) {
    // The user's own Keyv, with its own namespace and serialization: we only hand it our text.
    return new CacheStorage(backend, codec, `keyv ${backend.namespace ?? ''}`.trim());
  }
  if (isStoreAdapter(backend)) {
    return new CacheStorage(transportKeyv(backend, cacheName, false), codec, `keyv store ${cacheName}`);
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
