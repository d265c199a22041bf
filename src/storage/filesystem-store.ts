/**
 * The filesystem backend: one file per record under the folder `<cacheName>/`, as requests-cache's
 * FileCache lays it out (https://requests-cache.readthedocs.io/en/stable/user_guide/backends/filesystem.html),
 * so `cat` shows a cached response.
 *
 * Layout (README "Filesystem"):
 *   <folder>/.axios-keyv-cache      marker: this folder is a cache (clear() checks it)
 *   <folder>/<stem>.json            a response stored as text (the JSON entry, byte for byte)
 *   <folder>/<stem>.bin             a response stored as bytes (binary serializers)
 *   <folder>/redirects/<stem>.txt   a redirect alias (its value: the response key), `.bin` if bytes
 *   <folder>/meta/<stem>.txt        a meta record (the format version)
 *   <...>/@@<sha256>.key            the key of a record whose name is a hash (very long keys)
 *   <...>/.tmp-<random>             a write in progress (never read; removed by clear())
 * `stem` is the key itself when it is lowercase hex of 32-128 digits (our SHA-256 keys), otherwise
 * `@` + the key escaped (fileStem): collision-free, reversible, and safe on case-insensitive
 * filesystems.
 *
 * Atomic writes: every file is written to a temp file in its own folder, then renamed over the
 * record (rename(2) replaces the target atomically: a reader sees the old file or the new one, never
 * a mix; https://pubs.opengroup.org/onlinepubs/9699919799/functions/rename.html). A crashed process
 * leaves only a `.tmp-` file, which nothing reads. Several processes may share a folder.
 *
 * Store-level TTL: the record file's modification time is its deadline (CacheStorage's expiry +
 * offset); a never-expiring record has mtime 0 (1970-01-01). A record past its deadline reads as
 * absent and is removed when seen. So copy a cache folder with `cp -a` / `rsync -a` (which keep
 * mtimes); a plain `cp -r` makes every record expire.
 *
 * Bounded size (`maxEntries`, `maxBytes`): an in-memory LRU index of the responses (LruSizeIndex),
 * built with one readdir + stat on first use (oldest access time first: reads set the file's atime),
 * updated on every get/set/delete, and rebuilt every RESCAN_WRITES writes to pick up other
 * processes' records. Eviction deletes by key and tolerates files already gone.
 */
import { randomBytes, createHash } from 'node:crypto';
import { promises as fsp, type Dirent, type Stats } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { inspect } from 'node:util';
import { log } from '../debug.js';
import { StorageOpenError } from './errors.js';
import { LruSizeIndex } from './lru-index.js';
import type { Bin, OpenStoreOptions, RecordStore, SetOptions, StoredValue, StoreFactory, StoreSettings } from './record-store.js';

/** `connection` of the filesystem backend: the folder (overrides cacheName) and whether writes are fsynced. */
export interface FilesystemConnection {
  /** The cache folder; default: cacheName, resolved against the working directory. */
  directory?: string;
  /**
   * fsync each file before renaming it, so a power loss (not only a crash) cannot leave an empty
   * record on filesystems that reorder data and metadata writes. Default false: a cache may lose
   * entries, and an empty or damaged entry is read as a miss by CacheStorage.
   */
  fsync?: boolean;
}

export const MARKER_FILE = '.axios-keyv-cache';
const MARKER_TEXT =
  'This folder is an axios-keyv-cache filesystem cache: one file per cached response.\n' +
  "clear() deletes only the cache's own files (see the package README, section Filesystem).\n";
export const TEMP_PREFIX = '.tmp-';

type Kind = Bin | 'meta';
const SUBFOLDER: Record<Kind, string> = { responses: '', redirects: 'redirects', meta: 'meta' };
const TEXT_EXT: Record<Kind, string> = { responses: '.json', redirects: '.txt', meta: '.txt' };
const BYTES_EXT = '.bin';
const KEY_EXT = '.key';

