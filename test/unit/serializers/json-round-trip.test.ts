/** The json serializer reads back every entry it writes, field by field (src/serializers/json.ts). */
import { expect } from 'chai';
import { jsonSerializer } from '../../../src/serializers/json.js';
import type { CachedEntry } from '../../../src/policy/types.js';
import { makeEntry } from '../../support/entries.js';

const roundTrip = (entry: CachedEntry): CachedEntry => jsonSerializer.loads(jsonSerializer.dumps(entry));

describe('serializers/json round trip', () => {
  it('a response without statusText is written as an empty one and reads back', () => {
    const entry = makeEntry({ statusText: undefined as unknown as string });
    expect(roundTrip(entry).statusText).to.equal('');
    expect(roundTrip(makeEntry({ statusText: '' })).statusText).to.equal('');
  });

  it('bodies: empty, and every byte value 0..255', () => {
    expect(roundTrip(makeEntry({ body: Buffer.alloc(0) })).body.length).to.equal(0);
    const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    expect(roundTrip(makeEntry({ body: all })).body.equals(all)).to.equal(true);
  });

  it('headers with repeated values stay lists; absent values are left out', () => {
    const headers = { 'set-cookie': ['a=1', 'b=2'], 'x-one': 'v', 'x-gone': undefined } as unknown as CachedEntry['headers'];
    expect(roundTrip(makeEntry({ headers })).headers).to.deep.equal({ 'set-cookie': ['a=1', 'b=2'], 'x-one': 'v' });
  });

  it('request bodies: absent, string, bytes', () => {
    const base = makeEntry().request;
    expect(roundTrip(makeEntry({ request: { ...base } })).request).to.not.have.property('body');
    expect(roundTrip(makeEntry({ request: { ...base, body: 'a=1' } })).request.body).to.equal('a=1');
    const bytes = Buffer.from([0, 255, 10]);
    const body = roundTrip(makeEntry({ request: { ...base, body: bytes } })).request.body;
    expect(Buffer.isBuffer(body) && body.equals(bytes)).to.equal(true);
  });

  it('expires: null and a number; other fields unchanged', () => {
    const entry = makeEntry({ expires: 1_900_000_000_000 });
    const back = roundTrip(entry);
    expect({ ...back, body: undefined }).to.deep.equal({ ...entry, body: undefined });
    expect(roundTrip(makeEntry({ expires: null })).expires).to.equal(null);
  });

  it('an entry that could not be read back is refused when written, not on every read', () => {
    expect(() => jsonSerializer.dumps(makeEntry({ createdAt: NaN }))).to.throw(TypeError, /would not read back/);
    expect(() => jsonSerializer.dumps(makeEntry({ v: 1 as unknown as 3 }))).to.throw(TypeError);
  });

  it('an entry of another format reads as not an entry', () => {
    const text = String(jsonSerializer.dumps(makeEntry())).replace('"v":3', '"v":1');
    expect(() => jsonSerializer.loads(text)).to.throw(TypeError);
  });
});
