/**
 * Stored sizes of a cache's responses, least recently used first: what `maxEntries` and `maxBytes`
 * (issue 7 item 10) need to pick eviction victims without scanning the store on every write. A Map
 * keeps insertion order, so moving a key to the end on every use makes its first key the least
 * recently used one: every operation is O(1) (memory-store.ts does the same with its entries).
 */
export class LruSizeIndex {
  private readonly sizes = new Map<string, number>();
  private total = 0;

  /** Records held. */
  get entries(): number {
    return this.sizes.size;
  }

  /** Sum of the recorded sizes. */
  get bytes(): number {
    return this.total;
  }

  has(key: string): boolean {
    return this.sizes.has(key);
  }

  /** A write or a read of `key` with its stored size: it becomes the most recently used. */
  touch(key: string, size: number): void {
    const old = this.sizes.get(key);
    if (old !== undefined) {
      this.total -= old;
      this.sizes.delete(key);
    }
    this.sizes.set(key, size);
    this.total += size;
  }

  remove(key: string): boolean {
    const old = this.sizes.get(key);
    if (old === undefined) return false;
    this.total -= old;
    this.sizes.delete(key);
    return true;
  }

  /**
   * Takes out the least recently used keys until at most `maxEntries` records and `maxBytes` bytes
   * remain, and returns them (the caller deletes them from the store).
   */
  takeOverLimit(maxEntries = Infinity, maxBytes = Infinity): string[] {
    const victims: string[] = [];
    while (this.sizes.size > 0 && (this.sizes.size > maxEntries || this.total > maxBytes)) {
      const oldest = this.sizes.keys().next().value as string;
      this.remove(oldest);
      victims.push(oldest);
    }
    return victims;
  }

  clear(): void {
    this.sizes.clear();
    this.total = 0;
  }
}