/** Keys kept as they are: our SHA-256 cache keys (and other lowercase hex digests). */
const PLAIN = /^[0-9a-f]{32,128}$/;
const HASHED = /^@@[0-9a-f]{64}$/;
const KEPT = /[a-z0-9._-]/;
/** Longest stem before a key is stored under its hash: a file name is at most 255 bytes (NAME_MAX). */
const MAX_STEM = 200;
/** A modification time before 2001-09-09 is the "no deadline" mark (0, or FAT's 1980 floor). */
const NO_DEADLINE_BEFORE_MS = 1e12;
/** Rebuild the LRU index from disk after this many writes: other processes add records too. */
export const RESCAN_WRITES = 1000;
/** Files open at once: libuv runs fs calls on 4 threads, so more only risks EMFILE. */
const MAX_OPEN = 64;
/** Temp files in meta/ older than this are crash leftovers (clear() leaves younger ones: a setMeta may be running). */
const STALE_TEMP_MS = 60_000;

const show = (value: unknown): string => inspect(value, { depth: 1, breakLength: Infinity });
const code = (error: unknown): string | undefined => (error as NodeJS.ErrnoException)?.code;
const isMissing = (error: unknown): boolean => code(error) === 'ENOENT' || code(error) === 'ENOTDIR';

/**
 * A key as a file name stem. Lowercase hex keys of 32-128 digits stay as they are. Any other key
 * becomes `@` + the key with every UTF-16 code unit outside `[a-z0-9._-]` escaped as `%XX` (ASCII)
 * or `%uXXXX`, uppercase hex: reversible, and since only escapes hold uppercase letters, no two
 * stems differ only by case (macOS and Windows folders ignore case). A stem that would be longer
 * than MAX_STEM is `@@` + the SHA-256 of the key, and the key is kept beside it in `<stem>.key`.
 */
export function fileStem(key: string): string {
  if (PLAIN.test(key)) return key;
  let out = '@';
  for (let i = 0; i < key.length; i += 1) {
    const ch = key[i]!;
    const unit = key.charCodeAt(i);
    if (KEPT.test(ch)) out += ch;
    else if (unit < 0x80) out += '%' + unit.toString(16).toUpperCase().padStart(2, '0');
    else out += '%u' + unit.toString(16).toUpperCase().padStart(4, '0');
    if (out.length > MAX_STEM) return '@@' + createHash('sha256').update(key, 'utf8').digest('hex');
  }
  return out;
}

/** The key of an escaped stem, or undefined when the name is not one fileStem makes. */
export function stemKey(stem: string): string | undefined {
  if (PLAIN.test(stem)) return stem;
  if (!stem.startsWith('@') || stem.startsWith('@@')) return undefined;
  let key = '';
  for (let i = 1; i < stem.length; ) {
    if (stem[i] !== '%') {
      key += stem[i];
      i += 1;
    } else if (stem[i + 1] === 'u') {
      key += String.fromCharCode(parseInt(stem.slice(i + 2, i + 6), 16));
      i += 6;
    } else {
      key += String.fromCharCode(parseInt(stem.slice(i + 1, i + 3), 16));
      i += 3;
    }
  }
  // Only the canonical spelling is ours: a user's `@notes.json` that does not decode cleanly is not.
  return fileStem(key) === stem ? key : undefined;
}

/** Splits `name` into stem and extension (the last `.` part); stems may hold dots themselves. */
function splitName(name: string): { stem: string; ext: string } {
  const dot = name.lastIndexOf('.');
  return dot <= 0 ? { stem: name, ext: '' } : { stem: name.slice(0, dot), ext: name.slice(dot) };
}

const isOurStem = (stem: string): boolean => HASHED.test(stem) || stemKey(stem) !== undefined;

/** Is `name` one of our files in a folder of this kind (record, key file, temp file)? */
function isOurFile(kind: Kind, name: string): boolean {
  if (name.startsWith(TEMP_PREFIX)) return true;
  const { stem, ext } = splitName(name);
  if (ext === KEY_EXT) return HASHED.test(stem);
  return (ext === TEXT_EXT[kind] || ext === BYTES_EXT) && isOurStem(stem);
}

