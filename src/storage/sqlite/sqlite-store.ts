/**
 * The SQLite backend: our own schema, as requests-cache's SQLiteCache lays it out (one file per
 * cacheName, tables `responses` and `redirects`; docs/behaviour.md §7), plus the columns inspection
 * and eviction need without reading bodies: `url` (the URL index), `expires`, `created_at`, `size`,
 * `accessed` (least-recently-used order) and `ttl_until` (the store-level expiry), and `gen` with
 * the one-row table `expiry_reset` for `resetExpiration` (expiry-reset.ts).
 *
 * Concurrency (README "SQLite"): WAL, so readers never wait for a writer; `busy_timeout = 0` (see
 * driver.ts), so a lock held by another process never blocks the event loop. A busy read is retried
 * on a timer until the caller's deadline; a busy write is retried briefly, then skipped and reported
 * (a cache may drop a write; it must not stall), as undici's SQLite store does.
 */
import { chmodSync, closeSync, openSync } from 'node:fs';
import { log } from '../../debug.js';
import { StorageBusyError, StorageOpenError } from '../errors.js';
import type { Bin, ExpiryReset, ExpiryResetRequest, IndexedResponses, IndexedRow, RecordStore, SetOptions, StoredValue, StoreSettings } from '../record-store.js';
import { BETTER_SQLITE3_RANGE, loadBetterSqlite3, openBetterSqlite3 } from './better-sqlite3-driver.js';
import { isBusy, isFull, type SqliteConnection, type SqliteDriverName, type SqliteParam, type SqliteRow } from './driver.js';
import { addGenerationColumn, CURRENT_GENERATION, hasExpiryReset, lastReset, RESET_GENERATION, RESET_INDEX, RESET_TABLE, type StoredReset, TTL_OF_ROW, underReset } from './expiry-reset.js';
import { isWorkerUnavailable, LARGE_VALUE_BYTES, LargeValueWorker } from './large-values.js';
import { migrateLegacyTable } from './legacy-table.js';
import { nodeSqliteIsQuiet, nodeSqliteModule, openNodeSqlite } from './node-sqlite-driver.js';
import { loadSqlite3, openSqlite3 } from './sqlite3-driver.js';

export const SCHEMA = `
CREATE TABLE IF NOT EXISTS responses (
  key TEXT PRIMARY KEY,
  value BLOB NOT NULL,
  url TEXT NOT NULL,
  expires INTEGER,
  created_at INTEGER NOT NULL,
  size INTEGER NOT NULL,
  accessed INTEGER NOT NULL,
  ttl_until INTEGER,
  gen INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS responses_url ON responses (url);
CREATE INDEX IF NOT EXISTS responses_accessed ON responses (accessed);
CREATE INDEX IF NOT EXISTS responses_ttl_until ON responses (ttl_until) WHERE ttl_until IS NOT NULL;
CREATE INDEX IF NOT EXISTS responses_expiry ON responses (expires, ttl_until, created_at);
CREATE TABLE IF NOT EXISTS redirects (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL,
  ttl_until INTEGER
);
CREATE TABLE IF NOT EXISTS meta (
  name TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
${RESET_TABLE}`;

export interface SqliteStoreOptions {
  path: string;
  readOnly: boolean;
  settings: StoreSettings;
  /** Default: `chooseSqliteDriver()` when the file opens. */
  driver?: SqliteDriverName;
  /** `fastSave`: `PRAGMA synchronous = OFF` instead of NORMAL (requests-cache's `fast_save`). */
  fastSave?: boolean;
}

/**
 * Rows per DELETE in bulk deletes (expired, purge): with the synchronous node:sqlite driver one
 * statement blocks the event loop while it runs, so a bulk delete runs as many short statements.
 */
export const DELETE_BATCH_ROWS = 1000;

