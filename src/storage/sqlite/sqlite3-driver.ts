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

interface Sqlite3Statement {
  run(params: readonly SqliteParam[], callback: (this: { changes: number }, error: Error | null) => void): void;
  all(params: readonly SqliteParam[], callback: (error: Error | null, rows: SqliteRow[]) => void): void;
  finalize(callback: (error: Error | null) => void): void;
}
interface Sqlite3Database {
  prepare(sql: string, callback: (error: Error | null) => void): Sqlite3Statement;
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

/** Prepared statements kept per connection (the store uses a few dozen distinct SQL texts). */
const PREPARED_STATEMENTS = 64;

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
  // Prepared statements, by SQL text: `db.get(sql)` prepares, steps and finalizes, three trips to
  // the libuv thread pool; a prepared statement's `all` is one (measured, a 2 KB row by key: 275 µs
  // vs 80 µs on Node 20 here). `all` steps to SQLITE_DONE, so no read transaction stays open. SQL
  // with a variable number of parameters (IN lists) would fill the map: past its bound, statements
  // are prepared for one use.
  const prepared = new Map<string, Promise<Sqlite3Statement>>();
  const statement = (sql: string): Promise<Sqlite3Statement> | undefined => {
    let found = prepared.get(sql);
    if (!found && prepared.size < PREPARED_STATEMENTS) {
      found = new Promise((resolve, reject) => {
        const made = db.prepare(sql, (error) => (error ? reject(error) : resolve(made)));
      });
      // A statement that cannot be prepared (a table not created yet) is tried again next time.
      found.catch(() => prepared.delete(sql));
      prepared.set(sql, found);
    }
    return found;
  };
  const rows = (sql: string, params: readonly SqliteParam[]): Promise<SqliteRow[]> => {
    const stmt = statement(sql);
    if (!stmt) return new Promise((resolve, reject) => db.all(sql, params, (error, result) => (error ? reject(error) : resolve(result))));
    return stmt.then((s) => new Promise((resolve, reject) => s.all(params, (error, result) => (error ? reject(error) : resolve(result)))));
  };
  const change = (sql: string, params: readonly SqliteParam[]): Promise<{ changes: number }> => {
    const stmt = statement(sql);
    const run = (target: { run: Sqlite3Statement['run'] } | undefined, resolve: (v: { changes: number }) => void, reject: (e: Error) => void) => {
      const done = function (this: { changes: number }, error: Error | null): void {
        if (error) reject(error);
        else resolve({ changes: this.changes });
      };
      if (target) target.run(params, done);
      else db.run(sql, params, done);
    };
    if (!stmt) return new Promise((resolve, reject) => run(undefined, resolve, reject));
    return stmt.then((s) => new Promise((resolve, reject) => run(s, resolve, reject)));
  };
  const finalizeAll = async (): Promise<void> => {
    const statements = [...prepared.values()];
    prepared.clear();
    for (const pending of statements) {
      const s = await pending.catch(() => undefined);
      if (s) await new Promise<void>((resolve) => s.finalize(() => resolve()));
    }
  };
  return {
    driver: 'sqlite3',
    // exec runs several statements (schema, PRAGMAs): never prepared.
    exec: (sql) => queued(() => new Promise((resolve, reject) => db.exec(sql, (error) => (error ? reject(error) : resolve())))),
    run: (sql, params = []) => queued(() => change(sql, params)),
    get: (sql, params = []) => queued(() => rows(sql, params).then((result) => result[0])),
    all: (sql, params = []) => queued(() => rows(sql, params)),
    close: () => queued(() => finalizeAll().then(() => new Promise<void>((resolve, reject) => db.close((error) => (error ? reject(error) : resolve()))))),
  };
}
