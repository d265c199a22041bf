/**
 * The filesystem backend against the record-store contract, plus what only it has: its file layout
 * (readable JSON, redirects/ and meta/ subfolders, a marker), key escaping, atomic writes under
 * several processes and a killed writer, the mtime deadline, a clear() that leaves other files
 * alone, private modes whatever the umask, and LRU bounds.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { fileStem, FilesystemStore, MARKER_FILE, openFilesystemStore, RESCAN_WRITES, stemKey } from '../../../src/storage/filesystem-store.js';
import type { RecordStore, StoreSettings } from '../../../src/storage/record-store.js';
import { checkSharedValue, sharedKeys } from '../../support/filesystem-values.js';
import { backendConformance } from '../../support/backend-conformance.js';
import { storeConformance } from '../../support/store-conformance.js';
import { tempDir } from '../../support/temp.js';
import { serializerRoundTrips } from '../../support/serializer-round-trips.js';

const support = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'support');
const HEX = 'a'.repeat(32) + '0123456789abcdef'.repeat(2);

const baseSettings: StoreSettings = { deadlineMs: 2000, ttlOffsetMs: 3_600_000, maxEntrySize: undefined, maxEntries: undefined, maxBytes: undefined };
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const meta = (url: string) => ({ url, expires: null, createdAt: Date.now() });
const mode = (path: string): number => statSync(path).mode & 0o777;

async function collect(iterable: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const key of iterable) out.push(key);
  return out.sort();
}

/** Every file under `dir`, relative, sorted. */
function tree(dir: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const rel = prefix + entry.name;
    if (entry.isDirectory()) out.push(...tree(join(dir, entry.name), rel + '/'));
    else out.push(rel);
  }
  return out.sort();
}

