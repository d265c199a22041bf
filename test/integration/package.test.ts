/**
 * The published package, as a consumer gets it: `npm run build`, `npm pack`, the tarball unpacked into
 * a scratch project's node_modules, then loaded from CommonJS and from ESM in child processes that make
 * real requests to a local origin, and type-checked by the project's tsc as NodeNext ESM and CJS.
 *
 * The scratch project links only the package's declared `dependencies`, non-optional
 * `peerDependencies` (axios) and `@types/node`, each from this repo's node_modules. Their own
 * dependencies resolve through the symlinks' real paths, so a `src/` import of a devDependency
 * fails here as it would for a real user.
 */
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const tscBin = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
const PKG = 'axios-keyv-cache';

interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command without blocking the event loop (the origin server lives in this process). */
function run(cmd: string, args: string[], opts: { cwd: string; timeoutMs?: number }): Promise<RunResult> {
  const env = { ...process.env };
  delete env.NODE_OPTIONS; // children must not inherit tsx or mocha loaders
  return new Promise((resolve) => {
    execFile(
      cmd,
      args,
      { cwd: opts.cwd, env, timeout: opts.timeoutMs ?? 60_000, maxBuffer: 32 * 1024 * 1024 },
      (err, stdout, stderr) => {
        let code = 0;
        if (err) {
          const e = err as NodeJS.ErrnoException & { code?: number | string; killed?: boolean; signal?: string };
          code = typeof e.code === 'number' ? e.code : 1;
          if (e.killed || e.signal) stderr += `\n[killed by ${e.signal ?? 'timeout'}: did not finish in time]`;
          else if (typeof e.code === 'string') stderr += `\n[${e.code}: ${e.message}]`;
        }
        resolve({ code, stdout: String(stdout), stderr: String(stderr) });
      },
    );
  });
}

function describeRun(what: string, r: RunResult): string {
  return `${what} exited ${r.code}\n--- stdout ---\n${r.stdout.trimEnd()}\n--- stderr ---\n${r.stderr.trimEnd()}`;
}

async function mustRun(what: string, cmd: string, args: string[], opts: { cwd: string; timeoutMs?: number }) {
  const r = await run(cmd, args, opts);
  if (r.code !== 0) throw new Error(describeRun(what, r));
  return r;
}

/** The last line of stdout that parses as JSON: what a consumer script reports. */
function lastJson(r: RunResult): any {
  const lines = r.stdout.trim().split('\n').reverse();
  for (const line of lines) {
    try {
      return JSON.parse(line);
    } catch {
      /* not the report line */
    }
  }
  throw new Error(describeRun('consumer printed no JSON report;', r));
}

function link(consumerModules: string, name: string): void {
  const target = path.join(root, 'node_modules', name);
  if (!fs.existsSync(target)) throw new Error(`${name} is not installed in ${root}/node_modules (run npm ci)`);
  const linkPath = path.join(consumerModules, name);
  fs.mkdirSync(path.dirname(linkPath), { recursive: true });
  fs.symlinkSync(target, linkPath, 'dir');
}

const CJS_CONSUMER = String.raw`'use strict';
const assert = require('node:assert/strict');
const axios = require('axios');
const m = require('axios-keyv-cache');
async function main(url) {
  assert.equal(typeof m.setupCache, 'function', 'setupCache is not a function');
  const instance = axios.create();
  const http = m.setupCache(instance, { backend: 'memory' });
  const first = await http.get(url);
  const second = await http.get(url);
  console.log(JSON.stringify({
    resolved: require.resolve('axios-keyv-cache'),
    setupCache: typeof m.setupCache,
    neverExpire: m.NEVER_EXPIRE,
    sameInstance: http === instance,
    first: { status: first.status, fromCache: first.fromCache, data: first.data },
    second: { status: second.status, fromCache: second.fromCache, data: second.data },
  }));
}
main(process.argv[2]).catch((err) => { console.error(err && err.stack ? err.stack : err); process.exit(1); });
`;

const ESM_CONSUMER = String.raw`import assert from 'node:assert/strict';
import axios from 'axios';
import { setupCache, NEVER_EXPIRE } from 'axios-keyv-cache';
assert.equal(typeof setupCache, 'function', 'setupCache is not a function');
const instance = axios.create();
const http = setupCache(instance, { backend: 'memory' });
const url = process.argv[2];
const first = await http.get(url);
const second = await http.get(url);
console.log(JSON.stringify({
  resolved: import.meta.resolve('axios-keyv-cache'),
  setupCache: typeof setupCache,
  neverExpire: NEVER_EXPIRE,
  sameInstance: http === instance,
  first: { status: first.status, fromCache: first.fromCache, data: first.data },
  second: { status: second.status, fromCache: second.fromCache, data: second.data },
}));
`;

