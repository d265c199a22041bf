/**
 * Which driver a SQLite cache uses by default, per Node (issue 10 item 3): node:sqlite where it
 * loads without an ExperimentalWarning (Node 24); where node:sqlite warns (Node 22) or is missing
 * (Node 20), better-sqlite3 if it is installed and loads on that Node, else sqlite3; choosing never
 * prints the warning, and on Node 22 without either package the cache still works on node:sqlite
 * (Node's warning then shows once). Each case runs in a child process on each Node found: this one
 * and the registry's 22 and 24 under .tmp/ (scripts/node-from-npm.sh). better-sqlite3 12 is built
 * for one Node ABI, so whether it loads is asked of each Node (the ground truth), as for node:sqlite.
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
function run(node: string, script: string, extra: string[] = [], env: Record<string, string> = {}): { out: string; err: string } {
  const child = spawnSync(node, ['--import', 'tsx', ...extra, '--input-type=module', '-e', script], { cwd: root, encoding: 'utf8', timeout: 50000, env: { ...process.env, ...env } });
  if (child.status !== 0) throw new Error(`exit ${child.status}: ${child.stderr}`);
  return { out: child.stdout, err: child.stderr };
}

/** Whether this Node has node:sqlite, and whether loading it prints the warning (the ground truth). */
function builtin(node: string): { has: boolean; warns: boolean } {
  const child = spawnSync(node, ['-e', "process.stdout.write(String(!!process.getBuiltinModule?.('node:sqlite')))"], { encoding: 'utf8' });
  return { has: child.stdout.startsWith('true'), warns: WARNING.test(child.stderr) };
}

/** Whether better-sqlite3 is installed and its addon loads on this Node (it loads on the first open). */
function betterLoads(node: string): boolean {
  return spawnSync(node, ['-e', "new (require('better-sqlite3'))(':memory:').close()"], { cwd: root }).status === 0;
}

/** The driver 'auto' must choose on `node`, from the ground truth. */
function expectedDriver(node: string): string {
  const { has, warns } = builtin(node);
  if (has && !warns) return 'node:sqlite';
  return betterLoads(node) ? 'better-sqlite3' : 'sqlite3';
}

/** `--import` arguments that make the listed packages look uninstalled (a resolve hook). */
function hiding(dir: string, packages: string[]): string[] {
  writeFileSync(join(dir, 'hooks.mjs'), `const hidden = ${JSON.stringify(packages)};
export async function resolve(specifier, context, next) {
  if (hidden.includes(specifier)) throw Object.assign(new Error("Cannot find module '" + specifier + "'"), { code: 'ERR_MODULE_NOT_FOUND' });
  return next(specifier, context);
}`);
  writeFileSync(join(dir, 'register.mjs'), `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(join(dir, 'hooks.mjs')).href)});`);
  return ['--import', pathToFileURL(join(dir, 'register.mjs')).href];
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

    it(`${version}: node:sqlite if it loads without a warning, else better-sqlite3 if it loads, else sqlite3; never prints the warning; the debug log says why`, () => {
      const { has, warns } = builtin(node);
      const expected = expectedDriver(node);
      const { out, err } = run(node, useCache(join(tempDir(), 'auto')), [], { DEBUG: 'axios-keyv-cache' });
      expect(out).to.include(`driver ${expected} count 1`);
      expect(err).to.not.match(WARNING);
      expect(err).to.match(new RegExp(`sqliteDriver auto: \\S+ uses ${expected} \\(`));
      console.log(`      ${version}: node:sqlite ${has ? (warns ? 'warns' : 'quiet') : 'absent'}, better-sqlite3 ${betterLoads(node) ? 'loads' : 'does not load'} -> ${expected}`);
    });

    it(`${version}: without better-sqlite3 the default is sqlite3 where node:sqlite is not quiet`, function () {
      const { has, warns } = builtin(node);
      if (has && !warns) this.skip();
      const dir = tempDir();
      const { out, err } = run(node, useCache(join(dir, 'c')), hiding(dir, ['better-sqlite3']), { DEBUG: 'axios-keyv-cache' });
      expect(out).to.include('driver sqlite3 count 1');
      expect(err).to.match(/better-sqlite3 unavailable \(sqliteDriver: 'better-sqlite3' needs the package better-sqlite3, which is not installed/);
    });

    const explicitErrors = (dir: string, extra: string[]): string[] => {
      const script = `
        const { setupCache } = await import(${JSON.stringify(index)});
        const axios = (await import('axios')).default;
        const errors = [];
        const http = setupCache(axios.create(), { cacheName: ${JSON.stringify(join(dir, 'c'))}, sqliteDriver: 'better-sqlite3', onStorageError: (e) => errors.push(e.name + ': ' + e.message) });
        await http.cache.storage.save('k', { v: 3, url: 'http://x/', status: 200, statusText: 'OK', headers: {}, body: Buffer.from('x'), request: { method: 'GET', url: 'http://x/', headers: {} }, createdAt: Date.now(), expires: null }).catch((e) => errors.push('thrown ' + e.name + ': ' + e.message));
        console.log(JSON.stringify(errors));
        await http.cache.close();`;
      const { out } = run(node, script, extra);
      const errors = JSON.parse(out.trim().split('\n').pop()!) as string[];
      expect(errors.length, out).to.be.at.least(1);
      return errors;
    };

    it(`${version}: sqliteDriver 'better-sqlite3' without the package fails to open with an error naming the option, the value and how to install`, () => {
      const dir = tempDir();
      const errors = explicitErrors(dir, hiding(dir, ['better-sqlite3']));
      expect(errors[0]).to.match(/StorageOpenError: .*sqliteDriver: 'better-sqlite3' needs the package better-sqlite3, which is not installed: install it with `npm install better-sqlite3@12`/);
    });

    it(`${version}: sqliteDriver 'better-sqlite3' installed but built for another Node fails to open with an error saying so and how to rebuild`, function () {
      if (betterLoads(node)) this.skip();
      const errors = explicitErrors(tempDir(), []);
      expect(errors[0]).to.match(/StorageOpenError: .*sqliteDriver: 'better-sqlite3' needs the package better-sqlite3, which is installed but cannot be loaded on Node v\d+.*NODE_MODULE_VERSION.*`npm rebuild better-sqlite3`/s);
    });

    it(`${version}: without sqlite3 and better-sqlite3 the default falls back to node:sqlite where Node has it; other warnings still show`, function () {
      const { has, warns } = builtin(node);
      if (!has) this.skip();
      const dir = tempDir();
      const { out, err } = run(node, `process.emitWarning('unrelated', 'DeprecationWarning');` + useCache(join(dir, 'c')), hiding(dir, ['sqlite3', 'better-sqlite3']));
      expect(out).to.include('driver node:sqlite count 1');
      expect(err.match(/ExperimentalWarning: SQLite/g) ?? [], 'once where Node warns, as Node itself would').to.have.length(warns ? 1 : 0);
      expect(err).to.include('DeprecationWarning: unrelated');
    });
  }
});
