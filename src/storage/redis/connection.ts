/**
 * What `connection` may be for the redis backend, and the node-redis clients we build from it.
 *
 * Accepted (issue 7 item 3):
 * - undefined: `redis://127.0.0.1:6379`;
 * - a `redis://` or `rediss://` URL, with `user:password@` for AUTH / ACL users
 *   (https://github.com/redis/node-redis/blob/master/docs/client-configuration.md);
 * - an array of node URLs: a Redis Cluster, those being its root nodes;
 * - a ready node-redis 4/5 client (`createClient()` result, connected or not) or cluster client
 *   (`createCluster()` result); a client the user passed is never disconnected by us;
 * - node-redis options: `{ url, socket, username, password, ... }` for one server, or
 *   `{ rootNodes: [...], defaults, ... }` for a cluster.
 *
 * An ioredis client is refused with a TypeError: it is another driver with another API
 * (`getBuffer`, `status`, `scanStream`) and its offline queue is on by default
 * (`enableOfflineQueue: true`, https://github.com/redis/ioredis/blob/main/API.md), so with Redis
 * down every call would wait in a queue rather than fail fast. Supporting it would mean a second
 * driver to test; pass its URL instead (ioredis is not installed here, so it is detected by shape).
 */
import { inspect } from 'node:util';
import type { RedisClientCacheConfig } from './client-cache.js';

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

/** The few commands we use, in the shape node-redis 4 and 5 share. */
export interface RedisCommands {
  get(key: string): Promise<unknown>;
  set(key: string, value: Buffer | string, options?: { PX: number }): Promise<unknown>;
  del(keys: string | string[]): Promise<number>;
  scanIterator(options: { MATCH: string; COUNT: number }): AsyncIterable<string | string[]>;
}

/** node-redis's ClientSideCacheProvider, as far as we touch it. */
export interface LocalCache {
  invalidate(key: string | null): void;
  size(): number;
}

/** A node-redis client or cluster, as far as we touch it. */
export interface RedisLike extends RedisCommands {
  isOpen: boolean;
  isReady?: boolean;
  connect(): Promise<unknown>;
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  off?(event: string, listener: (...args: unknown[]) => void): unknown;
  removeListener?(event: string, listener: (...args: unknown[]) => void): unknown;
  close?(): Promise<unknown>;
  quit?(): Promise<unknown>;
  destroy?(): unknown;
  disconnect?(): Promise<unknown>;
  withTypeMapping?(mapping: Record<number, unknown>): RedisCommands;
  /** node-redis 4's way of asking for Buffer replies. */
  commandOptions?(options: { returnBuffers: true }): unknown;
  /** node-redis 5's client-side cache, when the client was created with one (public getter). */
  clientSideCache?: LocalCache;
  /** The options a node-redis 5 client was created with (public getter; a cluster has none). */
  options?: { commandOptions?: { typeMapping?: Record<number, unknown> } };
  masters?: Array<unknown>;
  getMasters?(): Array<unknown>;
  nodeClient?(node: unknown): Promise<RedisLike> | RedisLike;
}

export type ConnectionPlan =
  | { kind: 'client'; client: RedisLike; cluster: boolean; where: string }
  | { kind: 'single'; options: Record<string, unknown>; where: string }
  | { kind: 'cluster'; options: Record<string, unknown>; where: string };

const show = (value: unknown): string => inspect(value, { depth: 1, breakLength: Infinity });
const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

/** The host:port part of a URL, without credentials (for descriptions and errors). */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname && u.pathname !== '/' ? u.pathname : ''}`;
  } catch {
    return '(invalid URL)';
  }
}

function checkUrl(url: unknown, option: string): string {
  if (typeof url !== 'string') throw new TypeError(`Invalid ${option}: ${show(url)} (expected a redis:// or rediss:// URL)`);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new TypeError(`Invalid ${option}: ${show(redactUrl(url))} (not a URL; expected redis://[user:password@]host:port)`);
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new TypeError(`Invalid ${option}: ${show(redactUrl(url))} (expected a redis:// or rediss:// URL)`);
  }
  return url;
}