function child(args: string[]): { proc: ChildProcess; done: Promise<{ code: number | null; stdout: string; stderr: string }> } {
  const proc = spawn(process.execPath, ['--import', 'tsx', join(support, 'filesystem-writer-process.ts'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  proc.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  proc.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => proc.on('exit', (code) => resolve({ code, stdout, stderr })));
  return { proc, done };
}

describe('integration: filesystem backend', () => {
  const opened: RecordStore[] = [];
  const open = (folder: string, settings: Partial<StoreSettings> = {}, readOnly = false): FilesystemStore => {
    const store = openFilesystemStore({ cacheName: folder, settings: { ...baseSettings, ...settings }, readOnly }) as FilesystemStore;
    opened.push(store);
    return store;
  };
  afterEach(async () => {
    for (const s of opened.splice(0)) await s.close();
  });

  describe('conformance', () => {
    const tmp = tempDir('akc-fs-conf-');
    storeConformance((name) => openFilesystemStore({ cacheName: join(tmp, name), settings: baseSettings, readOnly: false }));
    backendConformance((name) => ({ backend: 'filesystem', cacheName: join(tmp, 'cache-' + name) }));
    serializerRoundTrips((serializer, name) => ({ backend: 'filesystem', serializer, cacheName: join(tmp, 'ser-' + name) }));
  });

  describe('layout', () => {
    it('stores a text response as <key>.json holding the value byte for byte, bytes as .bin, aliases and meta in subfolders', async () => {
      const dir = join(tempDir('akc-fs-'), 'cache');
      const s = open(dir);
      const json = '{"url":"https://x.test/","body":"✓"}';
      await s.set('responses', HEX, json, { meta: meta('https://x.test/') });
      await s.set('responses', 'other', Buffer.from([0, 1, 255]), { meta: meta('https://x.test/o') });
      await s.set('redirects', 'alias', HEX);
      await s.setMeta('format', '3');
      expect(tree(dir)).to.deep.equal([MARKER_FILE, '@other.bin', HEX + '.json', 'meta/@format.txt', 'redirects/@alias.txt'].sort());
      expect(readFileSync(join(dir, HEX + '.json'), 'utf8')).to.equal(json);
      expect([...readFileSync(join(dir, '@other.bin'))]).to.deep.equal([0, 1, 255]);
      expect(readFileSync(join(dir, 'redirects', '@alias.txt'), 'utf8')).to.equal(HEX);
      // A change of kind leaves one file, the new one.
      await s.set('responses', HEX, Buffer.from('now bytes'), { meta: meta('https://x.test/') });
      expect(existsSync(join(dir, HEX + '.json'))).to.equal(false);
      expect(Buffer.from((await s.get('responses', HEX)) as Uint8Array).toString()).to.equal('now bytes');
      await s.set('responses', HEX, 'text again', { meta: meta('https://x.test/') });
      expect(existsSync(join(dir, HEX + '.bin'))).to.equal(false);
      expect(await s.get('responses', HEX)).to.equal('text again');
    });

    it('takes the folder from connection (a path or { directory }) over cacheName, and rejects a bad connection', () => {
      const dir = tempDir('akc-fs-');
      expect(new FilesystemStore({ cacheName: 'ignored', connection: join(dir, 'x'), settings: baseSettings, readOnly: false }).folder).to.equal(join(dir, 'x'));
      expect(new FilesystemStore({ cacheName: 'ignored', connection: { directory: join(dir, 'y') }, settings: baseSettings, readOnly: false }).description).to.equal(`filesystem ${join(dir, 'y')}`);
      expect(new FilesystemStore({ cacheName: 'rel/name', settings: baseSettings, readOnly: false }).folder).to.equal(join(process.cwd(), 'rel', 'name'));
      expect(() => new FilesystemStore({ cacheName: 'c', connection: 42, settings: baseSettings, readOnly: false })).to.throw(TypeError, /connection/);
      expect(() => new FilesystemStore({ cacheName: 'c', connection: { dir: 'x' }, settings: baseSettings, readOnly: false })).to.throw(TypeError, /unknown option dir/);
    });

    it('with connection { fsync: true } syncs each file before the rename, and still round-trips', async () => {
      const dir = join(tempDir('akc-fs-'), 'synced');
      const s = openFilesystemStore({ cacheName: 'ignored', connection: { directory: dir, fsync: true }, settings: baseSettings, readOnly: false });
      opened.push(s);
      await s.set('responses', HEX, '{"synced":true}', { meta: meta('https://x.test/') });
      expect(await s.get('responses', HEX)).to.equal('{"synced":true}');
      expect(readFileSync(join(dir, HEX + '.json'), 'utf8')).to.equal('{"synced":true}');
    });

    it('an unusable folder (a file in the way) rejects with StorageOpenError, and works once it is fixed', async () => {
      const root = tempDir('akc-fs-');
      writeFileSync(join(root, 'blocked'), 'a file');
      const s = open(join(root, 'blocked', 'cache'));
      let error: unknown;
      await s.get('responses', HEX).catch((e: unknown) => (error = e));
      expect((error as Error).name).to.equal('StorageOpenError');
      expect((error as Error).message).to.match(/Cannot open the filesystem cache .*blocked/);
      unlinkSync(join(root, 'blocked'));
      await s.set('responses', HEX, 'now fine', { meta: meta('https://x.test/') });
      expect(await s.get('responses', HEX)).to.equal('now fine');
    });

    it('a read-only store creates nothing, reads a missing folder as empty and refuses writes', async () => {
      const dir = join(tempDir('akc-fs-'), 'absent');
      const s = open(dir, {}, true);
      expect(await s.get('responses', HEX)).to.equal(undefined);
      expect(await collect(s.keys('responses'))).to.deep.equal([]);
      expect(await s.getMeta('format')).to.equal(undefined);
      expect(existsSync(dir)).to.equal(false);
      let error: unknown;
      await s.set('responses', HEX, 'x').catch((e: unknown) => (error = e));
      expect(String(error)).to.match(/read-only/);
    });
  });

  describe('key names', () => {
    const odd = ['', 'a', 'A', '%41', '@x', '@@x', '../../etc/passwd', 'a/b\\c', 'nul\0byte', ' spaced. ', 'CON', 'ü✓😀', '\ud800 lone', 'x.json', HEX.toUpperCase(), 'k'.repeat(199), 'k'.repeat(5000)];

    it('round-trips keys of any characters and length through set, get, keys and delete', async () => {
      const dir = join(tempDir('akc-fs-'), 'names');
      const s = open(dir);
      for (const [i, key] of odd.entries()) {
        await s.set('responses', key, `v${i}`, { meta: meta('https://x.test/') });
        await s.set('redirects', key, `a${i}`);
      }
      expect(await collect(s.keys('responses'))).to.deep.equal([...odd].sort());
      expect(await collect(s.keys('redirects'))).to.deep.equal([...odd].sort());
      for (const [i, key] of odd.entries()) expect(await s.get('responses', key), JSON.stringify(key)).to.equal(`v${i}`);
      // Every name is one path segment, at most 255 bytes, inside the folder.
      for (const name of readdirSync(dir)) expect(Buffer.byteLength(name)).to.be.at.most(255);
      for (const path of tree(dir)) expect(path).to.match(/^(redirects\/)?[^/]+$/);
      expect(await s.delete('responses', odd)).to.equal(odd.length);
      expect(await collect(s.keys('responses'))).to.deep.equal([]);
      expect(readdirSync(dir).filter((n) => n !== MARKER_FILE && n !== 'redirects')).to.deep.equal([]);
    });

    it('stems are reversible and distinct even on a case-insensitive filesystem; plain hex keys stay as they are', () => {
      const stems = odd.map(fileStem);
      expect(new Set(stems.map((s) => s.toLowerCase())).size).to.equal(odd.length);
      for (const key of odd.filter((k) => k.length < 60)) expect(stemKey(fileStem(key))).to.equal(key);
      expect(fileStem(HEX)).to.equal(HEX);
      expect(fileStem('k'.repeat(5000))).to.match(/^@@[0-9a-f]{64}$/);
      // Names a user might have are not ours.
      for (const name of ['package', 'cafe', 'README', '@Upper', '@%61', '@%2', '@%u00']) expect(stemKey(name), name).to.equal(undefined);
    });
  });

  describe('atomic writes', () => {
    it('ignores temp files when listing and reading, and clear() removes them', async () => {
      const dir = join(tempDir('akc-fs-'), 'tmp');
      const s = open(dir);
      await s.set('responses', HEX, '{"whole":true}', { meta: meta('https://x.test/') });
      writeFileSync(join(dir, '.tmp-0123456789abcdef'), '{"half');
      mkdirSync(join(dir, 'redirects'), { recursive: true });
      writeFileSync(join(dir, 'redirects', '.tmp-feedfacefeedface'), 'x');
      expect(await collect(s.keys('responses'))).to.deep.equal([HEX]);
      expect(await s.count('responses')).to.equal(1);
      await s.clear();
      expect(tree(dir)).to.deep.equal([MARKER_FILE]);
    });

    it('several processes writing the same keys at once: no error, no partial read, no temp file left', async function () {
      this.timeout(120000);
      const dir = join(tempDir('akc-fs-'), 'shared');
      const writers = ['w1', 'w2', 'w3'].map((tag) => child([dir, '25', tag]));
      // This process reads meanwhile, as a fourth party.
      const s = open(dir);
      let running = true;
      const bad: string[] = [];
      let reads = 0;
      const reader = (async () => {
        while (running) {
          for (const key of sharedKeys) {
            const problem = checkSharedValue(await s.get('responses', key));
            reads += 1;
            if (problem) bad.push(problem);
          }
          await sleep(1);
        }
      })();
      const results = await Promise.all(writers.map((w) => w.done));
      running = false;
      await reader;
      for (const { code, stdout, stderr } of results) {
        expect(code, stderr).to.equal(0);
        const summary = JSON.parse(stdout.trim().split('\n').pop()!) as { writes: number; reads: number; bad: string[]; errors: string[] };
        expect(summary.errors).to.deep.equal([]);
        expect(summary.bad).to.deep.equal([]);
        expect(summary.writes).to.equal(25 * sharedKeys.length);
      }
      expect(bad).to.deep.equal([]);
      expect(reads).to.be.greaterThan(0);
      expect(await collect(s.keys('responses'))).to.deep.equal([...sharedKeys].sort());
      for (const key of sharedKeys) expect(checkSharedValue(await s.get('responses', key))).to.equal(undefined);
      expect(tree(dir).filter((p) => p.includes('.tmp-'))).to.deep.equal([]);
    });

    it('a writer killed mid-write leaves the previous value readable, never a half-written one', async function () {
      this.timeout(60000);
      const dir = join(tempDir('akc-fs-'), 'killed');
      const s = open(dir);
      const previous = JSON.stringify({ w: 'before', r: 0, len: 3, pad: 'xxx' });
      await s.set('responses', sharedKeys[0]!, previous, { meta: meta('https://x.test/') });
      const writer = child([dir, '0', 'big', 'big']);
      // Wait until the child writes its first temp file, then kill it by its PID.
      const until = Date.now() + 20000;
      while (Date.now() < until && !readdirSync(dir).some((n) => n.startsWith('.tmp-'))) await sleep(2);
      writer.proc.kill('SIGKILL');
      await writer.done;
      const value = await s.get('responses', sharedKeys[0]!);
      expect(checkSharedValue(value)).to.equal(undefined);
      expect(value === previous || (typeof value === 'string' && value.length > 40e6)).to.equal(true);
      expect(await collect(s.keys('responses'))).to.deep.equal([sharedKeys[0]]);
      await s.clear();
      expect(tree(dir)).to.deep.equal([MARKER_FILE]);
    });
  });

  describe('store-level TTL (the file mtime is the deadline)', () => {
    it('records the deadline as mtime, 0 for never-expiring records, and reads a record past it as absent', async () => {
      const dir = join(tempDir('akc-fs-'), 'ttl');
      const s = open(dir);
      const before = Date.now();
      await s.set('responses', 'short', 'soon gone', { ttlMs: 300, meta: meta('https://x.test/s') });
      await s.set('responses', 'long', 'stays', { ttlMs: 3_600_000, meta: meta('https://x.test/l') });
      await s.set('responses', 'never', 'forever', { meta: meta('https://x.test/n') });
      await s.set('redirects', 'alias', 'short', { ttlMs: 300 });
      expect(statSync(join(dir, '@short.json')).mtimeMs).to.be.within(before + 300 - 5, Date.now() + 300 + 5);
      expect(statSync(join(dir, '@long.json')).mtimeMs).to.be.within(before + 3_600_000 - 5, Date.now() + 3_600_000 + 5);
      expect(statSync(join(dir, '@never.json')).mtimeMs).to.equal(0);
      expect(await s.get('responses', 'short')).to.equal('soon gone');
      await sleep(350);
      expect(await s.get('responses', 'short')).to.equal(undefined);
      expect(await s.get('redirects', 'alias')).to.equal(undefined);
      expect(existsSync(join(dir, '@short.json'))).to.equal(false); // removed when seen
      expect(await s.get('responses', 'never')).to.equal('forever');
      expect(await collect(s.keys('responses'))).to.deep.equal(['long', 'never']);
    });

    it('listing skips and removes expired records; a read-only store skips them but removes nothing', async () => {
      const dir = join(tempDir('akc-fs-'), 'ttl-list');
      const s = open(dir);
      for (const key of ['e1', 'e2']) await s.set('responses', key, 'x', { ttlMs: 50, meta: meta('https://x.test/') });
      await s.set('responses', 'live', 'x', { meta: meta('https://x.test/') });
      await sleep(80);
      const ro = open(dir, {}, true);
      expect(await collect(ro.keys('responses'))).to.deep.equal(['live']);
      expect(await ro.count('responses')).to.equal(1);
      expect(existsSync(join(dir, '@e1.json'))).to.equal(true);
      expect(await collect(s.keys('responses'))).to.deep.equal(['live']);
      expect(existsSync(join(dir, '@e1.json'))).to.equal(false);
    });
  });

  describe('clear() touches only our files', () => {
    it("cacheName '.' in a project folder: package.json, sources and look-alike names stay", async () => {
      const project = tempDir('akc-fs-project-');
      const theirs: Record<string, string> = {
        'package.json': '{"name":"app"}',
        'tsconfig.json': '{}',
        'cafe.json': '{"short hex name":true}',
        'notes.bin': 'binary of theirs',
        'README.md': '# app',
        '.gitignore': 'node_modules',
        'src/index.ts': 'export {}',
        'src/0123456789abcdef0123456789abcdef.json': '{"hex name, but in their folder":1}',
        'meta/plan.txt': 'their meta folder',
        'redirects/rules.txt': 'their redirects folder',
        'node_modules/x/package.json': '{}',
      };
      for (const [path, text] of Object.entries(theirs)) {
        mkdirSync(dirname(join(project, path)), { recursive: true });
        writeFileSync(join(project, path), text);
      }
      const cwd = process.cwd();
      process.chdir(project);
      try {
        const s = open('.');
        expect(s.folder).to.equal(project);
        await s.set('responses', HEX, '{"ours":1}', { meta: meta('https://x.test/') });
        await s.set('responses', 'escaped key', Buffer.from('ours'), { meta: meta('https://x.test/') });
        await s.set('responses', 'k'.repeat(300), 'ours, hashed name', { meta: meta('https://x.test/') });
        await s.set('redirects', 'alias', HEX);
        await s.setMeta('format', '3');
        expect(await collect(s.keys('responses'))).to.deep.equal([HEX, 'escaped key', 'k'.repeat(300)].sort());
        await s.clear();
        expect(await collect(s.keys('responses'))).to.deep.equal([]);
        expect(await collect(s.keys('redirects'))).to.deep.equal([]);
        expect(await s.getMeta('format')).to.equal('3');
      } finally {
        process.chdir(cwd);
      }
      for (const [path, text] of Object.entries(theirs)) expect(readFileSync(join(project, path), 'utf8'), path).to.equal(text);
      expect(tree(project)).to.deep.equal([...Object.keys(theirs), MARKER_FILE, 'meta/@format.txt'].sort());
    });

    it('refuses to clear a folder without the marker that holds other files, and clears one holding only ours', async () => {
      const dir = join(tempDir('akc-fs-'), 'unmarked');
      const first = open(dir);
      await first.set('responses', HEX, '{"ours":1}', { meta: meta('https://x.test/') });
      await first.set('redirects', 'alias', HEX);
      unlinkSync(join(dir, MARKER_FILE));
      writeFileSync(join(dir, 'theirs.txt'), 'keep me');
      let error: unknown;
      await open(dir).clear().catch((e: unknown) => (error = e));
      expect(String(error)).to.match(/Refusing to clear .*no \.axios-keyv-cache marker file.*theirs\.txt/);
      expect(existsSync(join(dir, HEX + '.json'))).to.equal(true);
      unlinkSync(join(dir, 'theirs.txt'));
      await open(dir).clear();
      expect(tree(dir)).to.deep.equal([]);
    });
  });

  describe('private files', () => {
    for (const umask of [0o000, 0o022, 0o277]) {
      it(`creates files 0600 and folders 0700 with umask ${umask.toString(8).padStart(3, '0')}`, async () => {
        const root = tempDir('akc-fs-');
        const dir = join(root, 'new', 'cache');
        const old = process.umask(umask);
        try {
          const s = open(dir);
          await s.set('responses', HEX, 'text', { meta: meta('https://x.test/') });
          await s.set('responses', 'b', Buffer.from('bytes'), { meta: meta('https://x.test/') });
          await s.set('responses', 'k'.repeat(300), 'hashed', { meta: meta('https://x.test/') });
          await s.set('redirects', 'alias', HEX);
          await s.setMeta('format', '3');
        } finally {
          process.umask(old);
        }
        for (const folder of [join(root, 'new'), dir, join(dir, 'redirects'), join(dir, 'meta')]) expect(mode(folder), folder).to.equal(0o700);
        const files = tree(dir);
        expect(files).to.have.length(7);
        for (const file of files) expect(mode(join(dir, file)), file).to.equal(0o600);
      });
    }

    it('leaves the mode of a folder it did not create alone', async () => {
      const dir = tempDir('akc-fs-');
      chmodSync(dir, 0o755);
      const before = mode(dir);
      await open(dir).set('responses', HEX, 'x', { meta: meta('https://x.test/') });
      expect(mode(dir)).to.equal(before);
      expect(mode(join(dir, HEX + '.json'))).to.equal(0o600);
    });
  });

  describe('bounded size (least recently used)', () => {
    const put = (s: RecordStore, key: string, value = key) => s.set('responses', key, value, { meta: meta(`https://x.test/${key}`) });

    it('maxEntries 3: after 5 writes only the 3 most recently used remain, and a read refreshes recency', async () => {
      const dir = join(tempDir('akc-fs-'), 'lru');
      const s = open(dir, { maxEntries: 3 });
      for (const key of ['a', 'b', 'c']) await put(s, key);
      expect(await s.get('responses', 'a')).to.equal('a');
      await put(s, 'd');
      await put(s, 'e');
      expect(await collect(s.keys('responses'))).to.deep.equal(['a', 'd', 'e']);
      expect(readdirSync(dir).filter((n) => n.endsWith('.json')).sort()).to.deep.equal(['@a.json', '@d.json', '@e.json']);
      // Overwrites and redirects do not count as more entries.
      await put(s, 'e', 'again');
      await s.set('redirects', 'r1', 'a');
      expect(await s.count('responses')).to.equal(3);
      expect(await s.get('redirects', 'r1')).to.equal('a');
    });

    it('maxBytes: evicts by stored size, least recently used first, counting overwrites once', async () => {
      const dir = join(tempDir('akc-fs-'), 'lru-bytes');
      const s = open(dir, { maxBytes: 10 });
      await put(s, 'a', 'xxxx');
      await put(s, 'b', 'xxxx');
      await put(s, 'a', 'xx'); // a: 2 bytes now, the most recent
      await put(s, 'c', 'xxxx'); // 2 + 4 + 4 = 10: fits
      expect(await s.count('responses')).to.equal(3);
      await s.set('responses', 'd', Buffer.from('y'), { meta: meta('https://x.test/d') }); // 11: b goes
      expect(await collect(s.keys('responses'))).to.deep.equal(['a', 'c', 'd']);
    });

    it('builds its index from the folder on first use, oldest access first, and deletes by key whatever another process removed', async () => {
      const dir = join(tempDir('akc-fs-'), 'lru-open');
      const plain = open(dir);
      for (const key of ['a', 'b', 'c', 'd', 'e']) {
        await put(plain, key);
        await sleep(5);
      }
      // A limited store that read `a` before: its atime makes it recent for the next scan.
      expect(await open(dir, { maxEntries: 10 }).get('responses', 'a')).to.equal('a');
      await sleep(5);
      const s = open(dir, { maxEntries: 3 });
      expect(await s.get('responses', 'absent')).to.equal(undefined); // first use: the index is built
      unlinkSync(join(dir, '@c.json')); // gone behind the index's back: eviction tolerates it
      await put(s, 'f');
      expect(await collect(s.keys('responses'))).to.deep.equal(['a', 'e', 'f']);
    });

    it(`picks up other processes' records by rescanning the folder every ${RESCAN_WRITES} writes`, async function () {
      this.timeout(60000);
      const dir = join(tempDir('akc-fs-'), 'lru-drift');
      const other = open(dir, { maxEntries: 5 });
      for (const key of ['o1', 'o2', 'o3', 'o4', 'o5']) await put(other, key);
      const s = open(dir, { maxEntries: 5 });
      expect(await s.get('responses', 'absent')).to.equal(undefined); // index built now: o1..o5
      for (const key of ['n1', 'n2', 'n3']) await put(other, key); // unseen by s; other evicts its own o1..o3
      for (let i = 0; i < RESCAN_WRITES - 1; i += 1) await put(s, 'mine', `v${i}`);
      // s thinks: o4, o5, mine (o1..o3 gone behind its back, it never knew n1..n3); the folder: 6.
      expect(await s.count('responses')).to.equal(6);
      await put(s, 'mine', 'last'); // the rescan: n1..n3 found, the least recently used goes
      const until = Date.now() + 5000;
      while (Date.now() < until && (await s.count('responses')) > 5) await sleep(10);
      expect(await collect(s.keys('responses'))).to.deep.equal(['mine', 'n1', 'n2', 'n3', 'o5']);
    });

    it('delete and clear keep the index right', async () => {
      const dir = join(tempDir('akc-fs-'), 'lru-delete');
      const s = open(dir, { maxEntries: 2 });
      await put(s, 'a');
      await put(s, 'b');
      await s.delete('responses', ['a']);
      await put(s, 'c');
      expect(await collect(s.keys('responses'))).to.deep.equal(['b', 'c']);
      await s.clear();
      await put(s, 'd');
      await put(s, 'e');
      expect(await collect(s.keys('responses'))).to.deep.equal(['d', 'e']);
    });
  });
});