/** A tiny counting semaphore, so a burst of requests cannot open more than MAX_OPEN files. */
class Slots {
  private free: number;
  private readonly waiting: (() => void)[] = [];
  constructor(size: number) {
    this.free = size;
  }
  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.free > 0) this.free -= 1;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.free += 1;
    }
  }
}

/** Creates the missing levels of `folder` one at a time, each 0700 (folders we did not create keep their mode). */
async function makeFolders(folder: string): Promise<void> {
  const missing: string[] = [];
  for (let dir = folder; ; dir = dirname(dir)) {
    try {
      const stats = await fsp.stat(dir);
      if (!stats.isDirectory()) throw Object.assign(new Error(`${dir} is not a folder`), { code: 'ENOTDIR' });
      break;
    } catch (error) {
      if (code(error) !== 'ENOENT') throw error;
    }
    missing.unshift(dir);
    if (dirname(dir) === dir) break;
  }
  for (const level of missing) {
    try {
      await fsp.mkdir(level, 0o700);
    } catch (error) {
      if (code(error) === 'EEXIST') continue; // another process made it meanwhile: its mode is its own
      throw error;
    }
    // mkdir's mode passes through the umask; set it explicitly so it is exactly 0700.
    await fsp.chmod(level, 0o700);
  }
}

function parseConnection(connection: unknown): FilesystemConnection {
  if (connection === undefined || connection === null) return {};
  if (typeof connection === 'string') return { directory: connection };
  if (typeof connection === 'object') {
    const { directory, fsync, ...rest } = connection as Record<string, unknown>;
    const extra = Object.keys(rest);
    if (extra.length > 0) throw new TypeError(`Invalid connection for the filesystem backend: unknown option ${extra[0]} (expected { directory?, fsync? })`);
    if (directory !== undefined && (typeof directory !== 'string' || directory === '')) throw new TypeError(`Invalid connection.directory: ${show(directory)} (expected a folder path)`);
    if (fsync !== undefined && typeof fsync !== 'boolean') throw new TypeError(`Invalid connection.fsync: ${show(fsync)} (expected true or false)`);
    return { ...(directory === undefined ? {} : { directory }), ...(fsync === undefined ? {} : { fsync }) };
  }
  throw new TypeError(`Invalid connection for the filesystem backend: ${show(connection)} (expected a folder path or { directory, fsync })`);
}

/** The deadline a record file's mtime encodes; undefined: none. */
const deadlineOf = (stats: Stats): number | undefined => (stats.mtimeMs < NO_DEADLINE_BEFORE_MS ? undefined : stats.mtimeMs);
const isExpired = (stats: Stats, now = Date.now()): boolean => {
  const deadline = deadlineOf(stats);
  return deadline !== undefined && deadline <= now;
};

/** A change of the LRU index: a use (with the size), a removal (no size), or a clear(). */
type IndexOp = { key: string; size?: number } | { clear: true };

function applyOp(index: LruSizeIndex, op: IndexOp): void {
  if ('clear' in op) index.clear();
  else if (op.size === undefined) index.remove(op.key);
  else index.touch(op.key, op.size);
}

export class FilesystemStore implements RecordStore {
  readonly description: string;
  /** The cache folder (absolute). */
  readonly folder: string;
  private readonly fsync: boolean;
  private readonly settings: StoreSettings;
  private readonly readOnly: boolean;
  private readonly slots = new Slots(MAX_OPEN);
  private opening: Promise<void> | undefined;
  /** Responses by stem (not key: eviction needs only the file names), when a size limit is set. */
  private index: LruSizeIndex | undefined;
  /** While a rebuild scans the folder, the index changes made meanwhile, replayed on the new index. */
  private journal: IndexOp[] | undefined;
  private writesSinceScan = 0;
  /** Which extension the last record found had, per kind: tried first (a cache holds one kind). */
  private readonly lastExt: Record<Kind, string> = { responses: TEXT_EXT.responses, redirects: TEXT_EXT.redirects, meta: TEXT_EXT.meta };

