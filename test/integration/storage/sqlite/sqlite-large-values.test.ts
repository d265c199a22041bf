/**
 * Values above LARGE_VALUE_BYTES go through a worker thread's connection with the synchronous
 * drivers (src/storage/sqlite/large-values.ts): such a read or write lets the event loop run while
 * it is out, smaller ones stay on the main connection, and the rows are the same rows either way
 * (same file, same columns, read back byte-exact by every driver).
 *
 * "Lets the event loop run" is checked without a clock: a statement of a synchronous driver on the
 * main thread settles within a few microtask turns, while a call that waits on another thread (the
 * worker's reply, or libuv's pool for sqlite3) can settle only after the event loop has taken at
 * least one turn. (An immediate queued before the call is no proof: when the worker answers
 * quickly its reply can be delivered in the poll phase, before the immediate's check phase.)
 */
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { DEFAULT_STORE_SETTINGS } from '../../../../src/storage/cache-storage.js';
import type { SqliteDriverName } from '../../../../src/storage/sqlite/driver.js';
import { loadBetterSqlite3 } from '../../../../src/storage/sqlite/better-sqlite3-driver.js';
import { isWorkerUnavailable, LARGE_VALUE_BYTES, LargeValueWorker } from '../../../../src/storage/sqlite/large-values.js';
import { nodeSqliteModule } from '../../../../src/storage/sqlite/node-sqlite-driver.js';
import { SqliteStore } from '../../../../src/storage/sqlite/sqlite-store.js';
import type { SetOptions, StoredValue } from '../../../../src/storage/record-store.js';
import { tempDir } from '../../../support/temp.js';

const LARGE = LARGE_VALUE_BYTES + 1;
const meta = (url: string): SetOptions => ({ meta: { url, expires: null, createdAt: Date.now() } });

/** More microtask turns than any store call on the main thread takes to settle. */
const MICROTASK_TURNS = 1000;

/** Runs `fn` and says whether it was still out after MICROTASK_TURNS microtasks (so it waited on the event loop). */
async function loopRanDuring<T>(fn: () => Promise<T>): Promise<{ ran: boolean; value: T }> {
  let settled = false;
  const promise = fn().then((value) => {
    settled = true;
    return value;
  });
  for (let turn = 0; turn < MICROTASK_TURNS && !settled; turn += 1) await null;
  return { ran: !settled, value: await promise };
}

const bytes = (value: StoredValue | undefined): Buffer => (typeof value === 'string' ? Buffer.from(value) : Buffer.from(value!));

