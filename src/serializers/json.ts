/**
 * `serializer: 'json'`: one JSON document per entry, legible as stored (text bodies as text,
 * src/serializers/text-document.ts); the default where a store holds only text (filesystem, Keyv).
 */
import type { StoredValue } from '../storage/record-store.js';
import { checkEntry } from './entry-check.js';
import { fromTextDocument, toTextDocument } from './text-document.js';
import type { Serializer } from './types.js';

export const jsonSerializer: Serializer = {
  id: 'json',
  dumps(entry) {
    return JSON.stringify(toTextDocument(entry, 'json'));
  },
  loads(data: StoredValue) {
    if (typeof data !== 'string') throw new TypeError('not a cache entry written by the json serializer (bytes, not text)');
    return checkEntry(fromTextDocument(JSON.parse(data) as unknown, 'json'), 'json');
  },
};
