/**
 * The few calls the SQLite store makes, over either driver: `node:sqlite` (built into Node >= 22.5,
 * synchronous, no native build) or the `sqlite3` package (asynchronous, for Node 20). Both run with
 * `busy_timeout = 0`: a query never waits inside SQLite's busy handler, where node-sqlite3 blocks
 * the event loop behind its connection mutex and node:sqlite blocks it outright. A busy database
 * answers SQLITE_BUSY at once and the store decides (retry on a timer, or skip the write).
 */

export type SqliteParam = string | number | null | Uint8Array;
export type SqliteRow = Record<string, unknown>;

export interface SqliteConnection {
  /** The driver, for logs: `node:sqlite` or `sqlite3`. */
  readonly driver: string;
  exec(sql: string): Promise<void>;
  run(sql: string, params?: readonly SqliteParam[]): Promise<{ changes: number }>;
  get(sql: string, params?: readonly SqliteParam[]): Promise<SqliteRow | undefined>;
  all(sql: string, params?: readonly SqliteParam[]): Promise<SqliteRow[]>;
  close(): Promise<void>;
}

export type SqliteDriverName = 'node:sqlite' | 'sqlite3';

/** SQLITE_BUSY or SQLITE_LOCKED, whichever driver reported it. */
export function isBusy(error: unknown): boolean {
  const e = error as { code?: unknown; errcode?: unknown; errno?: unknown; message?: unknown };
  if (e?.code === 'SQLITE_BUSY' || e?.code === 'SQLITE_LOCKED') return true;
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
