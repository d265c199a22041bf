/**
 * URL and query-string normalization for cache keys and stored URLs (docs/behaviour.md §3.4).
 *
 * requests-cache sorts and redacts the query itself (`filter_url`), then lets url-normalize
 * canonicalize the rest. Here the WHATWG `URL` parser plays url-normalize's part: it lower-cases the
 * scheme and host, IDNA-encodes the host, drops default ports, resolves `.`/`..` and turns an empty
 * path into `/`.
 */
import { asRedactor, type Redactor } from './credentials.js';

/**
 * Normalize a URL so equivalent spellings share one cache key, e.g.
 * `HTTPS://Example.com:443/a/../b?b=2&a=1&` and `https://example.com/b?a=1&b=2`.
 *
 * Values of listed names (see {@link Redactor}; a plain list means ignored names) are replaced, in
 * the query and in path parameters (`/a;api_key=x/b`), names matched case-insensitively and with
 * array suffixes (`API_KEY`, `api_key[]`). requests-cache matches query names exact-case only.
 *
 * The fragment is dropped: axios never sends it, so it cannot change the response, and a token in it
 * (`#access_token=...`, OAuth implicit flow) must not reach storage. requests-cache 1.3 keeps it in
 * the key (`docs/behaviour.md §3.4` step 2); a listed difference. Never throws: a URL that WHATWG
 * rejects keeps its raw spelling with only the query and path parameters normalized.
 *
 * Userinfo (`user:password@`) is dropped: axios never sends it in the URL but as an Authorization
 * header (which the key and storage see, redacted by default), and a redirect's final URL from
 * follow-redirects carries the credentials, which must not reach storage. requests-cache keeps
 * them in the stored URL.
 */
export function normalizeUrl(url: string, names: Redactor | readonly string[] | ReadonlySet<string>): string {
  const redactor = asRedactor(names);
  // A bare list of names makes a new redactor each call: nothing to keep results under.
  if (redactor !== names) return normalizeUncached(url, redactor);
  // One request normalizes its URL several times (key, stored URL, alias check, log): the result
  // depends only on the URL and the redactor, so it is kept per redactor, a bounded number of URLs.
  let memo = normalized.get(redactor);
  if (!memo) normalized.set(redactor, (memo = new Map()));
  let result = memo.get(url);
  if (result === undefined) {
    result = normalizeUncached(url, redactor);
    if (memo.size >= NORMALIZED_URLS) memo.clear();
    memo.set(url, result);
  }
  return result;
}

const normalized = new WeakMap<Redactor, Map<string, string>>();
const NORMALIZED_URLS = 1024;

function normalizeUncached(url: string, redactor: Redactor): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return normalizeUnparsedUrl(url, redactor);
  }

  const query = normalizeQuery(parsed.search.slice(1), redactor);
  // The common shape (http(s), no userinfo, no trailing host dot) is assembled from the parsed parts:
  // for a special scheme `href` is protocol + '//' + host + pathname + search + hash (WHATWG URL
  // §4.5, https://url.spec.whatwg.org/#url-serializing), and URL's setters re-parse and
  // re-serialize the whole URL, which cost more than the rest of this function.
  if (PLAIN_SCHEMES.has(parsed.protocol) && !parsed.username && !parsed.password && !parsed.hostname.endsWith('.')) {
    return assemble(`${parsed.protocol}//${parsed.host}${normalizePath(parsed.pathname, redactor)}`, query);
  }
  stripTrailingHostDot(parsed);
  if (parsed.username || parsed.password) {
    parsed.username = '';
    parsed.password = '';
  }
  parsed.search = '';
  parsed.hash = '';

  // `href` ends with `pathname` for every URL shape (hierarchical or opaque), so the prefix
  // (scheme, userinfo, host, port) can be kept verbatim while the path is re-encoded.
  const href = parsed.href;
  const path = parsed.pathname;
  const base = href.endsWith(path) ? href.slice(0, href.length - path.length) + normalizePath(path, redactor) : href;
  return assemble(base, query);
}

const PLAIN_SCHEMES = new Set(['http:', 'https:', 'ws:', 'wss:']);

function normalizePath(path: string, redactor: Redactor): string {
  const redacted = redactPathParameters(path, redactor);
  return redacted.includes('%') ? normalizePercentEncoding(redacted) : redacted;
}

/**
 * Path (matrix) parameters, `;name=value` inside a segment (RFC 3986 §3.3), with listed names'
 * values replaced, so `/items;api_key=secret` never reaches storage.
 */
