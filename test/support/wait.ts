/**
 * Small helpers for integration tests: real (short) sleeps for origin routes that must be slow, and
 * polling for something a background task does. Expiry never waits on these: use controlClock.
 */
import type { ServerResponse } from 'node:http';

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` every few ms until it returns true; fails with `what` after `timeoutMs`. */
export async function waitFor(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 2000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await check())) {
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(5);
  }
}

/** Sends a JSON body with optional extra headers. */
export function sendJson(res: ServerResponse, body: unknown, headers: Record<string, string> = {}, status = 200): void {
  res.statusCode = status;
  res.setHeader('content-type', 'application/json');
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  res.end(JSON.stringify(body));
}

/** Sends a 304 with optional headers and no automatic Date header (so "nothing changed" is stable). */
export function sendNotModified(res: ServerResponse, headers: Record<string, string> = {}): void {
  res.sendDate = false;
  res.statusCode = 304;
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  res.end();
}

/** Milliseconds since `start` (performance.now based, unaffected by controlClock). */
export const elapsed = (start: number): number => performance.now() - start;

/** How long `promise` took to settle, and its value or error; fails if it is still pending after `ms`. */
export async function settleWithin<T>(ms: number, promise: Promise<T>): Promise<{ ms: number; error?: Error; value?: T }> {
  const start = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`still pending after ${ms} ms`)), ms)));
  try {
    const value = await Promise.race([promise, hang]);
    return { ms: Date.now() - start, value };
  } catch (error) {
    return { ms: Date.now() - start, error: error as Error };
  } finally {
    clearTimeout(timer);
  }
}