  constructor(options: OpenStoreOptions) {
    const connection = parseConnection(options.connection);
    this.folder = resolve(connection.directory ?? options.cacheName);
    this.fsync = connection.fsync ?? false;
    this.settings = options.settings;
    this.readOnly = options.readOnly;
    this.description = `filesystem ${this.folder}`;
  }

  private get limited(): boolean {
    return this.settings.maxEntries !== undefined || this.settings.maxBytes !== undefined;
  }

  private dir(kind: Kind): string {
    return SUBFOLDER[kind] ? join(this.folder, SUBFOLDER[kind]) : this.folder;
  }

  /** First use: the folder and marker (writable stores), the LRU index (size-limited stores). Retried after a failure. */
  private ready(): Promise<void> {
    this.opening ??= this.open().catch((error: unknown) => {
      this.opening = undefined;
      throw new StorageOpenError(`Cannot open the filesystem cache ${this.folder}: ${(error as Error)?.message ?? String(error)}`, { cause: error });
    });
    return this.opening;
  }

  private async open(): Promise<void> {
    if (!this.readOnly) {
      await makeFolders(this.folder);
      await this.writeMarker();
    }
    if (this.limited) this.index = await this.scanIndex();
  }

  private async writeMarker(): Promise<void> {
    let handle: fsp.FileHandle;
    try {
      handle = await fsp.open(join(this.folder, MARKER_FILE), 'wx', 0o600);
    } catch (error) {
      if (code(error) === 'EEXIST') return;
      throw error;
    }
    try {
      await handle.chmod(0o600);
      await handle.writeFile(MARKER_TEXT);
    } finally {
      await handle.close();
    }
  }

  private writable(operation: string): void {
    if (this.readOnly) throw new Error(`Cannot ${operation} the read-only cache ${this.folder}`);
  }

  private extensions(kind: Kind): string[] {
    const first = this.lastExt[kind];
    return first === BYTES_EXT ? [BYTES_EXT, TEXT_EXT[kind]] : [TEXT_EXT[kind], BYTES_EXT];
  }

  /**
   * Reads a record file: its value, or undefined when absent or past its deadline (then removed,
   * unless read-only). The value and the stats come from one open file, so they belong together.
   */
  private async readRecord(kind: Kind, key: string, onFound?: (stem: string, stats: Stats, handle: fsp.FileHandle) => Promise<void>): Promise<StoredValue | undefined> {
    const stem = fileStem(key);
    for (const ext of this.extensions(kind)) {
      const path = join(this.dir(kind), stem + ext);
      const found = await this.slots.run(async () => {
        let handle: fsp.FileHandle;
        try {
          handle = await fsp.open(path, 'r');
        } catch (error) {
          if (isMissing(error)) return undefined;
          throw error;
        }
        try {
          const stats = await handle.stat();
          if (isExpired(stats)) {
            if (!this.readOnly) await this.removeExpired(kind, stem, ext, stats);
            return null;
          }
          const data = await handle.readFile();
          await onFound?.(stem, stats, handle);
          return ext === BYTES_EXT ? data : data.toString('utf8');
        } finally {
          await handle.close();
        }
      });
      if (found === null) return undefined;
      if (found !== undefined) {
        this.lastExt[kind] = ext;
        return found;
      }
    }
    return undefined;
  }

  /**
   * Removes an expired record file, unless another process replaced it since we looked (same
   * inode): the window between that check and the unlink is tiny, and losing a fresh entry in it
   * is a cache miss, not an error.
   */
  private async removeExpired(kind: Kind, stem: string, ext: string, seen: Stats): Promise<void> {
    const path = join(this.dir(kind), stem + ext);
    try {
      const now = await fsp.stat(path);
      if (now.ino === seen.ino && now.dev === seen.dev) await fsp.unlink(path);
      if (kind === 'responses') this.indexOp({ key: stem });
    } catch (error) {
      if (!isMissing(error)) log('could not remove the expired record %s: %O', path, error);
    }
  }

  async get(bin: Bin, key: string): Promise<StoredValue | undefined> {
    await this.ready();
    const track = bin === 'responses' && this.index !== undefined;
    return this.readRecord(bin, key, track ? (stem, stats, handle) => this.touchOnRead(stem, stats, handle) : undefined);
  }