/** Compiled, never run: the published declarations and the axios augmentation, seen by a user. */
const TS_CONSUMER = `import axios from 'axios';
import { setupCache, NEVER_EXPIRE } from 'axios-keyv-cache';

type IsAny<T> = 0 extends 1 & T ? true : false;

const http = setupCache(axios.create(), { backend: 'memory' });
export const neverExpire: number = NEVER_EXPIRE;

export async function main(url: string): Promise<boolean | undefined> {
  const res = await http.get<{ n: number }>(url, { cache: { expireAfter: 60 } });
  const fromCache: boolean | undefined = res.fromCache;
  const fromCacheIsAny: IsAny<typeof res.fromCache> = false;
  const responseIsAny: IsAny<typeof res> = false;
  const n: number = res.data.n;
  await http.get(url, { cache: false });
  // @ts-expect-error the per-request cache options are typed, not any
  await http.get(url, { cache: { notACacheOption: true } });
  void [fromCacheIsAny, responseIsAny, n];
  return fromCache;
}
`;

function tsConsumer(dir: string, type: 'module' | 'commonjs'): void {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: `ts-${type}`, private: true, type }));
  fs.writeFileSync(
    path.join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'ES2022',
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        strict: true,
        esModuleInterop: true,
        noEmit: true,
        skipLibCheck: false,
        types: ['node'],
      },
      files: ['index.ts'],
    }),
  );
  fs.writeFileSync(path.join(dir, 'index.ts'), TS_CONSUMER);
}