function redactPathParameters(path: string, redactor: Redactor): string {
  if (redactor.empty || !path.includes(';')) return path;
  return path
    .split('/')
    .map((segment) => {
      if (!segment.includes(';')) return segment;
      const [head, ...params] = segment.split(';');
      const redacted = params.map((param) => {
        const eq = param.indexOf('=');
        if (eq === -1) return param;
        const name = decodeFormComponent(param.slice(0, eq)).toString('utf8');
        const replacement = redactor.replace('path', name, decodeFormComponent(param.slice(eq + 1)));
        return replacement === undefined ? param : `${param.slice(0, eq)}=${replacement}`;
      });
      return [head, ...redacted].join(';');
    })
    .join('/');
}

/**
 * Normalize a query string (without its leading `?`) as requests-cache does (docs/behaviour.md §3.4 step 1):
 *
 * - `k=v` pairs are decoded like Python's `parse_qsl` (`%XX` and `+` as space); pairs with a blank
 *   value are dropped (`a=&b=1` -> `b=1`);
 * - values of listed names (any case, array suffixes too) are replaced (see {@link Redactor});
 * - pairs are sorted by name only, stably, so repeated names keep their order: `sort=name&sort=date`
 *   and `sort=date&sort=name` ask for different things. requests-cache 1.3 sorts by (key, value)
 *   (`requests_cache/cache_keys.py` `filter_url`); a listed difference;
 * - pairs are re-encoded like Python's `urlencode` (`quote_plus`);
 * - key-only params (no `=`) follow, sorted, so `k=v&p` == `p&k=v` and `param_1` != `param_2`.
 *
 * Decoding works on bytes, not text: two different byte sequences that are not valid UTF-8 would
 * otherwise both decode to U+FFFD and share a key. For valid UTF-8 the output equals upstream's.
 */
export function normalizeQuery(query: string, names: Redactor | readonly string[] | ReadonlySet<string>, source: 'query' | 'body' = 'query'): string {
  const redactor = asRedactor(names);
  if (SIMPLE_QUERY.test(query)) return normalizeSimpleQuery(query, redactor, source);
  const pairs: Array<[Buffer, Buffer]> = [];
  const keyOnly: Buffer[] = [];

  for (const piece of query.split('&')) {
    if (piece === '') continue;
    const eq = piece.indexOf('=');
    if (eq === -1) {
      // Upstream keeps key-only params apart from parse_qsl, which would drop them as blank.
      // They are canonicalized like pairs so `?a%20b` and `?a+b` agree (our decision).
      keyOnly.push(decodeFormComponent(piece));
      continue;
    }
    const name = decodeFormComponent(piece.slice(0, eq));
    const value = decodeFormComponent(piece.slice(eq + 1));
    if (value.length === 0) continue; // parse_qsl(keep_blank_values=False)
    const replacement = redactor.empty ? undefined : redactor.replace(source, name.toString('utf8'), value);
    pairs.push([name, replacement === undefined ? value : Buffer.from(replacement)]);
  }

  pairs.sort(([ak], [bk]) => Buffer.compare(ak, bk)); // stable (ES2019): equal names keep their order
  keyOnly.sort(Buffer.compare);
  return [
    ...pairs.map(([name, value]) => `${quotePlus(name)}=${quotePlus(value)}`),
    ...keyOnly.map(quotePlus),
  ].join('&');
}

/** Only characters that decode to themselves and that quote_plus keeps, besides the separators. */
const SIMPLE_QUERY = /^[A-Za-z0-9._~=&-]*$/;

/**
 * normalizeQuery for a query of SIMPLE_QUERY characters only: decoding and re-encoding are the
 * identity there, and for ASCII, comparing strings by UTF-16 code unit is comparing their bytes, so
 * the same pairs come out in the same order without the Buffers.
 */