  /** A read makes the response the most recently used, here and (through its atime) for the next scan. */
  private async touchOnRead(stem: string, stats: Stats, handle: fsp.FileHandle): Promise<void> {
    this.indexOp({ key: stem, size: stats.size });
    if (this.readOnly) return;
    // The mtime is the deadline: keep it exactly.
    await handle.utimes(Date.now() / 1000, stats.mtimeMs / 1000).catch((error: unknown) => log('could not set the access time of %s: %O', this.folder, error));
  }

  /**
   * Writes `data` to `<folder>/<name>` atomically: a temp file in the same folder (rename(2) is
   * atomic only within one filesystem), mode 0600 whatever the umask, mtime = `mtimeMs`, then rename.
   * Returns false when the temp file vanished before the rename: a clear() ran meanwhile, which
   * counts as coming after this write.
   */
  private async writeAtomic(folder: string, name: string, data: StoredValue, mtimeMs: number): Promise<boolean> {
    return this.slots.run(async () => {
      const temp = join(folder, TEMP_PREFIX + randomBytes(8).toString('hex'));
      let handle: fsp.FileHandle;
      try {
        handle = await fsp.open(temp, 'wx', 0o600);
      } catch (error) {
        if (!isMissing(error)) throw error;
        await makeFolders(folder); // first record of its kind, or the folder was removed behind us
        handle = await fsp.open(temp, 'wx', 0o600);
      }
      try {
        // open()'s mode passes through the umask, which may also leave fewer bits: set exactly 0600.
        await handle.chmod(0o600);
        await handle.writeFile(data);
        await handle.utimes(Date.now() / 1000, mtimeMs / 1000);
        if (this.fsync) await handle.sync();
      } catch (error) {
        await handle.close().catch(() => undefined);
        await fsp.unlink(temp).catch(() => undefined);
        throw error;
      }
      await handle.close();
      try {
        await fsp.rename(temp, join(folder, name));
        return true;
      } catch (error) {
        await fsp.unlink(temp).catch(() => undefined);
        if (isMissing(error)) return false;
        throw error;
      }
    });
  }

  private async unlinkQuiet(path: string): Promise<boolean> {
    try {
      await fsp.unlink(path);
      return true;
    } catch (error) {
      if (isMissing(error)) return false;
      throw error;
    }
  }

  private async writeRecord(kind: Kind, key: string, value: StoredValue, deadline: number | undefined): Promise<void> {
    const folder = this.dir(kind);
    const stem = fileStem(key);
    // The key file first: a record whose name is a hash is listable as soon as it exists.
    if (HASHED.test(stem)) await this.writeAtomic(folder, stem + KEY_EXT, key, 0);
    const ext = typeof value === 'string' ? TEXT_EXT[kind] : BYTES_EXT;
    const written = await this.writeAtomic(folder, stem + ext, value, deadline ?? 0);
    // The value changed kind (text to bytes or back): the other file is the old value.
    await this.unlinkQuiet(join(folder, stem + (ext === BYTES_EXT ? TEXT_EXT[kind] : BYTES_EXT)));
    this.lastExt[kind] = ext;
    if (written && kind === 'responses' && this.index) {
      this.indexOp({ key: stem, size: typeof value === 'string' ? Buffer.byteLength(value) : value.byteLength });
      await this.afterWrite();
    }
  }

  async set(bin: Bin, key: string, value: StoredValue, options: SetOptions = {}): Promise<void> {
    this.writable('write to');
    await this.ready();
    await this.writeRecord(bin, key, value, options.ttlMs === undefined ? undefined : Date.now() + Math.max(0, options.ttlMs));
  }

  /** Removes the files of one record; true when a value file existed. */
  private async removeRecord(kind: Kind, stem: string): Promise<boolean> {
    const folder = this.dir(kind);
    let existed = false;
    for (const ext of [TEXT_EXT[kind], BYTES_EXT]) if (await this.unlinkQuiet(join(folder, stem + ext))) existed = true;
    if (HASHED.test(stem)) await this.unlinkQuiet(join(folder, stem + KEY_EXT));
    if (kind === 'responses') this.indexOp({ key: stem });
    return existed;
  }

