/**
 * The setup most integration files share: one real origin for the file, a controllable clock per
 * test, and caches that are closed after each test.
 */
import axios, { type AxiosInstance } from 'axios';
import { setupCache, type CacheAxiosInstance, type CacheOptions } from '../../src/index.js';
import { controlClock, type Clock } from './clock.js';
import { startOrigin, type Origin } from './origin.js';

export interface Harness {
  readonly origin: Origin;
  readonly clock: Clock;
  /**
   * A cached instance (memory backend unless options say otherwise), closed after the test. It wraps
   * `instance` when given (an instance of the test's own making), else a new one on the origin.
   */
  cached(options?: CacheOptions, instance?: AxiosInstance): CacheAxiosInstance;
}

/** Registers mocha hooks in the calling `describe` and returns accessors valid inside its tests. */
export function useHarness(): Harness {
  let origin: Origin | undefined;
  let clock: Clock | undefined;
  const open: CacheAxiosInstance[] = [];

  before(async () => {
    origin = await startOrigin();
  });
  after(async () => origin?.close());
  beforeEach(() => {
    origin!.reset();
    clock = controlClock();
  });
  afterEach(async () => {
    clock?.restore();
    for (const http of open.splice(0)) await http.cache.close();
  });

  return {
    get origin() {
      return origin!;
    },
    get clock() {
      return clock!;
    },
    cached(options = {}, instance = axios.create({ baseURL: origin!.base })) {
      const http = setupCache(instance, { backend: 'memory', ...options });
      open.push(http);
      return http;
    },
  };
}

/** Counts backend writes by wrapping the record store's `set` (and the memory store's `put`). */
export function spyWrites(http: CacheAxiosInstance): { count: number } {
  const store = http.cache.storage.store;
  const original = store.set.bind(store);
  const spy = { count: 0 };
  store.set = ((...args: Parameters<typeof original>) => {
    spy.count += 1;
    return original(...args);
  }) as typeof store.set;
  // The memory backend's writes go through its synchronous put().
  const memory = store as unknown as { put?: (...args: unknown[]) => void };
  const put = memory.put?.bind(memory);
  if (put) {
    memory.put = (...args: unknown[]) => {
      spy.count += 1;
      put(...args);
    };
  }
  return spy;
}

/** The rejection of a promise that must fail. */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the request to fail, but it succeeded');
}
