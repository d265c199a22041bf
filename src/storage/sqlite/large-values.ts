/**
 * Large rows read and written off the event loop (issue 10 item 3: "large rows read without
 * stalling other requests").
 *
 * node:sqlite and better-sqlite3 run every statement on the calling thread. For a 100 MiB value,
 * measured on this machine with node:sqlite (Node 24): the INSERT took about 720 ms and the SELECT
 * about 220 ms, all of it an event-loop stall for every other request of the process. Reading a
 * value in pieces does not help: `substr(value, ?, ?)` walks the row's overflow-page chain from its
 * start for every piece (1 MiB pieces of a 100 MiB value took 12 s in all, 140 ms for the worst one).
 * So values above LARGE_VALUE_BYTES go through a second connection to the same file on a worker
 * thread: the statement blocks that thread instead, and the bytes cross back without a copy (the
 * read buffer is transferred). WAL lets the two connections read and write the one file as two
 * processes would; the worker's connection waits up to WORKER_BUSY_MS on a lock, which blocks
 * nothing but itself, then answers busy like the main connection.
 *
 * The worker starts with the first large row, with the driver the store uses, and is unref'd (it
 * never keeps a process alive). Its code is a string evaluated as CommonJS, so it needs no file of
 * its own in either build. Where it cannot start (better-sqlite3 not resolvable from the worker),
 * large rows go through the main connection as before, logged once.
 */
import { Worker } from 'node:worker_threads';
import { join } from 'node:path';
import { log } from '../../debug.js';
import type { SqliteDriverName, SqliteParam, SqliteRow } from './driver.js';

/** Values above this many bytes are read and written on the worker (4 MiB: a 4 MiB read took about 9 ms). */
export const LARGE_VALUE_BYTES = 4 * 1024 * 1024;

/** How long the worker's connection waits on another connection's lock (it blocks only the worker). */
const WORKER_BUSY_MS = 2000;

const WORKER_SOURCE = `
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const { createRequire } = require('node:module');
const { path, readOnly, driver, resolveFrom, busyMs } = workerData;
let db;
function open() {
  if (db) return db;
  if (driver === 'node:sqlite') {
    // Node 22 warns when node:sqlite loads; the store already let that warning through once, or
    // runs where node:sqlite is quiet.
    const emit = process.emitWarning;
    process.emitWarning = function (warning, ...rest) {
      const type = typeof rest[0] === 'string' ? rest[0] : rest[0] && rest[0].type;
      if (type === 'ExperimentalWarning' && /SQLite/i.test(String(warning))) return;
      return emit.call(process, warning, ...rest);
    };
    const { DatabaseSync } = require('node:sqlite');
    const connection = new DatabaseSync(path, { readOnly, timeout: busyMs });
    db = { prepare: (sql) => connection.prepare(sql) };
  } else {
    let Database;
    for (const from of resolveFrom) {
      try { Database = createRequire(from)('better-sqlite3'); break; } catch (error) { /* next place */ }
    }
    if (!Database) throw Object.assign(new Error('better-sqlite3 cannot be resolved from the worker thread'), { code: 'WORKER_UNAVAILABLE' });
    const connection = new Database(path, { readonly: readOnly, fileMustExist: true, timeout: busyMs });
    db = { prepare: (sql) => connection.prepare(sql) };
  }
  return db;
}
const statements = new Map();
function statement(sql) {
  let s = statements.get(sql);
  if (!s) { s = open().prepare(sql); statements.set(sql, s); }
  return s;
}
parentPort.on('message', ({ id, op, sql, params }) => {
  try {
    if (op === 'get') {
      const row = statement(sql).get(...params);
      const transfer = [];
      if (row) for (const value of Object.values(row)) if (value instanceof Uint8Array && !transfer.includes(value.buffer)) transfer.push(value.buffer);
      parentPort.postMessage({ id, row }, transfer);
    } else {
      const result = statement(sql).run(...params);
      parentPort.postMessage({ id, changes: Number(result.changes) });
    }
  } catch (error) {
    parentPort.postMessage({ id, error: { message: String((error && error.message) || error), code: error && error.code, errcode: error && error.errcode } });
  }
});
`;

/** The worker could not open its connection (better-sqlite3 not resolvable from it): use the main one. */
export const isWorkerUnavailable = (error: unknown): boolean => (error as { code?: unknown } | undefined)?.code === 'WORKER_UNAVAILABLE';

interface Reply {
  id: number;
  row?: SqliteRow;
  changes?: number;
  error?: { message: string; code?: unknown; errcode?: unknown };
}

/** Where the worker looks for better-sqlite3: as this package would resolve it, then the app's main script and folder. */
function resolveFrom(): string[] {
  const places: string[] = [];
  if (typeof __filename === 'string') places.push(__filename); // the CommonJS build
  if (process.argv[1]) places.push(process.argv[1]);
  places.push(join(process.cwd(), 'package.json'));
  return places;
}

/** Statements on a worker thread's own connection to one SQLite file. */
export class LargeValueWorker {
  private worker: Worker | undefined;
  private unavailable = false;
  private nextId = 0;
  private readonly pending = new Map<number, { resolve(reply: Reply): void; reject(error: unknown): void }>();

  constructor(
    private readonly path: string,
    private readonly driver: SqliteDriverName,
    private readonly readOnly: boolean,
    /** Where the worker looks for better-sqlite3 (tests name a place without it). */
    private readonly lookIn: readonly string[] = resolveFrom(),
  ) {}

  /** Whether large rows can go to the worker (false once it failed to start: they stay on the main connection). */
  get available(): boolean {
    return !this.unavailable;
  }

  /** One row; transferred bytes arrive as Uint8Arrays (the store's asValue makes Buffers of them). */
  async get(sql: string, params: readonly SqliteParam[]): Promise<SqliteRow | undefined> {
    return (await this.send('get', sql, params)).row;
  }

  async run(sql: string, params: readonly SqliteParam[]): Promise<{ changes: number }> {
    return { changes: (await this.send('run', sql, params)).changes ?? 0 };
  }

  private start(): Worker {
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { path: this.path, readOnly: this.readOnly, driver: this.driver, resolveFrom: this.lookIn, busyMs: WORKER_BUSY_MS },
    });
    worker.unref();
    worker.on('message', (reply: Reply) => {
      const waiting = this.pending.get(reply.id);
      if (!waiting) return;
      this.pending.delete(reply.id);
      waiting.resolve(reply);
    });
    const fail = (error: unknown): void => {
      if (this.worker === worker) this.worker = undefined;
      for (const waiting of this.pending.values()) waiting.reject(error);
      this.pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`the SQLite worker thread for ${this.path} exited (code ${code})`)));
    return worker;
  }

  private async send(op: 'get' | 'run', sql: string, params: readonly SqliteParam[]): Promise<Reply> {
    this.worker ??= this.start();
    const worker = this.worker;
    const id = (this.nextId += 1);
    // The worker is referenced while a statement is out, so a process awaiting it is not cut short.
    if (this.pending.size === 0) worker.ref();
    const reply = await new Promise<Reply>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ id, op, sql, params });
    }).finally(() => {
      if (this.pending.size === 0) worker.unref();
    });
    if (reply.error) {
      if (isWorkerUnavailable(reply.error)) {
        this.unavailable = true;
        log('large SQLite rows of %s stay on the main connection: %s', this.path, reply.error.message);
        await this.close();
      }
      throw Object.assign(new Error(reply.error.message), { code: reply.error.code, errcode: reply.error.errcode });
    }
    return reply;
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    if (worker) await worker.terminate();
  }
}
