/**
 * `node:sqlite` (https://nodejs.org/api/sqlite.html), loaded with `process.getBuiltinModule` so that
 * neither the bundler nor Node 20 (which has no such module) sees a static import. Statements are
 * prepared once and reused: preparing is a large share of a ~5 µs read.
 */
import type { SqliteConnection, SqliteParam, SqliteRow } from './driver.js';

interface StatementSync {
  run(...params: SqliteParam[]): { changes: number | bigint };
  get(...params: SqliteParam[]): SqliteRow | undefined;
  all(...params: SqliteParam[]): SqliteRow[];
}
interface DatabaseSync {
  exec(sql: string): void;
  prepare(sql: string): StatementSync;
  close(): void;
}
interface NodeSqliteModule {
  DatabaseSync: new (path: string, options?: { readOnly?: boolean; timeout?: number }) => DatabaseSync;
}

/** The built-in module, or undefined on a Node without it (20, or 22 before 22.5). */
export function nodeSqliteModule(): NodeSqliteModule | undefined {
  const get = (process as unknown as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule;
  if (typeof get !== 'function') return undefined;
  try {
    // Node 22 prints an ExperimentalWarning on first load; Node 24 does not.
    return (get.call(process, 'node:sqlite') as NodeSqliteModule | undefined) ?? undefined;
  } catch {
    return undefined;
  }
}

export function openNodeSqlite(path: string, readOnly: boolean): SqliteConnection {
  const module = nodeSqliteModule();
  if (!module) throw new Error('node:sqlite is not available in this Node version (it needs Node >= 22.5)');
  // timeout 0: SQLITE_BUSY at once, never a synchronous wait on another process's lock.
  const db = new module.DatabaseSync(path, { readOnly, timeout: 0 });
  const statements = new Map<string, StatementSync>();
  const prepared = (sql: string): StatementSync => {
    let statement = statements.get(sql);
    if (!statement) {
      statement = db.prepare(sql);
      statements.set(sql, statement);
    }
    return statement;
  };
  // Each call is synchronous; the promise wrapper keeps one interface with the sqlite3 driver.
  const attempt = <T>(fn: () => T): Promise<T> => {
    try {
      return Promise.resolve(fn());
    } catch (error) {
      return Promise.reject(error);
    }
  };
  return {
    driver: 'node:sqlite',
    exec: (sql) => attempt(() => db.exec(sql)),
    run: (sql, params = []) => attempt(() => ({ changes: Number(prepared(sql).run(...params).changes) })),
    get: (sql, params = []) => attempt(() => prepared(sql).get(...params)),
    all: (sql, params = []) => attempt(() => prepared(sql).all(...params)),
    close: () => attempt(() => db.close()),
  };
}
