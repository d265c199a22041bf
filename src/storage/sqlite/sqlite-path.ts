/**
 * Checks on a SQLite cache's path at setup, before any driver is loaded.
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { inspect } from 'node:util';

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

