/**
 * The local node:http origin every case talks to (127.0.0.1, a free port). Routes by first path
 * segment, so each scenario can use its own URLs and count what reached the origin:
 *   /json/...   a 2 KB JSON document, no validators
 *   /etag/...   the same document with an ETag; If-None-Match on it answers 304 without a body
 *   /bin/...    1 MiB of random bytes (application/octet-stream)
 *   /slow/...   the JSON document after 50 ms (so concurrent requests really overlap)
 *   /huge/<n>   n MiB streamed in 1 MiB chunks, with Content-Length
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';

const users = Array.from({ length: 21 }, (_, i) => ({ id: i, name: `User ${i}`, email: `user${i}@example.com`, roles: ['reader', 'writer'], active: i % 2 === 0 }));
/** About 2 KB of JSON, the "typical API response" every JSON scenario uses. */
export const JSON_BODY = JSON.stringify({ users, total: 21, page: 1, note: 'x'.repeat(120) });
export const BINARY_BODY = randomBytes(1024 * 1024);
// The big body (scenario h) repeats the random MiB: a binary download, not text. A body of one
// repeated byte value is valid UTF-8 and went to the filesystem as JSON text with every byte escaped.
const MIB_CHUNK = BINARY_BODY;
const ETAG = '"v1"';

export interface Origin {
  readonly base: string;
  /** Requests that reached the origin for exactly this path (query included). */
  hits(path: string): number;
  /** Requests that reached the origin under a route prefix, e.g. '/json/'. */
  hitsUnder(prefix: string): number;
  /**
   * Closes idle keep-alive connections. An idle client socket keeps the last request's axios
   * config alive, and with it the cache instance, until the origin's keep-alive timeout.
   */
  dropIdleConnections(): Promise<void>;
  /** 304 answers sent so far. */
  readonly notModified: number;
  close(): Promise<void>;
}

export async function startOrigin(): Promise<Origin> {
  const counts = new Map<string, number>();
  let notModified = 0;
  const server = http.createServer((req, res) => {
    const path = req.url ?? '/';
    counts.set(path, (counts.get(path) ?? 0) + 1);
    const route = path.split('/')[1];
    if (route === 'json') return sendJson(res);
    if (route === 'etag') {
      if (req.headers['if-none-match'] === ETAG) {
        notModified += 1;
        res.writeHead(304, { etag: ETAG });
        return res.end();
      }
      res.setHeader('etag', ETAG);
      return sendJson(res);
    }
    if (route === 'bin') {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': BINARY_BODY.length });
      return res.end(BINARY_BODY);
    }
    if (route === 'slow') return void setTimeout(() => sendJson(res), 50);
    if (route === 'huge') return streamMiB(res, Number(path.split('/')[2]) || 1);
    res.writeHead(404).end();
  });
  // Keep-alive sockets must not hold the process open at the end.
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base,
    hits: (path) => counts.get(path) ?? 0,
    hitsUnder: (prefix) => [...counts].reduce((sum, [p, n]) => (p.startsWith(prefix) ? sum + n : sum), 0),
    dropIdleConnections: async () => {
      server.closeIdleConnections();
      // Let the client side see the FIN and release its sockets.
      await new Promise((resolve) => setTimeout(resolve, 20));
    },
    get notModified() {
      return notModified;
    },
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

function sendJson(res: http.ServerResponse): void {
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(JSON_BODY) });
  res.end(JSON_BODY);
}

/** Streams n MiB with backpressure, reusing one chunk: the origin itself must not hold 100 MB. */
function streamMiB(res: http.ServerResponse, n: number): void {
  res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': n * MIB_CHUNK.length });
  let sent = 0;
  const pump = (): void => {
    while (sent < n) {
      sent += 1;
      if (!res.write(MIB_CHUNK)) return void res.once('drain', pump);
    }
    res.end();
  };
  pump();
}
