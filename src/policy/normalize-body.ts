/**
 * Request bodies for cache keys and stored requests (reference §3.2).
 */
import { TextDecoder } from 'node:util';
import { normalizeJsonText } from './normalize-json.js';
import { normalizeQuery } from './normalize-url.js';

/**
 * Stands in for the random multipart boundary, in the body and in `Content-Type`, so identical
 * uploads share a key. requests-cache fixes urllib3's boundary for the same reason
 * (reference §3.2 "Multipart"); axios' FormData boundary cannot be fixed up front.
 */
export const MULTIPART_BOUNDARY = 'axios-keyv-cache-boundary';

/** Upstream's limit: larger JSON bodies are hashed raw rather than parsed (reference §3.2). */
const MAX_JSON_BYTES = 10 * 1024 * 1024;

/**
 * Normalize a request body by content type (reference §3.2):
 * - empty -> `undefined`;
 * - `application/*` containing `json`, 2 < bytes <= 10 MiB: sorted/redacted root (see normalize-json);
 * - `application/x-www-form-urlencoded`: like a query string ({@link normalizeQuery});
 * - `multipart/form-data; boundary=B`: every `B` replaced by {@link MULTIPART_BOUNDARY};
 * - anything else, or a body that cannot be normalized: unchanged (order-sensitive, reference §10.5).
 *
 * Ignored names match exact-case in bodies, as upstream.
 */
export function normalizeBody(
  body: string | Buffer | undefined,
  contentType: string | undefined,
  ignoredParameters: readonly string[],
  contentRootKey?: string,
): string | Buffer | undefined {
  if (body === undefined || body.length === 0) return undefined;
  const mediaType = mediaTypeOf(contentType);

  if (mediaType.startsWith('application/') && mediaType.includes('json')) {
    const size = typeof body === 'string' ? Buffer.byteLength(body, 'utf8') : body.length;
    if (size <= 2 || size > MAX_JSON_BYTES) return body;
    const text = decodeUtf8(body);
    if (text === undefined) return body;
    return normalizeJsonText(text, new Set(ignoredParameters), contentRootKey) ?? body;
  }

  if (mediaType === 'application/x-www-form-urlencoded') {
    const text = decodeUtf8(body);
    return text === undefined ? body : normalizeQuery(text, new Set(ignoredParameters));
  }

  if (mediaType === 'multipart/form-data') {
    const boundary = boundaryOf(contentType);
    return boundary === undefined ? body : replaceAll(body, boundary, MULTIPART_BOUNDARY);
  }

  return body;
}

/**
 * The content type as it enters a key: for `multipart/form-data`, the boundary parameter becomes
 * {@link MULTIPART_BOUNDARY} so `matchHeaders: true` keys do not depend on the random boundary.
 * Anything else is returned unchanged.
 */
export function canonicalContentType(contentType: string | undefined): string | undefined {
  if (contentType === undefined || mediaTypeOf(contentType) !== 'multipart/form-data') return contentType;
  return contentType.replace(BOUNDARY_PARAM, (_match, prefix: string) => `${prefix}${MULTIPART_BOUNDARY}`);
}

/** `boundary=` with a token or quoted-string value (RFC 9110 §5.6.6). */
const BOUNDARY_PARAM = /(;\s*boundary\s*=\s*)("(?:[^"\\]|\\.)*"|[^;\s]*)/i;

function boundaryOf(contentType: string | undefined): string | undefined {
  const found = contentType === undefined ? null : BOUNDARY_PARAM.exec(contentType);
  if (found === null) return undefined;
  const raw = found[2] ?? '';
  const value = raw.startsWith('"') ? raw.slice(1, -1).replace(/\\(.)/g, '$1') : raw;
  return value === '' ? undefined : value;
}

/** Media type (before any `;` parameter), lower-cased: media types are case-insensitive (RFC 9110 §8.3.1). */
function mediaTypeOf(contentType: string | undefined): string {
  return (contentType ?? '').split(';', 1)[0]?.trim().toLowerCase() ?? '';
}

/**
 * Body text, or `undefined` when a Buffer is not valid UTF-8: decoding would map different invalid
 * bytes to the same U+FFFD, so such bodies are hashed raw instead.
 */
function decodeUtf8(body: string | Buffer): string | undefined {
  if (typeof body === 'string') return body;
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(body);
  } catch {
    return undefined;
  }
}

/** Byte-level replacement, so binary parts of a multipart body are never re-encoded. */
function replaceAll(body: string | Buffer, search: string, replacement: string): string | Buffer {
  if (typeof body === 'string') return body.split(search).join(replacement);
  const needle = Buffer.from(search, 'utf8');
  const substitute = Buffer.from(replacement, 'utf8');
  const chunks: Buffer[] = [];
  let start = 0;
  for (let at = body.indexOf(needle); at !== -1; at = body.indexOf(needle, start)) {
    chunks.push(body.subarray(start, at), substitute);
    start = at + needle.length;
  }
  if (start === 0) return body;
  chunks.push(body.subarray(start));
  return Buffer.concat(chunks);
}
