/**
 * The native SQLite modules (sqlite3, better-sqlite3) are loaded only when a SQLite cache opens: a
 * child process in which neither can be resolved can still import the package and use the memory
 * backend, and a SQLite cache there says how to install sqlite3.
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { nodeSqliteModule } from '../../../../src/storage/sqlite/node-sqlite-driver.js';
import { tempDir } from '../../../support/temp.js';

describe('integration: sqlite3 and better-sqlite3 loaded lazily', () => {
  it('without sqlite3 and better-sqlite3: memory works; a SQLite cache on the sqlite3 driver reports the install hint; on Node with node:sqlite the default needs neither package, on Node 20 it says how to install either', function () {
    this.timeout(60000);
    const dir = tempDir();
    const hooks = join(dir, 'hooks.mjs');
    writeFileSync(hooks, `export async function resolve(specifier, context, next) {
  if (specifier === 'sqlite3' || specifier === 'better-sqlite3') throw Object.assign(new Error("Cannot find module '" + specifier + "'"), { code: 'ERR_MODULE_NOT_FOUND' });
  return next(specifier, context);
}`);
    const register = join(dir, 'register.mjs');
    writeFileSync(register, `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hooks).href)});`);
    const index = new URL('../../../../src/index.ts', import.meta.url).href;
    const script = `
      const { setupCache } = await import(${JSON.stringify(index)});
      const axios = (await import('axios')).default;
      const mem = setupCache(axios.create(), { backend: 'memory' });
      console.log('memory', await mem.cache.count());
      const seen = [];
      const db = setupCache(axios.create(), { cacheName: ${JSON.stringify(join(dir, 'c'))}, sqliteDriver: 'sqlite3', onStorageError: (e, info) => seen.push(info.operation + ' ' + e.message) });
      try { await db.cache.count(); console.log('count resolved'); } catch (e) { console.log('count rejected: ' + e.message); }
      console.log('hook: ' + seen[0]);
      const auto = setupCache(axios.create(), { cacheName: ${JSON.stringify(join(dir, 'auto'))}, onStorageError: () => undefined });
      try { console.log('auto count ' + (await auto.cache.count())); } catch (e) { console.log('auto rejected: ' + e.message); }`;
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--import', pathToFileURL(register).href, '--input-type=module', '-e', script], {
      cwd: process.cwd(),
      encoding: 'utf8',
      timeout: 50000,
    });
    const out = child.stdout;
    expect(out, child.stderr).to.include('memory 0');
    expect(out).to.match(/count rejected: .*sqlite3.*npm install sqlite3.*npm rebuild sqlite3.*npm_config_sqlite=\/usr/);
    expect(out).to.match(/hook: open .*npm install sqlite3/);
    // Without a driver choice, Node >= 22.5 uses node:sqlite and needs no sqlite3 at all.
    if (nodeSqliteModule()) expect(out).to.include('auto count 0');
    else expect(out).to.match(/auto rejected: .*needs better-sqlite3 or sqlite3, and neither loads.*npm install sqlite3.*npm install better-sqlite3@12/);
  });
});
