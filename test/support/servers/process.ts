/**
 * Starting real servers for backend tests: on 127.0.0.1, on free ports, stopped by the PID we
 * started (never by name). A missing server binary is a skip with an install hint outside CI and a
 * failure in CI (CI=true), where .ci/run has installed everything.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import net from 'node:net';
import { delimiter, join } from 'node:path';

/** A port nobody listens on now (the kernel picks it). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

/** Is `port` free on 127.0.0.1 right now? */
export async function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** The absolute path of `name` on PATH (or in /usr/sbin, /usr/bin), else undefined. */
export function findBinary(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/bin', '/usr/sbin', '/usr/local/bin'];
  for (const dir of dirs) {
    if (dir && existsSync(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

/**
 * Call in a `before` hook when a server binary is missing: skips the suite with `hint` outside CI,
 * throws in CI.
 */
export function missingServer(context: Mocha.Context, what: string, hint: string): never {
  const message = `${what} is not available: ${hint}`;
  if (process.env.CI === 'true') throw new Error(`${message} (CI=true: a missing server is a failure)`);
  console.log(`      skipped: ${message}`);
  context.skip();
  throw new Error('unreachable');
}

export interface RunningServer {
  readonly child: ChildProcess;
  readonly pid: number;
  output(): string;
  /** SIGTERM by PID, then SIGKILL after 3 s; resolves once the process has exited. */
  stop(): Promise<void>;
}

/**
 * Spawns a server and waits until `ready()` resolves true (polled), or fails after `timeoutMs` with
 * the server's output.
 */
export async function startProcess(command: string, args: string[], ready: () => Promise<boolean>, timeoutMs = 15000, env: NodeJS.ProcessEnv = process.env): Promise<RunningServer> {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
  let out = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  let exited = false;
  const exit = new Promise<void>((resolve) => child.once('exit', () => {
    exited = true;
    resolve();
  }));
  const server: RunningServer = {
    child,
    pid: child.pid ?? -1,
    output: () => out,
    async stop() {
      if (exited) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exit;
      clearTimeout(timer);
    },
  };
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exited) throw new Error(`${command} exited before it was ready:\n${out}`);
    if (await ready().catch(() => false)) return server;
    if (Date.now() > deadline) {
      await server.stop();
      throw new Error(`${command} not ready after ${timeoutMs} ms:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** True once something accepts TCP connections on the port. */
export function acceptsConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
