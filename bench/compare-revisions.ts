/**
 * A memory hit (or a SQLite one, COMPARE_BACKEND=sqlite; 2 KB JSON, bearer token) of this working tree against the same code at an earlier
 * git revision, beside the floor (axios with a no-op adapter), in one process with alternating
 * rounds. For before/after figures of a change to the hit path:
 *
 *   npx tsx bench/compare-revisions.ts <revision>      e.g. npx tsx bench/compare-revisions.ts afdcfd2
 *   COMPARE_BODY=api npx tsx bench/compare-revisions.ts <revision>   (the bench's API document as the body)
 *   COMPARE_BACKEND=sqlite npx tsx bench/compare-revisions.ts <revision>   (a SQLite hit, each in its own file)
 *
 * The revision's src/ is extracted with `git archive` into a temporary folder that shares this
 * checkout's node_modules.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import axios, { AxiosHeaders, type AxiosAdapter, type AxiosInstance } from 'axios';
import { setupCache } from '../src/index.js';
import { JSON_BODY } from './lib/origin.js';

const revision = process.argv[2];
if (!revision) {
  console.error('usage: npx tsx bench/compare-revisions.ts <git revision>');
  process.exit(1);
}
const root = resolve(import.meta.dirname, '..');
const dir = mkdtempSync(join(tmpdir(), 'akc-rev-'));
execFileSync('sh', ['-c', `git -C "${root}" archive "${revision}" src package.json tsconfig.json | tar -x -C "${dir}"`]);
symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
const earlier = (await import(pathToFileURL(join(dir, 'src/index.ts')).href)) as { setupCache: typeof setupCache };

// COMPARE_BODY=api: the bench's 2 KB API document (21 small objects) instead of one long string;
// what a hit costs in JSON.parse depends on that shape.
const BODY = process.env.COMPARE_BODY === 'api' ? JSON_BODY : JSON.stringify({ id: 1, name: 'Ada Lovelace', bio: 'x'.repeat(2000) });
const noop: AxiosAdapter = async (config) => ({ data: BODY, status: 200, statusText: 'OK', headers: new AxiosHeaders({ 'content-type': 'application/json' }), config, request: {} });
const backend: 'sqlite' | 'memory' = process.env.COMPARE_BACKEND === 'sqlite' ? 'sqlite' : 'memory';
const files = mkdtempSync(join(tmpdir(), 'akc-rev-files-'));
const optionsFor = (name: string): Parameters<typeof setupCache>[1] => (backend === 'sqlite' ? { backend, cacheName: join(files, name) } : { backend });
const clients: Record<string, AxiosInstance> = {
  floor: axios.create({ adapter: noop }),
  [revision]: earlier.setupCache(axios.create({ adapter: noop }), optionsFor('earlier')),
  'working tree': setupCache(axios.create({ adapter: noop }), optionsFor('tree')),
};
const options = { headers: { authorization: 'Bearer a-caller-token' } };
const url = 'https://api.example.com/users/1?fields=all';

async function round(http: AxiosInstance, n: number): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < n; i += 1) await http.get(url, options);
  return ((performance.now() - start) * 1000) / n;
}
for (const http of Object.values(clients)) for (let i = 0; i < 3000; i += 1) await http.get(url, options);
const times: Record<string, number[]> = {};
for (let r = 0; r < 15; r += 1) for (const [name, http] of Object.entries(clients)) (times[name] ??= []).push(await round(http, 1000));
const median = (values: number[]): number => [...values].sort((a, b) => a - b)[values.length >> 1]!;
const floor = median(times.floor!);
console.log(`node ${process.version}: ${backend} hit, µs per request (median of 15 rounds) and throughput over the floor`);
for (const [name, values] of Object.entries(times)) console.log(`  ${name.padEnd(14)} ${median(values).toFixed(1).padStart(6)} µs  ${(floor / median(values)).toFixed(2)}x`);
rmSync(dir, { recursive: true, force: true });
rmSync(files, { recursive: true, force: true });
process.exit(0);
