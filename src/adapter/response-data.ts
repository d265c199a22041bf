/**
 * Raw body bytes in and out of axios' response shapes. The cache stores bytes; each caller gets the
 * shape its own `responseType` asks for, built fresh, exactly as the Node http adapter builds it.
 */
import { Readable } from 'node:stream';
import { getAdapter, type AxiosAdapter, type AxiosResponse, type AxiosResponseHeaders, type InternalAxiosRequestConfig } from 'axios';

/** Whatever an adapter returned for `responseType: 'arraybuffer'`, as a Buffer. */
export async function toBuffer(data: unknown): Promise<Buffer> {
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
  throw new TypeError(`cannot read a response body of type ${typeof data}`);
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

/**
 * The body as this caller's `responseType` wants it, shaped as its adapter would have: a copy, so
 * mutating it never changes what the cache returns next.
 */
export function bodyForResponseType(body: Buffer, config: InternalAxiosRequestConfig, shape: BodyShape = 'node'): unknown {
  const type = config.responseType?.toLowerCase();
  if (shape === 'fetch') {
    switch (type) {
      case 'arraybuffer':
        return body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength);
      case 'blob':
        return new Blob([body]);
      case 'stream':
        return new Blob([body]).stream();
      default:
        // Response.text(): UTF-8, BOM removed.
        return new TextDecoder().decode(body);
    }
  }
  switch (type) {
    case 'arraybuffer':
      return Buffer.from(body);
    case 'stream':
      return Readable.from([Buffer.from(body)]);
    default: {
      const encoding = (config.responseEncoding ?? 'utf8') as BufferEncoding;
      const text = body.toString(encoding);
      return encoding === 'utf8' && text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
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
