/**
 * The built-in SQLite store: @keyv/sqlite behind a small Keyv store adapter that survives a failed
 * open. @keyv/sqlite opens its database (and creates its table) once, in its constructor, and keeps
 * that promise for the life of the instance: a file locked by another process at startup then fails
 * every later operation, and nobody handles the rejection, which ends the process. Here a failed
 * open is logged and retried on the next operation, so the cache recovers once the lock is gone.
 */
import { EventEmitter } from 'node:events';
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { inspect } from 'node:util';
import type { KeyvSqlite } from '@keyv/sqlite';
import { log } from '../debug.js';
import { StorageOpenError } from './errors.js';

type KeyvSqliteClass = typeof KeyvSqlite;

/** How to get a working sqlite3, for the error shown when it cannot be loaded. */
export const SQLITE3_INSTALL_HINT =
  'install it with `npm install sqlite3`, or rebuild it with `npm rebuild sqlite3` (with ' +
  '`npm_config_sqlite=/usr` set, the build uses the system SQLite library and is much faster); ' +
  "or use backend: 'memory'";

let loading: Promise<KeyvSqliteClass> | undefined;

/**
 * @keyv/sqlite loads the native sqlite3 module as soon as it is imported. Importing it here, the first
 * time a SQLite cache is opened, keeps this package importable (and `backend: 'memory'` usable) where
 * sqlite3 is missing or failed to build (`npm install --ignore-scripts`, no compiler). A failed load is
 * remembered: it only changes with a reinstall, which needs a restart anyway.
 */
export function loadKeyvSqlite(): Promise<KeyvSqliteClass> {
  // sqlite3 itself first: a CommonJS module that throws while an ES module graph imports it is
  // evaluated again by Node 20's loader on a later import and then throws uncaught, which ends the
  // process. Imported alone, its failure is an ordinary rejection, and @keyv/sqlite is never touched.
  loading ??= import('sqlite3').then(() => import('@keyv/sqlite')).then(
    (module) => module.KeyvSqlite,
    (error: unknown) => {
      throw new StorageOpenError(`The SQLite backend needs the native sqlite3 module, which cannot be loaded (${(error as Error)?.message ?? String(error)}): ${SQLITE3_INSTALL_HINT}`, { cause: error });
    },
  );
  return loading;
}

/** The first 16 bytes of every SQLite 3 database file (sqlite.org/fileformat.html §1.3.1). */
const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');

/**
 * Refuses, at setup, a `cacheName` that can never be a SQLite cache: a directory, or an existing
 * non-empty file that is not a SQLite database (an empty file is a new database to SQLite).
 */
export function checkSqlitePath(path: string, cacheName: unknown): void {
  let size: number;
  try {
    const stat = statSync(path);
    if (stat.isDirectory()) {
      throw new TypeError(`Invalid cacheName: ${inspect(cacheName)} (${path} is a directory, not a SQLite file)`);
    }
    size = stat.size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return; // created on first use
    throw error;
  }
  if (size === 0) return;
  const head = Buffer.alloc(SQLITE_HEADER.length);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, head, 0, head.length, 0);
  } finally {
    closeSync(fd);
  }
  if (!head.equals(SQLITE_HEADER)) {
    throw new TypeError(`Invalid cacheName: ${inspect(cacheName)} (${path} exists and is not a SQLite database)`);
  }
}

export interface SqliteStoreOptions {
  path: string;
  table: string;
  busyTimeout: number;
  iterationLimit: number;
}

/** Stored values are text; anything else (a BLOB or NULL written by other code) reads as '', an unreadable entry. */
const asText = (value: unknown): unknown => (value === undefined || typeof value === 'string' ? value : '');

export class SqliteStore extends EventEmitter {
  readonly opts: Record<string, unknown>;
  private current: KeyvSqlite | undefined;
  private ready!: Promise<KeyvSqlite>;
  private ns: string | undefined;

  constructor(private readonly options: SqliteStoreOptions) {
    super();
    // `dialect: 'sqlite'` is what makes Keyv expose its iterator for this store.
    this.opts = { dialect: 'sqlite', url: `sqlite://${options.path}`, table: options.table };
    this.open();
  }

  get namespace(): string | undefined {
    return this.ns;
  }

  set namespace(value: string | undefined) {
    this.ns = value;
    if (this.current) this.current.namespace = value;
  }

  private open(): void {
    const { path, table, busyTimeout, iterationLimit } = this.options;
    this.ready = loadKeyvSqlite().then((Store) => {
      const store = new Store({ uri: `sqlite://${path}`, table, busyTimeout, iterationLimit });
      store.namespace = this.ns;
      store.on('error', (error: unknown) => this.emit('error', error));
      this.current = store;
      // Probing the connection handles @keyv/sqlite's own connect promise, so a failure is never
      // unhandled; the probe also creates the table, so a corrupt file fails here, as an open error.
      return store.query('SELECT 1').then(
        () => store,
        (error: unknown) => {
          throw new StorageOpenError(`Cannot open the SQLite cache ${path}: ${(error as Error)?.message ?? String(error)}`, { cause: error });
        },
      );
    });
    this.ready.catch((error: unknown) => log('cannot open the SQLite cache %s (retried on the next operation): %O', path, error));
  }

  /** The open store; after a failed open, one fresh attempt per operation. */
  private async store(): Promise<KeyvSqlite> {
    try {
      return await this.ready;
    } catch {
      this.open();
      return this.ready;
    }
  }

  /** Runs one statement on the open database (`PRAGMA`s, maintenance). */
  async query(sql: string, ...params: unknown[]): Promise<unknown[]> {
    return (await (await this.store()).query(sql, ...params)) as unknown[];
  }

  async get(key: string): Promise<unknown> {
    return asText(await (await this.store()).get(key));
  }

  async getMany(keys: string[]): Promise<unknown[]> {
    return (await (await this.store()).getMany(keys)).map(asText);
  }

  async set(key: string, value: unknown): Promise<unknown> {
    return (await this.store()).set(key, value);
  }

  async delete(key: string): Promise<boolean> {
    return (await this.store()).delete(key);
  }

  async deleteMany(keys: string[]): Promise<boolean> {
    return (await this.store()).deleteMany(keys);
  }

  async has(key: string): Promise<boolean> {
    return (await this.store()).has(key);
  }

  async clear(): Promise<void> {
    await (await this.store()).clear();
  }

  async *iterator(namespace?: string): AsyncGenerator<[string, unknown]> {
    for await (const [key, value] of (await this.store()).iterator(namespace)) yield [key as string, asText(value)];
  }

  /** Closes the database if it ever opened. */
  async disconnect(): Promise<void> {
    const store = await this.ready.catch(() => undefined);
    await store?.disconnect();
  }
}
