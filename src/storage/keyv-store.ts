/**
 * A user's Keyv 5 instance, or a bare Keyv store adapter, as a record store (requests-cache's
 * custom BaseCache, docs/behaviour.md §7). Records live under `r:<key>` (responses), `a:<key>`
 * (redirect aliases) and `m:<name>` (metadata) inside the Keyv's namespace; the store may hold the
 * application's own keys beside them, which listing and clear() never touch.
 */
import { Keyv, type KeyvOptions, type KeyvStoreAdapter } from 'keyv';
import { log } from '../debug.js';
import { BIN_TAG, textToValue, valueToText, type Bin, type RecordStore, type SetOptions, type StoredValue } from './record-store.js';

const META_TAG = 'm';
/** Layout before 0.2: responses under their bare key, aliases under `redirect:<key>`. */
const LEGACY_ALIAS_PREFIX = 'redirect:';
const LEGACY_FORMAT_KEY = 'axios-keyv-cache:format';

/** Does a legacy value look like one of our entries (any format)? */
function looksLikeLegacyEntry(raw: unknown): boolean {
  if (typeof raw !== 'string' || !raw.startsWith('{')) return false;
  try {
    const e = JSON.parse(raw) as Record<string, unknown>;
    return typeof e.v === 'number' && typeof e.url === 'string' && typeof e.status === 'number' && typeof e.request === 'object' && e.request !== null;
  } catch {
    return false;
  }
}

/** Keyv hands our text to the store as is: no second JSON envelope around it. */
export function transportKeyv(store: KeyvStoreAdapter, namespace: string): Keyv {
  const keyv = new Keyv({
    store,
    namespace,
    throwOnErrors: true,
    serialize: (data: { value?: unknown }) => data.value as string,
    deserialize: (text: string) => ({ value: text }),
  } as KeyvOptions);
  keyv.on('error', (error: unknown) => log('backend error: %O', error));
  return keyv;
}

export class KeyvStore implements RecordStore {
  constructor(
    readonly keyv: Keyv,
    readonly description: string,
  ) {
    // Keyv 5's iterator strips everything up to the first ':' of each key when `useKeyPrefix` is on,
    // even without a namespace. Without a namespace there is no prefix to strip, so switching it off
    // changes nothing else, and our `r:` tags survive listing.
    if (!keyv.namespace) keyv.useKeyPrefix = false;
  }

  private name(bin: Bin | 'meta', key: string): string {
    return `${bin === 'meta' ? META_TAG : BIN_TAG[bin]}:${key}`;
  }

  async get(bin: Bin, key: string): Promise<StoredValue | undefined> {
    const raw: unknown = await this.keyv.get(this.name(bin, key));
    return typeof raw === 'string' ? textToValue(raw) : undefined;
  }

  async set(bin: Bin, key: string, value: StoredValue, options: SetOptions = {}): Promise<void> {
    await this.keyv.set(this.name(bin, key), valueToText(value), options.ttlMs);
  }

  async delete(bin: Bin, keys: readonly string[]): Promise<number> {
    let deleted = 0;
    for (const key of keys) if (await this.keyv.delete(this.name(bin, key))) deleted += 1;
    return deleted;
  }

  private raw(): AsyncGenerator<[string, unknown]> {
    const iterator = this.keyv.iterator;
    if (typeof iterator !== 'function') {
      throw new Error(`The ${this.description} backend cannot list its keys (its Keyv adapter has no iterator), so this cache operation is unavailable`);
    }
    return iterator.call(this.keyv, undefined) as AsyncGenerator<[string, unknown]>;
  }

  async *keys(bin: Bin): AsyncGenerator<string> {
    const tag = `${BIN_TAG[bin]}:`;
    // Keys first, then yield: adapters that page with OFFSET shift when the caller deletes meanwhile.
    const keys: string[] = [];
    for await (const [key] of this.raw()) if (key.startsWith(tag)) keys.push(key.slice(tag.length));
    yield* keys;
  }

  /**
   * Deletes our records only: an application key on the same store survives. Without an iterator
   * the Keyv's namespace is all we can scope by; without one either, clear() refuses.
   */
  async clear(): Promise<void> {
    if (typeof this.keyv.iterator !== 'function') {
      if (this.keyv.namespace) return this.keyv.clear();
      throw new Error(`The ${this.description} backend cannot list its keys and has no namespace, so clear() cannot tell this cache's records from other data; give the Keyv a namespace`);
    }
    const ours: string[] = [];
    for await (const [key] of this.raw()) if (key.startsWith(`${BIN_TAG.responses}:`) || key.startsWith(`${BIN_TAG.redirects}:`)) ours.push(key);
    for (const key of ours) await this.keyv.delete(key);
  }

  /** Removes records of the pre-0.2 layout (bare keys, `redirect:` aliases) once, on first open. */
  async upgrade(): Promise<void> {
    if (typeof this.keyv.iterator !== 'function') return;
    const legacy: string[] = [];
    for await (const [key, raw] of this.raw()) {
      if (/^[ram]:/.test(key)) continue;
      if (key === LEGACY_FORMAT_KEY || (key.startsWith(LEGACY_ALIAS_PREFIX) && typeof raw === 'string') || looksLikeLegacyEntry(raw)) legacy.push(key);
    }
    if (legacy.length > 0) log('%s: removing %d records of the layout before 0.2', this.description, legacy.length);
    for (const key of legacy) await this.keyv.delete(key);
  }

  async getMeta(name: string): Promise<string | undefined> {
    const raw: unknown = await this.keyv.get(this.name('meta', name));
    return typeof raw === 'string' ? raw : undefined;
  }

  async setMeta(name: string, value: string): Promise<void> {
    await this.keyv.set(this.name('meta', name), value);
  }

  async close(): Promise<void> {
    await this.keyv.disconnect();
  }
}