/** ioredis (Redis and Cluster) by shape: `status` and `pipeline`, and none of node-redis's `isOpen`. */
function isIoredis(value: Record<string, unknown>): boolean {
  return typeof value.status === 'string' && typeof value.pipeline === 'function' && !('isOpen' in value);
}

function isNodeRedis(value: Record<string, unknown>): boolean {
  return 'isOpen' in value && typeof value.connect === 'function' && typeof value.get === 'function';
}

/** Reads `connection` (validated when the store is constructed, so a bad value fails at setup). */
export function planConnection(connection: unknown): ConnectionPlan {
  if (connection === undefined) return { kind: 'single', options: { url: DEFAULT_REDIS_URL }, where: redactUrl(DEFAULT_REDIS_URL) };
  if (typeof connection === 'string') return { kind: 'single', options: { url: checkUrl(connection, 'connection') }, where: redactUrl(connection) };
  if (Array.isArray(connection)) {
    if (connection.length === 0) throw new TypeError('Invalid connection: [] (expected at least one Redis Cluster node URL)');
    const urls = connection.map((url, i) => checkUrl(url, `connection[${i}]`));
    return { kind: 'cluster', options: { rootNodes: urls.map((url) => ({ url })) }, where: `cluster ${urls.map(redactUrl).join(',')}` };
  }
  if (!isObject(connection)) throw new TypeError(`Invalid connection: ${show(connection)} (expected a redis:// URL, an array of cluster node URLs, a node-redis client, or node-redis options)`);
  if (isIoredis(connection)) {
    throw new TypeError(
      'Invalid connection: an ioredis client is not supported (the redis backend uses node-redis through @keyv/redis; pass a redis:// URL, node-redis options, or a createClient()/createCluster() client)',
    );
  }
  if (isNodeRedis(connection)) {
    const cluster = typeof connection.nodeClient === 'function';
    return { kind: 'client', client: connection as unknown as RedisLike, cluster, where: cluster ? 'cluster client' : 'client' };
  }
  if (Array.isArray(connection.rootNodes)) {
    if (connection.rootNodes.length === 0) throw new TypeError('Invalid connection.rootNodes: [] (expected at least one node)');
    return { kind: 'cluster', options: { ...connection }, where: 'cluster' };
  }
  if (connection.url !== undefined) checkUrl(connection.url, 'connection.url');
  const where = typeof connection.url === 'string' ? redactUrl(connection.url) : 'options';
  return { kind: 'single', options: { ...connection }, where };
}

/**
 * Bounded reconnects: backoff from 50 ms doubling to a 2 s cap, with jitter so many processes do
 * not reconnect in step, and never giving up (Redis may come back an hour later). Each attempt
 * ends after `connectTimeout`. With `disableOfflineQueue`, commands issued meanwhile reject at
 * once instead of waiting (node-redis docs, client-configuration.md: reconnectStrategy,
 * disableOfflineQueue).
 */
export function reconnectStrategy(retries: number): number {
  const base = Math.min(2000, 50 * 2 ** Math.min(retries, 6));
  return Math.round(base * (0.8 + Math.random() * 0.2));
}

/**
 * RESP_TYPES.BLOB_STRING in @redis/client (RESP/decoder): the `$` reply type, mapped to Buffer so
 * values come back as bytes. One object, shared: node-redis serves a command from its client-side
 * cache only when the command's type mapping is the client's default one, compared by identity
 * (RedisClient._executeCommand, `defaultTypeMapping`), and a cluster's node clients must see the
 * same object as the cluster itself.
 */
export const BLOB_STRING = 36;
export const BUFFER_REPLIES: Readonly<Record<number, unknown>> = Object.freeze({ [BLOB_STRING]: Buffer });

