#!/usr/bin/env node
// Builds the publishable package: dist/esm (ES modules) and dist/cjs (CommonJS), each with .d.ts.
//   node scripts/build.mjs      (npm run build; also run by `npm pack` / `npm publish` via prepack)
// ESM uses tsconfig.build.json (NodeNext, like the sources); CJS uses tsconfig.cjs.json (CommonJS +
// Node10 resolution + esModuleInterop). dist/cjs/package.json marks that folder as CommonJS, because
// the root package.json says "type": "module". Both configs set `inlineSources`, so the shipped .map
// files carry the TypeScript they point at (src/ itself is not in the package).
import { spawn } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');
const tsc = createRequire(path.join(root, 'package.json')).resolve('typescript/bin/tsc');

/** Runs tsc on one project file; resolves with its exit code and collected output. */
function runTsc(project) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [tsc, '-p', project, '--pretty', 'false'], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('error', (err) => resolve({ project, code: 1, output: String(err) }));
    child.on('close', (code, signal) => resolve({ project, code: code ?? 1, signal, output }));
  });
}

const t0 = performance.now();
await rm(dist, { recursive: true, force: true });

const builds = [
  { name: 'esm', project: 'tsconfig.build.json' },
  { name: 'cjs', project: 'tsconfig.cjs.json' },
];
// Two independent tsc runs; in parallel they take about as long as one on a 2-core machine.
const results = await Promise.all(builds.map((b) => runTsc(b.project)));

let failed = false;
for (const [i, r] of results.entries()) {
  const { name } = builds[i];
  if (r.code !== 0) {
    failed = true;
    console.error(`build: ${name} (tsc -p ${r.project}) failed${r.signal ? ` (signal ${r.signal})` : ''}:`);
    const previous = results.slice(0, i).find((p) => p.code !== 0 && p.output === r.output);
    if (previous && r.output.trim()) console.error(`(the same errors as tsc -p ${previous.project})`);
    else console.error(r.output.trimEnd() || '(no output)');
  } else if (r.output.trim()) {
    console.log(r.output.trimEnd());
  }
}
if (failed) {
  process.exitCode = 1;
} else {
  await mkdir(path.join(dist, 'cjs'), { recursive: true });
  await writeFile(path.join(dist, 'cjs', 'package.json'), JSON.stringify({ type: 'commonjs' }, null, 2) + '\n');
  const secs = ((performance.now() - t0) / 1000).toFixed(1);
  console.log(`build: dist/esm and dist/cjs written in ${secs} s`);
}
