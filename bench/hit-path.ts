/**
 * `npm run bench`: the cache-hit path through the whole axios pipeline, measured side by side in one
 * run. Cases run in interleaved rounds and report the median, so the printed ratios survive a noisy
 * machine better than absolute numbers do.
 *
 *   noop adapter   axios with an adapter that answers at once: the floor any cache hit sits on
 *   ours memory    setupCache(..., { backend: 'memory' }) hit
 *   ours sqlite    setupCache(...) hit on the default SQLite backend (a real file)
 *   aci memory     axios-cache-interceptor 1.x hit on its default memory storage
 *   network        plain axios to a local node:http origin (no cache), for scale
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import axios, { AxiosHeaders, type AxiosAdapter } from 'axios';
import { setupCache as setupAci } from 'axios-cache-interceptor';
import { setupCache } from '../src/index.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 2000);
const BODY = JSON.stringify({ id: 1, name: 'Ada Lovelace', tags: ['math', 'engines'], bio: 'x'.repeat(200) });

const origin = http.createServer((_req, res) => {
  res.setHeader('content-type', 'application/json');
  res.end(BODY);
});
await new Promise<void>((resolve) => origin.listen(0, '127.0.0.1', resolve));
const url = `http://127.0.0.1:${(origin.address() as AddressInfo).port}/users/1?fields=all`;

const noopAdapter: AxiosAdapter = async (config) => ({
  data: BODY,
  status: 200,
  statusText: 'OK',
  headers: new AxiosHeaders({ 'content-type': 'application/json' }),
  config,
  request: {},
});

const dir = mkdtempSync(join(tmpdir(), 'akc-bench-'));
const oursMemory = setupCache(axios.create(), { backend: 'memory' });
const oursSqlite = setupCache(axios.create(), { cacheName: join(dir, 'bench') });
const aci = setupAci(axios.create());
const noop = axios.create({ adapter: noopAdapter });
const plain = axios.create();

const cases: Record<string, () => Promise<unknown>> = {
  'noop adapter': () => noop.get(url),
  'ours memory': () => oursMemory.get(url),
  'ours sqlite': () => oursSqlite.get(url),
  'aci memory': () => aci.get(url),
  network: () => plain.get(url),
};

// Warm up: fill each cache once and check that the hits really are hits.
for (const run of Object.values(cases)) for (let i = 0; i < 200; i += 1) await run();
const checks = [await oursMemory.get(url), await oursSqlite.get(url)];
const aciCheck = await aci.get(url);
if (!checks.every((r) => r.fromCache) || !aciCheck.cached) throw new Error('warm-up did not produce cache hits');

const samples: Record<string, number[]> = Object.fromEntries(Object.keys(cases).map((name) => [name, []]));
for (let round = 0; round < ROUNDS; round += 1) {
  for (const [name, run] of Object.entries(cases)) {
    const iterations = name === 'network' ? Math.max(200, ITERATIONS / 10) : ITERATIONS;
    const started = process.hrtime.bigint();
    for (let i = 0; i < iterations; i += 1) await run();
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    samples[name].push(iterations / seconds);
  }
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const ops = Object.fromEntries(Object.entries(samples).map(([name, values]) => [name, median(values)]));

console.log(`node ${process.version}, axios ${axios.VERSION}, ${ROUNDS} rounds x ${ITERATIONS} sequential requests, median ops/s\n`);
for (const [name, value] of Object.entries(ops)) console.log(`${name.padEnd(14)} ${value.toFixed(0).padStart(8)} ops/s`);
const ratio = (a: string, b: string): string => `${(ops[a] / ops[b]).toFixed(2)}x`;
console.log('\nratios (higher is faster):');
console.log(`  ours memory / noop adapter : ${ratio('ours memory', 'noop adapter')}  (share of the bare axios pipeline a hit keeps)`);
console.log(`  ours memory / aci memory   : ${ratio('ours memory', 'aci memory')}`);
console.log(`  ours sqlite / aci memory   : ${ratio('ours sqlite', 'aci memory')}  (persistent file vs in-memory)`);
console.log(`  ours memory / network      : ${ratio('ours memory', 'network')}`);
console.log(`  ours sqlite / network      : ${ratio('ours sqlite', 'network')}`);

await oursSqlite.cache.close();
await oursMemory.cache.close();
rmSync(dir, { recursive: true, force: true });
origin.close();
