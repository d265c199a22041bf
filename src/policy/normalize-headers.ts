/**
 * Request headers for cache keys and stored requests (docs/behaviour.md §3.3).
 */
import { compareCodePoints } from './code-point-order.js';
import { asRedactor, type Redactor } from './credentials.js';
import type { HeaderRecord } from './types.js';

/**
 * Header values as they enter a key: ignored names become `REDACTED`, hashed names their keyed
 * digest (in `key` mode; a `Cookie` is hashed in its canonical form, so pair order does not
 * matter), and comma lists are put in a
 * canonical form (items trimmed, lower-cased, empties dropped, sorted, joined with `', '`), so
 * `'gzip,  deflate,Venmo,  PayPal, '` and `'deflate, gzip, paypal, venmo'` agree.
 *
 * Fix of upstream's BUG? (docs/behaviour.md §3.3): ignored names match case-insensitively, since header
 * names are case-insensitive (RFC 9110 §5.1) and ours arrive lower-cased while the default list
 * says `Authorization`.
 */
export function normalizeHeaders(headers: HeaderRecord, names: Redactor | readonly string[] | ReadonlySet<string>): HeaderRecord {
  const redactor = asRedactor(names);
  return mapHeaders(headers, (name, value) => {
    const replacement = redactor.empty ? undefined : redactor.replace('header', name, name.toLowerCase() === 'cookie' ? canonicalCookie(value) : value);
    return replacement ?? normalizeHeaderValue(value);
  });
}

/** Cookie pairs trimmed and sorted: the same jar in another order is the same cookie header. */
export function canonicalCookie(value: string): string {
  return String(value)
    .split(';')
    .map((pair) => pair.trim())
    .filter(Boolean)
    .sort(compareCodePoints)
    .join('; ');
}

/**
 * Headers as stored with a response: same names and original values, except ignored names
 * (case-insensitive, see {@link normalizeHeaders}) whose values become `REDACTED` (docs/behaviour.md §10.11).
 */
export function redactHeaders(headers: HeaderRecord, names: Redactor | readonly string[] | ReadonlySet<string>): HeaderRecord {
  const redactor = asRedactor(names);
  if (redactor.empty) return headers;
  return mapHeaders(headers, (name, value) => redactor.replace('header', name, value) ?? value);
}

/**
 * The `name=value` key parts of the matched headers present on the request, sorted by lower-case
 * name (docs/behaviour.md §3.3). `true` matches every header, a list matches those names in any case,
 * `false` matches none. Values are used as given; pass them through {@link normalizeHeaders} first.
 */
export function matchedHeaderParts(headers: HeaderRecord, matchHeaders: boolean | readonly string[]): string[] {
  if (matchHeaders === false) return [];
  const wanted = matchHeaders === true ? undefined : lowerCaseSet(matchHeaders);
  const matched: Array<[string, string]> = [];
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (wanted === undefined || wanted.has(lower)) matched.push([lower, String(value)]);
  }
  matched.sort(([an, av], [bn, bv]) => compareCodePoints(an, bn) || compareCodePoints(av, bv));
  return matched.map(([name, value]) => `${name}=${value}`);
}

function normalizeHeaderValue(value: string): string {
  const text = String(value);
  if (!text.includes(',')) return text;
  return text
    .split(',')
    .map((item) => item.trim().toLowerCase())
    .filter((item) => item !== '')
    .sort(compareCodePoints)
    .join(', ');
}

function lowerCaseSet(names: readonly string[]): Set<string> {
  return new Set(names.map((name) => name.toLowerCase()));
}

/** `Object.fromEntries` defines own properties, so a header named `__proto__` stays a header. */
function mapHeaders(headers: HeaderRecord, fn: (name: string, value: string) => string): HeaderRecord {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, fn(name, value)]));
}
