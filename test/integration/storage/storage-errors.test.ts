/** The storage-error contract: `onStorageError(error, { operation, key, backend })` (README "Errors and staleness"). */
import axios from 'axios';
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { setupCache, type StorageErrorInfo } from '../../../src/index.js';
import type { SqliteStore } from '../../../src/storage/sqlite/sqlite-store.js';
import { useHarness } from '../../support/harness.js';
import { tempDir } from '../../support/temp.js';

describe('integration: storage errors', () => {
  const h = useHarness();

  it('a SQLite cache that cannot be written (PRAGMA query_only) reports the failed write; the request succeeds', async () => {
    const seen: [Error, StorageErrorInfo][] = [];
    const http = h.cached({ backend: 'sqlite', cacheName: join(tempDir(), 'ro'), onStorageError: (error, info) => void seen.push([error, info]) });
    await (http.cache.storage.store as SqliteStore).query('PRAGMA query_only = ON');
    const response = await http.get('/w');
    expect(response.status).to.equal(200);
    expect(response.cacheKey).to.equal(undefined);
    expect(seen.length).to.be.greaterThan(0);
    const [error, info] = seen[0]!;
    expect(info.operation).to.equal('write');
    expect(info.key).to.be.a('string');
    expect(info.backend).to.match(/^sqlite .*ro\.sqlite$/);
    expect(error.message).to.match(/readonly/i);
  });

  it("RFC 9111 §4.4 invalidation that fails (URL index or delete) is reported as a delete; the POST still gets its response", async () => {
    const seen: StorageErrorInfo[] = [];
    h.origin.route('/inv', (req, res) => {
      res.setHeader('cache-control', 'max-age=600');
      res.end(req.method);
    });
    const http = h.cached({ backend: 'sqlite', cacheControl: 'shared', cacheName: join(tempDir(), 'inv'), onStorageError: (_error, info) => void seen.push(info) });
    await http.get('/inv');
    const store = http.cache.storage.store as SqliteStore;
    // First the URL index lookup fails, then the delete itself.
    const lookup = store.keysForUrl!.bind(store);
    store.keysForUrl = () => Promise.reject(new Error('URL index unavailable'));
    expect((await http.post('/inv', 'x')).data).to.equal('POST');
    expect(seen.map((info) => info.operation)).to.deep.equal(['delete']);
    store.keysForUrl = lookup;
    await store.query('PRAGMA query_only = ON');
    expect((await http.post('/inv', 'x')).data).to.equal('POST');
    expect(seen.map((info) => info.operation)).to.deep.equal(['delete', 'delete']);
  });

  it('a throwing hook never breaks a request', async () => {
    const http = h.cached({ backend: 'sqlite', cacheName: join(tempDir(), 'ro2'), onStorageError: () => { throw new Error('hook bug'); } });
    await (http.cache.storage.store as SqliteStore).query('PRAGMA query_only = ON');
    expect((await http.get('/w')).status).to.equal(200);
  });

  it('a corrupt database (valid header, damaged pages) is reported as open; requests go to the network', async () => {
    const { writeFileSync } = await import('node:fs');
    const path = join(tempDir(), 'corrupt.sqlite');
    writeFileSync(path, Buffer.concat([Buffer.from('SQLite format 3\0', 'latin1'), Buffer.alloc(4096, 0xff)]));
    const seen: StorageErrorInfo[] = [];
    const http = h.cached({ backend: 'sqlite', cacheName: path, onStorageError: (_e, info) => void seen.push(info) });
    expect((await http.get('/c')).status).to.equal(200);
    expect(seen.map((i) => i.operation)).to.include('open');
  });

  it('onStorageError must be a function', () => {
    expect(() => setupCache(axios.create(), { backend: 'memory', onStorageError: 'log' as never })).to.throw(TypeError, /onStorageError/);
  });

  it('a folder this user cannot write is refused at setup with a TypeError naming cacheName (child process as uid 65534)', function () {
    if (process.getuid?.() !== 0) this.skip();
    const dir = tempDir();
    const locked = join(dir, 'locked');
    mkdirSync(locked);
    chmodSync(dir, 0o755);
    chmodSync(locked, 0o755);
    const script = `process.setuid(65534);
      const { setupCache } = await import(${JSON.stringify(new URL('../../../src/index.ts', import.meta.url).href)});
      const axios = (await import('axios')).default;
      try { setupCache(axios.create(), { cacheName: ${JSON.stringify(join(locked, 'c'))} }); console.log('accepted'); }
      catch (e) { console.log(e.name + ': ' + e.message); }`;
    // A home the other user can write, for anything the package keeps there.
    const home = tempDir();
    chmodSync(home, 0o777);
    const env = { ...process.env, HOME: home, XDG_CACHE_HOME: join(home, '.cache') };
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: process.cwd(), env, encoding: 'utf8', timeout: 30000 });
    expect(child.stdout.trim(), child.stderr).to.match(/^TypeError: Invalid cacheName: .*not writable/);
  });

  it("cacheName '/proc/x/y' fails fast with a TypeError naming cacheName", () => {
    const started = performance.now();
    expect(() => setupCache(axios.create(), { cacheName: '/proc/x/y' })).to.throw(TypeError, /Invalid cacheName: '\/proc\/x\/y'/);
    expect(performance.now() - started).to.be.below(1000);
  });
});
