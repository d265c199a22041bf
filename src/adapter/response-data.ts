/**
 * Raw body bytes in and out of axios' response shapes. The cache stores bytes; each caller gets the
 * shape its own `responseType` asks for, built fresh, exactly as the Node http adapter builds it.
 */
import { Readable } from 'node:stream';
import { getAdapter, type AxiosAdapter, type AxiosResponse, type AxiosResponseHeaders, type InternalAxiosRequestConfig } from 'axios';
import { headerValue } from '../policy/headers.js';
import type { StoredHeaders } from '../policy/types.js';
import { defaultJsonParse, parsedJsonCopy } from './parsed-json.js';

/**
 * Whatever an adapter returned for `responseType: 'arraybuffer'`, as a Buffer; undefined when it is
 * not bytes at all (a custom or mock adapter that answers with parsed objects ignores responseType).
 */
export async function toBuffer(data: unknown): Promise<Buffer | undefined> {
  if (data === undefined || data === null) return Buffer.alloc(0);
  if (Buffer.isBuffer(data)) return data;
  if (data instanceof ArrayBuffer) return Buffer.from(data);
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (typeof data === 'string') return Buffer.from(data);
  if (typeof Blob !== 'undefined' && data instanceof Blob) return Buffer.from(await data.arrayBuffer());
  if (typeof (data as AsyncIterable<Buffer>)[Symbol.asyncIterator] === 'function') {
    const chunks: Buffer[] = [];
    for await (const chunk of data as AsyncIterable<Buffer | string>) chunks.push(Buffer.from(chunk));
    return Buffer.concat(chunks);
  }
  return undefined;
}

/**
 * Which adapter's output shapes a body: axios' fetch adapter answers with web types (ArrayBuffer,
 * Blob, ReadableStream, UTF-8 text); the Node http adapter (and custom adapters, by default) with
 * Buffer, Readable, or text in `responseEncoding` for every other type, `blob` included.
 */
export type BodyShape = 'fetch' | 'node';

/**
 * axios resolves `'fetch'` through a factory memoized per environment, so the adapter it returns is
 * recognised by identity (it carries no `adapterName`, unlike the http and xhr adapters).
 */
export function shapeOf(adapter: AxiosAdapter, config: InternalAxiosRequestConfig): BodyShape {
  try {
    return getAdapter('fetch', config) === adapter ? 'fetch' : 'node';
  } catch {
    return 'node'; // no fetch in this environment
  }
}

/** What a response looked like, for the shapes that depend on more than the body bytes. */
export interface BodyContext {
  status: number;
  headers: StoredHeaders;
  /** The cache key of a stored response being served: its parsed JSON may be kept (parsed-json.ts). */
  cacheKey?: string;
}

/** Fetch's null-body statuses (Fetch standard): such a Response has `body === null`. */
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

/**
 * The body as this caller's `responseType` wants it, shaped as its adapter would have: a copy, so
 * mutating it never changes what the cache returns next. The fetch adapter's `blob` and `formdata`
 * come from `Response.blob()` / `Response.formData()` (so a Blob carries the MIME type fetch derives
 * from Content-Type), which is asynchronous: those two return a Promise, every other shape a value.
 */
export function bodyForResponseType(body: Buffer, config: InternalAxiosRequestConfig, shape: BodyShape, context: BodyContext): unknown {
  const type = config.responseType?.toLowerCase();
  if (shape === 'fetch') {
    switch (type) {
      case 'arraybuffer':
        return body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength);
      case 'blob':
      case 'formdata': {
        const contentType = headerValue(context.headers, 'content-type');
        const response = new Response(new Uint8Array(body), { headers: contentType === undefined ? undefined : { 'content-type': contentType } });
        return type === 'blob' ? response.blob() : response.formData();
      }
      case 'stream':
        // Response.body: null for a HEAD request and the null-body statuses.
        if (config.method?.toUpperCase() === 'HEAD' || NULL_BODY_STATUSES.has(context.status)) return null;
        return new Blob([body]).stream();
      default: {
        // Response.text(): UTF-8, BOM removed.
        const text = () => new TextDecoder().decode(body);
        const json = context.cacheKey !== undefined && defaultJsonParse(config) ? parsedJsonCopy(context.cacheKey, body, shape, text) : undefined;
        return json ? json.value : text();
      }
    }
  }
  switch (type) {
    case 'arraybuffer':
      return Buffer.from(body);
    case 'stream':
      return Readable.from([Buffer.from(body)]);
    default: {
      const encoding = (config.responseEncoding ?? 'utf8') as BufferEncoding;
      const text = () => {
        const decoded = body.toString(encoding);
        return encoding === 'utf8' && decoded.charCodeAt(0) === 0xfeff ? decoded.slice(1) : decoded;
      };
      const json = context.cacheKey !== undefined && encoding === 'utf8' && defaultJsonParse(config) ? parsedJsonCopy(context.cacheKey, body, shape, text) : undefined;
      return json ? json.value : text();
    }
  }
}

/** The data the caller's code would see: the raw body run through its own transformResponse. */
export function transformedData(config: InternalAxiosRequestConfig, response: AxiosResponse): unknown {
  const transforms = config.transformResponse;
  const list = transforms === undefined ? [] : Array.isArray(transforms) ? transforms : [transforms];
  let data = response.data;
  for (const transform of list) data = transform.call(config, data, response.headers as AxiosResponseHeaders, response.status);
  return data;
}
