/**
 * Small helpers the integration files share for looking at what a cache holds and at what reached
 * the origin.
 */
import type { AxiosRequestConfig } from 'axios';
import { expect } from 'chai';
import type { CacheAxiosInstance, CachedResponse } from '../../src/index.js';
import type { Origin } from './origin.js';

/** Every item of an async iterable, in order. */
export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

/** Every stored response, from `http.cache.filter()`. */
export const stored = (http: CacheAxiosInstance): Promise<CachedResponse[]> => collect(http.cache.filter());

/** The `n` of the JSON body stored under `key` (undefined when nothing is stored there). */
export const storedN = async (http: CacheAxiosInstance, key: string): Promise<number | undefined> =>
  (await http.cache.responses.get(key))?.json<{ n: number }>().n;

/** Sends each request in turn; returns `fromCache` of each and the number of requests the origin got. */
export async function run(
  origin: Origin,
  http: CacheAxiosInstance,
  configs: AxiosRequestConfig[],
): Promise<{ fromCache: boolean[]; network: number }> {
  const before = origin.count();
  const fromCache: boolean[] = [];
  for (const config of configs) fromCache.push((await http.request(config)).fromCache);
  return { fromCache, network: origin.count() - before };
}

/** Checks that an `expires` is a Date within `tolerance` ms of `at`. */
export const near = (date: Date | null | undefined, at: number, tolerance = 2000): void => {
  expect(date, 'expires').to.be.instanceOf(Date);
  expect(date!.getTime()).to.be.closeTo(at, tolerance);
};
