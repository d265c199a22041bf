/**
 * The backends the bench runs on: memory, sqlite (a real file) and filesystem always; redis (also
 * with `redisClientCache`, as `redis+clientcache`),
 * mongodb (jongodb) and dynamodb (dynalite) when their server can be started here. Servers are the
 * test suite's starters (127.0.0.1, free ports, stopped by PID).
 */
import { join } from 'node:path';
import type { CacheOptions } from '../../src/index.js';
import { findBinary } from '../../test/support/servers/process.js';
import { startRedis, type RedisServer } from '../../test/support/servers/redis-server.js';
import { jongodbBinary, startJongodb, type Jongodb } from '../../test/support/servers/jongodb.js';
import { dynaliteCli, startDynalite, DYNALITE_CREDENTIALS, type Dynalite } from '../../test/support/servers/dynalite-server.js';
import { tempDir } from '../../test/support/temp.js';

export interface Backend {
  readonly name: string;
  /** Server backends keep entries outside this process (their memory figures are the client's only). */
  readonly remote: boolean;
  /** setupCache options for a fresh, separate cache called `cacheName` (default options otherwise). */
  options(cacheName: string): CacheOptions;
}

export interface Backends {
  readonly all: Backend[];
  /** One line per backend that could not run, e.g. "redis: skipped: redis-server not installed". */
  readonly skipped: string[];
  get(name: string): Backend | undefined;
  stop(): Promise<void>;
}

export async function startBackends(): Promise<Backends> {
  const dir = tempDir('akc-bench-');
  const all: Backend[] = [
    { name: 'memory', remote: false, options: () => ({ backend: 'memory' }) },
    { name: 'sqlite', remote: false, options: (name) => ({ cacheName: join(dir, `${name}.sqlite`) }) },
    { name: 'filesystem', remote: false, options: (name) => ({ backend: 'filesystem', cacheName: join(dir, `fs-${name}`) }) },
  ];
  const skipped: string[] = [];
  const stops: (() => Promise<void>)[] = [];

  let redis: RedisServer | undefined;
  if (findBinary('redis-server')) {
    redis = await startRedis();
    stops.push(() => redis!.stop());
    const url = redis.url;
    all.push({ name: 'redis', remote: true, options: (name) => ({ backend: 'redis', cacheName: `bench-${name}`, connection: url }) });
    // The same server with client-side caching (RESP3 tracking, src/storage/redis/client-cache.ts):
    // hits come from process memory, the server still holds every entry.
    all.push({ name: 'redis+clientcache', remote: true, options: (name) => ({ backend: 'redis', cacheName: `bench-csc-${name}`, connection: url, redisClientCache: true }) });
  } else {
    skipped.push('redis: skipped: redis-server not installed');
  }

  let mongo: Jongodb | undefined;
  if (jongodbBinary()) {
    mongo = await startJongodb();
    stops.push(() => mongo!.stop());
    const url = mongo.url;
    all.push({ name: 'mongodb', remote: true, options: (name) => ({ backend: 'mongodb', cacheName: `bench_${name}`, connection: url }) });
  } else {
    skipped.push('mongodb: skipped: jongodb not installed (npm devDependency)');
  }

  let dynamo: Dynalite | undefined;
  if (dynaliteCli()) {
    dynamo = await startDynalite();
    stops.push(() => dynamo!.stop());
    const endpoint = dynamo.endpoint;
    all.push({
      name: 'dynamodb',
      remote: true,
      options: (name) => ({ backend: 'dynamodb', cacheName: `bench-${name}`, connection: { endpoint, region: 'us-east-1', credentials: DYNALITE_CREDENTIALS, createTable: true } }),
    });
  } else {
    skipped.push('dynamodb: skipped: dynalite not installed (npm devDependency)');
  }

  return {
    all,
    skipped,
    get: (name) => all.find((b) => b.name === name),
    stop: async () => {
      await Promise.allSettled(stops.map((stop) => stop()));
    },
  };
}
