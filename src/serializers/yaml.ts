/**
 * `serializer: 'yaml'`: the json serializer's document as YAML (the `yaml` package, YAML 1.2), for
 * people who read cache files by eye; multi-line text bodies stay readable as block scalars.
 */
import { parse, stringify } from 'yaml';
import type { StoredValue } from '../storage/record-store.js';
import { checkEntry } from './entry-check.js';
import { fromTextDocument, toTextDocument } from './text-document.js';
import type { Serializer } from './types.js';

export const yamlSerializer: Serializer = {
  id: 'yaml',
  dumps(entry) {
    return stringify(toTextDocument(entry, 'yaml'), { lineWidth: 0 });
  },
  loads(data: StoredValue) {
    if (typeof data !== 'string') throw new TypeError('not a cache entry written by the yaml serializer (bytes, not text)');
    // A JSON document is valid YAML too: the `s` field tells them apart.
    return checkEntry(fromTextDocument(parse(data) as unknown, 'yaml'), 'yaml');
  },
};
