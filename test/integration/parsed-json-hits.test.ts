/**
 * JSON hits are parsed once per stored body and copied per caller (src/adapter/parsed-json.ts):
 * the first hit on a body hands its own parse to its caller, later ones get copies of one kept
 * parse; the data equals what axios' own JSON.parse gives, no caller shares an object with another, a
 * changed entry is never answered from an older parse, and anything but axios' default transform
 * (a reviver, the caller's own transformResponse) still gets the text.
 */
import axios, { type AxiosResponseTransformer } from 'axios';
import { expect } from 'chai';
import { join } from 'node:path';
import type { CacheOptions } from '../../src/index.js';
import { useHarness } from '../support/harness.js';
import { tempDir } from '../support/temp.js';
import { sendJson } from '../support/wait.js';

/** How many times JSON.parse runs while `fn` runs, and what each returned. */
async function parsesDuring<T>(fn: () => Promise<T>): Promise<{ parses: number; parsed: unknown[]; result: T }> {
  const original = JSON.parse;
  const parsed: unknown[] = [];
  JSON.parse = function (this: unknown, ...args: Parameters<typeof JSON.parse>) {
    const value: unknown = original.apply(this, args);
    parsed.push(value);
    return value;
  } as typeof JSON.parse;
  try {
    const result = await fn();
    return { parses: parsed.length, parsed, result };
  } finally {
    JSON.parse = original;
  }
}

const DOCUMENT = { users: [{ id: 1, name: 'Ada', roles: ['admin'] }, { id: 2, name: 'Grace', roles: [] }], total: 2, next: null, ratio: 1.5e-7, ok: true };

describe('integration: JSON hits parsed once, copied per caller', () => {
  const h = useHarness();
  let version = 1;
  beforeEach(() => {
    version = 1;
    h.origin.route('/doc', (_req, res) => sendJson(res, { ...DOCUMENT, version }));
  });

  const backends: Array<[string, () => CacheOptions]> = [
    ['memory', () => ({ backend: 'memory' })],
    ['sqlite', () => ({ backend: 'sqlite', cacheName: join(tempDir(), 'parsed-json') })],
  ];
  for (const [name, options] of backends) {
    describe(name, () => {
      it('a hit does not parse the body again, and equals the network data', async () => {
        const http = h.cached(options());
        const first = await http.get('/doc');
        await http.get('/doc'); // the first hit parses for its caller and keeps the bytes
        await http.get('/doc'); // the second parses again and keeps that parse
        const { parses, result } = await parsesDuring(() => http.get('/doc'));
        expect(result.fromCache).to.equal(true);
        expect(parses, 'JSON.parse calls during a later hit').to.equal(0);
        expect(result.data).to.deep.equal(first.data);
        expect(Object.getPrototypeOf(result.data)).to.equal(Object.prototype);
      });

      it('the first hit on a body gets that parse itself: an entry read once costs one parse, no copy', async () => {
        // A path of its own: the memo is keyed by cache key, and other tests here read /doc.
        const path = `/once-${name}`;
        h.origin.route(path, (_req, res) => sendJson(res, { ...DOCUMENT, path }));
        const http = h.cached(options());
        await http.get(path);
        const { parses, parsed, result } = await parsesDuring(() => http.get(path));
        expect(result.fromCache).to.equal(true);
        expect(parses).to.equal(1);
        expect(result.data, 'the object JSON.parse returned, not a copy of it').to.equal(parsed[0]);
      });

      it('every caller gets its own objects: mutating one hit never changes the next', async () => {
        const http = h.cached(options());
        await http.get('/doc');
        const hits: Array<typeof DOCUMENT> = [];
        // The first hit's own parse, the second's copy of the kept parse, then copies again.
        for (let i = 0; i < 4; i += 1) {
          const data = (await http.get('/doc')).data as typeof DOCUMENT;
          expect(data.users).to.have.length(2);
          expect(data.users[0]!.name).to.equal('Ada');
          expect(data.total).to.equal(2);
          for (const earlier of hits) expect(data.users).to.not.equal(earlier.users);
          data.users[0]!.name = 'changed';
          data.users.push({ id: 3, name: 'new', roles: [] });
          (data as { total: number }).total = 99;
          hits.push(data);
        }
      });

      it('a refreshed entry under the same key is served as stored now, never from an older parse', async () => {
        const http = h.cached({ ...options(), expireAfter: 1 });
        await http.get('/doc');
        expect(((await http.get('/doc')).data as { version: number }).version).to.equal(1);
        version = 2;
        h.clock.advance(2);
        const refreshed = await http.get('/doc');
        expect(refreshed.fromCache).to.equal(false);
        const hit = await http.get('/doc');
        expect(hit.fromCache).to.equal(true);
        expect((hit.data as { version: number }).version).to.equal(2);
      });
    });
  }

  it('"__proto__" in the body stays an own property, as JSON.parse makes it; no prototype changes', async () => {
    h.origin.route('/proto', (_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end('{"__proto__":{"polluted":true},"a":{"__proto__":[1]}}');
    });
    const http = h.cached();
    const network = await http.get('/proto');
    await http.get('/proto');
    const hit = await http.get('/proto');
    expect(hit.fromCache).to.equal(true);
    for (const data of [network.data, hit.data] as Array<Record<string, unknown>>) {
      expect(Object.getPrototypeOf(data)).to.equal(Object.prototype);
      expect(Object.keys(data)).to.deep.equal(['__proto__', 'a']);
      expect(Object.getOwnPropertyDescriptor(data, '__proto__')?.value).to.deep.equal({ polluted: true });
    }
    expect(({} as Record<string, unknown>).polluted).to.equal(undefined);
  });

  it('a parseReviver or the caller\'s own transformResponse still receives what axios gives them', async () => {
    const http = h.cached();
    await http.get('/doc');
    const revived = await parsesDuring(() =>
      http.get('/doc', { parseReviver: (key: string, value: unknown) => (key === 'total' ? 'revived' : value) } as never),
    );
    expect(revived.result.fromCache).to.equal(true);
    expect((revived.result.data as { total: unknown }).total).to.equal('revived');
    const seen: unknown[] = [];
    const own: AxiosResponseTransformer = (data) => {
      seen.push(data);
      return data;
    };
    const hit = await http.get('/doc', { transformResponse: [own] });
    expect(hit.fromCache).to.equal(true);
    expect(seen).to.have.length(1);
    expect(typeof seen[0], 'the raw text, as the network gives it').to.equal('string');
    const text = await http.get('/doc', { responseType: 'text' });
    expect(text.data).to.be.a('string');
    expect(JSON.parse(text.data as string)).to.deep.equal({ ...DOCUMENT, version: 1 });
  });

  it('nesting too deep to copy recursively falls back to parsing the text, and still equals it', async () => {
    // 5,000 levels: JSON.parse takes it, a recursive copy (and JSON.stringify) overflows the stack.
    const depth = 5000;
    h.origin.route('/deep', (_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(`${'['.repeat(depth)}1${']'.repeat(depth)}`);
    });
    const http = h.cached({}, axios.create({ baseURL: h.origin.base }));
    await http.get('/deep');
    await http.get('/deep');
    const hit = await http.get('/deep');
    expect(hit.fromCache).to.equal(true);
    let level = 0;
    let node: unknown = hit.data;
    while (Array.isArray(node)) {
      expect(node).to.have.length(1);
      node = node[0];
      level += 1;
    }
    expect([level, node]).to.deep.equal([depth, 1]);
  });
});
