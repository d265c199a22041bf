/**
 * Entries written by another Node major (issue 8 item 7): node:v8's format can change between
 * versions, so an entry written by Node 24 and read by Node 20 (or the other way) must be a hit
 * with the same bytes or a miss, never a crash. The other Node is the registry's Node 24 that
 * .ci/run unpacks into .tmp/node-24 (scripts/node-from-npm.sh), or the machine's Node 20.
 */
import { expect } from 'chai';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { useHarness } from '../../support/harness.js';
import { tempDir } from '../../support/temp.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));

/** A Node binary of another major than this one, if the machine has one. */
function otherNode(): string | undefined {
  const mine = process.versions.node.split('.')[0];
  for (const candidate of [join(root, '.tmp/node-24/package/bin/node'), '/usr/bin/node', '/usr/local/bin/node']) {
    if (!existsSync(candidate)) continue;
    const version = spawnSync(candidate, ['--version'], { encoding: 'utf8' }).stdout.trim();
    if (version && version.slice(1).split('.')[0] !== mine) return candidate;
  }
  return undefined;
}

describe('integration: entries written by another Node version', function () {
  this.timeout(60000);
  const h = useHarness();

  for (const serializer of ['binary', 'bson', 'json'] as const) {
    it(`${serializer}: an entry from another Node major is a hit with the same bytes or a miss, never a crash`, async function () {
      const node = otherNode();
      if (!node) {
        if (process.env.CI === 'true') throw new Error('CI=true: no second Node major found (.ci/run unpacks Node 24 into .tmp/node-24 first)');
        console.log('      skipped: no second Node major on this machine (run scripts/node-from-npm.sh 24)');
        this.skip();
      }
      const body = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
      h.origin.route('/cross', (_req, res) => void res.end(body));
      const path = join(tempDir(), 'cross.sqlite');
      // Asynchronously: the origin answering the child runs in this process.
      const child = spawn(node, ['--import', 'tsx', join(root, 'test/support/cross-node-writer.ts'), path, h.origin.base, serializer], { cwd: root });
      let out = '';
      let err = '';
      child.stdout.on('data', (c: Buffer) => (out += c.toString()));
      child.stderr.on('data', (c: Buffer) => (err += c.toString()));
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      expect(code, err).to.equal(0);
      const written = JSON.parse(out.trim().split('\n').pop()!) as { key: string; node: string };
      expect(written.node).to.not.equal(process.version);
      const http = h.cached({ backend: 'sqlite', cacheName: path, sqliteDriver: 'sqlite3', serializer });
      const response = await http.get('/cross', { responseType: 'arraybuffer' });
      expect(response.status).to.equal(200);
      expect(Buffer.from(response.data as ArrayBuffer).equals(body)).to.equal(true);
      expect(response.cacheKey).to.equal(written.key);
      if (serializer !== 'binary') expect(response.fromCache, `${serializer} is the same format on every Node`).to.equal(true);
      console.log(`      written on ${written.node}, read on ${process.version}: ${response.fromCache ? 'hit' : 'miss'}`);
    });
  }

  it('a binary entry in a v8 format this Node cannot read (a future version) is a miss that gets overwritten', async () => {
    const path = join(tempDir(), 'future.sqlite');
    const http = h.cached({ backend: 'sqlite', cacheName: path, serializer: 'binary' });
    const first = await http.get('/future');
    const store = http.cache.storage.store as unknown as { query(sql: string, params?: unknown[]): Promise<unknown[]> };
    // v8 serialization header: 0xFF then the format version; 0x7F is far above any Node's.
    await store.query('UPDATE responses SET value = ? WHERE key = ?', [Buffer.from([0xff, 0x7f, 0x6f, 0x7b, 0x00]), first.cacheKey!]);
    const again = await http.get('/future');
    expect(again.fromCache).to.equal(false);
    expect((await http.get('/future')).fromCache, 'overwritten with a readable entry').to.equal(true);
  });
});
