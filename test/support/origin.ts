/**
 * A real node:http origin on 127.0.0.1 for integration tests. Routes are plain handlers by path;
 * every request is recorded (method, url, headers, body) so tests can count network calls and
 * check exactly what reached the origin.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  url: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export type Handler = (req: IncomingMessage & { body: Buffer }, res: ServerResponse, hit: number) => void | Promise<void>;

export interface Origin {
  readonly base: string;
  url(path: string): string;
  readonly requests: RecordedRequest[];
  /** Requests received, optionally only for one path (without query). */
  count(path?: string): number;
  route(path: string, handler: Handler): void;
  reset(): void;
  close(): Promise<void>;
}

/** Responds with JSON `{ path, n }` where n counts the hits on that path: a changed n means a network call. */
const defaultHandler: Handler = (req, res, hit) => {
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ path: req.url, method: req.method, n: hit }));
};

export async function startOrigin(): Promise<Origin> {
  const routes = new Map<string, Handler>();
  const requests: RecordedRequest[] = [];
  const hits = new Map<string, number>();

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const path = (req.url ?? '/').split('?')[0];
      requests.push({ method: req.method ?? 'GET', url: req.url ?? '/', path, headers: req.headers, body });
      const hit = (hits.get(path) ?? 0) + 1;
      hits.set(path, hit);
      const handler = routes.get(path) ?? defaultHandler;
      Promise.resolve(handler(Object.assign(req, { body }), res, hit)).catch((error: unknown) => {
        res.statusCode = 500;
        res.end(String(error));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    base,
    url: (path) => base + path,
    requests,
    count: (path) => (path === undefined ? requests.length : requests.filter((r) => r.path === path).length),
    route: (path, handler) => void routes.set(path, handler),
    reset() {
      requests.length = 0;
      hits.clear();
      routes.clear();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
