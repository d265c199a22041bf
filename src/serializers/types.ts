import type { CachedEntry } from '../policy/types.js';
import type { StoredValue } from '../storage/record-store.js';

/**
 * Turns a stored entry into text or bytes and back (README "Serializers"). `loads` throws on anything
 * that is not an entry it wrote (another serializer's, a damaged one): the cache treats that as a
 * miss and the next response overwrites it in place.
 *
 * What a serializer receives is a plain object: the entry's fields, with `body` (and a binary
 * request body) as bytes (`Uint8Array`; a Buffer is one). `loads` must give back the same fields
 * with bodies as bytes again.
 */
export interface Serializer {
  /** Stable identifier, written into (or checked against) every stored value. */
  readonly id: string;
  dumps(entry: CachedEntry): StoredValue;
  loads(data: StoredValue): CachedEntry;
}
