/**
 * The default backend: a real SQLite file (docs/behaviour.md §7; SPEC §3 `cacheName`, `backend`). Every file
 * lives in a tempDir(); nothing is created in the repository.
 */
import axios from 'axios';
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setupCache, type CacheAxiosInstance, type CacheOptions } from '../../src/index.js';
import { useHarness } from '../support/harness.js';
import { tempDir } from '../support/temp.js';

describe('integration: SQLite backend (the default)', () => {
  const h = useHarness();
  const open: CacheAxiosInstance[] = [];

  /** No `backend` option: SQLite is the default. */
  function cached(options: CacheOptions): CacheAxiosInstance {
    const http = setupCache(axios.create({ baseURL: h.origin.base }), options);
    open.push(http);
    return http;
  }

  async function closeAll(): Promise<void> {
    for (const http of open.splice(0)) await http.cache.close();
  }

  afterEach(closeAll);

  it("the default cacheName is 'http_cache' and the default backend writes http_cache.sqlite (in the working directory)", async () => {
    const dir = tempDir();
    const cwd = process.cwd();
    process.chdir(dir);
    let http: CacheAxiosInstance;
    try {
      http = cached({});
    } finally {
      process.chdir(cwd);
    }
    await http.get('/default');
    expect((await http.get('/default')).fromCache).to.equal(true);
    expect(existsSync(join(dir, 'http_cache.sqlite'))).to.equal(true);
    expect(existsSync(join(cwd, 'http_cache.sqlite'))).to.equal(false);
  });

  it('close() can be called twice (a finally block and a test hook): the second call waits for the same close', async () => {
    const http = cached({ cacheName: join(tempDir(), 'twice') });
    await http.get('/twice');
    await Promise.all([http.cache.close(), http.cache.close()]);
    await http.cache.close();
  });

  it('keeps millisecond expiry precision (docs/behaviour.md §14: requests-cache\'s SQLite rounds to the second): 200 ms past expiry is expired', async () => {
    const http = cached({ cacheName: join(tempDir(), 'precision'), expireAfter: 1 });
    // Written at .55 s past a second: the expiry (.55 s past the next one) would round up to a whole
    // second that is still ahead 1.2 s later, so a rounding store would call the entries unexpired.
    h.clock.advance(((1550 - (Date.now() % 1000)) % 1000) / 1000);
    await http.get('/precise-a');
    await http.get('/precise-b');
    h.clock.advance(1.2);
    expect(await http.cache.count({ expired: false })).to.equal(0);
    expect((await http.get('/precise-a')).fromCache, 'expired 200 ms ago: refetched').to.equal(false);
    expect(await http.cache.delete({ expired: true })).to.equal(1); // /precise-b; /precise-a was just rewritten
    expect(await http.cache.count()).to.equal(1);
  });

  it('cacheName in a temp folder creates <name>.sqlite, parent folders included', async () => {
    const dir = tempDir();
    const name = join(dir, 'nested', 'deeper', 'mycache');
    const http = cached({ cacheName: name });
    await http.get('/file');
    expect(existsSync(join(dir, 'nested', 'deeper', 'mycache.sqlite'))).to.equal(true);
    expect(existsSync(name)).to.equal(false);
  });

  it('a cacheName that already has an extension is used as is', async () => {
    const dir = tempDir();
    const http = cached({ cacheName: join(dir, 'cache.db') });
    await http.get('/ext');
    expect(existsSync(join(dir, 'cache.db'))).to.equal(true);
    expect(existsSync(join(dir, 'cache.db.sqlite'))).to.equal(false);
  });

  it('entries persist when the file is reopened by a new instance', async () => {
    const cacheName = join(tempDir(), 'persist');
    const writer = cached({ cacheName, expireAfter: 60 });
    const first = await writer.get('/persist', { params: { q: 1 } });
    await closeAll();

    const reader = cached({ cacheName, expireAfter: 60 });
    expect(await reader.cache.contains({ url: h.origin.url('/persist?q=1') })).to.equal(true);
    expect(await reader.cache.count()).to.equal(1);
    const again = await reader.get('/persist', { params: { q: 1 } });
    expect(again.fromCache).to.equal(true);
    expect(again.data).to.deep.equal(first.data);
    expect(again.status).to.equal(200);
    expect(String(again.headers['content-type'])).to.match(/application\/json/);
    expect(again.createdAt.getTime()).to.equal(first.createdAt.getTime());
    expect(again.expires!.getTime()).to.equal(first.expires!.getTime());
    expect(again.cacheKey).to.equal(first.cacheKey);
    expect(h.origin.count('/persist')).to.equal(1);
  });

  it('expiry survives a reopen: an entry expired meanwhile is refetched', async () => {
    const cacheName = join(tempDir(), 'expiry');
    await cached({ cacheName, expireAfter: 1 }).get('/exp');
    await closeAll();
    h.clock.advance(2);
    const reader = cached({ cacheName, expireAfter: 1 });
    expect(await reader.cache.count({ expired: false })).to.equal(0);
    const res = await reader.get('/exp');
    expect(res.fromCache).to.equal(false);
    expect(res.data.n).to.equal(2);
  });

  it('binary bodies are byte-exact after a reopen', async () => {
    const body = Buffer.concat([Buffer.from(Array.from({ length: 256 }, (_, i) => i)), randomBytes(8192), Buffer.from([0xef, 0xbb, 0xbf, 0xff, 0xfe, 0x00])]);
    h.origin.route('/bin', (_req, res) => {
      res.setHeader('content-type', 'application/octet-stream');
      res.end(body);
    });
    const cacheName = join(tempDir(), 'binary');
    const writer = cached({ cacheName });
    const first = await writer.get<Buffer>('/bin', { responseType: 'arraybuffer' });
    expect(Buffer.compare(Buffer.from(first.data), body)).to.equal(0);
    await closeAll();

    const reader = cached({ cacheName });
    const again = await reader.get<Buffer>('/bin', { responseType: 'arraybuffer' });
    expect(again.fromCache).to.equal(true);
    expect(again.data.length).to.equal(body.length);
    expect(Buffer.compare(Buffer.from(again.data), body)).to.equal(0);
    const stored = await reader.cache.responses.get(again.cacheKey!);
    expect(Buffer.compare(stored!.data, body)).to.equal(0);
    expect(h.origin.count('/bin')).to.equal(1);
  });

  it('an unknown backend name throws a RangeError naming it', () => {
    const cacheName = join(tempDir(), 'never');
    expect(() => setupCache(axios.create(), { backend: 'bogus' as never, cacheName })).to.throw(RangeError, /bogus/);
    expect(() => setupCache(axios.create(), { backend: 'Redis' as never, cacheName })).to.throw(RangeError, /'Redis'.*'redis'/);
    expect(existsSync(`${cacheName}.sqlite`)).to.equal(false);
  });

  it('a cacheName whose parent is a file throws a clear error', () => {
    const dir = tempDir();
    const file = join(dir, 'a-file');
    writeFileSync(file, 'not a folder');
    const cacheName = join(file, 'cache');
    expect(() => setupCache(axios.create(), { cacheName })).to.throw(Error, /cacheName/).with.property('message').that.includes(file);
  });

  it('setupCache on an instance that failed to set up can be retried', () => {
    const instance = axios.create();
    expect(() => setupCache(instance, { backend: 'bogus' as never })).to.throw(RangeError);
    const http = setupCache(instance, { backend: 'memory' });
    open.push(http);
    expect(http.cache).to.be.an('object');
  });
});
