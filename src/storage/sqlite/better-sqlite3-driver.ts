/**
 * The `better-sqlite3` package (https://github.com/WiseLibs/better-sqlite3, docs/api.md there):
 * synchronous like node:sqlite, so a hit costs a few µs instead of the two trips through libuv's
 * thread pool that the sqlite3 package needs; the default on Node 20 and 22 when it is installed
 * (Node 22's node:sqlite prints an ExperimentalWarning). Imported the first time a SQLite cache
 * opens on it, through importOptional: importing this package never loads a native module.
 *
 * better-sqlite3 12.x is built against V8's C++ API, not N-API: its binary serves one Node ABI
 * (NODE_MODULE_VERSION), and a build for another Node fails to load. The load check below
 * therefore opens a database, which is when better-sqlite3 loads its addon (lib/database.js).
 */
import { StorageOpenError } from '../errors.js';
import { importOptional } from '../optional-import.js';
import { settled, statementCache, type SqliteConnection, type SqliteParam, type SqliteRow } from './driver.js';

/** The major this package is tested with (package.json peerDependencies). */
export const BETTER_SQLITE3_RANGE = 'better-sqlite3@12';

/** How to get a working better-sqlite3, for the error shown when it cannot be loaded. */
export const BETTER_SQLITE3_INSTALL_HINT =
  `install it with \`npm install ${BETTER_SQLITE3_RANGE}\` (it downloads a prebuilt binary, or compiles with python3, make and a C++ compiler), ` +
  'or rebuild it for this Node with `npm rebuild better-sqlite3`; ' +
  "or use sqliteDriver: 'auto' (node:sqlite on Node >= 22.5, the sqlite3 package on Node 20)";

interface Statement {
  /** False for statements that return no rows; `get`/`all` throw on those (docs/api.md "reader"). */
  readonly reader: boolean;
  run(...params: SqliteParam[]): { changes: number };
  get(...params: SqliteParam[]): SqliteRow | undefined;
  all(...params: SqliteParam[]): SqliteRow[];
}
interface Database {
  exec(sql: string): unknown;
  prepare(sql: string): Statement;
  close(): unknown;
}
interface BetterSqlite3Module {
  default: new (path: string, options?: { readonly?: boolean; fileMustExist?: boolean; timeout?: number }) => Database;
}

let loading: Promise<BetterSqlite3Module['default']> | undefined;

/**
 * The Database constructor, once its native addon is known to load on this Node: an in-memory
 * database is opened and closed, since better-sqlite3 loads the addon in its constructor, not on
 * import. A failure is remembered (it only changes with a reinstall, which needs a restart) and
 * becomes a StorageOpenError naming the option, the value and how to install.
 */
export function loadBetterSqlite3(): Promise<BetterSqlite3Module['default']> {
  loading ??= importOptional<BetterSqlite3Module>('better-sqlite3', BETTER_SQLITE3_RANGE, 'sqlite').then(
    (module) => {
      const Database = module.default;
      try {
        new Database(':memory:').close();
      } catch (error) {
        throw new StorageOpenError(`sqliteDriver: 'better-sqlite3' needs the package better-sqlite3, which is installed but cannot be loaded on Node ${process.version} (${(error as Error)?.message ?? String(error)}): ${BETTER_SQLITE3_INSTALL_HINT}`, { cause: error });
      }
      return Database;
    },
    (error: unknown) => {
      const cause = (error as Error)?.cause ?? error;
      const missing = ['ERR_MODULE_NOT_FOUND', 'MODULE_NOT_FOUND'].includes((cause as NodeJS.ErrnoException)?.code ?? '');
      const why = missing ? 'is not installed' : `cannot be loaded (${(cause as Error)?.message ?? String(cause)})`;
      throw new StorageOpenError(`sqliteDriver: 'better-sqlite3' needs the package better-sqlite3, which ${why}: ${BETTER_SQLITE3_INSTALL_HINT}`, { cause });
    },
  );
  return loading;
}

export async function openBetterSqlite3(path: string, readOnly: boolean): Promise<SqliteConnection> {
  const Database = await loadBetterSqlite3();
  // timeout 0: SQLITE_BUSY at once (sqlite3_busy_timeout(db, 0) clears the busy handler), never a
  // synchronous wait on another process's lock; the store retries on a timer or skips the write.
  // readonly opens with SQLITE_OPEN_READONLY; fileMustExist only matters for a read-write open,
  // whose file the store has created beforehand.
  const db = new Database(path, { readonly: readOnly, fileMustExist: readOnly, timeout: 0 });
  const prepared = statementCache((sql): Statement => db.prepare(sql));
  const attempt = settled;
  // `get`/`all` on a statement that returns no rows: run it and answer none, as the other drivers do.
  const rows = (sql: string, params: readonly SqliteParam[]): SqliteRow[] => {
    const statement = prepared(sql);
    if (statement.reader) return statement.all(...params);
    statement.run(...params);
    return [];
  };
  return {
    driver: 'better-sqlite3',
    exec: (sql) => attempt(() => void db.exec(sql)),
    run: (sql, params = []) => attempt(() => ({ changes: Number(prepared(sql).run(...params).changes) })),
    get: (sql, params = []) =>
      attempt(() => {
        const statement = prepared(sql);
        if (statement.reader) return statement.get(...params);
        statement.run(...params);
        return undefined;
      }),
    all: (sql, params = []) => attempt(() => rows(sql, params)),
    close: () => attempt(() => void db.close()),
  };
}
