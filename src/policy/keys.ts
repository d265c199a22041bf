/**
 * Cache keys and stored-request redaction (reference §3.1, §5).
 */
import { createHash } from 'node:crypto';
import { canonicalContentType, normalizeBody } from './normalize-body.js';
import { matchedHeaderParts, normalizeHeaders, redactHeaders } from './normalize-headers.js';
import { normalizeUrl } from './normalize-url.js';
import type { HeaderRecord, KeySettings, RequestInfo, StoredRequest } from './types.js';

/**
 * The cache key of a request: sha256 hex (64 chars) over, in upstream's order (reference §3.1):
 * upper-case method, normalized URL, normalized body (`''` when none), the matched `name=value`
 * header parts, and the serializer name (so switching serializers never reads another one's data).
 *
 * Upstream's `verify` part becomes a trailing `verify=false` part for requests sent with TLS
 * verification off (`RequestInfo.insecure`); a CA bundle still verifies, so it shares the key, as
 * upstream (`test_verify`). Upstream concatenates parts
 * without separators and keeps 64 bits of blake2b; here every part is length-prefixed and
 * `\0`-terminated, so parts cannot run together even when a binary body contains `\0`, and the full
 * sha256 is kept (SPEC §4: never a weak hash).
 *
 * `matchHeaders`, when given, replaces `settings.matchHeaders`: Vary handling builds keys on the
 * Vary names (reference §3.6).
 */
export function createKey(
  request: RequestInfo,
  settings: KeySettings,
  matchHeaders?: boolean | readonly string[],
): string {
  const { ignoredParameters } = settings;
  const body = normalizeBody(request.body, request.headers['content-type'], ignoredParameters, settings.contentRootKey);
  const match = matchHeaders ?? settings.matchHeaders;
  const headerParts =
    match === false ? [] : matchedHeaderParts(normalizeHeaders(canonicalizeContentTypeHeader(request.headers), ignoredParameters), match);

  const hash = createHash('sha256');
  for (const part of [
    request.method.toUpperCase(),
    normalizeUrl(request.url, ignoredParameters),
    body ?? '',
    ...headerParts,
    settings.serializerName,
    // Only when verification is off, so every other key stays as it was.
    ...(request.insecure ? ['verify=false'] : []),
  ]) {
    const bytes = typeof part === 'string' ? Buffer.from(part, 'utf8') : part;
    hash.update(`${bytes.length}:`);
    hash.update(bytes);
    hash.update('\0');
  }
  return hash.digest('hex');
}

/**
 * The request as stored with its response (reference §5: `CachedRequest` is stored after
 * redaction): upper-case method, normalized URL (ignored query values `REDACTED`, params sorted),
 * headers with ignored values `REDACTED`, and the normalized body, absent when there is none.
 *
 * A multipart body is stored with the canonical boundary, so its `Content-Type` is stored with the
 * same boundary; otherwise the stored request would describe a body it does not carry.
 */
export function redactRequest(request: RequestInfo, settings: KeySettings): StoredRequest {
  const { ignoredParameters } = settings;
  const stored: StoredRequest = {
    method: request.method.toUpperCase(),
    url: normalizeUrl(request.url, ignoredParameters),
    headers: redactHeaders(canonicalizeContentTypeHeader(request.headers), ignoredParameters),
  };
  const body = normalizeBody(request.body, request.headers['content-type'], ignoredParameters, settings.contentRootKey);
  if (body !== undefined) stored.body = body;
  return stored;
}

/** A URL as it may be stored or logged: query sorted, ignored parameter values `REDACTED`. */
export function redactUrl(url: string, ignoredParameters: readonly string[]): string {
  return normalizeUrl(url, ignoredParameters);
}

function canonicalizeContentTypeHeader(headers: HeaderRecord): HeaderRecord {
  const contentType = headers['content-type'];
  const canonical = canonicalContentType(contentType);
  if (contentType === undefined || canonical === contentType) return headers;
  return { ...headers, 'content-type': canonical ?? contentType };
}
