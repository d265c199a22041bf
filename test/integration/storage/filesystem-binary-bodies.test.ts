/**
 * The filesystem backend's default serializer, json+binary (src/serializers/json-or-binary.ts): a
 * text response is a legible `.json` file, any other body is stored as bytes in a `.bin` file with no
 * base64 anywhere, and a folder written with `serializer: 'json'` (base64 bodies) reads unchanged.
 */
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { useHarness } from '../../support/harness.js';
import { tempDir } from '../../support/temp.js';

describe('integration: filesystem backend stores binary bodies as bytes by default', () => {
  const h = useHarness();
  const image = randomBytes(64 * 1024);
  let folder: string;
  beforeEach(() => {
    folder = join(tempDir(), 'files');
    h.origin.route('/image', (_req, res) => {
      res.setHeader('content-type', 'image/png');
      res.end(image);
    });
    h.origin.route('/doc', (_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end('{"title":"legible"}');
    });
  });
  const files = (ext: string): string[] => readdirSync(folder).filter((name) => name.endsWith(ext));

  it('a binary body is a .bin file holding its bytes, without base64; a text body stays a legible .json file', async () => {
    const http = h.cached({ backend: 'filesystem', connection: folder });
    await http.get('/image', { responseType: 'arraybuffer' });
    await http.get('/doc');
    const [bin] = files('.bin');
    const [json] = files('.json');
    expect(files('.bin')).to.have.length(1);
    expect(files('.json')).to.have.length(1);
    const stored = readFileSync(join(folder, bin!));
    expect(stored.includes(image), 'the raw bytes are in the file').to.equal(true);
    expect(stored.includes(Buffer.from(image.subarray(0, 300).toString('base64').slice(0, 200))), 'no base64 of the body').to.equal(false);
    expect(stored.length, 'about the body size, not 4/3 of it').to.be.below(image.length + 4096);
    expect(readFileSync(join(folder, json!), 'utf8')).to.include('"body":"{\\"title\\":\\"legible\\"}"');
    const hit = await http.get('/image', { responseType: 'arraybuffer' });
    expect(hit.fromCache).to.equal(true);
    expect(Buffer.from(hit.data as ArrayBuffer).equals(image)).to.equal(true);
    expect((await http.get('/doc')).data).to.deep.equal({ title: 'legible' });
  });

  it("a folder written with serializer 'json' (base64 bodies) is read by the default, and a rewrite replaces the .json file with a .bin one", async () => {
    const old = h.cached({ backend: 'filesystem', connection: folder, serializer: 'json' });
    await old.get('/image', { responseType: 'arraybuffer' });
    expect(files('.json')).to.have.length(1);
    expect(readFileSync(join(folder, files('.json')[0]!), 'utf8')).to.include('"bodyBase64"');
    await old.cache.close();

    const http = h.cached({ backend: 'filesystem', connection: folder });
    const hit = await http.get('/image', { responseType: 'arraybuffer' });
    expect(hit.fromCache, 'the json entry is a hit under the default').to.equal(true);
    expect(Buffer.from(hit.data as ArrayBuffer).equals(image)).to.equal(true);
    await http.get('/image', { responseType: 'arraybuffer', cache: { forceRefresh: true } });
    expect(files('.json'), 'the old .json file is gone').to.deep.equal([]);
    expect(files('.bin')).to.have.length(1);
    const again = await http.get('/image', { responseType: 'arraybuffer' });
    expect(again.fromCache).to.equal(true);
    expect(Buffer.from(again.data as ArrayBuffer).equals(image)).to.equal(true);
  });
});