function normalizeSimpleQuery(query: string, redactor: Redactor, source: 'query' | 'body'): string {
  const pairs: Array<[string, string]> = [];
  const keyOnly: string[] = [];
  for (const piece of query.split('&')) {
    if (piece === '') continue;
    const eq = piece.indexOf('=');
    if (eq === -1) {
      keyOnly.push(piece);
      continue;
    }
    const name = piece.slice(0, eq);
    const raw = piece.slice(eq + 1);
    if (raw.length === 0) continue;
    const replacement = redactor.empty ? undefined : redactor.replace(source, name, raw);
    // quote_plus encodes a '=' inside the value (`a=b=c` -> `a=b%3Dc`).
    const value = raw.includes('=') ? raw.replaceAll('=', '%3D') : raw;
    // A replacement may hold any character: it is encoded as the general path would.
    pairs.push([name, replacement === undefined ? value : quotePlus(Buffer.from(replacement))]);
  }
  if (pairs.length > 1) pairs.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (keyOnly.length > 1) keyOnly.sort();
  let out = '';
  for (const [name, value] of pairs) out += `${out ? '&' : ''}${name}=${value}`;
  for (const name of keyOnly) out += `${out ? '&' : ''}${name}`;
  return out;
}

/** A URL that WHATWG cannot parse: keep the raw text, normalize the query best-effort. */
function normalizeUnparsedUrl(url: string, redactor: Redactor): string {
  const hashAt = url.indexOf('#');
  const beforeHash = hashAt === -1 ? url : url.slice(0, hashAt);
  const queryAt = beforeHash.indexOf('?');
  const base = queryAt === -1 ? beforeHash : beforeHash.slice(0, queryAt);
  const query = queryAt === -1 ? '' : normalizeQuery(beforeHash.slice(queryAt + 1), redactor);
  return assemble(redactPathParameters(base, redactor), query);
}

function assemble(base: string, query: string): string {
  const url = base + (query ? `?${query}` : '');
  // url-normalize strips trailing `?` and `&` (docs/behaviour.md §3.4 step 2).
  return url.replace(/[?&]+$/, '');
}

/**
 * url-normalize drops a trailing dot from the host (`example.com.` -> `example.com`); WHATWG keeps it.
 * Only for special schemes, where the host is a domain; never for an IPv6 literal.
 */
function stripTrailingHostDot(url: URL): void {
  const host = url.hostname;
  if (host.length > 1 && host.endsWith('.') && !host.startsWith('[') && isSpecialScheme(url.protocol)) {
    url.hostname = host.slice(0, -1);
  }
}

function isSpecialScheme(protocol: string): boolean {
  return ['http:', 'https:', 'ws:', 'wss:', 'ftp:', 'file:'].includes(protocol);
}

const UNRESERVED = /^[A-Za-z0-9\-._~]$/;

/**
 * RFC 3986 §6.2.2.1-2: hex digits of percent-escapes are upper-cased and escaped unreserved
 * characters decoded, so `%7e`, `%7E` and `~` agree. Nothing else is decoded: `%2F` keeps meaning
 * something other than `/`.
 */
function normalizePercentEncoding(text: string): string {
  return text.replace(/%([0-9A-Fa-f]{2})/g, (_match, hex: string) => {
    const char = String.fromCharCode(Number.parseInt(hex, 16));
    return UNRESERVED.test(char) ? char : `%${hex.toUpperCase()}`;
  });
}

/**
 * Decode one query component to bytes like Python's `unquote_plus`: `+` is a space, a valid `%XX`
 * is that byte, anything else (including a malformed `%`) is the character's UTF-8 bytes.
 */
function decodeFormComponent(text: string): Buffer {
  if (!text.includes('%') && !text.includes('+')) return Buffer.from(text, 'utf8');
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i];
    if (char === '+') {
      bytes.push(0x20);
    } else if (char === '%' && /^[0-9A-Fa-f]{2}$/.test(text.slice(i + 1, i + 3))) {
      bytes.push(Number.parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      // Take a whole code point so surrogate pairs encode as one 4-byte sequence.
      const codePoint = text.codePointAt(i) ?? 0;
      const whole = String.fromCodePoint(codePoint);
      bytes.push(...Buffer.from(whole, 'utf8'));
      i += whole.length - 1;
    }
  }
  return Buffer.from(bytes);
}

/** Python's `quote_plus` on bytes: unreserved `A-Za-z0-9_.-~` kept, space as `+`, the rest `%XX`. */
function quotePlus(bytes: Buffer): string {
  let out = '';
  for (const byte of bytes) {
    if (
      (byte >= 0x30 && byte <= 0x39) ||
      (byte >= 0x41 && byte <= 0x5a) ||
      (byte >= 0x61 && byte <= 0x7a) ||
      byte === 0x5f || // _
      byte === 0x2e || // .
      byte === 0x2d || // -
      byte === 0x7e // ~
    ) {
      out += String.fromCharCode(byte);
    } else if (byte === 0x20) {
      out += '+';
    } else {
      out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    }
  }
  return out;
}
