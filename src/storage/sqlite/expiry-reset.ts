/**
 * `resetExpiration` on SQLite as one record instead of a rewrite of every row (issue 10: rewriting
 * 100,000 rows of 2 KB took 9.8 s here, and even a bare `UPDATE responses SET expires = ?` 4.0 s,
 * because SQLite writes each whole record again).
 *
 * The one-row table `expiry_reset` holds the last reset: its generation `gen`, the `expires` and
 * store-level `ttl_until` it gives, and its signature when entries are signed. Every write stamps
 * its row with the generation current when it runs (`gen`, read in the same statement, so SQLite's
 * write lock orders the two). A row whose `gen` is below the reset's was written before it and reads
 * with the reset's expiry; a row written since keeps its own. Only the last reset matters: every row
 * older than an earlier reset is older than the last one too.
 *
 * Rows written by versions before this table have `gen` 0 (the column's default), older than any
 * reset. A file opened readOnly that has neither the column nor the table had no reset, and is
 * read as before.
 */
import type { ExpiryReset } from '../record-store.js';
import type { SqliteConnection } from './driver.js';

export const RESET_TABLE = `CREATE TABLE IF NOT EXISTS expiry_reset (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  gen INTEGER NOT NULL,
  expires INTEGER,
  ttl_until INTEGER,
  sig TEXT
);`;

/**
 * Rows by generation, covering what count() and the bulk deletes ask of rows on either side of a
 * reset. Created after `gen` exists (addGenerationColumn): on a file from before it, on first open.
 */
export const RESET_INDEX = 'CREATE INDEX IF NOT EXISTS responses_gen ON responses (gen, expires, ttl_until)';

/** The last reset's generation, NULL before any: an uncorrelated subquery, run once per statement. */
export const RESET_GENERATION = '(SELECT gen FROM expiry_reset WHERE id = 1)';

/** The generation a write stamps on its row: the last reset's, 0 before any. */
export const CURRENT_GENERATION = `coalesce(${RESET_GENERATION}, 0)`;

/**
 * The store-level TTL a row `r` lives by: the reset's if the row is older than it, else its own.
 * Subqueries rather than a join: a LEFT JOIN to expiry_reset made a one-row read cost 11.8 us
 * instead of 5.6 us with node:sqlite here; a subquery adds about 1 us.
 */
export const TTL_OF_ROW = `(CASE WHEN r.gen < ${RESET_GENERATION} THEN (SELECT ttl_until FROM expiry_reset WHERE id = 1) ELSE r.ttl_until END)`;

/** Whether a row read with `r.gen` and `RESET_GENERATION AS reset_gen` is older than the last reset. */
export function underReset(row: Record<string, unknown>): boolean {
  return row.reset_gen !== null && row.reset_gen !== undefined && Number(row.gen) < Number(row.reset_gen);
}

/** The last reset and its store-level TTL. */
export interface StoredReset extends ExpiryReset {
  ttlUntil: number | null;
}

/** The last reset, or undefined when there has been none. */
export async function lastReset(db: SqliteConnection): Promise<StoredReset | undefined> {
  const row = await db.get('SELECT gen, expires, ttl_until, sig FROM expiry_reset WHERE id = 1');
  if (!row) return undefined;
  return {
    generation: Number(row.gen),
    expires: row.expires === null ? null : Number(row.expires),
    ttlUntil: row.ttl_until === null ? null : Number(row.ttl_until),
    signature: row.sig === null ? null : String(row.sig),
  };
}

/** Adds `gen` to a `responses` table from before it (O(1) in SQLite: the default lives in the schema). */
export async function addGenerationColumn(db: SqliteConnection): Promise<void> {
  const columns = await db.all('PRAGMA table_info(responses)');
  if (!columns.some((column) => column.name === 'gen')) await db.exec('ALTER TABLE responses ADD COLUMN gen INTEGER NOT NULL DEFAULT 0');
}

/** Whether the file has the column and the table (a file from before them, opened readOnly, has not). */
export async function hasExpiryReset(db: SqliteConnection): Promise<boolean> {
  const columns = await db.all('PRAGMA table_info(responses)');
  const table = await db.get("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'expiry_reset'");
  return table !== undefined && columns.some((column) => column.name === 'gen');
}
