/**
 * Cache keys and stored-request redaction (docs/behaviour.md §3.1, §5).
 */
import { createHash } from 'node:crypto';
import { REDACTED } from '../constants.js';
import { credentialDigest, matchName, redactorFor, type Redactor } from './credentials.js';
import { canonicalContentType, normalizeBody } from './normalize-body.js';
import { canonicalCookie, matchedHeaderParts, normalizeHeaders, redactHeaders } from './normalize-headers.js';
import { normalizeUrl } from './normalize-url.js';
import type { HeaderRecord, KeySettings, RequestInfo, StoredHeaders, StoredRequest } from './types.js';

/**
 * The cache key of a request: sha256 hex (64 chars) over, in upstream's order (docs/behaviour.md §3.1):
 * upper-case method, normalized URL, normalized body (`''` when none), the matched `name=value`
 * header parts. Unlike upstream, the serializer is not a part: the stored value names the format it
 * was written in, so an entry of another serializer is a miss overwritten in place, never an orphan
 * counted twice (README "Differences from requests-cache").
 *
 * Upstream's `verify` part becomes a trailing `verify=false` part for requests sent with TLS
 * verification off (`RequestInfo.insecure`); a CA bundle still verifies, so it shares the key, as
 * upstream (`test_verify`). Upstream concatenates parts
 * without separators and keeps 64 bits of blake2b; here every part is length-prefixed and
 * `\0`-terminated, so parts cannot run together even when a binary body contains `\0`, and the full
 * sha256 is kept (README "Differences from requests-cache": never a weak hash).
 *
 * `matchHeaders`, when given, replaces `settings.matchHeaders`: Vary handling builds keys on the
 * Vary names (docs/behaviour.md §3.6).
 *
 * Whatever `matchHeaders` says, two headers are always parts: every hashed credential present
 * (as its keyed digest, so two users never share an entry) and `Range` (a 206 answers one range
 * only: https://www.rfc-editor.org/rfc/rfc9110#section-14.2). Ignored names stay `REDACTED`.
 */
