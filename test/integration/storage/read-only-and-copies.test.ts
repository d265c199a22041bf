/** readOnly changes nothing stored; what filter() yields is the caller's own copy. */
import { expect } from 'chai';
import { join } from 'node:path';
import { useHarness } from '../../support/harness.js';
import { tempDir } from '../../support/temp.js';

describe('integration: readOnly storage and filter() copies', () => {
  const h = useHarness();

  it('a readOnly cache does not delete a dangling redirect alias when reading it', async () => {
    const cacheName = join(tempDir(), 'ro-alias');
    const writer = h.cached({ backend: 'sqlite', cacheName });
    await writer.cache.storage.store.set('redirects', 'dangling', 'missing-target');
    const reader = h.cached({ backend: 'sqlite', cacheName, readOnly: true });
    const got = await reader.cache.storage.get('dangling');
    expect(got).to.equal(undefined);
    expect(await reader.cache.redirects.has('dangling')).to.equal(true);
  });

  it('changing the set-cookie list of a filter() item leaves the memory cache alone', async () => {
    h.origin.route('/cookie', (_req, res) => {
      res.setHeader('set-cookie', ['a=1', 'b=2']);
      res.end('x');
    });
    const http = h.cached({ storeSetCookie: true } as never);
    await http.get('/cookie');
    for await (const item of http.cache.filter()) {
      expect(item.headers['set-cookie']).to.deep.equal(['a=1', 'b=2']);
      (item.headers['set-cookie'] as string[]).push('evil=1');
    }
    const [again] = await (async () => { const all = []; for await (const i of http.cache.filter()) all.push(i); return all; })();
    expect(again?.headers['set-cookie'] ?? []).to.not.include('evil=1');
  });
});
