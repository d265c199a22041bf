/**
 * Secrets never reach storage: every place a credential can travel in a request (and where a
 * response can echo one) is planted with a distinct secret, the requests go through a real axios
 * instance onto a real SQLite file, and every stored byte (the database and its -wal and -shm files,
 * read raw while the cache is open and again after close) is searched for each secret in the forms
 * it could be written in: raw, percent-encoded, JSON-escaped, base64, upper- and lower-cased.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import axios from 'axios';
import { expect } from 'chai';
import { setupCache } from '../../src/index.js';
import { useHarness } from '../support/harness.js';
import { tempDir } from '../support/temp.js';

/** A distinct, recognisable secret per planting place. */
const secret = (place: string): string => `s3cret-${place}-7f3a9c`;

const PLACES = ['bearer', 'cookie', 'apikey-header', 'query', 'query-upper', 'query-array', 'matrix', 'json-nested', 'json-text', 'form', 'multipart', 'fragment', 'basic-password', 'echo-header', 'echo-location'] as const;

/** The spellings a secret could take once stored by some layer. */
function forms(value: string): string[] {
  return [
    value,
    encodeURIComponent(value),
    JSON.stringify(value).slice(1, -1),
    Buffer.from(value).toString('base64'),
    Buffer.from(value).toString('base64url'),
    value.toUpperCase(),
    value.toLowerCase(),
    // node:v8 writes strings with characters above latin1 as UTF-16.
    Buffer.from(value, 'utf16le').toString('latin1'),
  ];
}

/** Every file of the cache folder, raw, as latin1 text so any byte sequence can be searched. */
function storedBytes(dir: string): string {
  return readdirSync(dir)
    .map((name) => readFileSync(join(dir, name)).toString('latin1'))
    .join('\n');
}

describe('integration: secrets never reach storage (hashed and ignored parameters, redaction)', () => {
  const h = useHarness();

  for (const serializer of ['json', 'yaml', 'bson', 'binary'] as const) {
    it(`${serializer}: no planted secret, in any encoding, is in the SQLite file or its -wal/-shm files, while open or after close`, async () => {
      // Answers that echo nothing of the request (the default route echoes the URL in its body).
      const quiet = (_req: unknown, res: import('node:http').ServerResponse): void => {
        res.setHeader('content-type', 'application/json');
        res.end('{"ok":true}');
      };
      for (const path of ['/me', '/q', `/items;api_key=${secret('matrix')}/list`, '/json', '/text', '/form', '/multipart', '/fragment', '/basic']) h.origin.route(path, quiet);
      h.origin.route('/echo', (_req, res) => {
        res.setHeader('content-type', 'application/json');
        res.setHeader('x-api-key', secret('echo-header'));
        res.setHeader('content-location', `/echo?access_token=${secret('echo-location')}`);
        res.end('{"ok":true}');
      });
      const dir = tempDir();
      const http = setupCache(axios.create({ baseURL: h.origin.base }), { cacheName: join(dir, 'secrets'), allowableMethods: ['GET', 'POST'], serializer });
      try {
        await http.get('/me', { headers: { Authorization: `Bearer ${secret('bearer')}`, Cookie: `session=${secret('cookie')}; theme=dark`, 'X-API-Key': secret('apikey-header') } });
        await http.get(`/q?access_token=${secret('query')}&API_KEY=${secret('query-upper')}&api_key[]=${secret('query-array')}&page=2`);
        await http.get(`/items;api_key=${secret('matrix')}/list`);
        await http.post('/json', { outer: { list: [{ access_token: secret('json-nested') }] }, q: 1 });
        await http.post('/text', JSON.stringify({ apikey: secret('json-text') }), { headers: { 'Content-Type': 'text/plain' } });
        await http.post('/form', new URLSearchParams({ api_key: secret('form'), q: '1' }));
        const form = new FormData();
        form.append('api_key', secret('multipart'));
        form.append('q', '1');
        await http.post('/multipart', form);
        await http.get(`/fragment#access_token=${secret('fragment')}`);
        await http.get('/basic', { auth: { username: 'ada', password: secret('basic-password') } });
        await http.get('/echo');

        // Everything was stored (so the search below looks at real entries)...
        expect(await http.cache.count()).to.equal(10);
        // ...and the secrets reached the origin: redaction is about storage only.
        expect(h.origin.requests[0]!.headers.authorization).to.equal(`Bearer ${secret('bearer')}`);

        const whileOpen = storedBytes(dir);
        for (const place of PLACES) {
          for (const form of forms(secret(place))) expect(whileOpen, `${place} as ${form}`).not.to.include(form);
        }
        // Basic credentials travel base64-encoded as a whole.
        expect(whileOpen).not.to.include(Buffer.from(`ada:${secret('basic-password')}`).toString('base64'));
      } finally {
        await http.cache.close();
      }
      const afterClose = storedBytes(dir);
      expect(afterClose).to.include('REDACTED'); // the file holds the entries, redacted
      for (const place of PLACES) {
        for (const form of forms(secret(place))) expect(afterClose, `${place} as ${form}`).not.to.include(form);
      }
    });
  }
});
