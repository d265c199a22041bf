/**
 * The document the text serializers (json, yaml) write: the entry's fields, plus `s` naming the
 * serializer, with each body as text when its bytes are valid UTF-8 (so a stored JSON or HTML
 * response is legible in SQLite, Redis or a file) and as `bodyBase64` otherwise (exact bytes).
 */
import { isUtf8 } from 'node:buffer';
import type { CachedEntry } from '../policy/types.js';
import { checkWritable } from './entry-check.js';

/**
 * Whether a body is stored as text: its bytes are valid UTF-8, so decoding and encoding them again
 * gives the same bytes (https://nodejs.org/api/buffer.html#bufferisutf8input checks without
 * decoding, so a large binary body costs no copy to reject).
 */
export function isTextBody(bytes: Uint8Array): boolean {
  return isUtf8(bytes);
}

/** Text when `bytes` decode to UTF-8 and encode back to the same bytes, else undefined. */
function exactText(bytes: Uint8Array): string | undefined {
  if (!isTextBody(bytes)) return undefined;
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  return Buffer.byteLength(text) === bytes.byteLength && Buffer.from(text, 'utf8').equals(bytes) ? text : undefined;
}

type Body = { body: string } | { bodyBase64: string };

function encodeBody(bytes: Uint8Array): Body {
  const text = exactText(bytes);
  return text === undefined ? { bodyBase64: Buffer.from(bytes).toString('base64') } : { body: text };
}

export function toTextDocument(entry: CachedEntry, id: string): Record<string, unknown> {
  const plain = checkWritable(entry, id);
  const { body, request, ...rest } = plain;
  const { body: requestBody, ...requestRest } = request;
  const doc: Record<string, unknown> = { s: id, ...rest, ...encodeBody(body), request: { ...requestRest } };
  if (requestBody !== undefined) {
    Object.assign(doc.request as object, typeof requestBody === 'string' ? { body: requestBody } : { bodyBase64: requestBody.toString('base64') });
  }
  return doc;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The entry-shaped object (bodies as bytes) for `checkEntry`; throws when `s` is another serializer's. */
export function fromTextDocument(doc: unknown, id: string): unknown {
  if (!isRecord(doc) || doc.s !== id) throw new TypeError(`not a cache entry written by the ${id} serializer`);
  const { s: _s, body, bodyBase64, request, ...rest } = doc;
  const out: Record<string, unknown> = { ...rest };
  if (typeof bodyBase64 === 'string') out.body = Buffer.from(bodyBase64, 'base64');
  else if (typeof body === 'string') out.body = Buffer.from(body, 'utf8');
  if (isRecord(request)) {
    const { bodyBase64: requestBase64, ...requestRest } = request;
    out.request = typeof requestBase64 === 'string' ? { ...requestRest, body: Buffer.from(requestBase64, 'base64') } : requestRest;
  } else out.request = request;
  return out;
}
