/**
 * The axios instances compared. Every one sends the same bearer token, so our cache does its
 * credential work (keyed hash in the key, REDACTED in storage, a fresh copy per caller).
 */
import axios, { AxiosHeaders, type AxiosAdapter, type AxiosInstance, type AxiosRequestConfig } from 'axios';
import { buildMemoryStorage, setupCache as setupAci, type AxiosCacheInstance } from 'axios-cache-interceptor';
import { setupCache, type CacheAxiosInstance, type CacheOptions } from '../../src/index.js';
import { BEARER } from './config.js';

/** What scenarios need of any client: ours, axios-cache-interceptor's and plain axios alike. */
export interface Getter {
  get(url: string, config?: Pick<AxiosRequestConfig, 'responseType'>): Promise<{ data: unknown; fromCache?: boolean }>;
}

const withToken = () => axios.create({ headers: { Authorization: BEARER } });

/**
 * The floor: axios with an adapter that answers at once with `body`. No cache can be faster than
 * the axios pipeline it sits in.
 */
export function floorClient(body: string | Buffer, contentType: string): AxiosInstance {
  const adapter: AxiosAdapter = async (config) => ({
    data: body,
    status: 200,
    statusText: 'OK',
    headers: new AxiosHeaders({ 'content-type': contentType, 'content-length': String(body.length) }),
    config,
    request: {},
  });
  const instance = withToken();
  instance.defaults.adapter = adapter;
  return instance;
}

/** Plain axios to the origin, no cache. */
export const plainClient = (): AxiosInstance => withToken();

/** Ours, with default options on the given backend. */
export const oursClient = (options: CacheOptions): CacheAxiosInstance => setupCache(withToken(), options);

/**
 * axios-cache-interceptor in the configuration closest to our defaults: memory storage without
 * size limit or cleanup timer, responses kept forever whatever their headers say (ours: NEVER_EXPIRE,
 * cacheControl false), no cache-busting request headers. Two differences stay, both in its favour:
 * its default key ignores Authorization (all callers share one entry; ours keys per caller through
 * a keyed hash), and its storage hands out the stored object itself (cloneData false; ours copies
 * per caller).
 */
export function aciClient(): AxiosCacheInstance {
  return setupAci(withToken(), {
    storage: buildMemoryStorage(false, false, false),
    ttl: Number.MAX_SAFE_INTEGER,
    interpretHeader: false,
    cacheTakeover: false,
  });
}

export const ACI_NOTE =
  'axios-cache-interceptor: memory storage, ttl forever, interpretHeader/cacheTakeover off; its key ignores Authorization by default (one entry shared by every caller, ours is per caller) and it returns the stored object uncopied (cloneData false)';
