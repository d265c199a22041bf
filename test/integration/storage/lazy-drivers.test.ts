/**
 * What importing the package and opening a storage loads (README "Install"): no backend driver
 * (sqlite3, mongodb, the AWS SDK, @keyv/redis) until a cache of that backend is used, and opening a
 * cache's storage by backend and cacheName needs no axios at all (for tools such as a CLI).
 * Child processes with a loader hook record which of those packages get resolved.
 */
import axios from 'axios';
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { setupCache } from '../../../src/index.js';
import { tempDir } from '../../support/temp.js';

const WATCHED = ['axios', 'sqlite3', 'mongodb', '@aws-sdk/client-dynamodb', '@keyv/redis'];

/** Runs `script` (ES module text) in a child; returns stdout and the watched packages it resolved. */
function runWatched(dir: string, script: string, refuse: string[] = []): { out: string; resolved: string[]; err: string } {
  const hooks = join(dir, 'hooks.mjs');
  writeFileSync(
    hooks,
    `const watched = ${JSON.stringify(WATCHED)}; const refuse = ${JSON.stringify(refuse)};
export async function resolve(specifier, context, next) {
  if (watched.includes(specifier)) process.stderr.write('RESOLVED ' + specifier + '\\n');
  if (refuse.includes(specifier)) throw Object.assign(new Error("Cannot find module '" + specifier + "'"), { code: 'ERR_MODULE_NOT_FOUND' });
  return next(specifier, context);
}`,
  );
  const register = join(dir, 'register.mjs');
  writeFileSync(register, `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hooks).href)});`);
  const child = spawnSync(process.execPath, ['--import', 'tsx', '--import', pathToFileURL(register).href, '--input-type=module', '-e', script], {
    cwd: process.cwd(),
    encoding: 'utf8',
    timeout: 50000,
  });
  const resolved = [...new Set(child.stderr.split('\n').filter((l) => l.startsWith('RESOLVED ')).map((l) => l.slice(9)))];
  return { out: child.stdout, resolved, err: child.stderr };
}

describe('integration: backend drivers load lazily', function () {
  this.timeout(60000);

  it('importing the package and using memory and filesystem caches loads no backend driver', () => {
    const dir = tempDir();
    const index = new URL('../../../src/index.ts', import.meta.url).href;
    const { out, resolved, err } = runWatched(
      dir,
      `const { setupCache } = await import(${JSON.stringify(index)});
       const axios = (await import('axios')).default;
       const mem = setupCache(axios.create(), { backend: 'memory' });
       const fs = setupCache(axios.create(), { backend: 'filesystem', cacheName: ${JSON.stringify(join(dir, 'fs'))} });
       console.log('counts', await mem.cache.count(), await fs.cache.count());
       await fs.cache.close();`,
    );
    expect(out, err).to.include('counts 0 0');
    expect(resolved).to.deep.equal(['axios']);
  });

  it('a missing driver is an open error naming the exact package to install', () => {
    const dir = tempDir();
    const index = new URL('../../../src/index.ts', import.meta.url).href;
    const { out, err } = runWatched(
      dir,
      `const { setupCache } = await import(${JSON.stringify(index)});
       const axios = (await import('axios')).default;
       for (const backend of ['mongodb', 'dynamodb']) {
         const seen = [];
         const http = setupCache(axios.create(), { backend, onStorageError: (e, info) => seen.push(info.operation + ': ' + e.message) });
         try { await http.cache.count(); } catch (e) { console.log(backend + ' rejected: ' + e.message); }
         console.log(backend + ' hook ' + seen[0]);
         await http.cache.close().catch(() => undefined);
       }`,
      ['mongodb', '@aws-sdk/client-dynamodb'],
    );
    expect(out, err).to.match(/mongodb hook open: .*npm install mongodb@7/);
    expect(out).to.match(/dynamodb hook open: .*npm install @aws-sdk\/client-dynamodb@3/);
  });

  it('opens the storage of a cache by backend and cacheName without axios, and lists what setupCache stored', async () => {
    const dir = tempDir();
    const cacheName = join(dir, 'shared');
    const http = setupCache(axios.create(), { backend: 'sqlite', cacheName });
    // One entry through the storage API the cache itself writes with (no origin needed here).
    const writer = http.cache.storage;
    const entry = { v: 3 as const, url: 'https://api.test/x', status: 200, statusText: 'OK', headers: {}, body: Buffer.from('x'), request: { method: 'GET', url: 'https://api.test/x', headers: {} }, createdAt: Date.now(), expires: null };
    expect(await writer.save('key-x', entry)).to.equal(true);
    await http.cache.close();
    const backends = new URL('../../../src/storage/backends.ts', import.meta.url).href;
    const { out, resolved, err } = runWatched(
      dir,
      `const { createStorage } = await import(${JSON.stringify(backends)});
       const storage = createStorage({ backend: 'sqlite', cacheName: ${JSON.stringify(cacheName)}, readOnly: true });
       for await (const item of storage.responses()) console.log('entry', item.key, item.entry.url);
       await storage.close();`,
    );
    expect(out, err).to.include('entry key-x https://api.test/x');
    expect(resolved).to.not.include('axios');
  });
});