/**
 * What node-redis's `clientSideCache` option takes: a provider instance (ours, ./local-cache.ts)
 * or a config for its own BasicClientSideCache (`{ ttl, maxEntries, evictPolicy }`).
 */
export type ClientSideCache = object;

/**
 * node-redis options that turn on its client-side cache: RESP3 (tracking pushes need it), the
 * cache's bounds, and Buffer replies as the client's default (see BUFFER_REPLIES).
 */
function cachingOptions(options: Record<string, unknown>, cache: ClientSideCache): Record<string, unknown> {
  const commandOptions = isObject(options.commandOptions) ? options.commandOptions : {};
  return { RESP: 3, clientSideCache: cache, commandOptions: { ...commandOptions, typeMapping: BUFFER_REPLIES } };
}

/**
 * Options that cannot go with what we build: node-redis's own `clientSideCache` (our reads use a
 * Buffer type mapping its cache would never serve, so it would cost memory for nothing; the
 * `redisClientCache` option sets it up so it does), and RESP2 with `redisClientCache` (tracking
 * pushes need RESP3).
 */
export function checkCachingPlan(plan: ConnectionPlan, cache: RedisClientCacheConfig | undefined): void {
  if (plan.kind === 'client') {
    if (cache) {
      throw new TypeError(
        'Invalid redisClientCache: connection is a client you created, and client-side caching is chosen when a client is created; ' +
          'create it with createClient({ RESP: 3, clientSideCache: { maxEntries: 10000 }, commandOptions: { typeMapping: { [RESP_TYPES.BLOB_STRING]: Buffer } } }) ' +
          '(RESP_TYPES from @redis/client; BLOB_STRING is 36), so this backend reads through its cache, and leave redisClientCache out; or pass a URL or options instead',
      );
    }
    return;
  }
  const where = plan.kind === 'cluster' ? [plan.options, isObject(plan.options.defaults) ? plan.options.defaults : {}] : [plan.options];
  for (const options of where) {
    if (options.clientSideCache !== undefined) {
      throw new TypeError(
        `Invalid connection: clientSideCache ${show(options.clientSideCache)} (use the redisClientCache option instead: node-redis serves only reads with its default type mapping from that cache, which redisClientCache sets up)`,
      );
    }
    if (cache && options.RESP !== undefined && options.RESP !== 3) {
      throw new TypeError(`Invalid connection: RESP ${show(options.RESP)} with redisClientCache (client-side caching needs RESP 3, Redis >= 6)`);
    }
  }
}

/** Our client defaults merged under the user's options (theirs win, except the offline queue). */
export function clientOptions(options: Record<string, unknown>, connectTimeout: number, cache?: ClientSideCache): Record<string, unknown> {
  const socket = isObject(options.socket) ? options.socket : {};
  return {
    ...options,
    ...(cache ? cachingOptions(options, cache) : {}),
    // Never queue commands while disconnected: a queue would pile up behind a dead server.
    disableOfflineQueue: true,
    socket: { connectTimeout, reconnectStrategy, ...socket },
  };
}

/**
 * A cluster's cache is one pool shared by its node clients (node-redis BasicPooledClientSideCache,
 * set from the cluster's own `RESP` and `clientSideCache`); each node client also gets the same
 * default type mapping, so the cluster's reads pass its identity check.
 */
export function clusterOptions(options: Record<string, unknown>, connectTimeout: number, cache?: ClientSideCache): Record<string, unknown> {
  const defaults = isObject(options.defaults) ? options.defaults : {};
  const caching = cache ? cachingOptions(options, cache) : {};
  return {
    ...options,
    ...caching,
    // Each node client is a node-redis client: same defaults as a single server.
    defaults: cache ? { ...clientOptions(defaults, connectTimeout), commandOptions: caching.commandOptions } : clientOptions(defaults, connectTimeout),
  };
}
