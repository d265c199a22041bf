/**
 * Request bodies for cache keys and stored requests (docs/behaviour.md §3.2).
 */
import { TextDecoder } from 'node:util';
import { REDACTED } from '../constants.js';
import { log } from '../debug.js';
import { asRedactor, type Redactor } from './credentials.js';
import { MAX_JSON_DEPTH, normalizeJson } from './normalize-json.js';
import { normalizeQuery } from './normalize-url.js';

/**
 * Stands in for the random multipart boundary, in the body and in `Content-Type`, so identical
 * uploads share a key. requests-cache fixes urllib3's boundary for the same reason
 * (docs/behaviour.md §3.2 "Multipart"); axios' FormData boundary cannot be fixed up front.
 */
export const MULTIPART_BOUNDARY = 'axios-keyv-cache-boundary';

/** Upstream's limit: larger JSON bodies are hashed raw rather than parsed (docs/behaviour.md §3.2). */
const MAX_JSON_BYTES = 10 * 1024 * 1024;

/**
 * Normalize a request body by content type (docs/behaviour.md §3.2):
 * - empty -> `undefined`;
 * - `application/*` containing `json`, 2 < bytes <= 10 MiB: canonical JSON, listed names replaced
 *   at any depth (see normalize-json);
 * - any other type (or none) whose text parses as a JSON object or array holding a listed name:
 *   the same, so a JSON body sent as `text/plain` cannot carry a token into a key or into storage
 *   (requests-cache leaves it unchanged); without a listed name it stays verbatim;
 * - `application/x-www-form-urlencoded`: like a query string ({@link normalizeQuery});
 * - `multipart/form-data; boundary=B`: every `B` replaced by {@link MULTIPART_BOUNDARY}, and the
 *   value of each part whose `Content-Disposition` name is listed replaced;
 * - anything else, or a body that cannot be normalized: unchanged (order-sensitive, docs/behaviour.md §10.5).
 *
 * Listed names (see {@link Redactor}; a plain list means ignored names) match case-insensitively.
 * A JSON body nested deeper than {@link MAX_JSON_DEPTH} is keyed as its raw bytes and, in `store`
 * mode, stored as `REDACTED` (it was not searched for secrets).
 */
export function normalizeBody(
  body: string | Buffer | undefined,
  contentType: string | undefined,
  names: Redactor | readonly string[] | ReadonlySet<string>,
  _contentRootKey?: string,
): string | Buffer | undefined {
  if (body === undefined || body.length === 0) return undefined;
  const redactor = asRedactor(names);
  const mediaType = mediaTypeOf(contentType);

  // axios labels a string body `application/x-www-form-urlencoded` when no type is set, JSON text
  // included, so a body that looks like JSON is tried as JSON first.
  if (mediaType === 'application/x-www-form-urlencoded' && !(looksLikeJson(body) && isJsonText(body))) {
    const text = decodeUtf8(body);
    return text === undefined ? body : normalizeQuery(text, redactor, 'body');
  }

  if (mediaType === 'multipart/form-data') {
    const boundary = boundaryOf(contentType);
    if (boundary === undefined) return body;
    const canonical = replaceAll(body, boundary, MULTIPART_BOUNDARY);
    return redactor.empty ? canonical : redactMultipart(canonical, redactor);
  }

  const declaredJson = mediaType.startsWith('application/') && mediaType.includes('json');
  if (declaredJson || looksLikeJson(body)) {
    const size = typeof body === 'string' ? Buffer.byteLength(body, 'utf8') : body.length;
    if (size <= 2 || size > MAX_JSON_BYTES) return body;
    const text = decodeUtf8(body);
    if (text === undefined) return body;
    const result = normalizeJson(text, redactor);
    if (result.kind === 'ok') return declaredJson || result.replaced ? result.text : body;
    if (result.kind === 'too-deep') {
      log('JSON body nested deeper than %d levels: keyed as raw bytes, not redacted', MAX_JSON_DEPTH);
      return redactor.mode === 'store' && !redactor.empty ? REDACTED : body;
    }
  }

  return body;
}

function isJsonText(body: string | Buffer): boolean {
  const text = decodeUtf8(body);
  if (text === undefined) return false;
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** First non-whitespace byte is `{` or `[`: worth trying as JSON whatever the content type says. */
function looksLikeJson(body: string | Buffer): boolean {
  for (let i = 0; i < body.length; i += 1) {
    const code = typeof body === 'string' ? body.charCodeAt(i) : body[i]!;
    if (code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d) continue;
    return code === 0x7b || code === 0x5b;
  }
  return false;
}

/** `name=` in a part's `Content-Disposition` (RFC 7578 §4.2), quoted or bare. */
const PART_NAME = /;\s*name\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;\s]+))/i;

/**
 * The value of every part whose form-field name is listed replaced (RFC 7578 §4.1: parts are
 * delimited by `--boundary`, headers end at the first empty line, the value runs to the CRLF before
 * the next delimiter). Works on bytes, so binary parts are never re-encoded.
 */
function redactMultipart(body: string | Buffer, redactor: Redactor): string | Buffer {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  const delimiter = Buffer.from(`--${MULTIPART_BOUNDARY}`);
  const out: Buffer[] = [];
  let changed = false;
  let at = bytes.indexOf(delimiter);
  if (at === -1) return body;
  out.push(bytes.subarray(0, at));
  while (at !== -1) {
    const next = bytes.indexOf(delimiter, at + delimiter.length);
    const part = bytes.subarray(at, next === -1 ? bytes.length : next);
    out.push(redactPart(part, delimiter.length, redactor, () => (changed = true)));
    at = next;
  }
  if (!changed) return body;
  const joined = Buffer.concat(out);
  return typeof body === 'string' ? joined.toString('utf8') : joined;
}

function redactPart(part: Buffer, delimiterLength: number, redactor: Redactor, onChange: () => void): Buffer {
  const headersEnd = part.indexOf('\r\n\r\n', delimiterLength);
  if (headersEnd === -1) return part;
  const head = part.subarray(0, headersEnd).toString('latin1');
  const disposition = /^content-disposition:(.*)$/im.exec(head);
  const found = disposition ? PART_NAME.exec(disposition[1] ?? '') : null;
  if (!found) return part;
  const name = Buffer.from(found[1] ?? found[2] ?? '', 'latin1').toString('utf8');
  const valueStart = headersEnd + 4;
  const valueEnd = part.length >= valueStart + 2 && part.subarray(-2).toString('latin1') === '\r\n' ? part.length - 2 : part.length;
  const replacement = redactor.replace('body', name, part.subarray(valueStart, valueEnd));
  if (replacement === undefined) return part;
  onChange();
  return Buffer.concat([part.subarray(0, valueStart), Buffer.from(replacement), part.subarray(valueEnd)]);
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
