/**
 * Serializers side by side (issue 8 item 9): stored bytes per entry and encode+decode time for a
 * typical 2 KB JSON response and a 100 KB binary one, for every built-in serializer and two
 * compressed pipelines. Run with `npm run bench` (after bench/run.ts) or `tsx bench/serializers.ts`.
 */
import { randomBytes } from 'node:crypto';
import { ENTRY_FORMAT, type CachedEntry } from '../src/policy/types.js';
import { brotliStage, gzipStage, jsonStage, binaryStage, SerializerPipeline } from '../src/serializers/pipeline.js';
import { SERIALIZERS } from '../src/serializers/registry.js';
import type { Serializer } from '../src/serializers/types.js';

function entry(body: Buffer, contentType: string): CachedEntry {
  return {
    v: ENTRY_FORMAT,
    url: 'https://api.example.com/v1/users/1?fields=all',
    status: 200,
    statusText: 'OK',
    headers: { 'content-type': contentType, etag: '"abc123"', 'cache-control': 'max-age=60', date: new Date(0).toUTCString(), 'content-length': String(body.length) },
    body,
    request: { method: 'GET', url: 'https://api.example.com/v1/users/1?fields=all', headers: { accept: 'application/json', authorization: 'REDACTED' } },
    createdAt: Date.now(),
    expires: Date.now() + 60_000,
  };
}

const users = Array.from({ length: 21 }, (_, i) => ({ id: i, name: `User ${i}`, email: `user${i}@example.com`, roles: ['reader', 'writer'], active: i % 2 === 0 }));
const json2k = entry(Buffer.from(JSON.stringify({ users, total: 21, page: 1 })), 'application/json');
const binary100k = entry(randomBytes(100 * 1024), 'application/octet-stream');

const serializers: Serializer[] = [
  SERIALIZERS.json,
  SERIALIZERS.yaml,
  SERIALIZERS.bson,
  SERIALIZERS.binary,
  new SerializerPipeline([jsonStage, gzipStage]),
  new SerializerPipeline([binaryStage, brotliStage]),
];

function measure(s: Serializer, e: CachedEntry): { bytes: number; micros: number } {
  const stored = s.dumps(e);
  const bytes = typeof stored === 'string' ? Buffer.byteLength(stored) : stored.byteLength;
  const rounds = e.body.length > 10_000 ? 200 : 2000;
  for (let i = 0; i < rounds / 10; i += 1) s.loads(s.dumps(e)); // warm up
  const start = process.hrtime.bigint();
  for (let i = 0; i < rounds; i += 1) s.loads(s.dumps(e));
  return { bytes, micros: Number(process.hrtime.bigint() - start) / 1000 / rounds };
}

console.log(`node ${process.version}: stored bytes per entry and encode+decode µs per entry (mean over 200-2000 rounds)`);
console.log(`body sizes: JSON ${json2k.body.length} B, binary ${binary100k.body.length} B\n`);
console.log('| serializer | 2 KB JSON: bytes | µs | 100 KB binary: bytes | µs |');
console.log('|---|---:|---:|---:|---:|');
for (const s of serializers) {
  const a = measure(s, json2k);
  const b = measure(s, binary100k);
  console.log(`| ${s.id} | ${a.bytes} | ${a.micros.toFixed(1)} | ${b.bytes} | ${b.micros.toFixed(1)} |`);
}
