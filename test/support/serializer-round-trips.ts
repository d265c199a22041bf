/**
 * Every serializer on one backend (issue 8 item 8): through setupCache against a real origin, an
 * entry of each kind written and read back exactly: JSON, text, all 256 byte values, empty, a 5 MB
 * body (smaller where the backend's limit is), repeated headers, a redirect alias and a 304-merged entry. `options(serializer, cacheName)`
 * gives the setupCache options for the backend under test.
 */
import axios from 'axios';
import { expect } from 'chai';
import { setupCache, type CacheAxiosInstance, type CacheOptions } from '../../src/index.js';
import { startOrigin, type Origin } from './origin.js';

const ALL_BYTES = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
const SERIALIZERS = ['json', 'yaml', 'bson', 'binary'] as const;
let suites = 0;

export function serializerRoundTrips(options: (serializer: (typeof SERIALIZERS)[number], cacheName: string) => CacheOptions, { bigBody = 5 * 1024 * 1024 } = {}): void {
  const run = (suites += 1);
  let origin: Origin;
  const open: CacheAxiosInstance[] = [];
  const big = Buffer.alloc(bigBody, 'z');
  before(async () => {
    origin = await startOrigin();
  });
  after(async () => origin.close());
  afterEach(async () => {
    for (const http of open.splice(0)) {
      await http.cache.clear().catch(() => undefined);
      await http.cache.close();
    }
  });

  describe('every serializer round-trips every kind of entry', () => {
    for (const serializer of SERIALIZERS) {
      it(serializer, async function () {
        this.timeout(60000);
        origin.reset();
        origin.route('/json', (_req, res) => {
          res.setHeader('content-type', 'application/json');
          res.setHeader('x-multi', ['a', 'b']);
          res.end('{"ü":"✓","n":[1,2]}');
        });
        origin.route('/text', (_req, res) => {
          res.setHeader('content-type', 'text/plain; charset=utf-8');
          res.end('line 1\nline 2\n');
        });
        origin.route('/bytes', (_req, res) => void res.end(ALL_BYTES));
        origin.route('/empty', (_req, res) => void res.end());
        origin.route('/big', (_req, res) => void res.end(big));
        origin.route('/hop', (_req, res) => {
          res.statusCode = 302;
          res.setHeader('location', '/json');
          res.end();
        });
        origin.route('/etag', (req, res) => {
          res.setHeader('etag', '"v1"');
          res.setHeader('cache-control', 'max-age=0');
          if (req.headers['if-none-match'] === '"v1"') {
            res.statusCode = 304;
            res.setHeader('x-fresh', 'merged');
            return void res.end();
          }
          res.setHeader('content-type', 'application/json');
          res.end('{"etag":1}');
        });
        const http = setupCache(axios.create({ baseURL: origin.base }), { ...options(serializer, `sr${process.pid}s${run}${serializer}`), cacheControl: true });
        open.push(http);
        const get = (path: string) => http.get(path, { responseType: 'arraybuffer' });
        for (const path of ['/json', '/text', '/bytes', '/empty', '/big']) await get(path);
        for (const [path, expected] of [['/json', Buffer.from('{"ü":"✓","n":[1,2]}')], ['/text', Buffer.from('line 1\nline 2\n')], ['/bytes', ALL_BYTES], ['/empty', Buffer.alloc(0)], ['/big', big]] as const) {
          const hit = await get(path);
          expect(hit.fromCache, `${serializer} ${path}`).to.equal(true);
          expect(Buffer.from(hit.data as ArrayBuffer).equals(expected), `${serializer} ${path} bytes`).to.equal(true);
        }
        expect(String((await get('/json')).headers['x-multi'])).to.equal('a, b');
        await get('/hop');
        expect((await get('/hop')).fromCache, 'redirect alias').to.equal(true);
        await get('/etag');
        const revalidated = await get('/etag');
        expect(revalidated.fromCache, '304-merged').to.equal(true);
        const merged = await get('/etag');
        expect(merged.headers['x-fresh'], 'the merged entry was stored').to.equal('merged');
        expect(Buffer.from(merged.data as ArrayBuffer).toString()).to.equal('{"etag":1}');
      });
    }
  });
}