describe('published package (npm pack, CJS + ESM consumers)', function () {
  this.timeout(120_000);

  let tmp = '';
  let consumer = '';
  let packedFiles: string[] = [];
  let server: http.Server | undefined;
  let baseUrl = '';
  const hits = new Map<string, number>();

  before(async function () {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'akc-package-'));
    consumer = path.join(tmp, 'consumer');
    const pkgDir = path.join(consumer, 'node_modules', PKG);
    fs.mkdirSync(pkgDir, { recursive: true });

    await mustRun('npm run build', 'npm', ['run', 'build'], { cwd: root, timeoutMs: 90_000 });
    // The build just ran; --ignore-scripts keeps prepack from building a second time.
    const packed = await mustRun(
      'npm pack',
      'npm',
      ['pack', '--ignore-scripts', '--json', '--pack-destination', tmp],
      { cwd: root },
    );
    const info = JSON.parse(packed.stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
    expect(info).to.have.lengthOf(1);
    packedFiles = info[0]!.files.map((f) => f.path);
    const tarball = path.join(tmp, path.basename(info[0]!.filename));
    await mustRun('tar -x', 'tar', ['-xzf', tarball, '--strip-components=1', '-C', pkgDir], { cwd: tmp });

    const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
    const optionalPeers = new Set(
      Object.entries(manifest.peerDependenciesMeta ?? {})
        .filter(([, meta]) => (meta as { optional?: boolean }).optional)
        .map(([name]) => name),
    );
    const names = new Set<string>([
      ...Object.keys(manifest.dependencies ?? {}),
      ...Object.keys(manifest.optionalDependencies ?? {}),
      ...Object.keys(manifest.peerDependencies ?? {}).filter((n) => !optionalPeers.has(n)),
      '@types/node',
    ]);
    for (const name of names) link(path.join(consumer, 'node_modules'), name);

    fs.writeFileSync(path.join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true }));
    fs.writeFileSync(path.join(consumer, 'check.cjs'), CJS_CONSUMER);
    fs.writeFileSync(path.join(consumer, 'check.mjs'), ESM_CONSUMER);
    tsConsumer(path.join(consumer, 'ts-esm'), 'module');
    tsConsumer(path.join(consumer, 'ts-cjs'), 'commonjs');

    server = http.createServer((req, res) => {
      const n = (hits.get(req.url ?? '') ?? 0) + 1;
      hits.set(req.url ?? '', n);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ path: req.url, n }));
    });
    await new Promise<void>((resolve, reject) => {
      server!.once('error', reject);
      server!.listen(0, '127.0.0.1', () => resolve());
    });
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async function () {
    if (server) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server!.close(() => resolve()));
    }
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('ships dist/esm and dist/cjs with declarations, and no src/ or test/', function () {
    for (const f of [
      'package.json',
      'dist/esm/index.js',
      'dist/esm/index.d.ts',
      'dist/cjs/index.js',
      'dist/cjs/index.d.ts',
      'dist/cjs/package.json',
    ]) {
      expect(packedFiles, f).to.include(f);
    }
    const leaked = packedFiles.filter(
      (f) => f.startsWith('src/') || f.startsWith('test/') || (f.endsWith('.ts') && !f.endsWith('.d.ts')),
    );
    expect(leaked, 'sources or tests in the tarball').to.deep.equal([]);
    const cjsMarker = JSON.parse(fs.readFileSync(path.join(consumer, 'node_modules', PKG, 'dist/cjs/package.json'), 'utf8'));
    expect(cjsMarker).to.deep.equal({ type: 'commonjs' });
  });

  it('ships source maps whose every source is inlined or resolves inside the package', function () {
    const pkgDir = path.join(consumer, 'node_modules', PKG);
    const maps = packedFiles.filter((f) => f.endsWith('.map'));
    expect(maps.filter((f) => f.startsWith('dist/esm/')), 'ESM maps').to.not.be.empty;
    expect(maps.filter((f) => f.startsWith('dist/cjs/')), 'CJS maps').to.not.be.empty;
    const unresolved: string[] = [];
    for (const mapFile of maps) {
      const map = JSON.parse(fs.readFileSync(path.join(pkgDir, mapFile), 'utf8')) as {
        sources: string[];
        sourcesContent?: Array<string | null>;
        sourceRoot?: string;
      };
      expect(map.sources, mapFile).to.not.be.empty;
      map.sources.forEach((source, i) => {
        if (typeof map.sourcesContent?.[i] === 'string' && map.sourcesContent[i]!.length > 0) return;
        const resolved = path.resolve(path.dirname(path.join(pkgDir, mapFile)), map.sourceRoot ?? '', source);
        if (!resolved.startsWith(pkgDir + path.sep) || !fs.existsSync(resolved)) unresolved.push(`${mapFile}: ${source}`);
      });
    }
    expect(unresolved, 'map sources neither inlined nor shipped').to.deep.equal([]);
  });

  it('declares the Node version its dependencies need', function () {
    const manifest = JSON.parse(fs.readFileSync(path.join(consumer, 'node_modules', PKG, 'package.json'), 'utf8'));
    expect(manifest.engines).to.deep.equal({ node: '>=20.19' });
  });

  for (const kind of ['cjs', 'esm'] as const) {
    it(`${kind === 'cjs' ? 'require()' : 'import'} from ${kind.toUpperCase()} loads the ${kind} build and caches a real request`, async function () {
      const url = `${baseUrl}/${kind}`;
      const r = await mustRun(`node check.${kind === 'cjs' ? 'cjs' : 'mjs'}`, process.execPath, [`check.${kind === 'cjs' ? 'cjs' : 'mjs'}`, url], {
        cwd: consumer,
        timeoutMs: 20_000,
      });
      const report = lastJson(r);
      expect(String(report.resolved).replace(/\\/g, '/'), 'resolved entry').to.match(
        new RegExp(`/node_modules/${PKG}/dist/${kind}/index\\.js$`),
      );
      expect(report.setupCache).to.equal('function');
      expect(report.neverExpire).to.equal(-1);
      expect(report.sameInstance, 'setupCache returns the instance it was given').to.equal(true);
      expect(report.first.status).to.equal(200);
      expect(report.first.fromCache).to.equal(false);
      expect(report.second.status).to.equal(200);
      expect(report.second.fromCache).to.equal(true);
      expect(report.second.data).to.deep.equal({ path: `/${kind}`, n: 1 });
      expect(hits.get(`/${kind}`), 'requests that reached the origin').to.equal(1);
    });
  }

  it('type-checks a consumer under NodeNext as ESM and as CommonJS (types + axios augmentation)', async function () {
    const [esm, cjs] = await Promise.all(
      (['ts-esm', 'ts-cjs'] as const).map((dir) =>
        run(process.execPath, [tscBin, '-p', path.join(consumer, dir, 'tsconfig.json'), '--listFiles', '--pretty', 'false'], {
          cwd: path.join(consumer, dir),
        }),
      ),
    );
    for (const [label, r, build] of [
      ['ESM consumer', esm!, 'esm'],
      ['CJS consumer', cjs!, 'cjs'],
    ] as const) {
      const errors = r.stdout
        .split('\n')
        .filter((l) => /error TS\d+/.test(l))
        .join('\n');
      expect(r.code, `${label}: tsc failed\n${errors || describeRun('tsc', r)}`).to.equal(0);
      const files = r.stdout.split('\n').map((l) => l.trim().replace(/\\/g, '/'));
      expect(
        files.some((f) => f.endsWith(`/node_modules/${PKG}/dist/${build}/index.d.ts`)),
        `${label} should get its types from dist/${build}/index.d.ts`,
      ).to.equal(true);
    }
  });
});
