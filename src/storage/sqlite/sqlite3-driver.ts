/**
 * The `sqlite3` package (https://github.com/TryGhost/node-sqlite3), the driver on Node 20, imported
 * the first time a SQLite cache opens so that importing this package never loads a native module.
 */
import { StorageOpenError } from '../errors.js';
import type { SqliteConnection, SqliteParam, SqliteRow } from './driver.js';

/** How to get a working sqlite3, for the error shown when it cannot be loaded. */
export const SQLITE3_INSTALL_HINT =
  'install it with `npm install sqlite3@5`, or rebuild it with `npm rebuild sqlite3` (with ' +
  '`npm_config_sqlite=/usr` set, the build uses the system SQLite library and is much faster); ' +
  "on Node >= 22.5 the built-in node:sqlite needs nothing installed; or use backend: 'memory'";

interface Sqlite3Database {
  run(sql: string, params: readonly SqliteParam[], callback: (this: { changes: number }, error: Error | null) => void): void;
  get(sql: string, params: readonly SqliteParam[], callback: (error: Error | null, row?: SqliteRow) => void): void;
  all(sql: string, params: readonly SqliteParam[], callback: (error: Error | null, rows: SqliteRow[]) => void): void;
  exec(sql: string, callback: (error: Error | null) => void): void;
  close(callback: (error: Error | null) => void): void;
  configure(option: 'busyTimeout', value: number): void;
}
interface Sqlite3Module {
  Database: new (path: string, mode: number, callback: (error: Error | null) => void) => Sqlite3Database;
  OPEN_READONLY: number;
  OPEN_READWRITE: number;
  OPEN_CREATE: number;
}

let loading: Promise<Sqlite3Module> | undefined;

/**
 * A failed load is remembered: it only changes with a reinstall, which needs a restart anyway.
 * The module is imported alone (not through another module that imports it): a CommonJS module
 * that throws while an ES module graph imports it is evaluated again by Node 20's loader on a later
 * import and then throws uncaught, which ends the process.
 */
export function loadSqlite3(): Promise<Sqlite3Module> {
  loading ??= import('sqlite3').then(
    (module: { default?: unknown }) => (module.default ?? module) as Sqlite3Module,
    (error: unknown) => {
      throw new StorageOpenError(`The SQLite backend needs the native sqlite3 module, which cannot be loaded (${(error as Error)?.message ?? String(error)}): ${SQLITE3_INSTALL_HINT}`, { cause: error });
    },
  );
  return loading;
}

export async function openSqlite3(path: string, readOnly: boolean): Promise<SqliteConnection> {
  const sqlite3 = await loadSqlite3();
  const mode = readOnly ? sqlite3.OPEN_READONLY : sqlite3.OPEN_READWRITE | sqlite3.OPEN_CREATE;
  const db = await new Promise<Sqlite3Database>((resolve, reject) => {
    const opened = new sqlite3.Database(path, mode, (error) => (error ? reject(error) : resolve(opened)));
  });
  // 0: SQLITE_BUSY at once. With a timeout, a statement waiting in SQLite's busy handler holds
  // node-sqlite3's connection mutex, and the main thread blocks on that mutex when it schedules
  // the next statement: the whole event loop stalls for as long as another process holds a lock.
  db.configure('busyTimeout', 0);
  // One statement at a time on the connection. node-sqlite3 runs calls made without waiting
  // concurrently on one handle; an autocommit write then cannot commit while another statement is
  // still active, and a later SQLITE_BUSY rolls back the shared implicit transaction: writes that
  // reported success were lost (measured: 1-28 of 180 rows with three writer processes and
  // busy_timeout 0; none with this queue). A queue keeps every statement its own transaction.
  let tail: Promise<unknown> = Promise.resolve();
  const queued = <T>(fn: () => Promise<T>): Promise<T> => {
    const result = tail.then(fn);
    tail = result.catch(() => undefined);
    return result;
  };
  return {
    driver: 'sqlite3',
    exec: (sql) => queued(() => new Promise((resolve, reject) => db.exec(sql, (error) => (error ? reject(error) : resolve())))),
    run: (sql, params = []) =>
      queued(
        () =>
          new Promise((resolve, reject) =>
            db.run(sql, params, function (error) {
              if (error) reject(error);
              else resolve({ changes: this.changes });
            }),
          ),
      ),
    get: (sql, params = []) => queued(() => new Promise((resolve, reject) => db.get(sql, params, (error, row) => (error ? reject(error) : resolve(row))))),
    all: (sql, params = []) => queued(() => new Promise((resolve, reject) => db.all(sql, params, (error, rows) => (error ? reject(error) : resolve(rows))))),
    close: () => queued(() => new Promise((resolve, reject) => db.close((error) => (error ? reject(error) : resolve())))),
  };
}