  async delete(bin: Bin, keys: readonly string[]): Promise<number> {
    if (keys.length === 0) return 0;
    this.writable('delete from');
    await this.ready();
    let deleted = 0;
    for (const key of keys) if (await this.removeRecord(bin, fileStem(key))) deleted += 1;
    return deleted;
  }

  /** An index change: applied now, and recorded for replay when a rebuild is scanning. */
  private indexOp(op: IndexOp): void {
    if (!this.index) return;
    this.journal?.push(op);
    applyOp(this.index, op);
  }

  private async afterWrite(): Promise<void> {
    this.writesSinceScan += 1;
    if (this.writesSinceScan >= RESCAN_WRITES && !this.journal) {
      this.writesSinceScan = 0;
      void this.rescan();
    }
    await this.evict();
  }

  /** Deletes the least recently used responses while the cache is over a limit. */
  private async evict(): Promise<void> {
    if (!this.index) return;
    const victims = this.index.takeOverLimit(this.settings.maxEntries, this.settings.maxBytes);
    for (const stem of victims) {
      this.journal?.push({ key: stem });
      log('%s: evicting %s (least recently used)', this.description, stem);
      await this.removeRecord('responses', stem);
    }
  }

  /** Rebuilds the index from the folder (records of other processes), keeping changes made meanwhile. */
  private async rescan(): Promise<void> {
    this.journal = [];
    try {
      const fresh = await this.scanIndex();
      for (const op of this.journal) applyOp(fresh, op);
      this.index = fresh;
    } catch (error) {
      log('%s: rescanning for the size limits failed: %O', this.description, error);
    } finally {
      this.journal = undefined;
    }
    await this.evict().catch((error: unknown) => log('%s: eviction failed: %O', this.description, error));
  }

  /** One readdir + stat of the responses: the index, least recently accessed first. */
  private async scanIndex(): Promise<LruSizeIndex> {
    const found: { stem: string; size: number; used: number }[] = [];
    await this.eachRecord('responses', async (stem, _ext, stats) => {
      found.push({ stem, size: stats.size, used: stats.atimeMs });
    });
    found.sort((a, b) => a.used - b.used);
    const index = new LruSizeIndex();
    for (const { stem, size } of found) index.touch(stem, size);
    return index;
  }

  /**
   * Calls `visit` for every live record file of the kind (stat'ed, in batches); removes expired ones
   * on the way (writable stores). Names are read all at once, so deleting while visiting is safe.
   */
  private async eachRecord(kind: Kind, visit: (stem: string, ext: string, stats: Stats) => Promise<void>): Promise<void> {
    let names: string[];
    try {
      names = await fsp.readdir(this.dir(kind));
    } catch (error) {
      if (isMissing(error)) return;
      throw error;
    }
    const records = names.map(splitName).filter(({ stem, ext }) => (ext === TEXT_EXT[kind] || ext === BYTES_EXT) && isOurStem(stem));
    const now = Date.now();
    for (let i = 0; i < records.length; i += MAX_OPEN) {
      const batch = records.slice(i, i + MAX_OPEN);
      const stats = await Promise.all(
        batch.map(({ stem, ext }) => fsp.stat(join(this.dir(kind), stem + ext)).catch((error: unknown) => (isMissing(error) ? undefined : Promise.reject(error)))),
      );
      for (let j = 0; j < batch.length; j += 1) {
        const { stem, ext } = batch[j]!;
        const stat = stats[j];
        if (!stat || !stat.isFile()) continue;
        if (isExpired(stat, now)) {
          if (!this.readOnly) await this.removeExpired(kind, stem, ext, stat);
          continue;
        }
        await visit(stem, ext, stat);
      }
    }
  }