/** Rows per transaction of a bulk delete: its index pages are written once per transaction. */
const BULK_TRANSACTION_ROWS = 10_000;
/**
 * The same with a synchronous driver (node:sqlite, better-sqlite3), whose COMMIT runs on the event
 * loop: committing 10,000 deleted rows of 2 KB wrote their pages for about 460 ms here (event-loop
 * stalls of 0.56-1.07 s in scripts/sqlite-scale.ts). At 1,000 rows a COMMIT took 55-80 ms and
 * deleting 10,000 rows 0.8 s in all, as against 0.75 s in 2,000-row transactions (whose COMMITs took
 * 100-126 ms), measured with node:sqlite on Node 24.
 */
const SYNC_BULK_TRANSACTION_ROWS = 1_000;

/** The page cache of a connection during a bulk operation, KiB (SQLite's default is 2000). */
const BULK_CACHE_KIB = 65_536;

/** A response row, its effective store-level TTL and the reset over it (expiry-reset.ts). */
const READ_WITH_RESET = `SELECT r.value, r.ttl_until AS ttl, r.gen, ${RESET_GENERATION} AS reset_gen FROM responses r WHERE r.key = ?`;
/** The same on a file opened readOnly from before resets. */
const READ_WITHOUT_RESET = 'SELECT value, ttl_until AS ttl FROM responses WHERE key = ?';
/**
 * The same, only for a value of at most LARGE_VALUE_BYTES: a synchronous driver reads larger ones on
 * the worker (large-values.ts). octet_length reads the value's size from the record header, never
 * the value, and so does not walk a large row's overflow pages (https://www.sqlite.org/lang_corefunc.html#octet_length).
 */
const READ_SMALL_WITH_RESET = `${READ_WITH_RESET} AND octet_length(r.value) <= ${LARGE_VALUE_BYTES}`;
const READ_SMALL_WITHOUT_RESET = `${READ_WITHOUT_RESET} AND octet_length(value) <= ${LARGE_VALUE_BYTES}`;
/** Whether the row a small-only read did not find is there after all, and large. */
const IS_LARGE = `SELECT 1 AS large FROM responses WHERE key = ? AND octet_length(value) > ${LARGE_VALUE_BYTES}`;

/** The write of one response row. `gen`: as new as the last reset (expiry-reset.ts), read under this write's lock. */
const WRITE_RESPONSE = `INSERT INTO responses (key, value, url, expires, created_at, size, accessed, ttl_until, gen) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ${CURRENT_GENERATION})
         ON CONFLICT (key) DO UPDATE SET value = excluded.value, url = excluded.url, expires = excluded.expires,
           created_at = excluded.created_at, size = excluded.size, accessed = excluded.accessed, ttl_until = excluded.ttl_until, gen = excluded.gen`;

/** Yields to the event loop between the statements of a bulk operation. */
const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** How many writes between two purges of rows past their store-level TTL. */
export const PURGE_EVERY_WRITES = 1000;

/** Retry delays for a busy statement, ms: about 0.2 s in all for a write. */
const WRITE_RETRIES_MS = [2, 5, 10, 20, 40, 60, 80];

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Bytes as a Buffer (sqlite3 and better-sqlite3 give Buffers, node:sqlite Uint8Arrays); text stays text. */
const asValue = (value: unknown): StoredValue | undefined => {
  if (typeof value === 'string') return value;
  if (value instanceof Uint8Array) return Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  return undefined;
};

/** A stored value as a statement parameter: text stays text, bytes become a Buffer view. */
const bindable = (value: StoredValue): SqliteParam => {
  if (typeof value === 'string') return value;
  // node:sqlite on Node 22 binds a view of a zero-length ArrayBuffer as NULL.
  if (value.byteLength === 0) return Buffer.alloc(0);
  return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
};

/**
 * The driver a SQLite cache uses when the `sqliteDriver` option does not name one ('auto'; issue
 * 10 item 3, measured in README "SQLite"): node:sqlite where it loads without an
 * ExperimentalWarning (Node 24); else better-sqlite3 if it is installed and its addon loads on this
 * Node (synchronous: a hit takes µs where sqlite3 takes hundreds of µs in libuv's thread pool);
 * else sqlite3; else node:sqlite with Node's warning (Node 22 with neither package). Node 20 with
 * neither package fails to open, saying how to install either.
 * Returns the choice and why, for the debug log. The loads are remembered, so this runs once.
 */
