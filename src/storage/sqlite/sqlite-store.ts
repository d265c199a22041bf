/**
 * The SQLite backend: our own schema, as requests-cache's SQLiteCache lays it out (one file per
 * cacheName, tables `responses` and `redirects`; docs/behaviour.md §7), plus the columns inspection
 * and eviction need without reading bodies: `url` (the URL index), `expires`, `created_at`, `size`,
 * `accessed` (least-recently-used order) and `ttl_until` (the store-level expiry).
 *
 * Concurrency (README "SQLite"): WAL, so readers never wait for a writer; `busy_timeout = 0` (see
 * driver.ts), so a lock held by another process never blocks the event loop. A busy read is retried
 * on a timer until the caller's deadline; a busy write is retried briefly, then skipped and reported
 * (a cache may drop a write; it must not stall), as undici's SQLite store does.
 */
import { chmodSync, closeSync, openSync } from 'node:fs';
import { log } from '../../debug.js';
import { StorageBusyError, StorageOpenError } from '../errors.js';
import type { Bin, RecordStore, SetOptions, StoredValue, StoreSettings } from '../record-store.js';
import { isBusy, isFull, type SqliteConnection, type SqliteDriverName, type SqliteParam, type SqliteRow } from './driver.js';
import { migrateLegacyTable } from './legacy-table.js';
import { nodeSqliteModule, openNodeSqlite } from './node-sqlite-driver.js';
import { openSqlite3 } from './sqlite3-driver.js';

export const SCHEMA = `
CREATE TABLE IF NOT EXISTS responses (
  key TEXT PRIMARY KEY,
  value BLOB NOT NULL,
  url TEXT NOT NULL,
  expires INTEGER,
  created_at INTEGER NOT NULL,
  size INTEGER NOT NULL,
  accessed INTEGER NOT NULL,
  ttl_until INTEGER
);
CREATE INDEX IF NOT EXISTS responses_url ON responses (url);
CREATE INDEX IF NOT EXISTS responses_accessed ON responses (accessed);
CREATE INDEX IF NOT EXISTS responses_ttl_until ON responses (ttl_until) WHERE ttl_until IS NOT NULL;
CREATE TABLE IF NOT EXISTS redirects (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL,
  ttl_until INTEGER
);
CREATE TABLE IF NOT EXISTS meta (
  name TEXT PRIMARY KEY,
  value TEXT NOT NULL
);`;

export interface SqliteStoreOptions {
  path: string;
  readOnly: boolean;
  settings: StoreSettings;
  /** Default: node:sqlite where the running Node has it, else sqlite3. */
  driver?: SqliteDriverName;
}

/** How many writes between two purges of rows past their store-level TTL. */
export const PURGE_EVERY_WRITES = 1000;

/** Retry delays for a busy statement, ms: about 0.2 s in all for a write. */
const WRITE_RETRIES_MS = [2, 5, 10, 20, 40, 60, 80];

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Bytes as a Buffer (sqlite3 gives Buffers, node:sqlite Uint8Arrays); text stays text. */
const asValue = (value: unknown): StoredValue | undefined => {
  if (typeof value === 'string') return value;
  if (value instanceof Uint8Array) return Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  return undefined;
};

/** The driver a SQLite cache uses when the `sqliteDriver` option does not name one. */
export function defaultSqliteDriver(): SqliteDriverName {
  return nodeSqliteModule() ? 'node:sqlite' : 'sqlite3';
}

/**
 * Creates the database file private to the user (0600) before SQLite opens it: SQLite gives its
 * -wal and -shm files the database file's permissions (sqlite.org/src: os_unix.c findCreateFileMode).
 */
