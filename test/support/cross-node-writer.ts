/**
 * Child process for the cross-Node test: writes one response through setupCache into the SQLite
 * file argv[2] (sqlite3 driver, which both Node versions load) with the serializer argv[4], from
 * the origin argv[3], and prints the cache key.
 */
import axios from 'axios';
import { setupCache } from '../../src/index.js';

const [path, origin, serializer] = process.argv.slice(2);
const http = setupCache(axios.create({ baseURL: origin }), { backend: 'sqlite', cacheName: path, sqliteDriver: 'sqlite3', serializer: serializer as 'binary' });
const response = await http.get('/cross', { responseType: 'arraybuffer' });
await http.cache.close();
console.log(JSON.stringify({ key: response.cacheKey, node: process.version }));