export async function chooseSqliteDriver(): Promise<{ driver: SqliteDriverName; why: string }> {
  const builtin = nodeSqliteModule() === undefined ? 'absent' : nodeSqliteIsQuiet() ? 'quiet' : 'warns';
  if (builtin === 'quiet') return { driver: 'node:sqlite', why: `node:sqlite loads without a warning on Node ${process.version}` };
  const skipped: string[] = [`node:sqlite ${builtin === 'absent' ? 'is absent' : 'prints an ExperimentalWarning'} on Node ${process.version}`];
  try {
    await loadBetterSqlite3();
    return { driver: 'better-sqlite3', why: `${skipped.join('; ')}; better-sqlite3 loads` };
  } catch (error) {
    skipped.push(`better-sqlite3 unavailable (${(error as Error)?.message ?? String(error)})`);
  }
  try {
    await loadSqlite3();
    return { driver: 'sqlite3', why: `${skipped.join('; ')}; sqlite3 loads` };
  } catch (error) {
    if (builtin === 'absent') {
      throw new StorageOpenError(
        `The SQLite backend on Node ${process.version} needs better-sqlite3 or sqlite3, and neither loads (${skipped.slice(1).join('; ')}; ${(error as Error)?.message ?? String(error)}); ` +
          `\`npm install ${BETTER_SQLITE3_RANGE}\` gives the faster, synchronous driver`,
        { cause: error },
      );
    }
    skipped.push(`sqlite3 unavailable (${(error as Error)?.message ?? String(error)})`);
  }
  return { driver: 'node:sqlite', why: `${skipped.join('; ')}; node:sqlite with its warning` };
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
  /** The named driver, else the automatic choice once the file has opened (undefined before). */
  private driverName: SqliteDriverName | undefined;
  /** Large rows' connection on a worker thread (synchronous drivers only: sqlite3 already runs off the loop). */
  private large: LargeValueWorker | undefined;

  constructor(private readonly options: SqliteStoreOptions) {
    this.settings = options.settings;
    this.driverName = options.driver;
    this.description = `sqlite ${options.path}`;
  }

  /** The driver in use; with 'auto', known once the file has opened (chosen at the first operation). */
  get driver(): SqliteDriverName | undefined {
    return this.driverName;
  }

  /**
   * count(), delete({ expired, olderThan }) and resetExpiration() as SQL over the indexed columns
   * (`responses_expiry` covers them), instead of decoding every entry (CacheStorage).
   */
  readonly indexed: IndexedResponses = {
    // Rows written with RecordMeta have a URL; rows written without (by other code) have '' and are
    // left to `unindexed`. Both counts are covering-index scans (responses_expiry or responses_gen,
    // and responses_url), never a read of the table: `url <> ''` in one query would read every row.
    count: async ({ unexpiredAt }) => {
      const now = Date.now();
      const reset = await this.read((db) => (this.resettable ? lastReset(db) : Promise.resolve(undefined)));
      const ownLive = unexpiredAt === undefined ? '(ttl_until IS NULL OR ttl_until > ?)' : '(ttl_until IS NULL OR ttl_until > ?) AND (expires IS NULL OR expires > ?)';
      const ownParams = unexpiredAt === undefined ? [now] : [now, unexpiredAt];
      if (!reset) {
        const row = await this.read((db) => db.get(`SELECT (SELECT count(*) FROM responses WHERE ${ownLive}) - (SELECT count(*) FROM responses WHERE url = '' AND ${ownLive}) AS n`, [...ownParams, ...ownParams]));
        return Number(row?.n ?? 0);
      }
      // Rows written since the reset by their own columns; older rows all live or not by the reset's.
      const after = `gen >= ? AND ${ownLive}`;
      const afterParams = [reset.generation, ...ownParams];
      const resetLive = (reset.ttlUntil === null || reset.ttlUntil > now) && (unexpiredAt === undefined || reset.expires === null || reset.expires > unexpiredAt);
      const before = resetLive ? " + (SELECT count(*) FROM responses WHERE gen < ?) - (SELECT count(*) FROM responses WHERE url = '' AND gen < ?)" : '';
      const row = await this.read((db) =>
        db.get(`SELECT (SELECT count(*) FROM responses WHERE ${after}) - (SELECT count(*) FROM responses WHERE url = '' AND ${after})${before} AS n`, [
          ...afterParams,
          ...afterParams,
          ...(resetLive ? [reset.generation, reset.generation] : []),
        ]),
      );
      return Number(row?.n ?? 0);
    },
    unindexed: async (after, limit) => this.pageWhere("r.url = ''", after, limit),
    delete: async (selection) => {
      await this.db(); // `resettable` is known once open
      // Rows already past their store-level TTL are invisible: they go, uncounted.
      await this.purgeExpired();
      // One pass per condition: each is a range or a covering scan of responses_expiry (ORed in one
      // statement, SQLite scans the table instead).
      let deleted = 0;
      const indexedRows = "rowid NOT IN (SELECT rowid FROM responses WHERE url = '')";
      if (selection.expiredAt !== undefined) {
        deleted += await this.deleteWhere(`expires IS NOT NULL AND expires <= ? AND ${this.sinceReset} AND ${indexedRows}`, [selection.expiredAt], true);
        // Rows older than a reset that expires by then: the condition is read in the statement itself,
        // so a reset made meanwhile by another process is never judged by the one before it.
        if (this.resettable && (await this.read((db) => lastReset(db)))) {
          deleted += await this.deleteWhere(`gen < (SELECT gen FROM expiry_reset WHERE id = 1 AND expires IS NOT NULL AND expires <= ?) AND ${indexedRows}`, [selection.expiredAt], true);
        }
      }
      if (selection.createdBefore !== undefined) deleted += await this.deleteWhere(`created_at < ? AND ${indexedRows}`, [selection.createdBefore], true);
      return deleted;
    },
    page: async (after, limit) => this.pageWhere('1', after, limit),
    read: (key) => this.readResponse(key),
    resetExpiration: (request) => this.resetExpiration(request),
  };

  /** Whether the file has `gen` and `expiry_reset` (always, once opened writable). Known after open. */
  private resettable = false;

  /** Rows written since the last reset (all rows when there has been none), read in the statement. */
  private get sinceReset(): string {
    return this.resettable ? `gen >= ${CURRENT_GENERATION}` : '1';
  }

  /** Live rows matching `where` with keys after `after`, in key order, each with the reset over it. */
  private async pageWhere(where: string, after: string, limit: number): Promise<IndexedRow[]> {
    // The statement is chosen once the file is open (`resettable`).
    const sql = (): string =>
      this.resettable
        ? `SELECT r.key, r.value, r.gen, ${RESET_GENERATION} AS reset_gen FROM responses r WHERE ${where} AND r.key > ? AND (${TTL_OF_ROW} IS NULL OR ${TTL_OF_ROW} > ?) ORDER BY r.key LIMIT ?`
        : `SELECT r.key, r.value FROM responses r WHERE ${where} AND r.key > ? AND (r.ttl_until IS NULL OR r.ttl_until > ?) ORDER BY r.key LIMIT ?`;
    const { rows, reset } = await this.read(async (db) => {
      const found = await db.all(sql(), [after, Date.now(), limit]);
      return { rows: found, reset: found.some(underReset) ? await this.resetRecord(db, found.find(underReset)!) : undefined };
    });
    // Every row, so that a short page means the end; a value of another type (written by other
    // code) comes back as text and reads as invalid.
    return rows.map((row) => [row.key as string, asValue(row.value) ?? String(row.value), reset && underReset(row) ? reset : undefined]);
  }

  /** The last reset read, kept while its generation is the one rows report (it never changes under a generation). */
  private knownReset: StoredReset | undefined;

  /** The reset over a row older than it (`underReset`): the one kept if still the last, else read. */
  private async resetRecord(db: SqliteConnection, row: SqliteRow): Promise<StoredReset | undefined> {
    const generation = Number(row.reset_gen);
    if (this.knownReset?.generation === generation) return this.knownReset;
    // Read after the row: a reset made in between is newer still, and covers the row as well.
    this.knownReset = await lastReset(db);
    return this.knownReset;
  }

  /** One live response row and the reset over it (the statement chosen once the file is open). */
  private async readResponse(key: string): Promise<{ value: StoredValue; reset?: ExpiryReset } | undefined> {
    const row = await this.readRow(key);
    if (!row) return undefined;
    const reset = underReset(row) ? await this.read((db) => this.resetRecord(db, row)) : undefined;
    const ttl = reset ? reset.ttlUntil : row.ttl;
    if (typeof ttl === 'number' && ttl <= Date.now()) return undefined;
    if (this.limited) this.touched.add(key);
    const value = asValue(row.value);
    if (value === undefined) return undefined;
    return reset ? { value, reset: { generation: reset.generation, expires: reset.expires, signature: reset.signature } } : { value };
  }

  /** The response row of `key`, a large one through the worker where there is one. */
  private async readRow(key: string): Promise<SqliteRow | undefined> {
    await this.db(); // the worker (and the statement) are known once the file is open
    const full = this.resettable ? READ_WITH_RESET : READ_WITHOUT_RESET;
    const large = this.large;
    if (!large?.available) return this.read((db) => db.get(full, [key]));
    const row = await this.read((db) => db.get(this.resettable ? READ_SMALL_WITH_RESET : READ_SMALL_WITHOUT_RESET, [key]));
    if (row || !(await this.read((db) => db.get(IS_LARGE, [key])))) return row;
    log('reading the large row %s of %s on the worker thread', key, this.description);
    return this.read((db) => large.get(full, [key]).catch((error: unknown) => (isWorkerUnavailable(error) ? db.get(full, [key]) : Promise.reject(error))));
  }

  /**
   * Records a reset over every row written so far (expiry-reset.ts): one transaction, however many
   * rows there are. Its generation is one above the last, so the rows it covers are those below.
   */
  private resetExpiration(request: ExpiryResetRequest): Promise<void> {
    return this.bulk(async (db) => {
      await this.transaction(db, async () => {
        const generation = ((await lastReset(db))?.generation ?? 0) + 1;
        await db.run(
          `INSERT INTO expiry_reset (id, gen, expires, ttl_until, sig) VALUES (1, ?, ?, ?, ?)
           ON CONFLICT (id) DO UPDATE SET gen = excluded.gen, expires = excluded.expires, ttl_until = excluded.ttl_until, sig = excluded.sig`,
          [generation, request.expires, request.ttlUntil, request.sign ? request.sign(generation, request.expires) : null],
        );
        log('expiry reset %d on %s: rows written before it expire at %s', generation, this.description, request.expires);
      });
    });
  }

  /** Bulk operations one after another: each runs its own transactions on the shared connection. */
  private bulkTail: Promise<unknown> = Promise.resolve();

  /**
   * Runs a bulk operation (bulk delete, rewrite): alone among bulk operations, with a page cache of
   * BULK_CACHE_KIB, so that the index pages a transaction touches are written once per transaction
   * rather than spilled and written again (measured: 50,000 deletes took 2.4 s this way instead of
   * 6.5 s in one transaction per statement).
   */
  private bulk<T>(fn: (db: SqliteConnection) => Promise<T>): Promise<T> {
    const result = this.bulkTail.then(async () => {
      const db = await this.db();
      await db.exec(`PRAGMA cache_size = -${BULK_CACHE_KIB}`);
      try {
        return await fn(db);
      } finally {
        await db.exec('PRAGMA cache_size = -2000').catch(() => undefined);
      }
    });
    this.bulkTail = result.catch(() => undefined);
    return result;
  }

  /**
   * `fn` inside BEGIN IMMEDIATE ... COMMIT (the write lock taken up front, retried while busy like any
   * write). Statements this process runs meanwhile on the connection join the transaction.
   */
  private async transaction<T>(db: SqliteConnection, fn: () => Promise<T>): Promise<T> {
    await this.write(() => db.exec('BEGIN IMMEDIATE'));
    try {
      const result = await fn();
      await db.exec('COMMIT');
      return result;
    } catch (error) {
      await db.exec('ROLLBACK').catch(() => undefined);
      throw error;
    }
  }

  /**
   * Deletes the rows matching `where` in statements of DELETE_BATCH_ROWS rows and transactions of
   * BULK_TRANSACTION_ROWS, yielding to the event loop between statements; with `aliases`, redirect
   * aliases spelled like a deleted response key go too (as deleteKeys).
   */
  private deleteWhere(where: string, params: readonly SqliteParam[], aliases: boolean): Promise<number> {
    // By rowid: the index holds rowids, so selecting a batch never reads the table.
    const batch = `SELECT rowid FROM responses WHERE ${where} LIMIT ${DELETE_BATCH_ROWS}`;
    return this.bulk(async (db) => {
      let deleted = 0;
      // Most caches hold no alias at all: then the alias statement is skipped.
      if (aliases && !(await db.get('SELECT 1 AS found FROM redirects LIMIT 1'))) aliases = false;
      for (let more = true; more; ) {
        const perTransaction = this.synchronous ? SYNC_BULK_TRANSACTION_ROWS : BULK_TRANSACTION_ROWS;
        await this.transaction(db, async () => {
          for (let rows = 0; rows < perTransaction; ) {
            if (aliases) await db.run(`DELETE FROM redirects WHERE key IN (SELECT key FROM responses WHERE rowid IN (${batch}))`, params as SqliteParam[]);
            const { changes } = await db.run(`DELETE FROM responses WHERE rowid IN (${batch})`, params as SqliteParam[]);
            deleted += changes;
            rows += changes;
            if (changes < DELETE_BATCH_ROWS) {
              more = false;
              return;
            }
            await turn();
          }
        });
      }
      if (deleted > 0) this.totals = undefined;
      return deleted;
    });
  }

  /** node:sqlite and better-sqlite3 run each statement, COMMIT included, on the event loop. */
  private get synchronous(): boolean {
    return this.driverName === 'node:sqlite' || this.driverName === 'better-sqlite3';
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
    if (this.driverName === undefined) {
      const { driver, why } = await chooseSqliteDriver();
      log('sqliteDriver auto: %s uses %s (%s)', path, driver, why);
      this.driverName = driver;
    } else {
      log('sqliteDriver %s: named by the option for %s', this.driverName, path);
    }
    const db =
      this.driverName === 'node:sqlite' ? openNodeSqlite(path, readOnly) : this.driverName === 'better-sqlite3' ? await openBetterSqlite3(path, readOnly) : await openSqlite3(path, readOnly);
    try {
      if (!readOnly) {
        // WAL: readers and one writer at once, across processes (sqlite.org/wal.html).
        await this.retry(() => db.exec('PRAGMA journal_mode = WAL'));
        // NORMAL: in WAL mode a commit is not fsynced, only checkpoints are; a crash of the process
        // loses nothing, a power loss may lose the last commits. OFF (fastSave, requests-cache's
        // fast_save) skips the checkpoints' fsyncs too, which is most of a write's cost on a disk with
        // slow syncs (measured: 330 us per 2 KB insert with NORMAL, 100 us with OFF, on this VM), at
        // the price that an OS crash or power loss can corrupt the file
        // (https://www.sqlite.org/pragma.html#pragma_synchronous); a cache can be thrown away.
        await this.retry(() => db.exec(`PRAGMA synchronous = ${this.options.fastSave ? 'OFF' : 'NORMAL'}`));
        await this.retry(() => db.exec(SCHEMA));
        await this.retry(() => addGenerationColumn(db));
        await this.retry(() => db.exec(RESET_INDEX));
        this.resettable = true;
        await this.retry(() => migrateLegacyTable(db, this.settings.ttlOffsetMs));
        // Rows that outlived their TTL while no process had the file open (those under a reset: purgeExpired).
        await this.retry(() => db.run(`DELETE FROM responses WHERE ttl_until IS NOT NULL AND ttl_until <= ? AND gen >= ${CURRENT_GENERATION}`, [Date.now()])).catch(() => undefined);
      } else {
        this.resettable = await hasExpiryReset(db);
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
    if (this.synchronous) this.large = new LargeValueWorker(path, this.driverName, readOnly ?? false);
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
    if (bin === 'responses') return (await this.readResponse(key))?.value;
    const row = await this.read((db) => db.get('SELECT value, ttl_until FROM redirects WHERE key = ?', [key]));
    if (!row) return undefined;
    if (typeof row.ttl_until === 'number' && row.ttl_until <= Date.now()) return undefined;
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
    const stored = bindable(value);
    if (bin === 'redirects') {
      await this.write((db) => db.run('INSERT INTO redirects (key, value, ttl_until) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, ttl_until = excluded.ttl_until', [key, String(value), ttlUntil]));
      return;
    }
    const meta = options.meta ?? { url: '', expires: null, createdAt: now };
    const size = typeof value === 'string' ? Buffer.byteLength(value) : value.byteLength;
    await this.write(async (db) => {
      const previous = this.limited ? await db.get('SELECT size FROM responses WHERE key = ?', [key]) : undefined;
      const params = [key, stored, meta.url, meta.expires, meta.createdAt, size, now, ttlUntil];
      const large = size > LARGE_VALUE_BYTES && this.large?.available ? this.large : undefined;
      if (large) {
        log('writing the large row %s of %s (%d bytes) on the worker thread', key, this.description, size);
        await large.run(WRITE_RESPONSE, params).catch((error: unknown) => (isWorkerUnavailable(error) ? db.run(WRITE_RESPONSE, params) : Promise.reject(error)));
      } else {
        await db.run(WRITE_RESPONSE, params);
      }
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
    const sql = (): string =>
      bin === 'responses' && this.resettable
        ? `SELECT count(*) AS n FROM responses r WHERE ${TTL_OF_ROW} IS NULL OR ${TTL_OF_ROW} > ?`
        : `SELECT count(*) AS n FROM ${bin} WHERE ttl_until IS NULL OR ttl_until > ?`;
    const row = await this.read((db) => db.get(sql(), [Date.now()]));
    return Number(row?.n ?? 0);
  }

  async keysForUrl(url: string): Promise<string[]> {
    const rows = await this.read((db) => db.all('SELECT key FROM responses WHERE url = ?', [url]));
    return rows.map((row) => row.key as string);
  }

  /**
   * Deletes rows past their store-level TTL (through the partial `ttl_until` index). SQLite has no
   * TTL of its own and reads only hide such rows, so without this they would stay in the file:
   * run on open and every PURGE_EVERY_WRITES writes. A row older than a reset lives by the reset's
   * TTL, not its own (expiry-reset.ts).
   */
  async purgeExpired(now = Date.now()): Promise<number> {
    await this.db(); // `resettable` is known once open
    let changes = await this.deleteWhere(`ttl_until IS NOT NULL AND ttl_until <= ? AND ${this.sinceReset}`, [now], false);
    const reset = this.resettable ? await this.read((db) => lastReset(db)) : undefined;
    if (reset && reset.ttlUntil !== null && reset.ttlUntil <= now) {
      changes += await this.deleteWhere('gen < (SELECT gen FROM expiry_reset WHERE id = 1 AND ttl_until IS NOT NULL AND ttl_until <= ?)', [now], false);
    }
    await this.write((db) => db.run('DELETE FROM redirects WHERE ttl_until IS NOT NULL AND ttl_until <= ?', [now]));
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
      await this.write((db) => db.exec(`DROP TABLE IF EXISTS responses; DROP TABLE IF EXISTS redirects; ${SCHEMA}; ${RESET_INDEX};`));
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
    const large = this.large;
    this.large = undefined;
    await large?.close().catch(() => undefined);
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