describe('integration: SQLite large values off the event loop', function () {
  this.timeout(60000);

  for (const driver of ['node:sqlite', 'better-sqlite3', 'sqlite3'] as SqliteDriverName[]) {
    describe(`on ${driver}`, () => {
      before(async function () {
        if (driver === 'node:sqlite' && !nodeSqliteModule()) {
          console.log(`      skipped: node:sqlite needs Node >= 22.5 (this is ${process.version}); CI runs it on Node 24`);
          this.skip();
        }
        const missing = driver === 'better-sqlite3' ? await loadBetterSqlite3().then(() => undefined, (error: Error) => error.message) : undefined;
        if (missing) {
          console.log(`      skipped: ${missing}`);
          this.skip();
        }
      });

      const open = (path: string, readOnly = false): SqliteStore => new SqliteStore({ path, readOnly, settings: DEFAULT_STORE_SETTINGS, driver });

      if (driver === 'sqlite3') {
        // sqlite3 runs every statement on libuv's thread pool already: no worker, and still no stall.
        it('a large value is written and read without holding the event loop (sqlite3 is asynchronous)', async () => {
          const store = open(join(tempDir(), 'large.sqlite'));
          try {
            const value = randomBytes(LARGE);
            expect((await loopRanDuring(() => store.set('responses', 'big', value, meta('http://x/big')))).ran).to.equal(true);
            const read = await loopRanDuring(() => store.get('responses', 'big'));
            expect(read.ran).to.equal(true);
            expect(bytes(read.value).equals(value)).to.equal(true);
          } finally {
            await store.close();
          }
        });
        return;
      }

      it('a value above the threshold is written and read on the worker, byte-exact; the loop runs meanwhile', async () => {
        const store = open(join(tempDir(), 'large.sqlite'));
        try {
          const value = randomBytes(LARGE);
          const write = await loopRanDuring(() => store.set('responses', 'big', value, meta('http://x/big')));
          expect(write.ran, 'the event loop ran during the write').to.equal(true);
          const read = await loopRanDuring(() => store.get('responses', 'big'));
          expect(read.ran, 'the event loop ran during the read').to.equal(true);
          expect(bytes(read.value).equals(value)).to.equal(true);
          expect(Buffer.isBuffer(read.value), 'bytes come back as a Buffer').to.equal(true);
        } finally {
          await store.close();
        }
      });

      it('values at the threshold and below stay on the main connection (a hit pays no thread hop)', async () => {
        const store = open(join(tempDir(), 'small.sqlite'));
        try {
          const value = randomBytes(LARGE_VALUE_BYTES);
          await store.set('responses', 'warm', 'x', meta('http://x/warm')); // the file is open before the timed calls
          const write = await loopRanDuring(() => store.set('responses', 'edge', value, meta('http://x/edge')));
          expect(write.ran).to.equal(false);
          const read = await loopRanDuring(() => store.get('responses', 'edge'));
          expect(read.ran).to.equal(false);
          expect(bytes(read.value).equals(value)).to.equal(true);
          expect((await loopRanDuring(() => store.get('responses', 'absent'))).value).to.equal(undefined);
        } finally {
          await store.close();
        }
      });

      it('large text values round-trip as text', async () => {
        const store = open(join(tempDir(), 'text.sqlite'));
        try {
          const text = `{"data":"${'é'.repeat(LARGE / 2)}"}`;
          await store.set('responses', 'text', text, meta('http://x/text'));
          expect(await store.get('responses', 'text')).to.equal(text);
        } finally {
          await store.close();
        }
      });

      it('a large row replaced by a small one, and back, always reads as the last write', async () => {
        const store = open(join(tempDir(), 'replace.sqlite'));
        try {
          const large = randomBytes(LARGE);
          await store.set('responses', 'k', large, meta('http://x/k'));
          await store.set('responses', 'k', 'small now', meta('http://x/k'));
          expect(await store.get('responses', 'k')).to.equal('small now');
          await store.set('responses', 'k', large, meta('http://x/k'));
          expect(bytes(await store.get('responses', 'k')).equals(large)).to.equal(true);
          expect(await store.count('responses')).to.equal(1);
          expect(await store.delete('responses', ['k'])).to.equal(1);
          expect(await store.get('responses', 'k')).to.equal(undefined);
        } finally {
          await store.close();
        }
      });

      it('the main connection and a readOnly store read what the worker wrote, and a reset applies to large rows', async () => {
        const path = join(tempDir(), 'shared.sqlite');
        const writer = open(path);
        const value = randomBytes(LARGE);
        try {
          await writer.set('responses', 'big', value, meta('http://x/big'));
          const rows = await writer.query('SELECT key, url, size, octet_length(value) AS n FROM responses');
          expect(rows).to.deep.equal([{ key: 'big', url: 'http://x/big', size: LARGE, n: LARGE }]);
          const expires = Date.now() + 86_400_000;
          await writer.indexed.resetExpiration({ expires, ttlUntil: null });
          const row = await writer.indexed.read('big');
          expect(row?.reset?.expires).to.equal(expires);
          expect(bytes(row?.value).equals(value)).to.equal(true);
          const reader = open(path, true);
          try {
            const read = await loopRanDuring(() => reader.get('responses', 'big'));
            expect(read.ran).to.equal(true);
            expect(bytes(read.value).equals(value)).to.equal(true);
          } finally {
            await reader.close();
          }
        } finally {
          await writer.close();
        }
      });

      if (driver === 'better-sqlite3') {
        it('a worker that cannot load better-sqlite3 says so, and is not used again (the store keeps large rows on its own connection)', async () => {
          const path = join(tempDir(), 'unavailable.sqlite');
          const store = open(path);
          await store.set('responses', 'small', 'x', meta('http://x/small'));
          await store.close();
          const worker = new LargeValueWorker(path, 'better-sqlite3', true, [join(tempDir(), 'nowhere', 'index.js')]);
          try {
            const failure = await worker.get('SELECT value FROM responses WHERE key = ?', ['small']).then(() => undefined, (error: unknown) => error);
            expect(isWorkerUnavailable(failure), String(failure)).to.equal(true);
            expect(worker.available).to.equal(false);
          } finally {
            await worker.close();
          }
        });
      }

      it('close() ends the worker; the file opens again and reads the row', async () => {
        const path = join(tempDir(), 'reopen.sqlite');
        const value = randomBytes(LARGE);
        const first = open(path);
        await first.set('responses', 'big', value, meta('http://x/big'));
        await first.close();
        const second = open(path);
        try {
          expect(bytes(await second.get('responses', 'big')).equals(value)).to.equal(true);
        } finally {
          await second.close();
        }
      });
    });
  }
});
