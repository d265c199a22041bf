/**
 * `serializer: 'binary'` (alias `'pickle'`, for requests-cache users): node:v8's structured clone
 * format, the fastest encoding and byte-exact for bodies. It is Node's own format: an entry written
 * by a newer Node may not read on an older one, which is then a miss (v8.deserialize throws), never
 * a crash (https://nodejs.org/api/v8.html#serialization-api).
 */
import { deserialize, serialize } from 'node:v8';
import type { StoredValue } from '../storage/record-store.js';
import { checkEntry, checkWritable } from './entry-check.js';
import type { Serializer } from './types.js';

export const binarySerializer: Serializer = {
  id: 'binary',
  dumps(entry) {
    return serialize({ s: 'binary', ...checkWritable(entry, 'binary') });
  },
  loads(data: StoredValue) {
    if (typeof data === 'string') throw new TypeError('not a cache entry written by the binary serializer (text, not bytes)');
    const doc = deserialize(data) as Record<string, unknown>;
    if (doc?.s !== 'binary') throw new TypeError('not a cache entry written by the binary serializer');
    return checkEntry(doc, 'binary');
  },
};
