/**
 * jongodb, the in-memory MongoDB-wire-compatible server shipped in the npm package
 * @jongodb/memory-server-bin-linux-x64-gnu (../shared/reference/infra-notes.md §4): no mongod can be
 * installed here. Its only flags are --host, --port and --database; it prints `JONGODB_URI=…` when
 * ready. It lacks `drop`/`dropDatabase` and TTL expiry, and ignores projections.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { MongoClient, type Db } from 'mongodb';
import { openMongoStore, type MongoStore } from '../../../src/storage/mongo-store.js';
import type { OpenStoreOptions, StoreSettings } from '../../../src/storage/record-store.js';
import { acceptsConnections, freePort, missingServer, portIsFree, startProcess, type RunningServer } from './process.js';

export const JONGODB_HINT = 'npm install -D @jongodb/memory-server-bin-linux-x64-gnu@0.1.6';

/** The jongodb binary, or undefined when the package is not installed. */
export function jongodbBinary(): string | undefined {
  try {
    const pkg = createRequire(import.meta.url).resolve('@jongodb/memory-server-bin-linux-x64-gnu/package.json');
    const bin = join(dirname(pkg), 'bin', 'jongodb');
    return existsSync(bin) ? bin : undefined;
  } catch {
    return undefined;
  }
}

export interface Jongodb {
  readonly port: number;
  /** mongodb://127.0.0.1:<port> (no database: the store picks it). */
  readonly url: string;
  readonly server: RunningServer;
  stop(): Promise<void>;
}

/** Starts jongodb on 127.0.0.1 (on `port`, e.g. to restart one on the same port, or a free one). */
export async function startJongodb(port?: number): Promise<Jongodb> {
  const bin = jongodbBinary();
  if (!bin) throw new Error(`jongodb is not installed: ${JONGODB_HINT}`);
  const p = port ?? (await freePort());
  // A stopped server's port may take a moment to be free again.
  for (let i = 0; i < 100 && !(await portIsFree(p)); i += 1) await new Promise((r) => setTimeout(r, 50));
  // It listens once it has printed JONGODB_URI (after about 30 ms); the port answering is the same signal.
  const server = await startProcess(bin, ['--host=127.0.0.1', `--port=${p}`, '--database=test'], () => acceptsConnections(p));
  return { port: p, url: `mongodb://127.0.0.1:${p}`, server, stop: () => server.stop() };
}

/** In a `before` hook: skips (or fails in CI) when the binary is missing. */
export function requireJongodb(context: Mocha.Context): void {
  if (!jongodbBinary()) missingServer(context, 'jongodb (MongoDB-wire-compatible test server)', JONGODB_HINT);
}

/** A MongoDB server the store suites run against: jongodb (always), and a real mongod from MONGO_URL. */
export interface MongoTarget {
  readonly name: string;
  /** The server's URL (valid inside the suite's hooks and tests). */
  url(): string;
  /** Is this a real mongod (TTL monitor, drop, projections)? */
  readonly real: boolean;
  /** Remembers a database a test created, dropped after the suite on a real mongod (jongodb forgets by itself). */
  track(database: string): void;
}

/**
 * Runs `body` once on a jongodb started for it (skipped with an install hint when missing, a
 * failure in CI), and once more on the mongod at MONGO_URL when that is set.
 */
export function forEachMongoServer(body: (target: MongoTarget) => void): void {
  describe('on jongodb', function () {
    let server: Jongodb | undefined;
    before(async function () {
      requireJongodb(this);
      server = await startJongodb();
    });
    after(async () => server?.stop());
    body({ name: 'jongodb', url: () => server!.url, real: false, track: () => undefined });
  });
  const url = process.env.MONGO_URL;
  if (!url) return;
  describe('on mongod (MONGO_URL)', () => {
    const created = new Set<string>();
    after(async function () {
      this.timeout(60000);
      const client = new MongoClient(url, { serverSelectionTimeoutMS: 2000 });
      try {
        for (const name of created) await client.db(name).dropDatabase();
      } finally {
        await client.close();
      }
    });
    body({ name: 'mongod', url: () => url, real: true, track: (database) => created.add(database) });
  });
}

// Helpers shared by the mongodb and gridfs store suites.

export const SETTINGS: StoreSettings = { deadlineMs: 2000, ttlOffsetMs: 3_600_000, maxEntrySize: undefined, maxEntries: undefined, maxBytes: undefined };
/** A stored document as our raw client sees it. */
export type Raw = { _id: string; [field: string]: any };

/** Opens stores on the target, remembers their databases, and closes them after each test. */
export function storeOpener(target: MongoTarget, factory: (options: OpenStoreOptions) => MongoStore = (o) => openMongoStore(o) as MongoStore) {
  const opened: MongoStore[] = [];
  afterEach(async () => {
    for (const s of opened.splice(0)) await s.close();
  });
  return (cacheName: string, connection: unknown = target.url(), readOnly = false): MongoStore => {
    const store = factory({ cacheName, connection, settings: SETTINGS, readOnly });
    target.track(store.database);
    opened.push(store);
    return store;
  };
}

/** A client of our own to look at what the store wrote. */
export function rawClient(target: MongoTarget): () => MongoClient {
  let client: MongoClient | undefined;
  before(() => {
    client = new MongoClient(target.url(), { serverSelectionTimeoutMS: 2000 });
  });
  after(async () => client?.close());
  return () => client!;
}

const FOREIGN_COLLECTIONS = ['responses', 'redirects', 'meta', 'other.responses', 'responses.files', 'responses.chunks'];

/** Keys on the same server outside any cache: same-named collections in another database and beside ours. */
export function foreignRecords(target: MongoTarget, client: () => MongoClient, sharedDb?: string) {
  const places = (): Db[] => [client().db(`foreign${process.pid}`), ...(sharedDb ? [client().db(sharedDb)] : [])];
  return {
    async plant() {
      for (const db of places()) {
        target.track(db.databaseName);
        for (const name of FOREIGN_COLLECTIONS) {
          await db.collection<Raw>(name).replaceOne({ _id: 'k' }, { app: true }, { upsert: true });
        }
      }
    },
    async stillThere() {
      for (const db of places()) {
        for (const name of FOREIGN_COLLECTIONS) {
          if (!(await db.collection<Raw>(name).findOne({ _id: 'k' }))) return false;
        }
      }
      return true;
    },
  };
}