  async *keys(bin: Bin): AsyncGenerator<string> {
    await this.ready();
    const stems: string[] = [];
    const seen = new Set<string>();
    await this.eachRecord(bin, async (stem) => {
      // A record caught between a change of kind has both files: list it once.
      if (!seen.has(stem)) {
        seen.add(stem);
        stems.push(stem);
      }
    });
    for (const stem of stems) {
      const key = HASHED.test(stem) ? await this.hashedKey(bin, stem) : stemKey(stem);
      if (key !== undefined) yield key;
    }
  }

  /** The key kept beside a record stored under its hash; undefined if that file is gone. */
  private async hashedKey(kind: Kind, stem: string): Promise<string | undefined> {
    try {
      const key = await fsp.readFile(join(this.dir(kind), stem + KEY_EXT), 'utf8');
      return fileStem(key) === stem ? key : undefined;
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  async count(bin: Bin): Promise<number> {
    let n = 0;
    for await (const _ of this.keys(bin)) n += 1;
    return n;
  }

  /**
   * Deletes this cache's response and redirect files and temp files, nothing else: other files and
   * folders stay, so `cacheName: '.'` never wipes a project. A folder without our marker file is
   * cleared only when it holds nothing but our files. Meta records (the format version) stay.
   */
  async clear(): Promise<void> {
    this.writable('clear');
    let top: Dirent[];
    try {
      top = await fsp.readdir(this.folder, { withFileTypes: true });
    } catch (error) {
      if (isMissing(error)) return;
      throw error;
    }
    // Checked before ready() writes the marker: a folder never used as a cache is not cleared.
    if (!top.some((entry) => entry.name === MARKER_FILE)) {
      const foreign = await this.foreignEntries(top);
      if (foreign.length > 0) {
        throw new Error(
          `Refusing to clear ${this.folder}: it has no ${MARKER_FILE} marker file and holds files that are not this cache's (${foreign.slice(0, 3).join(', ')}${foreign.length > 3 ? ', ...' : ''})`,
        );
      }
    }
    this.indexOp({ clear: true });
    await this.removeOurFiles('responses', top);
    await this.removeOurFiles('redirects');
    await this.removeOurFiles('meta', undefined, true);
  }

  /** Entries of the top folder (and of our subfolders) that are not ours. */
  private async foreignEntries(top: Dirent[]): Promise<string[]> {
    const foreign: string[] = [];
    for (const entry of top) {
      const sub = (['redirects', 'meta'] as const).find((kind) => SUBFOLDER[kind] === entry.name);
      if (sub && entry.isDirectory()) {
        for (const name of await fsp.readdir(join(this.folder, entry.name))) if (!isOurFile(sub, name)) foreign.push(join(entry.name, name));
      } else if (!(entry.isFile() && isOurFile('responses', entry.name))) {
        foreign.push(entry.name);
      }
    }
    return foreign;
  }

  private async removeOurFiles(kind: Kind, entries?: Dirent[], metaOnlyStaleTemps = false): Promise<void> {
    const folder = this.dir(kind);
    try {
      entries ??= await fsp.readdir(folder, { withFileTypes: true });
    } catch (error) {
      if (isMissing(error)) return;
      throw error;
    }
    const now = Date.now();
    for (const entry of entries) {
      if (entry.isDirectory() || !isOurFile(kind, entry.name)) continue;
      const path = join(folder, entry.name);
      if (metaOnlyStaleTemps) {
        if (!entry.name.startsWith(TEMP_PREFIX)) continue;
        const stats = await fsp.stat(path).catch(() => undefined);
        if (!stats || now - stats.ctimeMs < STALE_TEMP_MS) continue;
      }
      await this.unlinkQuiet(path);
    }
  }

  async getMeta(name: string): Promise<string | undefined> {
    await this.ready();
    const value = await this.readRecord('meta', name);
    return value === undefined ? undefined : typeof value === 'string' ? value : Buffer.from(value).toString('utf8');
  }

  async setMeta(name: string, value: string): Promise<void> {
    this.writable('write to');
    await this.ready();
    await this.writeRecord('meta', name, value, undefined);
  }

  /** Nothing stays open between operations. */
  async close(): Promise<void> {}
}

export const openFilesystemStore: StoreFactory = (options) => new FilesystemStore(options);
