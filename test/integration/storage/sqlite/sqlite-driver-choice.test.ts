/**
 * Which driver a SQLite cache uses by default, per Node (issue 10 item 3): node:sqlite where it
 * loads without an ExperimentalWarning (Node 24), sqlite3 where node:sqlite warns (Node 22) or is
 * missing (Node 20); choosing never prints the warning, and on Node 22 without sqlite3 the cache
 * still works on node:sqlite (Node's warning then shows once). Each case runs in a child process on
 * each Node found: this one and the registry's 22 and 24 under .tmp/ (scripts/node-from-npm.sh).
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { tempDir } from '../../../support/temp.js';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const index = pathToFileURL(join(root, 'src/index.ts')).href;
const WARNING = /ExperimentalWarning: SQLite/;

const nodes = [...new Set([process.execPath, join(root, '.tmp/node-22/package/bin/node'), join(root, '.tmp/node-24/package/bin/node')])].filter((path) => existsSync(path));

/** Runs `script` (an ES module body) on `node` from the project root; stdout and stderr. */
function run(node: string, script: string, extra: string[] = []): { out: string; err: string } {
  const child = spawnSync(node, ['--import', 'tsx', ...extra, '--input-type=module', '-e', script], { cwd: root, encoding: 'utf8', timeout: 50000 });
  if (child.status !== 0) throw new Error(`exit ${child.status}: ${child.stderr}`);
  return { out: child.stdout, err: child.stderr };
}

/** Whether this Node has node:sqlite, and whether loading it prints the warning (the ground truth). */
function builtin(node: string): { has: boolean; warns: boolean } {
  const child = spawnSync(node, ['-e', "process.stdout.write(String(!!process.getBuiltinModule?.('node:sqlite')))"], { encoding: 'utf8' });
  return { has: child.stdout.startsWith('true'), warns: WARNING.test(child.stderr) };
}

const useCache = (cacheName: string, options = '') => `
  const { setupCache } = await import(${JSON.stringify(index)});
  const axios = (await import('axios')).default;
  const http = setupCache(axios.create(), { cacheName: ${JSON.stringify(cacheName)}${options} });
  await http.cache.storage.save('k', { v: 3, url: 'http://x/', status: 200, statusText: 'OK', headers: {}, body: Buffer.from('x'), request: { method: 'GET', url: 'http://x/', headers: {} }, createdAt: Date.now(), expires: null });
  console.log('driver ' + http.cache.storage.store.driver + ' count ' + (await http.cache.count()));
  await http.cache.close();`;

describe('integration: the default SQLite driver per Node version', function () {
  this.timeout(120000);

  for (const node of nodes) {
    const version = spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim();

    it(`${version}: node:sqlite if it loads without a warning, else sqlite3; never prints the warning`, () => {
      const { has, warns } = builtin(node);
      const { out, err } = run(node, useCache(join(tempDir(), 'auto')));
      expect(out).to.include(`driver ${has && !warns ? 'node:sqlite' : 'sqlite3'} count 1`);
      expect(err).to.not.match(WARNING);
      console.log(`      ${version}: node:sqlite ${has ? (warns ? 'warns' : 'quiet') : 'absent'} -> ${has && !warns ? 'node:sqlite' : 'sqlite3'}`);
    });

    it(`${version}: without sqlite3 the default falls back to node:sqlite where Node has it; other warnings still show`, function () {
      const { has, warns } = builtin(node);
      if (!has) this.skip();
      const dir = tempDir();
      writeFileSync(join(dir, 'hooks.mjs'), `export async function resolve(specifier, context, next) {
  if (specifier === 'sqlite3') throw Object.assign(new Error("Cannot find module 'sqlite3'"), { code: 'ERR_MODULE_NOT_FOUND' });
  return next(specifier, context);
}`);
      writeFileSync(join(dir, 'register.mjs'), `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(join(dir, 'hooks.mjs')).href)});`);
      const { out, err } = run(node, `process.emitWarning('unrelated', 'DeprecationWarning');` + useCache(join(dir, 'c')), ['--import', pathToFileURL(join(dir, 'register.mjs')).href]);
      expect(out).to.include('driver node:sqlite count 1');
      expect(err.match(/ExperimentalWarning: SQLite/g) ?? [], 'once where Node warns, as Node itself would').to.have.length(warns ? 1 : 0);
      expect(err).to.include('DeprecationWarning: unrelated');
    });
  }
});
