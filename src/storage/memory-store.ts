/**
 * The memory backend: two Maps in this process, holding live entries (no serialization, as
 * requests-cache's memory backend; every read hands the caller fresh copies, see cached-response.ts).
 * A Map keeps insertion order, so moving a key to the end on every read makes its first key the
 * least recently used: eviction is O(1) per entry, never a scan.
 */
import type { Bin, RecordStore, SetOptions, StoreSettings } from './record-store.js';

interface Slot<V> {
  value: V;
  size: number;
  url: string;
  /** Store-level expiry (ms since the epoch); undefined: never. */
  until: number | undefined;
}

export class MemoryStore<V = unknown> implements RecordStore {
  readonly description = 'memory';
  private readonly bins: Record<Bin, Map<string, Slot<V>>> = { responses: new Map(), redirects: new Map() };
  private readonly meta = new Map<string, string>();
  private bytes = 0;

  constructor(
    private readonly settings: Pick<StoreSettings, 'maxEntries' | 'maxBytes'>,
    /** Size of a live value, for `maxBytes`. */
    private readonly sizeOf: (value: V) => number,
  ) {}

  /** The hot path: synchronous, no promise (CacheStorage reads memory through here). */
  peek(bin: Bin, key: string): V | undefined {
    const map = this.bins[bin];
    const slot = map.get(key);
    if (!slot) return undefined;
    if (slot.until !== undefined && slot.until <= Date.now()) {
      this.remove(bin, key);
      return undefined;
    }
    if (bin === 'responses' && this.limited && map.size > 1) {
      map.delete(key);
      map.set(key, slot);
    }
    return slot.value;
  }

  private get limited(): boolean {
    return this.settings.maxEntries !== undefined || this.settings.maxBytes !== undefined;
  }

  async get(bin: Bin, key: string): Promise<never> {
    return this.peek(bin, key) as never;
  }

  put(bin: Bin, key: string, value: V, options: SetOptions = {}): void {
    const map = this.bins[bin];
    const size = bin === 'responses' ? this.sizeOf(value) : 0;
    const old = map.get(key);
    if (old) {
      this.bytes -= old.size;
      map.delete(key);
    }
    map.set(key, { value, size, url: options.meta?.url ?? '', until: options.ttlMs === undefined ? undefined : Date.now() + options.ttlMs });
    this.bytes += size;
    if (bin === 'responses') this.evict();
  }

  async set(bin: Bin, key: string, value: unknown, options?: SetOptions): Promise<void> {
    this.put(bin, key, value as V, options);
  }

  private evict(): void {
    const map = this.bins.responses;
    const { maxEntries = Infinity, maxBytes = Infinity } = this.settings;
    while (map.size > 0 && (map.size > maxEntries || this.bytes > maxBytes)) {
      const oldest = map.keys().next().value as string;
      this.remove('responses', oldest);
    }
  }

  private remove(bin: Bin, key: string): boolean {
    const slot = this.bins[bin].get(key);
    if (!slot) return false;
    this.bins[bin].delete(key);
    this.bytes -= slot.size;
    return true;
  }

  async delete(bin: Bin, keys: readonly string[]): Promise<number> {
    let deleted = 0;
    for (const key of keys) if (this.remove(bin, key)) deleted += 1;
    return deleted;
  }

  async *keys(bin: Bin): AsyncGenerator<string> {
    // A copy: callers delete while listing.
    for (const key of [...this.bins[bin].keys()]) yield key;
  }

  async count(bin: Bin): Promise<number> {
    return this.bins[bin].size;
  }

  async keysForUrl(url: string): Promise<string[]> {
    const keys: string[] = [];
    for (const [key, slot] of this.bins.responses) if (slot.url === url) keys.push(key);
    return keys;
  }

  async clear(): Promise<void> {
    this.bins.responses.clear();
    this.bins.redirects.clear();
    this.bytes = 0;
  }

  async getMeta(name: string): Promise<string | undefined> {
    return this.meta.get(name);
  }

  async setMeta(name: string, value: string): Promise<void> {
    this.meta.set(name, value);
  }

  async close(): Promise<void> {}
}
