/**
 * Times the SQLite cache at scale (issue 10 item 2): count(), delete({ expired: true }),
 * resetExpiration() and hit latency with N entries vs 100. Not a test; the bench under bench/ owns
 * speed figures. Entries are real responses (about 2 KB of JSON, the default binary serializer),
 * half of them already expired.
 *   npx tsx scripts/sqlite-scale.ts [entries=100000] [driver=auto] [secret]
 */
import axios, { type AxiosAdapter } from 'axios';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setupCache } from '../src/index.js';

const entries = Number(process.argv[2] ?? 100_000);
const driver = process.argv[3] ?? 'auto';
const signed = process.argv[4] === 'secret';
const body = JSON.stringify({ items: Array.from({ length: 40 }, (_, i) => ({ id: i, name: `item ${i}`, tags: ['a', 'b'] })) });

const origin: AxiosAdapter = async (config) => ({
  data: body,
  status: 200,
  statusText: 'OK',
  headers: { 'content-type': 'application/json' },
  config,
});

/** µs per hit over `count` sequential hits on distinct fresh entries of a cache holding `n` (half fresh). */
async function hits(http: Cache, n: number, from: number, count: number): Promise<number> {
  const start = process.hrtime.bigint();
  for (let i = from; i < from + count; i += 1) {
    const url = `/new/${(i * 7919) % (n >> 1)}`;
    const response = await http.get(url);
    if (!(response as { fromCache?: boolean }).fromCache) throw new Error(`not a hit: ${url}`);
  }
  return Number(process.hrtime.bigint() - start) / 1000 / count;
}

/** Runs `fn`, printing its time and the longest event-loop stall meanwhile. */
async function timed<T>(what: string, fn: () => Promise<T>): Promise<T> {
  const stall = monitorEventLoopDelay({ resolution: 1 });
  stall.enable();
  const start = process.hrtime.bigint();
  const result = await fn();
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  stall.disable();
  console.log(`${what}: ${ms.toFixed(1)} ms (${String(result)}), longest event-loop stall ${(stall.max / 1e6).toFixed(0)} ms`);
  return result;
}

type Cache = ReturnType<typeof setupCache>;
const dir = mkdtempSync(join(tmpdir(), 'sqlite-scale-'));

async function filled(n: number): Promise<Cache> {
  const options = { backend: 'sqlite' as const, cacheName: join(dir, `c${n}`), sqliteDriver: driver as 'auto', ...(signed ? { secretKey: 'a secret of at least 16 bytes' } : {}) };
  const http = setupCache(axios.create({ baseURL: 'http://origin.test', adapter: origin }), options);
  const fill = process.hrtime.bigint();
  for (let i = 0; i < n; i += 1) await (i % 2 ? http.get(`/new/${i >> 1}`) : http.get(`/old/${i >> 1}`, { cache: { expireAfter: 1 } }));
  console.log(`${n} entries (${process.version}, driver ${(http.cache.storage.store as unknown as { driver: string }).driver}${signed ? ', signed' : ''}): filled in ${(Number(process.hrtime.bigint() - fill) / 1e9).toFixed(1)} s`);
  return http;
}

const small = await filled(100);
const large = await filled(entries);
await new Promise((resolve) => setTimeout(resolve, 1100)); // the /old/ half expires
// Hit latency: both caches open in this process, alternating rounds of 1000 hits after a warm-up.
await hits(small, 100, 0, 1000);
await hits(large, entries, 0, 1000);
// `sameUrls`: the large cache hit on the same 50 URLs as the small one, so that the key memos
// (src/context.ts, 1000 keys; src/adapter/request-info.ts, 2048 URLs) hit equally in both and the
// difference is the store's alone; `large` hits 7000 distinct URLs, where every key is computed.
const rounds: { small: number[]; large: number[]; sameUrls: number[] } = { small: [], large: [], sameUrls: [] };
for (let round = 1; round <= 7; round += 1) {
  rounds.small.push(await hits(small, 100, round * 1000, 1000));
  rounds.large.push(await hits(large, entries, round * 1000, 1000));
  rounds.sameUrls.push(await hits(large, 100, round * 1000, 1000));
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const vs = (xs: number[]) => `${median(xs).toFixed(1)} µs (${((median(xs) / median(rounds.small) - 1) * 100).toFixed(0)}%)`;
console.log(`hit latency (median of 7 alternating rounds of 1000): ${median(rounds.small).toFixed(1)} µs at 100 entries; at ${entries}: same 50 URLs ${vs(rounds.sameUrls)}, distinct URLs ${vs(rounds.large)}`);
await timed('count()', () => large.cache.count());
await timed('count({ expired: false })', () => large.cache.count({ expired: false }));
await timed('delete({ expired: true })', () => large.cache.delete({ expired: true }));
await timed("resetExpiration('1h')", () => large.cache.resetExpiration('1h').then(() => 'done'));
await timed('count() after', () => large.cache.count());
await small.cache.close();
await large.cache.close();
rmSync(dir, { recursive: true, force: true });
