/**
 * The `serializer` option: a built-in name, a `SerializerPipeline`, or a user's object with
 * `dumps`/`loads` (or `stringify`/`parse`). Anything that is not built in is checked at setup with
 * a round trip of a sample entry, so a serializer that cannot carry bytes (the global `JSON` turns
 * a Buffer into `{ type, data }`) is refused with a clear error instead of corrupting entries.
 */
import { inspect } from 'node:util';
import { ENTRY_FORMAT, type CachedEntry } from '../policy/types.js';
import type { StoredValue } from '../storage/record-store.js';
import { binarySerializer } from './binary.js';
import { bsonSerializer } from './bson.js';
import { checkEntry } from './entry-check.js';
import { jsonSerializer } from './json.js';
import { jsonOrBinarySerializer } from './json-or-binary.js';
import { SerializerPipeline } from './pipeline.js';
import type { Serializer } from './types.js';
import { yamlSerializer } from './yaml.js';

export const SERIALIZERS: Record<string, Serializer> = {
  json: jsonSerializer,
  yaml: yamlSerializer,
  bson: bsonSerializer,
  binary: binarySerializer,
  'json+binary': jsonOrBinarySerializer,
  // requests-cache's default name; node:v8 plays pickle's part here.
  pickle: binarySerializer,
};

const show = (value: unknown): string => inspect(value, { depth: 1, breakLength: Infinity });

/** An entry with every kind of field a serializer must carry: all 256 byte values, a header list, a binary request body. */
function sampleEntry(): CachedEntry {
  return {
    v: ENTRY_FORMAT,
    url: 'https://example.test/sample?q=1',
    status: 200,
    statusText: 'OK',
    headers: { 'content-type': 'application/octet-stream', 'set-cookie': ['a=1', 'b=2'], etag: '"x"' },
    body: Buffer.from(Array.from({ length: 256 }, (_, i) => i)),
    request: { method: 'POST', url: 'https://example.test/sample?q=1', headers: { accept: '*/*' }, body: Buffer.from([0, 255, 10]), varyDigests: { cookie: 'abc' } },
    createdAt: 1_700_000_000_123,
    expires: 1_700_000_360_123,
  };
}

function sameEntry(a: CachedEntry, b: CachedEntry): string | undefined {
  if (!a.body.equals(b.body)) return 'the body bytes changed';
  const reqA = a.request.body;
  const reqB = b.request.body;
  if (Buffer.isBuffer(reqA) ? !Buffer.isBuffer(reqB) || !reqA.equals(reqB) : reqA !== reqB) return 'the request body changed';
  const strip = (e: CachedEntry) => JSON.stringify({ ...e, body: undefined, request: { ...e.request, body: undefined } });
  return strip(a) === strip(b) ? undefined : 'fields changed';
}

/** A user's object as a Serializer: bodies in and out as bytes, the result checked like ours. */
function userSerializer(option: Record<string, unknown>): Serializer {
  const dumpsFn = (option.dumps ?? option.stringify) as (value: unknown) => unknown;
  const loadsFn = (option.loads ?? option.parse) as (value: unknown) => unknown;
  const id = typeof option.id === 'string' ? option.id : typeof option.name === 'string' && option.name !== '' ? option.name : 'custom';
  return {
    id,
    dumps(entry) {
      const out = dumpsFn.call(option, entry);
      if (typeof out !== 'string' && !(out instanceof Uint8Array)) throw new TypeError(`the ${id} serializer returned ${typeof out}, not text or bytes`);
      return out;
    },
    loads(data: StoredValue) {
      return checkEntry(loadsFn.call(option, data), id);
    },
  };
}

/**
 * The serializer for `option`, or `fallback` (the backend's default) when it is undefined. Throws a
 * TypeError/RangeError naming the option and the value at setup.
 */
export function resolveSerializer(option: unknown, fallback: string): Serializer {
  if (option === undefined) return SERIALIZERS[fallback];
  if (typeof option === 'string') {
    const found = SERIALIZERS[option];
    if (!found) throw new RangeError(`Invalid serializer: ${show(option)} (expected one of ${Object.keys(SERIALIZERS).map((n) => `'${n}'`).join(', ')}, a SerializerPipeline, or an object with dumps/loads)`);
    return found;
  }
  let serializer: Serializer;
  if (option instanceof SerializerPipeline) serializer = option;
  else if (typeof option === 'object' && option !== null) {
    const o = option as Record<string, unknown>;
    const hasPair = (typeof o.dumps === 'function' && typeof o.loads === 'function') || (typeof o.stringify === 'function' && typeof o.parse === 'function');
    if (!hasPair) throw new TypeError(`Invalid serializer: ${show(option)} (expected an object with dumps() and loads(), or stringify() and parse())`);
    serializer = userSerializer(o);
  } else throw new TypeError(`Invalid serializer: ${show(option)} (expected a name, a SerializerPipeline, or an object with dumps/loads)`);
  const sample = sampleEntry();
  let problem: string | undefined;
  try {
    problem = sameEntry(sample, serializer.loads(serializer.dumps(sample)));
  } catch (error) {
    problem = (error as Error).message;
  }
  if (problem) {
    throw new TypeError(
      `Invalid serializer: ${serializer.id} does not read back the entry it writes (${problem}). A serializer receives a plain entry whose bodies are bytes (Uint8Array) and must return them as bytes; the global JSON, for one, turns a Buffer into { type, data }`,
    );
  }
  return serializer;
}
