/**
 * The few calls the SQLite store makes, over any of three drivers: `node:sqlite` (built into Node
 * >= 22.5, synchronous, no native build), the `better-sqlite3` package (synchronous, native, for
 * Node 20 and 22) or the `sqlite3` package (asynchronous, native). All run with `busy_timeout = 0`:
 * a query never waits inside SQLite's busy handler, where node-sqlite3 blocks the event loop behind
 * its connection mutex and the synchronous drivers block it outright. A busy database
 * answers SQLITE_BUSY at once and the store decides (retry on a timer, or skip the write).
 */

export type SqliteParam = string | number | null | Uint8Array;
export type SqliteRow = Record<string, unknown>;

export interface SqliteConnection {
  /** The driver, for logs: `node:sqlite`, `better-sqlite3` or `sqlite3`. */
  readonly driver: string;
  exec(sql: string): Promise<void>;
  run(sql: string, params?: readonly SqliteParam[]): Promise<{ changes: number }>;
  get(sql: string, params?: readonly SqliteParam[]): Promise<SqliteRow | undefined>;
  all(sql: string, params?: readonly SqliteParam[]): Promise<SqliteRow[]>;
  close(): Promise<void>;
}

export type SqliteDriverName = 'node:sqlite' | 'better-sqlite3' | 'sqlite3';

/** Statements prepared once per SQL text: preparing is a large share of a read (the synchronous drivers). */
export function statementCache<S>(prepare: (sql: string) => S): (sql: string) => S {
  const statements = new Map<string, S>();
  return (sql) => {
    let statement = statements.get(sql);
    if (statement === undefined) {
      statement = prepare(sql);
      statements.set(sql, statement);
    }
    return statement;
  };
}

/** A synchronous driver call as a settled promise, so every driver has the sqlite3 driver's interface. */
export function settled<T>(fn: () => T): Promise<T> {
  try {
    return Promise.resolve(fn());
  } catch (error) {
    return Promise.reject(error);
  }
}

/** SQLITE_BUSY or SQLITE_LOCKED, whichever driver reported it. */
export function isBusy(error: unknown): boolean {
  const e = error as { code?: unknown; errcode?: unknown; errno?: unknown; message?: unknown };
  if (e?.code === 'SQLITE_BUSY' || e?.code === 'SQLITE_LOCKED') return true;
  // better-sqlite3: a SqliteError whose `code` is the extended result code's name, e.g.
  // SQLITE_BUSY_RECOVERY or SQLITE_BUSY_SNAPSHOT (https://www.sqlite.org/rescode.html#busy_recovery).
  if (typeof e?.code === 'string' && /^SQLITE_(BUSY|LOCKED)_/.test(e.code)) return true;
  // node:sqlite: code 'ERR_SQLITE_ERROR' with the primary result code in `errcode` (5 busy, 6 locked).
  const code = typeof e?.errcode === 'number' ? e.errcode & 0xff : undefined;
  if (code === 5 || code === 6) return true;
  return typeof e?.message === 'string' && /database is locked|SQLITE_BUSY/i.test(e.message);
}

/** SQLITE_FULL: the disk (or `max_page_count`) has no room left. */
export function isFull(error: unknown): boolean {
  const e = error as { code?: unknown; errcode?: unknown; message?: unknown };
  if (e?.code === 'SQLITE_FULL') return true;
  if (typeof e?.errcode === 'number' && (e.errcode & 0xff) === 13) return true;
  return typeof e?.message === 'string' && /database or disk is full|SQLITE_FULL/i.test(e.message);
}
