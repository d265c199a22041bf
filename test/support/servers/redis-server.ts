/**
 * redis-server for the redis backend tests: one server, or a 3-master Redis Cluster, on 127.0.0.1
 * free ports, without persistence, stopped by PID (../shared/reference/infra-notes.md §2).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { acceptsConnections, findBinary, freePort, missingServer, portIsFree, startProcess, type RunningServer } from './process.js';

const run = promisify(execFile);
export const REDIS_HINT = 'apt-get install redis-server';

export function requireRedis(context: Mocha.Context, cluster = false): void {
  if (!findBinary('redis-server')) missingServer(context, 'redis-server', REDIS_HINT);
  if (cluster && !findBinary('redis-cli')) missingServer(context, 'redis-cli', REDIS_HINT);
}

export interface RedisServer {
  readonly port: number;
  readonly url: string;
  readonly server: RunningServer;
  stop(): Promise<void>;
}

/** `redis-cli -p port args...` output. */
export async function redisCli(port: number, ...args: string[]): Promise<string> {
  const { stdout } = await run(findBinary('redis-cli')!, ['-h', '127.0.0.1', '-p', String(port), ...args], { timeout: 10000 });
  return stdout;
}

/** Starts redis-server on `port` (e.g. a restart on the same port) or a free one; `extra` flags such as --requirepass. */
export async function startRedis(port?: number, extra: string[] = []): Promise<RedisServer> {
  const p = port ?? (await freePort());
  for (let i = 0; i < 100 && !(await portIsFree(p)); i += 1) await new Promise((r) => setTimeout(r, 50));
  const dir = mkdtempSync(join(tmpdir(), 'redis-test-'));
  const server = await startProcess(findBinary('redis-server')!, ['--port', String(p), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, ...extra], () => acceptsConnections(p));
  return {
    port: p,
    url: `redis://127.0.0.1:${p}`,
    server,
    async stop() {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface RedisCluster {
  readonly ports: number[];
  readonly urls: string[];
  stop(): Promise<void>;
}

/** A port P with P and P + 10000 (the cluster bus) both free. */
async function clusterPort(taken: Set<number>): Promise<number> {
  for (let i = 0; i < 200; i += 1) {
    const p = 20000 + Math.floor(Math.random() * 35000);
    if (taken.has(p) || taken.has(p + 10000)) continue;
    if ((await portIsFree(p)) && (await portIsFree(p + 10000))) return p;
  }
  throw new Error('no free port pair for a Redis Cluster node');
}

/** Three masters, no replicas, slots assigned by `redis-cli --cluster create`; resolves at cluster_state:ok. */
export async function startRedisCluster(): Promise<RedisCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'redis-cluster-'));
  const taken = new Set<number>();
  const ports: number[] = [];
  for (let i = 0; i < 3; i += 1) {
    const p = await clusterPort(taken);
    taken.add(p);
    taken.add(p + 10000);
    ports.push(p);
  }
  const servers: RunningServer[] = [];
  const stop = async (): Promise<void> => {
    await Promise.all(servers.map((s) => s.stop()));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (const p of ports) {
      servers.push(
        await startProcess(
          findBinary('redis-server')!,
          ['--cluster-enabled', 'yes', '--cluster-config-file', join(dir, `nodes-${p}.conf`), '--port', String(p), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
          () => acceptsConnections(p),
        ),
      );
    }
    await run(findBinary('redis-cli')!, ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '0', '--cluster-yes'], { timeout: 30000 });
    const deadline = Date.now() + 20000;
    for (;;) {
      const states = await Promise.all(ports.map((p) => redisCli(p, 'cluster', 'info').catch(() => '')));
      if (states.every((s) => s.includes('cluster_state:ok'))) break;
      if (Date.now() > deadline) throw new Error(`cluster not ok after 20 s:\n${states.join('\n')}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { ports, urls: ports.map((p) => `redis://127.0.0.1:${p}`), stop };
}
