import type { CachedEntry } from '../policy/types.js';

/** Turns a stored entry into text and back. `loads` throws on anything that is not an entry it wrote. */
export interface Serializer {
  /** Part of every cache key, so switching serializers never reads another serializer's data. */
  readonly name: string;
  dumps(entry: CachedEntry): string;
  loads(data: string): CachedEntry;
}
