/**
 * Several processes on one SQLite cache file (README "SQLite"): writers in child processes never see
 * `database is locked`, lose no committed entry and leave no corruption; and a lock held by another
 * process never freezes this process's event loop.
 */
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { SqliteStore } from '../../../../src/storage/sqlite/sqlite-store.js';
import { useHarness } from '../../../support/harness.js';
import { tempDir } from '../../../support/temp.js';

const support = new URL('../../../support/', import.meta.url).pathname;

function child(script: string, args: string[]): { done: Promise<{ code: number | null; out: string; err: string }>; onLine(fn: (line: string) => void): void } {
  const proc = spawn(process.execPath, ['--import', 'tsx', join(support, script), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const listeners: ((line: string) => void)[] = [];
  proc.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    for (const line of chunk.toString().split('\n')) if (line) for (const fn of listeners) fn(line);
  });
  proc.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  return {
    done: new Promise((resolve) => proc.once('exit', (code) => resolve({ code, out, err }))),
    onLine: (fn) => listeners.push(fn),
  };
}

describe('integration: SQLite shared by several processes', () => {
  const h = useHarness();

  it('three writer processes at once: no request fails, no committed entry is lost, the file stays intact', async function () {
    this.timeout(120000);
    const path = join(tempDir(), 'shared.sqlite');
    // Create the file and its schema first, as a service's first process would.
    const first = h.cached({ backend: 'sqlite', cacheName: path, sqliteDriver: (process.env.AXIOS_KEYV_CACHE_TEST_SQLITE_DRIVER as 'sqlite3' | undefined) ?? 'auto' });
    await first.get('/warm');
    const writers = ['w1', 'w2', 'w3'].map((tag) => child('sqlite-writer-process.ts', [path, h.origin.base, '60', tag]));
    const results = await Promise.all(writers.map((w) => w.done));
    const reports = results.map(({ code, out, err }) => {
      expect(code, err).to.equal(0);
      return JSON.parse(out.trim().split('\n').pop()!) as { written: string[]; failed: number; errors: string[] };
    });
    for (const report of reports) {
      expect(report.failed, 'requests that failed').to.equal(0);
      for (const error of report.errors) expect(error, 'only skipped busy writes may be reported').to.match(/^StorageBusyError/);
    }
    const store = first.cache.storage.store as SqliteStore;
    expect(await store.query('PRAGMA integrity_check')).to.deep.equal([{ integrity_check: 'ok' }]);
    const stored = new Set(await first.cache.responses.keys());
    const committed = reports.flatMap((r) => r.written);
    expect(committed.length, 'premise: the writers wrote entries').to.be.above(60);
    for (const key of committed) expect(stored.has(key), `committed entry ${key}`).to.equal(true);
    let unreadable = 0;
    for await (const item of first.cache.storage.responses()) if (!item.entry) unreadable += 1;
    expect(unreadable, 'entries that do not read back').to.equal(0);
  });

  it('a write while another process holds the write lock is skipped and reported; the request is served from the network; reads go on', async function () {
    this.timeout(30000);
    const path = join(tempDir(), 'busy.sqlite');
    const reports: string[] = [];
    const http = h.cached({ backend: 'sqlite', cacheName: path, onStorageError: (error) => void reports.push(error.name) });
    await http.get('/warm');
    const holder = child('sqlite-lock-holder.ts', [path, '2000']);
    await new Promise<void>((resolve, reject) => {
      holder.onLine((line) => line === 'locked' && resolve());
      void holder.done.then(({ err }) => reject(new Error(`the lock holder exited early: ${err}`)));
    });
    const response = await http.get('/while-locked');
    expect(response.status).to.equal(200);
    expect(response.fromCache).to.equal(false);
    expect(response.cacheKey, 'not written').to.equal(undefined);
    expect((await http.get('/warm')).fromCache, 'reads still work under WAL').to.equal(true);
    expect((await holder.done).code).to.equal(0);
    expect(reports, JSON.stringify(reports)).to.include('StorageBusyError');
    expect((http.cache.storage.store as SqliteStore).skippedWrites).to.be.at.least(1);
    await http.get('/while-locked');
    expect((await http.get('/while-locked')).fromCache, 'writes work again once the lock is gone').to.equal(true);
  });

  it('a lock held by another process for 8 s never stalls the event loop (worst stall well under 1 s) while 4 requests at a time keep going', async function () {
    this.timeout(60000);
    const path = join(tempDir(), 'locked.sqlite');
    const http = h.cached({ backend: 'sqlite', cacheName: path });
    await http.get('/hot');
    const holder = child('sqlite-lock-holder.ts', [path, '8000']);
    await new Promise<void>((resolve, reject) => {
      holder.onLine((line) => line === 'locked' && resolve());
      void holder.done.then(({ err }) => reject(new Error(`the lock holder exited early: ${err}`)));
    });
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    let finished = false;
    void holder.done.then(() => (finished = true));
    let requests = 0;
    let failures = 0;
    let i = 0;
    while (!finished) {
      const batch = [http.get('/hot'), http.get(`/miss/${i++}`), http.get('/hot'), http.get(`/miss/${i++}`)];
      const settled = await Promise.allSettled(batch);
      requests += settled.length;
      failures += settled.filter((s) => s.status === 'rejected').length;
    }
    delay.disable();
    const worstMs = delay.max / 1e6;
    console.log(`      worst event-loop stall ${worstMs.toFixed(0)} ms over ${requests} requests while the lock was held`);
    expect((await holder.done).code).to.equal(0);
    expect(failures, 'requests that failed').to.equal(0);
    expect(requests, 'requests made while the lock was held').to.be.above(20);
    expect(worstMs, `worst event-loop stall ${worstMs.toFixed(0)} ms over ${requests} requests`).to.be.below(500);
    // Once the lock is gone, writes land again.
    await http.get('/after-lock');
    expect((await http.get('/after-lock')).fromCache).to.equal(true);
  });
});
