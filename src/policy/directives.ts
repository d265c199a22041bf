/**
 * `Cache-Control` parsing, for requests and responses alike (docs/behaviour.md §2.3; RFC 9111 §5.2).
 * Lenient by design: a header from the network must never make a request fail, so malformed
 * pieces are dropped and the rest is kept.
 */
import type { CacheDirectives } from './types.js';

type NumericKey = 'maxAge' | 'maxStale' | 'minFresh' | 'staleIfError' | 'staleWhileRevalidate';
type FlagKey = 'noCache' | 'noStore' | 'onlyIfCached' | 'mustRevalidate' | 'immutable';

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
};

/** RFC 9111 §1.2.2: a delta-seconds too large to hold is read as 2^31. */
const MAX_DELTA_SECONDS = 2 ** 31;

/** Parses a `Cache-Control` value. Unknown directives are ignored; never throws. */
export function parseCacheControl(value: string | undefined): CacheDirectives {
  const directives: CacheDirectives = {};
  if (typeof value !== 'string') return directives;
  const seen = new Set<string>();

  for (const part of splitDirectives(value)) {
    const eq = part.indexOf('=');
    const name = (eq < 0 ? part : part.slice(0, eq)).trim().toLowerCase();
    if (name === '' || seen.has(name)) continue;
    // RFC 9111 §4.2.1: with duplicates, the first occurrence is the one used, even when it is
    // malformed (then the directive counts as absent rather than falling back to a later copy).
    seen.add(name);
    const argument = eq < 0 ? undefined : unquote(part.slice(eq + 1).trim()).toLowerCase();

    const numeric = NUMERIC[name];
    if (numeric) {
      const seconds = argument === undefined ? numeric.bare : deltaSeconds(argument);
      if (seconds !== undefined) directives[numeric.key] = seconds;
      continue;
    }
    const flag = FLAGS[name];
    if (flag) directives[flag] = true;
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
