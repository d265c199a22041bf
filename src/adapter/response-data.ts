/**
 * Raw body bytes in and out of axios' response shapes. The cache stores bytes; each caller gets the
 * shape its own `responseType` asks for, built fresh, exactly as the Node http adapter builds it.
 */
import { Readable } from 'node:stream';
import type { AxiosResponse, AxiosResponseHeaders, InternalAxiosRequestConfig } from 'axios';

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
 * The body as this caller's `responseType` wants it: a copy, so mutating it never changes what the
 * cache returns next. Text follows the http adapter: `responseEncoding` (utf8 by default), BOM stripped
 * for utf8.
 */
export function bodyForResponseType(body: Buffer, config: InternalAxiosRequestConfig): unknown {
  switch (config.responseType) {
    case 'arraybuffer':
      return Buffer.from(body);
    case 'stream':
      return Readable.from([Buffer.from(body)]);
    case 'blob':
      return new Blob([body]);
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