export function createKey(
  request: RequestInfo,
  settings: KeySettings,
  matchHeaders?: boolean | readonly string[],
): string {
  const redactor = redactorFor(settings, 'key');
  const body = normalizeBody(request.body, request.headers['content-type'], redactor);
  const match = keyedHeaderNames(request.headers, redactor, matchHeaders ?? settings.matchHeaders);
  const headerParts =
    match === false ? [] : matchedHeaderParts(normalizeHeaders(canonicalizeContentTypeHeader(request.headers), redactor), match);

  const hash = createHash('sha256');
  for (const part of [
    request.method.toUpperCase(),
    normalizeUrl(request.url, redactor),
    body ?? '',
    ...headerParts,
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
 * The request as stored with its response (docs/behaviour.md §5: `CachedRequest` is stored after
 * redaction): upper-case method, normalized URL (ignored query values `REDACTED`, params sorted),
 * headers with ignored values `REDACTED`, and the normalized body, absent when there is none.
 *
 * A multipart body is stored with the canonical boundary, so its `Content-Type` is stored with the
 * same boundary; otherwise the stored request would describe a body it does not carry.
 */
export function redactRequest(request: RequestInfo, settings: KeySettings): StoredRequest {
  const redactor = redactorFor(settings, 'store');
  const stored: StoredRequest = {
    method: request.method.toUpperCase(),
    url: normalizeUrl(request.url, redactor),
    headers: redactHeaders(canonicalizeContentTypeHeader(request.headers), redactor),
  };
  const body = normalizeBody(request.body, request.headers['content-type'], redactor);
  if (body !== undefined) stored.body = body;
  const varyDigests = varyDigestsOf(request.headers, settings);
  if (varyDigests) stored.varyDigests = varyDigests;
  return stored;
}

/**
 * The request `keyFn` receives: URL, headers and body normalized as for the key, ignored values
 * `REDACTED` and hashed values replaced by their keyed digest, so a custom key never sees a token.
 */
export function keyFnRequest(request: RequestInfo, settings: KeySettings): RequestInfo {
  const redactor = redactorFor(settings, 'key');
  const view: RequestInfo = {
    method: request.method.toUpperCase(),
    url: normalizeUrl(request.url, redactor),
    headers: redactor.empty
      ? { ...request.headers }
      : Object.fromEntries(
          Object.entries(request.headers).map(([name, value]) => [
            name,
            redactor.replace('header', name, name === 'cookie' ? canonicalCookie(value) : value) ?? value,
          ]),
        ),
  };
  const body = normalizeBody(request.body, request.headers['content-type'], redactor);
  if (body !== undefined) view.body = body;
  if (request.insecure) view.insecure = true;
  return view;
}

/**
 * Per hashed header present, a digest under the Vary purpose key (never the key digest: a stored
 * value must not let anyone recompute or match a cache key), for {@link checkVary}.
 */
export function varyDigestsOf(headers: HeaderRecord, settings: Pick<KeySettings, 'ignoredParameters' | 'hashedParameters' | 'credentialKey' | 'varyKey'>): Record<string, string> | undefined {
  const { varyKey } = settings;
  if (varyKey === undefined) return undefined;
  const redactor = redactorFor(settings, 'store');
  if (redactor.hashed.size === 0) return undefined;
  let digests: Record<string, string> | undefined;
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (!redactor.hashed.has(lower)) continue;
    digests ??= {};
    digests[lower] = varyDigest(varyKey, lower, value);
  }
  return digests;
}

/** The Vary-purpose digest of one hashed header value (a Cookie in canonical pair order). */
export function varyDigest(varyKey: Uint8Array, lowerName: string, value: string): string {
  return credentialDigest(varyKey, 'header', lowerName, lowerName === 'cookie' ? canonicalCookie(value) : value);
}

/**
 * A URL as it may be stored or logged: normalized as for the key, every ignored or hashed value
 * `REDACTED`, no fragment. Takes the key settings (or, as before, a list of ignored names).
 */
export function redactUrl(url: string, settings: KeySettings | readonly string[]): string {
  return normalizeUrl(url, Array.isArray(settings) ? settings : redactorFor(settings as KeySettings, 'store'));
}

/**
 * Response headers as stored: a header named like an ignored or hashed parameter (any case) becomes
 * `REDACTED`, and a `Location` / `Content-Location` whose query, path parameters or fragment carry
 * such a name has those values redacted (an OAuth redirect echoes `#access_token=` there). The
 * URL is otherwise kept as sent: a relative reference stays relative.
 */
export function redactResponseHeaders(headers: StoredHeaders, settings: KeySettings): StoredHeaders {
  const redactor = redactorFor(settings, 'store');
  if (redactor.empty) return headers;
  const out: StoredHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    const listed = redactor.ignored.has(lower) || redactor.hashed.has(lower);
    let redacted: string | string[];
    if (listed) redacted = Array.isArray(value) ? value.map(() => REDACTED) : REDACTED;
    else if (lower === 'location' || lower === 'content-location') {
      redacted = Array.isArray(value) ? value.map((v) => redactUrlParameters(v, redactor)) : redactUrlParameters(value, redactor);
    } else redacted = value;
    Object.defineProperty(out, name, { value: redacted, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/** `name=value` pieces of the query and fragment, and `;name=value` path parameters, with listed values replaced. */
function redactUrlParameters(url: string, redactor: Redactor): string {
  return url.replace(/([?#&;])([^=&#;?/]*)=([^&#;]*)/g, (whole, lead: string, name: string) => {
    let decoded = name;
    try {
      decoded = decodeURIComponent(name.replace(/\+/g, ' '));
    } catch {
      // keep the raw name
    }
    return redactor.ignored.has(matchName(decoded)) || redactor.hashed.has(matchName(decoded)) ? `${lead}${name}=${REDACTED}` : whole;
  });
}

/**
 * The header names that enter the key: the matched ones, plus every hashed credential present and
 * `Range`. `false` when there are none, so the common case costs one pass over the names.
 */
function keyedHeaderNames(headers: HeaderRecord, redactor: Redactor, match: boolean | readonly string[]): boolean | readonly string[] {
  if (match === true) return true;
  let extra: string[] | undefined;
  for (const name of Object.keys(headers)) {
    const lower = name.toLowerCase();
    if (lower === 'range' || redactor.hashed.has(lower)) (extra ??= []).push(lower);
  }
  if (extra === undefined) return match;
  return match === false ? extra : [...match, ...extra];
}

function canonicalizeContentTypeHeader(headers: HeaderRecord): HeaderRecord {
  const contentType = headers['content-type'];
  const canonical = canonicalContentType(contentType);
  if (contentType === undefined || canonical === contentType) return headers;
  return { ...headers, 'content-type': canonical ?? contentType };
}
