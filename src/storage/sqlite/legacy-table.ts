/**
 * Caches written before 0.2 kept everything in one key/value table, `http_cache` (through
 * @keyv/sqlite): responses under their key, aliases under `redirect:<key>`, and a format record.
 * On the first writable open, entries of the current format move into the `responses` and
 * `redirects` tables with their indexed columns filled in, in one transaction; entries of older
 * formats are dropped (they would be purged anyway, CHANGELOG 0.2.0); then the old table goes.
 */
import { ENTRY_FORMAT } from '../../policy/types.js';
import type { SqliteConnection } from './driver.js';

const LEGACY_TABLE = 'http_cache';
const LEGACY_FORMAT_KEY = 'axios-keyv-cache:format';
const LEGACY_ALIAS_PREFIX = 'redirect:';

interface LegacyEntry {
  v?: unknown;
  url?: unknown;
  expires?: unknown;
  createdAt?: unknown;
}

/** Returns how many responses moved (0 when there was no legacy table). */
export async function migrateLegacyTable(db: SqliteConnection, ttlOffsetMs: number): Promise<number> {
  const table = await db.get("SELECT name FROM sqlite_master WHERE type = 'table' AND name = ?", [LEGACY_TABLE]);
  if (!table) return 0;
  const rows = await db.all(`SELECT key, value FROM ${LEGACY_TABLE}`);
  let moved = 0;
  await db.exec('BEGIN IMMEDIATE');
  try {
    const now = Date.now();
    for (const row of rows) {
      const key = String(row.key);
      const value = row.value;
      if (key === LEGACY_FORMAT_KEY || typeof value !== 'string') continue;
      if (key.startsWith(LEGACY_ALIAS_PREFIX)) {
        await db.run('INSERT OR IGNORE INTO redirects (key, value) VALUES (?, ?)', [key.slice(LEGACY_ALIAS_PREFIX.length), value]);
        continue;
      }
      let entry: LegacyEntry;
      try {
        entry = JSON.parse(value) as LegacyEntry;
      } catch {
        continue; // unreadable: it was a miss before, it is gone now
      }
      if (entry.v !== ENTRY_FORMAT || typeof entry.url !== 'string') continue;
      const expires = typeof entry.expires === 'number' ? entry.expires : null;
      const createdAt = typeof entry.createdAt === 'number' ? entry.createdAt : now;
      await db.run('INSERT OR IGNORE INTO responses (key, value, url, expires, created_at, size, accessed, ttl_until) VALUES (?, ?, ?, ?, ?, ?, ?, ?)', [
        key,
        value,
        entry.url,
        expires,
        createdAt,
        Buffer.byteLength(value),
        createdAt,
        expires === null ? null : expires + ttlOffsetMs,
      ]);
      moved += 1;
    }
    // Aliases whose response did not survive point at nothing.
    await db.run('DELETE FROM redirects WHERE value NOT IN (SELECT key FROM responses)');
    await db.exec(`DROP TABLE ${LEGACY_TABLE}`);
    await db.exec('COMMIT');
  } catch (error) {
    await db.exec('ROLLBACK').catch(() => undefined);
    throw error;
  }
  return moved;
}
