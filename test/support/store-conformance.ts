/**
 * The record-store contract (src/storage/record-store.ts), run unchanged against every backend.
 * `open(cacheName)` returns a store on the same server/folder each time it is called with the same
 * name, so persistence and isolation between names can be checked. Stores are closed after each test.
 */
import { expect } from 'chai';
import type { RecordStore } from '../../src/storage/record-store.js';

export interface StoreConformanceOptions {
  /** Largest value the backend takes; the big-value test uses min(5 MB, this). */
  maxValueSize?: number;
  /** Records written for the listing test (slow stores may lower it). Default 300. */
  manyRecords?: number;
  /** Raw keys on the same server outside any cache, to prove clear() leaves them alone. */
  foreign?: { plant(): Promise<void>; stillThere(): Promise<boolean> };
}

const ALL_BYTES = Uint8Array.from({ length: 256 }, (_, i) => i);

async function collect(iterable: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const key of iterable) out.push(key);
  return out.sort();
}

const meta = (url: string) => ({ url, expires: null, createdAt: Date.now() });

/** Counts suites in this process, so two runs against one server never reuse a cache name. */
let suites = 0;

export function storeConformance(open: (cacheName: string) => RecordStore | Promise<RecordStore>, options: StoreConformanceOptions = {}): void {
  const opened: RecordStore[] = [];
  const suite = (suites += 1);
  let seq = 0;
  /** A fresh cache name per test, so tests never see each other's records on a shared server. */
  let base = '';
  const store = async (name = base): Promise<RecordStore> => {
    const s = await open(name);
    opened.push(s);
    return s;
  };

  beforeEach(() => {
    seq += 1;
    base = `conf${process.pid}s${suite}t${seq}`;
  });
  afterEach(async () => {
    for (const s of opened.splice(0)) await s.close().catch(() => undefined);
  });

  describe('record store contract', () => {
    it('reads a missing key as undefined in both bins', async () => {
      const s = await store();
      expect(await s.get('responses', 'nope')).to.equal(undefined);
      expect(await s.get('redirects', 'nope')).to.equal(undefined);
    });

    it('round-trips text unchanged, including text starting with ":" and empty text', async () => {
      const s = await store();
      for (const [key, text] of [['t1', '{"a":1,"ü":"✓"}'], ['t2', ':base64:AAAA'], ['t3', '::x'], ['t4', '']] as const) {
        await s.set('responses', key, text, { meta: meta('https://x.test/' + key) });
        const back = await s.get('responses', key);
        expect(back, key).to.be.a('string');
        expect(back).to.equal(text);
      }
    });

    it('round-trips all 256 byte values and an empty byte array as bytes', async () => {
      const s = await store();
      await s.set('responses', 'b1', ALL_BYTES, { meta: meta('https://x.test/b1') });
      await s.set('responses', 'b2', new Uint8Array(0), { meta: meta('https://x.test/b2') });
      const back = await s.get('responses', 'b1');
      expect(back).to.be.instanceOf(Uint8Array);
      expect(Buffer.from(back as Uint8Array).equals(Buffer.from(ALL_BYTES))).to.equal(true);
      const empty = await s.get('responses', 'b2');
      expect(empty).to.be.instanceOf(Uint8Array);
      expect((empty as Uint8Array).byteLength).to.equal(0);
    });

    it('round-trips a large value (5 MB, or the backend limit)', async function () {
      this.timeout(60000);
      const s = await store();
      const size = Math.min(5 * 1024 * 1024, (options.maxValueSize ?? Infinity) - 1024);
      const big = Buffer.alloc(size);
      for (let i = 0; i < size; i += 1) big[i] = (i * 7919) & 0xff;
      await s.set('responses', 'big', big, { meta: meta('https://x.test/big') });
      const back = await s.get('responses', 'big');
      expect(Buffer.from(back as Uint8Array).equals(big)).to.equal(true);
    });

    it('overwrites a key', async () => {
      const s = await store();
      await s.set('responses', 'k', 'one', { meta: meta('https://x.test/k') });
      await s.set('responses', 'k', 'two', { meta: meta('https://x.test/k') });
      expect(await s.get('responses', 'k')).to.equal('two');
      expect(await collect(s.keys('responses'))).to.deep.equal(['k']);
    });

    it('keeps the two bins apart, whatever the key looks like', async () => {
      const s = await store();
      await s.set('responses', 'same', 'response', { meta: meta('https://x.test/same') });
      await s.set('redirects', 'same', 'alias');
      await s.set('responses', 'redirect:odd', 'looks like an alias', { meta: meta('https://x.test/odd') });
      expect(await s.get('responses', 'same')).to.equal('response');
      expect(await s.get('redirects', 'same')).to.equal('alias');
      expect(await collect(s.keys('responses'))).to.deep.equal(['redirect:odd', 'same']);
      expect(await collect(s.keys('redirects'))).to.deep.equal(['same']);
      expect(await s.delete('redirects', ['same'])).to.equal(1);
      expect(await s.get('responses', 'same')).to.equal('response');
    });

    it('deletes keys, counting only those that existed', async () => {
      const s = await store();
      await s.set('responses', 'a', 'A', { meta: meta('https://x.test/a') });
      await s.set('responses', 'b', 'B', { meta: meta('https://x.test/b') });
      expect(await s.delete('responses', ['a', 'missing'])).to.equal(1);
      expect(await s.get('responses', 'a')).to.equal(undefined);
      expect(await s.get('responses', 'b')).to.equal('B');
      expect(await s.delete('responses', [])).to.equal(0);
    });

    it('lists and counts many keys, and allows deleting while listing', async function () {
      this.timeout(120000);
      const s = await store();
      const n = options.manyRecords ?? 300;
      const writes: Promise<void>[] = [];
      for (let i = 0; i < n; i += 1) writes.push(s.set('responses', `key${i}`, `v${i}`, { meta: meta(`https://x.test/${i % 10}`) }));
      await Promise.all(writes);
      await s.set('redirects', 'alias1', 'key1');
      const listed = await collect(s.keys('responses'));
      expect(listed).to.have.length(n);
      expect(new Set(listed).size).to.equal(n);
      if (s.count) {
        expect(await s.count('responses')).to.equal(n);
        expect(await s.count('redirects')).to.equal(1);
      }
      let seen = 0;
      for await (const key of s.keys('responses')) {
        seen += 1;
        await s.delete('responses', [key]);
      }
      expect(seen).to.equal(n);
      expect(await collect(s.keys('responses'))).to.deep.equal([]);
    });

    it('finds every key stored for a URL when it keeps a URL index', async () => {
      const s = await store();
      if (!s.keysForUrl) return;
      await s.set('responses', 'v1', 'x', { meta: meta('https://x.test/a?q=1') });
      await s.set('responses', 'v2', 'y', { meta: meta('https://x.test/a?q=1') });
      await s.set('responses', 'v3', 'z', { meta: meta('https://x.test/b') });
      expect((await s.keysForUrl('https://x.test/a?q=1')).sort()).to.deep.equal(['v1', 'v2']);
      await s.delete('responses', ['v1']);
      expect(await s.keysForUrl('https://x.test/a?q=1')).to.deep.equal(['v2']);
      expect(await s.keysForUrl('https://x.test/none')).to.deep.equal([]);
    });

    it('persists across instances opened with the same name', async () => {
      const first = await store();
      await first.set('responses', 'p', 'persisted', { meta: meta('https://x.test/p') });
      await first.set('redirects', 'pa', 'p');
      await first.setMeta('format', '7');
      await first.close();
      const second = await store();
      expect(await second.get('responses', 'p')).to.equal('persisted');
      expect(await second.get('redirects', 'pa')).to.equal('p');
      expect(await second.getMeta('format')).to.equal('7');
      expect(await second.getMeta('absent')).to.equal(undefined);
    });

    it('keeps caches with related names apart, and clear() empties only its own', async function () {
      this.timeout(60000);
      const names = ['a', 'a:b', 'a:r', 'axios', 'axios2', 'x*?[_%', 'x__%%'];
      const stores = new Map<string, RecordStore>();
      for (const name of names) {
        const s = await store(`${base}${name}`);
        stores.set(name, s);
        await s.set('responses', 'k', `value of ${name}`, { meta: meta('https://x.test/k') });
        await s.set('redirects', 'k', `alias of ${name}`);
        await s.setMeta('format', name);
      }
      await options.foreign?.plant();
      for (const [name, s] of stores) {
        expect(await collect(s.keys('responses')), name).to.deep.equal(['k']);
        expect(await s.get('responses', 'k')).to.equal(`value of ${name}`);
        if (s.count) expect(await s.count('responses'), name).to.equal(1);
      }
      for (const name of ['a', 'axios', 'x*?[_%']) {
        await stores.get(name)!.clear();
        expect(await collect(stores.get(name)!.keys('responses'))).to.deep.equal([]);
        expect(await collect(stores.get(name)!.keys('redirects'))).to.deep.equal([]);
      }
      for (const name of ['a:b', 'a:r', 'axios2', 'x__%%']) {
        const s = stores.get(name)!;
        expect(await s.get('responses', 'k'), name).to.equal(`value of ${name}`);
        expect(await s.get('redirects', 'k'), name).to.equal(`alias of ${name}`);
        expect(await s.getMeta('format'), name).to.equal(name);
      }
      if (options.foreign) expect(await options.foreign.stillThere()).to.equal(true);
    });
  });
}
