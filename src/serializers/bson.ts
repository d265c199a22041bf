/**
 * `serializer: 'bson'`: one BSON document per entry (the `bson` package), bodies as BSON binary, so
 * no base64; read back with `promoteBuffers` so they are Buffers again (infra-notes §7).
 */
import { BSON } from 'bson';
import type { StoredValue } from '../storage/record-store.js';
import { checkEntry, checkWritable } from './entry-check.js';
import type { Serializer } from './types.js';

export const bsonSerializer: Serializer = {
  id: 'bson',
  dumps(entry) {
    return BSON.serialize({ s: 'bson', ...checkWritable(entry, 'bson') }, { ignoreUndefined: true });
  },
  loads(data: StoredValue) {
    if (typeof data === 'string') throw new TypeError('not a cache entry written by the bson serializer (text, not bytes)');
    const doc = BSON.deserialize(data, { promoteBuffers: true });
    if (doc.s !== 'bson') throw new TypeError('not a cache entry written by the bson serializer');
    return checkEntry(doc, 'bson');
  },
};
