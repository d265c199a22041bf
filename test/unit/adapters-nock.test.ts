/**
 * Unit-level HTTP with nock: the cache behaves the same in front of axios' http and fetch adapters,
 * and a compressed response is stored decoded (as axios hands it over) and served identically.
 */
import net, { type AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import axios from 'axios';
import { expect } from 'chai';
import nock from 'nock';
import { setupCache } from '../../src/index.js';

const ORIGIN = 'http://localhost:65011';

describe('caching in front of axios adapters (nock)', () => {
  before(() => nock.disableNetConnect());
  after(() => {
    nock.cleanAll();
    nock.enableNetConnect();
    // Stop intercepting, so later test files talk to their real origins directly.
    nock.restore();
  });
  afterEach(() => nock.cleanAll());

  for (const adapter of ['http', 'fetch'] as const) {
    it(`${adapter} adapter: one network call, then hits with equal data and headers`, async () => {
      const scope = nock(ORIGIN).get('/users/1').once().reply(200, { id: 1, name: 'Ada' }, { 'content-type': 'application/json', etag: '"u1"' });
      const http = setupCache(axios.create({ adapter }), { backend: 'memory' });
      const first = await http.get(`${ORIGIN}/users/1`);
      const second = await http.get(`${ORIGIN}/users/1`);
      expect(scope.isDone()).to.equal(true);
      expect(first.fromCache).to.equal(false);
      expect(second.fromCache).to.equal(true);
      expect(second.data).to.deep.equal({ id: 1, name: 'Ada' });
      expect(second.data).to.deep.equal(first.data);
      expect(second.headers.etag).to.equal('"u1"');
      await http.cache.close();
    });

    it(`${adapter} adapter: arraybuffer bodies round-trip byte-exact`, async () => {
      const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
      nock(ORIGIN).get('/bin').once().reply(200, bytes, { 'content-type': 'application/octet-stream' });
      const http = setupCache(axios.create({ adapter }), { backend: 'memory' });
      const first = await http.get(`${ORIGIN}/bin`, { responseType: 'arraybuffer' });
      const second = await http.get(`${ORIGIN}/bin`, { responseType: 'arraybuffer' });
      expect(second.fromCache).to.equal(true);
      expect(Buffer.from(second.data as ArrayBuffer).equals(bytes)).to.equal(true);
      expect(Buffer.from(first.data as ArrayBuffer).equals(bytes)).to.equal(true);
      await http.cache.close();
    });
  }

  it('a gzip-encoded response is cached decoded and served with the same headers axios gave', async () => {
    const body = JSON.stringify({ compressed: true, filler: 'z'.repeat(500) });
    nock(ORIGIN).get('/gz').once().reply(200, gzipSync(body), { 'content-type': 'application/json', 'content-encoding': 'gzip' });
    const http = setupCache(axios.create(), { backend: 'memory' });
    const first = await http.get(`${ORIGIN}/gz`);
    const second = await http.get(`${ORIGIN}/gz`);
    expect(second.fromCache).to.equal(true);
    expect(second.data).to.deep.equal(JSON.parse(body));
    // axios removes content-encoding once it has decompressed; the cached copy must agree.
    expect(first.headers['content-encoding']).to.equal(undefined);
    expect(second.headers['content-encoding']).to.equal(undefined);
    await http.cache.close();
  });

  it('a network error on a first request propagates unchanged (nothing to fall back on)', async () => {
    // A real refused connection on a closed loopback port (nock 14's replyWithError hangs axios' http adapter).
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    nock.enableNetConnect('127.0.0.1');
    const http = setupCache(axios.create(), { backend: 'memory', staleIfError: true });
    const error = await http.get(`http://127.0.0.1:${port}/down`).then(
      () => undefined,
      (e: unknown) => e,
    );
    nock.disableNetConnect();
    expect(axios.isAxiosError(error)).to.equal(true);
    expect((error as { code?: string }).code).to.equal('ECONNREFUSED');
    expect(await http.cache.count()).to.equal(0);
    await http.cache.close();
  });
});
