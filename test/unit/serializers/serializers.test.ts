/** Every built-in serializer, pipelines and user serializers (src/serializers/): exact round trips and refusals. */
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
import { expect } from 'chai';
import { gunzipSync } from 'node:zlib';
import { resolveSerializer, SERIALIZERS } from '../../../src/serializers/registry.js';
import { brotliStage, deflateStage, gzipStage, jsonStage, binaryStage, SerializerPipeline, Stage, zstdStage } from '../../../src/serializers/pipeline.js';
import { makeEntry } from '../../support/entries.js';

const ALL_BYTES = Buffer.from(Array.from({ length: 256 }, (_, i) => i));

describe('serializers', () => {
  for (const name of ['json', 'yaml', 'bson', 'binary', 'pickle']) {
    describe(name, () => {
      const s = SERIALIZERS[name];
      it('round-trips text, binary and empty bodies, header lists, request bodies and Vary digests exactly', () => {
        for (const body of [Buffer.from('{"a":"ü ✓"}'), ALL_BYTES, Buffer.alloc(0), Buffer.from('line1\nline2\n')]) {
          const entry = makeEntry({
            body,
            headers: { 'content-type': 'application/json', 'set-cookie': ['a=1', 'b=2'], 'x-n': '3' },
            request: { method: 'POST', url: 'https://x.test/p', headers: { accept: '*/*' }, body: Buffer.from([0, 1, 255]), varyDigests: { cookie: 'd1' } },
            expires: 1_800_000_000_000,
          });
          const back = s.loads(s.dumps(entry));
          expect(back.body.equals(body), name).to.equal(true);
          expect(Buffer.isBuffer(back.request.body) && back.request.body.equals(Buffer.from([0, 1, 255]))).to.equal(true);
          expect({ ...back, body: undefined, request: { ...back.request, body: undefined } }).to.deep.equal({ ...entry, body: undefined, request: { ...entry.request, body: undefined } });
        }
      });

      it("refuses another serializer's output, as a miss would", () => {
        for (const [other, o] of Object.entries(SERIALIZERS)) {
          // json+binary writes json or binary documents, by design (its own tests are below).
          if (o.id === s.id || o.id === 'json+binary') continue;
          expect(() => s.loads(o.dumps(makeEntry())), `${name} reading ${other}`).to.throw();
        }
      });
    });
  }

  it('json stores a text body as text, so an entry is legible, and a binary one as base64', () => {
    const text = String(SERIALIZERS.json.dumps(makeEntry({ body: Buffer.from('{"items":[1,2,3]}') })));
    expect(text).to.include('"body":"{\\"items\\":[1,2,3]}"');
    expect(text).to.include('"s":"json"');
    const binary = String(SERIALIZERS.json.dumps(makeEntry({ body: ALL_BYTES })));
    expect(binary).to.include(`"bodyBase64":"${ALL_BYTES.toString('base64')}"`);
  });

  describe('json+binary (the filesystem default)', () => {
    const s = SERIALIZERS['json+binary']!;
    const entry = (body: Buffer) => makeEntry({ body, request: { method: 'POST', url: 'https://x.test/p', headers: {}, body: Buffer.from([0, 1, 255]) } });

    it('a text body is written exactly as json writes it (legible), any other body exactly as binary does (bytes, no base64)', () => {
      for (const body of [Buffer.from('{"a":"ü ✓"}'), Buffer.alloc(0), Buffer.from('<p>x</p>')]) {
        expect(s.dumps(entry(body))).to.equal(SERIALIZERS.json.dumps(entry(body)));
      }
      for (const body of [ALL_BYTES, Buffer.from([0xff, 0xfe, 0x41]), Buffer.from([0xe2, 0x82])]) {
        const out = s.dumps(entry(body));
        expect(out).to.be.instanceOf(Uint8Array);
        expect(Buffer.from(out as Uint8Array).equals(Buffer.from(SERIALIZERS.binary.dumps(entry(body)) as Uint8Array))).to.equal(true);
        expect(Buffer.from(out as Uint8Array).includes(body.toString('base64'))).to.equal(false);
      }
    });

    it('reads what json and binary wrote (a folder written with json reads unchanged), exactly, and refuses yaml and bson', () => {
      for (const body of [Buffer.from('{"a":1}'), ALL_BYTES]) {
        for (const writer of [SERIALIZERS.json, SERIALIZERS.binary, s]) {
          const back = s.loads(writer.dumps(entry(body)));
          expect(back.body.equals(body), writer.id).to.equal(true);
          expect(Buffer.isBuffer(back.request.body) && back.request.body.equals(Buffer.from([0, 1, 255]))).to.equal(true);
        }
        for (const other of [SERIALIZERS.yaml, SERIALIZERS.bson]) expect(() => s.loads(other.dumps(entry(body))), other.id).to.throw();
      }
    });
  });

  it('binary and bson write bytes; json and yaml write text', () => {
    expect(SERIALIZERS.binary.dumps(makeEntry())).to.be.instanceOf(Uint8Array);
    expect(SERIALIZERS.bson.dumps(makeEntry())).to.be.instanceOf(Uint8Array);
    expect(SERIALIZERS.json.dumps(makeEntry())).to.be.a('string');
    expect(SERIALIZERS.yaml.dumps(makeEntry())).to.be.a('string');
  });

  describe('SerializerPipeline and Stage', () => {
    it('composes a first stage with compression; the id names every stage; loads reverses them', () => {
      for (const stage of [gzipStage, deflateStage, brotliStage]) {
        const pipeline = new SerializerPipeline([jsonStage, stage]);
        expect(pipeline.id).to.equal(`json+${stage.id}`);
        const big = Buffer.from('{"k":"' + 'abc'.repeat(20000) + '"}');
        const stored = pipeline.dumps(makeEntry({ body: big }));
        expect(stored).to.be.instanceOf(Uint8Array);
        expect((stored as Uint8Array).byteLength).to.be.below(big.length / 10);
        expect(pipeline.loads(stored).body.equals(big)).to.equal(true);
      }
      const gz = new SerializerPipeline([binaryStage, gzipStage], { id: 'mine' });
      expect(gz.id).to.equal('mine');
      expect(gunzipSync(gz.dumps(makeEntry()) as Uint8Array).byteLength).to.be.above(0);
    });

    it('Stage takes method names for objects whose methods are called otherwise', () => {
      const codec = { name: 'rev', compress: (b: Buffer) => Buffer.from(b).reverse(), decompress: (b: Buffer) => Buffer.from(b).reverse() };
      const stage = new Stage(codec, { dumps: 'compress', loads: 'decompress' });
      expect(stage.id).to.equal('rev');
      const pipeline = new SerializerPipeline([binaryStage, stage]);
      expect(pipeline.loads(pipeline.dumps(makeEntry())).url).to.equal(makeEntry().url);
      expect(() => new Stage({ encode() {} }, { id: 'x' })).to.throw(TypeError, /dumps\(\) and loads\(\)/);
      expect(() => new Stage({ dumps() {}, loads() {} })).to.throw(TypeError, /give it an id/);
      expect(() => new SerializerPipeline([])).to.throw(TypeError, /non-empty list of Stage/);
    });

    it('zstdStage exists only where node:zlib has zstd, and says so otherwise', () => {
      const hasZstd = typeof (require('node:zlib') as { zstdCompressSync?: unknown }).zstdCompressSync === 'function';
      if (hasZstd) {
        const pipeline = new SerializerPipeline([jsonStage, zstdStage()]);
        expect(pipeline.loads(pipeline.dumps(makeEntry())).status).to.equal(200);
      } else {
        expect(() => zstdStage()).to.throw(RangeError, /no zstd.*Node >= 22\.15/);
      }
    });
  });

  describe('the serializer option', () => {
    it('takes the built-in names, refuses others naming the value', () => {
      expect(resolveSerializer('pickle', 'json').id).to.equal('binary');
      expect(resolveSerializer(undefined, 'bson').id).to.equal('bson');
      expect(() => resolveSerializer('msgpack', 'json')).to.throw(RangeError, /serializer: 'msgpack'.*'json'.*'binary'/);
      expect(() => resolveSerializer(42, 'json')).to.throw(TypeError, /serializer: 42/);
      expect(() => resolveSerializer({ dumps() {} }, 'json')).to.throw(TypeError, /dumps\(\) and loads\(\)/);
    });

    it('refuses the global JSON at setup: it turns a Buffer into { type, data } and would corrupt entries', () => {
      expect(() => resolveSerializer(JSON, 'json')).to.throw(TypeError, /does not read back.*bytes/);
    });

    it('accepts a user serializer that carries bytes, with its id (default "custom")', () => {
      const v8 = { id: 'my-v8', dumps: (e: unknown) => require('node:v8').serialize(e) as Buffer, loads: (d: Buffer) => require('node:v8').deserialize(d) as unknown };
      const s = resolveSerializer(v8, 'json');
      expect(s.id).to.equal('my-v8');
      expect(s.loads(s.dumps(makeEntry({ body: ALL_BYTES }))).body.equals(ALL_BYTES)).to.equal(true);
      expect(resolveSerializer({ stringify: v8.dumps, parse: v8.loads }, 'json').id).to.equal('custom');
    });
  });
});
