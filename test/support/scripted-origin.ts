/**
 * Routes whose every header the test writes, for the RFC 9111 tests. The origin runs in the test
 * process, so its `Date` follows the test clock (controlClock moves Date.now) unless the test sets
 * one itself; pass `date: null` to send none.
 */
import type { IncomingMessage } from 'node:http';
import type { Origin } from './origin.js';

export interface Scripted {
  status?: number;
  headers?: Record<string, string | string[] | null | undefined>;
  body?: string;
}

export type Script = (req: IncomingMessage & { body: Buffer }, n: number) => Scripted;

/** An HTTP-date for an epoch ms (RFC 9110 §5.6.7 IMF-fixdate). */
export const httpDate = (ms: number): string => new Date(ms).toUTCString();

/** A date `seconds` from the test clock's now. */
export const fromNow = (seconds: number): string => httpDate(Date.now() + seconds * 1000);

export function script(origin: Origin, path: string, respond: Script): void {
  origin.route(path, (req, res, n) => {
    const { status = 200, headers = {}, body = `${path} #${n}` } = respond(req, n);
    res.sendDate = false;
    if (!('date' in headers)) res.setHeader('date', httpDate(Date.now()));
    for (const [name, value] of Object.entries(headers)) if (value !== null && value !== undefined) res.setHeader(name, value);
    res.statusCode = status;
    res.end(status === 304 || status === 204 || req.method === 'HEAD' ? undefined : body);
  });
}

/** A route answering 304 to a matching If-None-Match, else 200 with `headers` and the ETag. */
export function etagScript(origin: Origin, path: string, etag: string, headers: Record<string, string> = {}, notModified: Record<string, string> = {}): void {
  script(origin, path, (req, n) =>
    req.headers['if-none-match'] === etag ? { status: 304, headers: { etag, ...notModified } } : { headers: { etag, ...headers }, body: `${path} #${n}` },
  );
}
