/**
 * `npm run demo`: a real local origin that takes ~150 ms per response, and an axios instance with the
 * cache on its default SQLite backend. The first round of requests misses (network), the second hits.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { rmSync } from 'node:fs';
import axios from 'axios';
import { setupCache } from '../src/index.js';

const DELAY_MS = 150;
let served = 0;
const origin = http.createServer((req, res) => {
  served += 1;
  setTimeout(() => {
    const etag = `"${req.url}"`;
    res.setHeader('etag', etag);
    if (req.headers['if-none-match'] === etag) {
      res.statusCode = 304;
      return void res.end();
    }
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ path: req.url, servedAt: new Date().toISOString() }));
  }, DELAY_MS);
});
await new Promise<void>((resolve) => origin.listen(0, '127.0.0.1', resolve));
const baseURL = `http://127.0.0.1:${(origin.address() as AddressInfo).port}`;

const cacheName = '.demo/http_cache';
rmSync('.demo', { recursive: true, force: true });
// The one line an existing axios codebase adds (default backend: SQLite at .demo/http_cache.sqlite).
const api = setupCache(axios.create({ baseURL }), { cacheName, expireAfter: '1h', urlsExpireAfter: { '*/live/*': 5 } });

const paths = ['/users/1', '/users/2?fields=name&sort=asc', '/users/2?sort=asc&fields=name', '/live/prices'];
console.log(`origin ${baseURL} answers in ~${DELAY_MS} ms; cache file ${cacheName}.sqlite\n`);
console.log('round  path                                   source    time');
for (const round of [1, 2]) {
  for (const path of paths) {
    const started = performance.now();
    const res = await api.get(path);
    const ms = (performance.now() - started).toFixed(1).padStart(6);
    console.log(`${round}      ${path.padEnd(38)} ${res.fromCache ? 'cache  ' : 'network'}  ${ms} ms`);
  }
}
const fresh = await api.get('/users/1', { cache: { refresh: true } });
console.log(`\nrefresh /users/1: conditional request, 304 -> revalidated=${fresh.revalidated}, fromCache=${fresh.fromCache}`);
console.log(`origin served ${served} requests for ${paths.length * 2 + 1} calls`);
console.log(`cached URLs (${await api.cache.count()} responses):`);
for (const url of await api.cache.urls()) console.log(`  ${url}`);
await api.cache.close();

// Reopen the same file in a new instance: entries persist across processes and restarts.
const reopened = setupCache(axios.create({ baseURL }), { cacheName });
const again = await reopened.get('/users/1');
console.log(`\nnew instance, same file: GET /users/1 fromCache=${again.fromCache} (created ${again.createdAt.toISOString()})`);
await reopened.cache.close();
origin.close();
