/**
 * Filling a cache with many entries fast: one real request gives a template entry, then copies of
 * it under other URLs go straight to `cache.storage.save` (the public storage view), keyed exactly
 * as requests to those URLs would be. Far faster than real requests, and the result is the same
 * rows a request would have written, so hits on them are real hits.
 */
import type { CacheAxiosInstance, CachedEntry } from '../../src/index.js';
import { repeat } from './drive.js';

/** `${base}/json/<prefix>/item-<i>`: the URL of entry i. */
export const itemUrl = (base: string, prefix: string, i: number): string => `${base}/json/${prefix}/item-${i}`;

/**
 * Stores entries up to index `count` - 1 (from index `from`); every `expiredEvery`-th one (i % expiredEvery === expiredEvery - 1) already
 * expired a minute ago (still kept by the backend for revalidation, ttlOffset), for `delete({ expired })`.
 */
export async function fillCache(client: CacheAxiosInstance, base: string, prefix: string, count: number, expiredEvery = 0, from = 0): Promise<void> {
  const first = itemUrl(base, prefix, 0);
  await client.get(first);
  const stored = await client.cache.storage.get(client.cache.createKey({ url: first }));
  if (!stored) throw new Error(`fill: no entry stored for ${first}`);
  const template: CachedEntry = stored.entry;
  const marker = `/${prefix}/item-0`;
  const expiredAt = Date.now() - 60_000;
  // Entry 0 came from the request; `from` continues an earlier fill of the same cache.
  const start = Math.max(1, from);
  await repeat(count - start, 64, async (n) => {
    const i = start + n;
    const url = itemUrl(base, prefix, i);
    const entry: CachedEntry = {
      ...template,
      url: template.url.replace(marker, `/${prefix}/item-${i}`),
      request: { ...template.request, url: template.request.url.replace(marker, `/${prefix}/item-${i}`) },
      expires: expiredEvery > 0 && i % expiredEvery === expiredEvery - 1 ? expiredAt : template.expires,
    };
    if (!(await client.cache.storage.save(client.cache.createKey({ url }), entry))) throw new Error(`fill: saving entry ${i} failed`);
  });
}

/** A random unexpired entry index below `count`. */
export function liveIndex(count: number, expiredEvery = 0): number {
  for (;;) {
    const i = Math.floor(Math.random() * count);
    if (!(expiredEvery > 0 && i % expiredEvery === expiredEvery - 1)) return i;
  }
}
