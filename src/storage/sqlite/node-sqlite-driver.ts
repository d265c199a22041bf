/**
 * `node:sqlite` (https://nodejs.org/api/sqlite.html), loaded with `process.getBuiltinModule` so that
 * neither the bundler nor Node 20 (which has no such module) sees a static import. Statements are
 * prepared once and reused: preparing is a large share of a ~5 µs read.
 */
import { settled, statementCache, type SqliteConnection, type SqliteParam, type SqliteRow } from './driver.js';

interface StatementSync {
  run(...params: SqliteParam[]): { changes: number | bigint };
  get(...params: SqliteParam[]): SqliteRow | undefined;
  all(...params: SqliteParam[]): SqliteRow[];
}
interface DatabaseSync {
  exec(sql: string): void;
  prepare(sql: string): StatementSync;
  close(): void;
}
interface NodeSqliteModule {
  DatabaseSync: new (path: string, options?: { readOnly?: boolean; timeout?: number }) => DatabaseSync;
}

interface Probe {
  module: NodeSqliteModule | undefined;
  /** Whether Node emitted an ExperimentalWarning on the first load (Node 22). */
  warns: boolean;
  /** That warning's arguments, held back until a cache opens on node:sqlite. */
  warning: unknown[] | undefined;
}
let probe: Probe | undefined;

/**
 * Loads node:sqlite once. Node emits an ExperimentalWarning for it on the first load on some
 * releases (measured: 22.23.5 does, 24.22.3 does not); that warning is held back here and only
 * shown if a cache really opens on node:sqlite (`openNodeSqlite`). Looking at the module to choose
 * a driver must not print a warning for a driver the cache then does not use.
 */
function probeNodeSqlite(): Probe {
  if (probe) return probe;
  const get = (process as unknown as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule;
  probe = { module: undefined, warns: false, warning: undefined };
  if (typeof get !== 'function') return probe;
  const emitWarning = process.emitWarning;
  const held = probe;
  process.emitWarning = function (this: unknown, ...args: unknown[]) {
    const [warning, options] = args;
    const type = typeof options === 'string' ? options : ((options as { type?: unknown } | undefined)?.type ?? (warning as Error | undefined)?.name);
    const text = typeof warning === 'string' ? warning : String((warning as Error | undefined)?.message);
    if (held.warning === undefined && type === 'ExperimentalWarning' && /sqlite/i.test(text)) {
      held.warns = true;
      held.warning = args;
      return;
    }
    return (emitWarning as (...a: unknown[]) => void).apply(process, args);
  } as typeof process.emitWarning;
  try {
    held.module = (get.call(process, 'node:sqlite') as NodeSqliteModule | undefined) ?? undefined;
  } catch {
    held.module = undefined;
  } finally {
    process.emitWarning = emitWarning;
  }
  return probe;
}

/** The built-in module, or undefined on a Node without it (20, or 22 before 22.5). Prints nothing. */
export function nodeSqliteModule(): NodeSqliteModule | undefined {
  return probeNodeSqlite().module;
}

/**
 * Whether node:sqlite is there and loads without an ExperimentalWarning: the default driver then
 * (Node 24). Where it warns (Node 22), the default is the sqlite3 package, node:sqlite only when
 * sqlite3 cannot be loaded.
 */
export function nodeSqliteIsQuiet(): boolean {
  const { module, warns } = probeNodeSqlite();
  return module !== undefined && !warns;
}

export function openNodeSqlite(path: string, readOnly: boolean): SqliteConnection {
  const found = probeNodeSqlite();
  const module = found.module;
  if (!module) throw new Error('node:sqlite is not available in this Node version (it needs Node >= 22.5)');
  if (found.warning) {
    // Used after all: the user sees Node's warning once, as without the probe.
    const args = found.warning;
    found.warning = undefined;
    (process.emitWarning as (...a: unknown[]) => void)(...args);
  }
  // timeout 0: SQLITE_BUSY at once, never a synchronous wait on another process's lock.
  const db = new module.DatabaseSync(path, { readOnly, timeout: 0 });
  const prepared = statementCache((sql): StatementSync => db.prepare(sql));
  const attempt = settled;
  return {
    driver: 'node:sqlite',
    exec: (sql) => attempt(() => db.exec(sql)),
    run: (sql, params = []) => attempt(() => ({ changes: Number(prepared(sql).run(...params).changes) })),
    get: (sql, params = []) => attempt(() => prepared(sql).get(...params)),
    all: (sql, params = []) => attempt(() => prepared(sql).all(...params)),
    close: () => attempt(() => db.close()),
  };
}
