/**
 * dynalite (npm, an in-memory DynamoDB implementation) started as a child process on 127.0.0.1 and
 * stopped by PID (../shared/reference/infra-notes.md §3). `--createTableMs 0` (and delete/update) is
 * essential: with dynalite's default 500 ms a new table's first operation takes about 20 s behind
 * the SDK waiter's backoff. dynalite has no UpdateTimeToLive and never sweeps expired items.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { acceptsConnections, freePort, missingServer, portIsFree, startProcess, type RunningServer } from './process.js';

// The AWS SDK warns on Node 20 that later versions need Node 22 (infra-notes §3); the lockfile pins one that works.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

export const DYNALITE_HINT = 'npm install -D dynalite@4';

/** dynalite's cli.js, or undefined when the package is not installed. */
export function dynaliteCli(): string | undefined {
  try {
    return join(dirname(createRequire(import.meta.url).resolve('dynalite/package.json')), 'cli.js');
  } catch {
    return undefined;
  }
}

export interface Dynalite {
  readonly port: number;
  readonly endpoint: string;
  readonly server: RunningServer;
  stop(): Promise<void>;
}

/** Starts dynalite on `port` (to restart one on the same port) or a free one. */
export async function startDynalite(port?: number): Promise<Dynalite> {
  const cli = dynaliteCli();
  if (!cli) throw new Error(`dynalite is not installed: ${DYNALITE_HINT}`);
  const p = port ?? (await freePort());
  for (let i = 0; i < 100 && !(await portIsFree(p)); i += 1) await new Promise((r) => setTimeout(r, 50));
  const args = [cli, '--host', '127.0.0.1', '--port', String(p), '--createTableMs', '0', '--deleteTableMs', '0', '--updateTableMs', '0'];
  const server = await startProcess(process.execPath, args, () => acceptsConnections(p));
  return { port: p, endpoint: `http://127.0.0.1:${p}`, server, stop: () => server.stop() };
}

/** In a `before` hook: skips (or fails in CI) when dynalite is missing. */
export function requireDynalite(context: Mocha.Context): void {
  if (!dynaliteCli()) missingServer(context, 'dynalite (DynamoDB test server)', DYNALITE_HINT);
}

/** Credentials dynalite accepts (any). */
export const DYNALITE_CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };
