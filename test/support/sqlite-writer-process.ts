/**
 * A child process for the multi-process SQLite tests: opens a cache on the SQLite file given in
 * argv[2], requests argv[4] URLs under the origin argv[3] (half shared with the other children,
 * half its own), and prints one JSON line: the keys it wrote, failed requests, storage errors.
 */
import axios from 'axios';
import { setupCache } from '../../src/index.js';

const [path, origin, countText, tag] = process.argv.slice(2);
const errors: string[] = [];
const http = setupCache(axios.create({ baseURL: origin }), {
  backend: 'sqlite',
  cacheName: path,
  sqliteDriver: (process.env.AXIOS_KEYV_CACHE_TEST_SQLITE_DRIVER as 'sqlite3' | 'node:sqlite' | undefined) ?? 'auto',
  onStorageError: (error) => void errors.push(`${error.name}: ${error.message}`),
});
const written: string[] = [];
let failed = 0;
const count = Number(countText);
const batch: Promise<void>[] = [];
for (let i = 0; i < count; i += 1) {
  const url = i % 2 === 0 ? `/shared/${i}` : `/own/${tag}/${i}`;
  batch.push(
    http.get(url).then(
      (response) => {
        if (response.cacheKey && !response.fromCache) written.push(response.cacheKey);
      },
      () => {
        failed += 1;
      },
    ),
  );
  if (batch.length === 4) await Promise.all(batch.splice(0));
}
await Promise.all(batch);
await http.cache.close();
console.log(JSON.stringify({ written, failed, errors }));