function createPrivateFile(path: string): void {
  try {
    closeSync(openSync(path, 'wx', 0o600));
    chmodSync(path, 0o600); // the umask may have taken bits away; never adds any beyond 0600
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
}

export class SqliteStore implements RecordStore {
  readonly description: string;
  private connection: Promise<SqliteConnection> | undefined;
  private readonly settings: StoreSettings;
  /** Response count and stored bytes, kept while size limits are set; recounted now and then (other processes write too). */
  private totals: { entries: number; bytes: number; writesSinceCount: number } | undefined;
  /** Keys read since the last flush; their `accessed` is updated in one statement with the next write. */
  private readonly touched = new Set<string>();
  /** Busy writes skipped since open, for tests and diagnostics. */
  skippedWrites = 0;
  private writesSincePurge = 0;
  private readonly driverName: SqliteDriverName;

  constructor(private readonly options: SqliteStoreOptions) {
    this.settings = options.settings;
    this.driverName = options.driver ?? defaultSqliteDriver();
    this.description = `sqlite ${options.path}`;
  }

  get driver(): SqliteDriverName {
    return this.driverName;
  }

  private get limited(): boolean {
    return this.settings.maxEntries !== undefined || this.settings.maxBytes !== undefined;
  }

  /** The open connection; a failed open is retried by the next operation (the file may be locked at startup). */
  private db(): Promise<SqliteConnection> {
    this.connection ??= this.open().catch((error: unknown) => {
      this.connection = undefined;
      throw error instanceof StorageOpenError ? error : new StorageOpenError(`Cannot open the SQLite cache ${this.options.path}: ${(error as Error)?.message ?? String(error)}`, { cause: error });
    });
    return this.connection;
  }

  private async open(): Promise<SqliteConnection> {
    const { path, readOnly } = this.options;
    if (!readOnly) createPrivateFile(path);
    const db = this.driverName === 'node:sqlite' ? openNodeSqlite(path, readOnly) : await openSqlite3(path, readOnly);
    try {
      if (!readOnly) {
        // WAL: readers and one writer at once, across processes (sqlite.org/wal.html).
        await this.retry(() => db.exec('PRAGMA journal_mode = WAL'));
        await this.retry(() => db.exec('PRAGMA synchronous = NORMAL'));
        await this.retry(() => db.exec(SCHEMA));
        await this.retry(() => migrateLegacyTable(db, this.settings.ttlOffsetMs));
        // Rows that outlived their TTL while no process had the file open.
        await this.retry(() => db.run('DELETE FROM responses WHERE ttl_until IS NOT NULL AND ttl_until <= ?', [Date.now()])).catch(() => undefined);
      }
      if (readOnly && !(await db.get("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'responses'"))) {
        const legacy = await db.get("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'http_cache'");
        if (legacy) throw new StorageOpenError(`${path} has the layout before 0.2 (table http_cache); open it once without readOnly to migrate it`);
      }
      // A corrupt file fails here, as an open error.
      await this.retry(() => db.get('SELECT count(*) AS n FROM meta'));
    } catch (error) {
      await db.close().catch(() => undefined);
      throw error;
    }
    log('opened %s with %s', path, db.driver);
    return db;
  }

  /** Runs `fn`, retrying on SQLITE_BUSY for about 0.2 s; then StorageBusyError. */
  private async retry<T>(fn: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await fn();
      } catch (error) {
        if (!isBusy(error)) throw error;
        if (attempt >= WRITE_RETRIES_MS.length) throw new StorageBusyError(`${this.description} is locked by another connection`, { cause: error });
        await sleep(WRITE_RETRIES_MS[attempt]);
      }
    }
  }

  private async write<T>(fn: (db: SqliteConnection) => Promise<T>): Promise<T> {
    const db = await this.db();
    try {
      return await this.retry(() => fn(db));
    } catch (error) {
      if (error instanceof StorageBusyError) this.skippedWrites += 1;
      throw error;
    }
  }

  /** Reads retry on a busy file until the caller's deadline cuts them off (CacheStorage's `within`). */
  private async read<T>(fn: (db: SqliteConnection) => Promise<T>): Promise<T> {
    const db = await this.db();
    const giveUp = Date.now() + this.settings.deadlineMs;
    for (let delay = 2; ; delay = Math.min(delay * 2, 100)) {
      try {
        return await fn(db);
      } catch (error) {
        if (!isBusy(error)) throw error;
        if (Date.now() >= giveUp) throw new StorageBusyError(`${this.description} stayed locked by another connection for ${this.settings.deadlineMs} ms`, { cause: error });
        await sleep(delay);
      }
    }
  }

  async get(bin: Bin, key: string): Promise<StoredValue | undefined> {
    const row = await this.read((db) => db.get(`SELECT value, ttl_until FROM ${bin} WHERE key = ?`, [key]));
    if (!row) return undefined;
    if (typeof row.ttl_until === 'number' && row.ttl_until <= Date.now()) return undefined;
    if (bin === 'responses' && this.limited) this.touched.add(key);
    return asValue(row.value);
  }

  async set(bin: Bin, key: string, value: StoredValue, options: SetOptions = {}): Promise<void> {
    const now = Date.now();
    this.writesSincePurge += 1;
    if (this.writesSincePurge >= PURGE_EVERY_WRITES) {
      this.writesSincePurge = 0;
      // In the background: a busy file only delays the purge to the next round.
      this.purgeExpired(now).catch((error: unknown) => log('purging expired rows of %s failed: %O', this.description, error));
    }
    const ttlUntil = options.ttlMs === undefined ? null : now + options.ttlMs;
    const stored: SqliteParam = typeof value === 'string' ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
    if (bin === 'redirects') {
      await this.write((db) => db.run('INSERT INTO redirects (key, value, ttl_until) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, ttl_until = excluded.ttl_until', [key, String(value), ttlUntil]));
      return;
    }
    const meta = options.meta ?? { url: '', expires: null, createdAt: now };
    const size = typeof value === 'string' ? Buffer.byteLength(value) : value.byteLength;
    await this.write(async (db) => {
      const previous = this.limited ? await db.get('SELECT size FROM responses WHERE key = ?', [key]) : undefined;
      await db.run(
        `INSERT INTO responses (key, value, url, expires, created_at, size, accessed, ttl_until) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value, url = excluded.url, expires = excluded.expires,
           created_at = excluded.created_at, size = excluded.size, accessed = excluded.accessed, ttl_until = excluded.ttl_until`,
        [key, stored, meta.url, meta.expires, meta.createdAt, size, now, ttlUntil],
      );
      if (this.limited) await this.afterWrite(db, previous, size, now);
    });
  }

  /** Keeps the totals, flushes recency and evicts the least recently used responses over a limit. */
  private async afterWrite(db: SqliteConnection, previous: SqliteRow | undefined, size: number, now: number): Promise<void> {
    if (!this.totals || this.totals.writesSinceCount >= 1000) {
      const row = await db.get('SELECT count(*) AS n, coalesce(sum(size), 0) AS bytes FROM responses');
      this.totals = { entries: Number(row?.n ?? 0), bytes: Number(row?.bytes ?? 0), writesSinceCount: 0 };
    } else {
      this.totals.entries += previous ? 0 : 1;
      this.totals.bytes += size - (previous ? Number(previous.size) : 0);
      this.totals.writesSinceCount += 1;
    }
    if (this.touched.size > 0) {
      const keys = [...this.touched];
      this.touched.clear();
      // Recency only orders eviction: reads before this write count as just before it.
      for (let i = 0; i < keys.length; i += 500) {
        const chunk = keys.slice(i, i + 500);
        await db.run(`UPDATE responses SET accessed = ? WHERE key IN (${chunk.map(() => '?').join(',')})`, [now - 1, ...chunk]);
      }
    }
    const { maxEntries = Infinity, maxBytes = Infinity } = this.settings;
    while (this.totals.entries > maxEntries || this.totals.bytes > maxBytes) {
      // The accessed index gives the oldest rows without a scan; a batch per round trip.
      const excess = Math.max(1, this.totals.entries - maxEntries);
      const victims = await db.all('SELECT key, size FROM responses ORDER BY accessed ASC LIMIT ?', [Math.min(Number.isFinite(excess) ? excess : 1, 100)]);
      if (victims.length === 0) break;
      let freed = 0;
      let removed = 0;
      for (const victim of victims) {
        if (this.totals.entries - removed <= maxEntries && this.totals.bytes - freed <= maxBytes) break;
        const { changes } = await db.run('DELETE FROM responses WHERE key = ?', [victim.key as string]);
        if (changes > 0) {
          removed += 1;
          freed += Number(victim.size);
          log('evicted %s from %s (least recently used)', victim.key, this.description);
        }
      }
      if (removed === 0) break;
      this.totals.entries -= removed;
      this.totals.bytes -= freed;
    }
  }

  async delete(bin: Bin, keys: readonly string[]): Promise<number> {
    let deleted = 0;
    for (let i = 0; i < keys.length; i += 500) {
      const chunk = keys.slice(i, i + 500);
      const { changes } = await this.write((db) => db.run(`DELETE FROM ${bin} WHERE key IN (${chunk.map(() => '?').join(',')})`, chunk as string[]));
      deleted += changes;
    }
    if (bin === 'responses' && deleted > 0) this.totals = undefined;
    return deleted;
  }

  /** Keys in pages by key order, so deletes meanwhile never shift a page (unlike OFFSET). */
  async *keys(bin: Bin): AsyncGenerator<string> {
    let after = '';
    for (;;) {
      const rows = await this.read((db) => db.all(`SELECT key FROM ${bin} WHERE key > ? ORDER BY key LIMIT 500`, [after]));
      for (const row of rows) yield row.key as string;
      if (rows.length < 500) return;
      after = rows[rows.length - 1].key as string;
    }
  }

  async count(bin: Bin): Promise<number> {
    const row = await this.read((db) => db.get(`SELECT count(*) AS n FROM ${bin} WHERE ttl_until IS NULL OR ttl_until > ?`, [Date.now()]));
    return Number(row?.n ?? 0);
  }

  async keysForUrl(url: string): Promise<string[]> {
    const rows = await this.read((db) => db.all('SELECT key FROM responses WHERE url = ?', [url]));
    return rows.map((row) => row.key as string);
  }

  /**
   * Deletes rows past their store-level TTL (through the partial `ttl_until` index). SQLite has no
   * TTL of its own and reads only hide such rows, so without this they would stay in the file:
   * run on open and every PURGE_EVERY_WRITES writes.
   */
  async purgeExpired(now = Date.now()): Promise<number> {
    const { changes } = await this.write((db) => db.run('DELETE FROM responses WHERE ttl_until IS NOT NULL AND ttl_until <= ?', [now]));
    await this.write((db) => db.run('DELETE FROM redirects WHERE ttl_until IS NOT NULL AND ttl_until <= ?', [now]));
    if (changes > 0) this.totals = undefined;
    return changes;
  }

  /**
   * Empties both tables. On a full disk a DELETE may itself need room for the WAL; dropping and
   * recreating the tables frees their pages in one step, so clear() still works there.
   */
  async clear(): Promise<void> {
    this.totals = undefined;
    this.touched.clear();
    try {
      await this.write((db) => db.exec('DELETE FROM responses; DELETE FROM redirects;'));
    } catch (error) {
      if (!isFull(error)) throw error;
      log('%s is full; clearing by dropping the tables', this.description);
      await this.write((db) => db.exec(`DROP TABLE IF EXISTS responses; DROP TABLE IF EXISTS redirects; ${SCHEMA}`));
    }
  }

  async getMeta(name: string): Promise<string | undefined> {
    const row = await this.read((db) => db.get('SELECT value FROM meta WHERE name = ?', [name]));
    return row ? String(row.value) : undefined;
  }

  async setMeta(name: string, value: string): Promise<void> {
    await this.write((db) => db.run('INSERT INTO meta (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value', [name, value]));
  }

  /** Runs a statement on the open database (tests: PRAGMAs, raw rows). */
  async query(sql: string, params: SqliteParam[] = []): Promise<SqliteRow[]> {
    const db = await this.db();
    return db.all(sql, params);
  }

  async close(): Promise<void> {
    const connection = this.connection;
    this.connection = undefined;
    const db = await connection?.catch(() => undefined);
    if (!db) return;
    if (this.touched.size > 0 && !this.options.readOnly) {
      const keys = [...this.touched];
      this.touched.clear();
      await db.run(`UPDATE responses SET accessed = ? WHERE key IN (${keys.map(() => '?').join(',')})`, [Date.now(), ...keys]).catch(() => undefined);
    }
    await db.close();
  }
}
