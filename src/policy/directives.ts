/**
 * `Cache-Control` parsing, for requests and responses alike (docs/behaviour.md §2.3; RFC 9111 §5.2).
 * Lenient by design: a header from the network must never make a request fail, so malformed
 * pieces are dropped and the rest is kept.
 */
import type { CacheDirectives } from './types.js';

type NumericKey = 'maxAge' | 'maxStale' | 'minFresh' | 'staleIfError' | 'staleWhileRevalidate' | 'sMaxAge';
type FlagKey = 'noCache' | 'noStore' | 'onlyIfCached' | 'mustRevalidate' | 'immutable' | 'public' | 'private' | 'proxyRevalidate' | 'mustUnderstand';

/**
 * Directives that take delta-seconds. `bare` is the value of the directive written without an
 * argument, or undefined when it needs one. A bare `max-stale` accepts any staleness
 * (RFC 9111 §5.2.1.2); requests-cache ran it through int() and got 1 second. The stale-* extensions
 * (RFC 5861) read the same way: without a limit, no limit.
 */
const NUMERIC: Readonly<Record<string, { key: NumericKey; bare?: number }>> = {
  'max-age': { key: 'maxAge' },
  'max-stale': { key: 'maxStale', bare: Infinity },
  'min-fresh': { key: 'minFresh' },
  'stale-if-error': { key: 'staleIfError', bare: Infinity },
  'stale-while-revalidate': { key: 'staleWhileRevalidate', bare: Infinity },
  's-maxage': { key: 'sMaxAge' },
};

/**
 * Directives that are on when present. Any argument is tolerated: `no-cache="set-cookie"` (a
 * field list, RFC 9111 §5.2.2.4) still counts as no-cache, the safe reading for a private cache.
 */
const FLAGS: Readonly<Record<string, FlagKey>> = {
  'no-cache': 'noCache',
  'no-store': 'noStore',
  'only-if-cached': 'onlyIfCached',
  'must-revalidate': 'mustRevalidate',
  immutable: 'immutable',
  public: 'public',
  private: 'private',
  'proxy-revalidate': 'proxyRevalidate',
  'must-understand': 'mustUnderstand',
};

/** Directives only the RFC modes read. */
const RFC_ONLY: ReadonlySet<string> = new Set(['s-maxage', 'public', 'private', 'proxy-revalidate', 'must-understand']);

/** Flags whose quoted argument lists field names (RFC 9111 §5.2.2.4, §5.2.2.7). */
const FIELD_LISTS: Readonly<Record<string, 'noCacheFields' | 'privateFields'>> = {
  'no-cache': 'noCacheFields',
  private: 'privateFields',
};

/** RFC 9110 §5.6.2 token characters: a directive name is one token, with no space before `=`. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9a-z]+$/i;

export interface ParseOptions {
  /**
   * The RFC 9111 modes read directives as the grammar says (https://www.rfc-editor.org/rfc/rfc9111#section-5.2):
   * `cache-directive = token [ "=" ( token / quoted-string ) ]`, so `max-age =5` or `max-age= 5` is
   * no max-age at all. The other modes keep the lenient reading requests-cache has.
   */
  strict?: boolean;
}

/** RFC 9111 §1.2.2: a delta-seconds too large to hold is read as 2^31. */
const MAX_DELTA_SECONDS = 2 ** 31;

/** Parses a `Cache-Control` value. Unknown directives are ignored; never throws. */
export function parseCacheControl(value: string | undefined, options: ParseOptions = {}): CacheDirectives {
  const directives: CacheDirectives = {};
  if (typeof value !== 'string') return directives;
  const seen = new Set<string>();

  for (const part of splitDirectives(value)) {
    const eq = part.indexOf('=');
    const rawName = eq < 0 ? part : part.slice(0, eq);
    const name = rawName.trim().toLowerCase();
    if (name === '' || seen.has(name)) continue;
    // RFC 9111 §4.2.1: with duplicates, the first occurrence is the one used, even when it is
    // malformed (then the directive counts as absent rather than falling back to a later copy).
    seen.add(name);
    const rawArgument = eq < 0 ? undefined : part.slice(eq + 1);
    const malformed = !TOKEN.test(rawName) || (rawArgument !== undefined && (rawArgument === '' || rawArgument !== rawArgument.trim()));
    if (options.strict && malformed) {
      // A malformed value counts as absent; a malformed restriction (`no-store=`, `private= "x"`)
      // counts as present and unqualified, the reading that never stores or shares too much.
      const flag = FLAGS[name];
      if (flag && !NUMERIC[name]) directives[flag] = true;
      continue;
    }
    const argument = rawArgument === undefined ? undefined : unquote(rawArgument.trim()).toLowerCase();

    // The RFC modes' extra directives are read only in strict mode, so the requests-cache modes see
    // exactly what they always saw.
    if (!options.strict && RFC_ONLY.has(name)) continue;
    const numeric = NUMERIC[name];
    if (numeric) {
      const seconds = argument === undefined ? numeric.bare : deltaSeconds(argument);
      if (seconds !== undefined) directives[numeric.key] = seconds;
      continue;
    }
    const flag = FLAGS[name];
    if (flag) directives[flag] = true;
    const list = options.strict ? FIELD_LISTS[name] : undefined;
    if (list && argument !== undefined) {
      // Only a clean list of field names qualifies the directive; anything else (a stray quote, an
      // empty member) leaves it unqualified, which restricts more.
      const fields = argument.split(',').map((field) => field.trim());
      if (fields.length > 0 && fields.every((field) => TOKEN.test(field))) directives[list] = fields;
    }
  }
  return directives;
}

/** True when at least one directive was recognised. */
export function hasDirectives(d: CacheDirectives): boolean {
  return Object.values(d).some((v) => v !== undefined);
}

/** Non-negative integer (RFC 9111 §1.2.2 delta-seconds), or undefined. */
function deltaSeconds(text: string): number | undefined {
  if (!/^\d+$/.test(text)) return undefined;
  return Math.min(Number(text), MAX_DELTA_SECONDS);
}

/**
 * Splits on commas outside quoted strings, so `no-cache="a, b"` stays one directive
 * (RFC 9110 §5.6.1 lists, §5.6.4 quoted-string). Empty items are dropped.
 */
function splitDirectives(value: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const ch = value[i]!;
    if (quoted && ch === '\\' && i + 1 < value.length) {
      current += ch + value[++i];
      continue;
    }
    if (ch === '"') quoted = !quoted;
    if (ch === ',' && !quoted) {
      parts.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  parts.push(current);
  // An unclosed quote would swallow every later directive (a `no-store` among them); a plain
  // split loses less.
  const items = quoted ? value.split(',') : parts;
  return items.map((p) => p.trim()).filter((p) => p !== '');
}

/** Removes the quotes and quoted-pair escapes of a quoted-string (RFC 9110 §5.6.4). */
function unquote(text: string): string {
  if (text.length < 2 || !text.startsWith('"') || !text.endsWith('"')) return text;
  return text.slice(1, -1).replace(/\\(.)/gs, '$1');
}
