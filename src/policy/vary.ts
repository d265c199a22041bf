/**
 * Vary matching (RFC 9111 §4.1; docs/behaviour.md §3.6). A stored response answers a new request only if
 * every request header it names matches, after the same normalization keys use (§3.3).
 */
import { matchName } from './credentials.js';
import { varyDigest } from './keys.js';
import { normalizeHeaders } from './normalize-headers.js';
import type { CachedEntry, HeaderRecord, KeySettings } from './types.js';
import { headerValue } from './headers.js';

/** The header names listed in the entry's `Vary`, lower-cased; `'*'` when it varies on everything. */
export function varyNames(entry: CachedEntry): string[] | '*' {
  const vary = headerValue(entry.headers, 'vary');
  if (vary === undefined) return [];
  const names = vary
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter(Boolean);
  return names.includes('*') ? '*' : names;
}

/** Cookie headers compare as their sorted `name=value` pairs, as upstream compares cookie jars. */
function cookieValue(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  return value
    .split(';')
    .map((pair) => pair.trim())
    .filter(Boolean)
    .sort()
    .join('; ');
}

function comparable(headers: HeaderRecord, name: string): string | undefined {
  return name === 'cookie' ? cookieValue(headers.cookie) : headers[name];
}

export interface VaryCheck {
  matches: boolean;
  reason: string;
}

/** What Vary matching needs from the settings: the name lists and the Vary-purpose key. */
export type VarySettings = Pick<KeySettings, 'ignoredParameters' | 'hashedParameters' | 'varyKey'>;

/**
 * Does `entry` answer a request with these headers?
 * - `Vary: *` never matches (RFC 9111 §4.1).
 * - A varied header that is also an ignored parameter, present on the request, never matches: its
 *   stored value is redacted, so matching it would hand one user's response to another
 *   (upstream 1.3.2, `test_match_headers__vary_authorization`).
 * - A varied header that is hashed (`Vary: Authorization`, `Vary: Cookie`) matches when its
 *   Vary-purpose digest equals the one stored with the entry (`StoredRequest.varyDigests`), and
 *   when neither request carries it. Without a Vary key it is treated as ignored.
 *
 * `settings` may be a bare list of ignored names (the older form).
 */
export function checkVary(entry: CachedEntry, requestHeaders: HeaderRecord, settings: VarySettings | readonly string[]): VaryCheck {
  const names = varyNames(entry);
  if (names === '*') return { matches: false, reason: 'Vary: *' };
  if (names.length === 0) return { matches: true, reason: 'no Vary' };

  const { ignoredParameters, hashedParameters = [], varyKey } = Array.isArray(settings)
    ? { ignoredParameters: settings as readonly string[] }
    : (settings as VarySettings);
  const ignored = new Set(ignoredParameters.map(matchName));
  const hashed = new Set(hashedParameters.map(matchName).filter((name) => !ignored.has(name)));
  if (varyKey === undefined) for (const name of hashed) ignored.add(name);
  const secret = names.find((name) => ignored.has(name) && requestHeaders[name] !== undefined);
  if (secret) return { matches: false, reason: `Vary on ignored header ${secret}` };

  for (const name of names) {
    if (!hashed.has(name) || varyKey === undefined) continue;
    const value = requestHeaders[name];
    const stored = entry.request.varyDigests?.[name];
    const same = value === undefined ? stored === undefined && entry.request.headers[name] === undefined : stored === varyDigest(varyKey, name, value);
    if (!same) return { matches: false, reason: `Vary mismatch on hashed header ${name}` };
  }

  const stored = normalizeHeaders(entry.request.headers, ignoredParameters);
  const current = normalizeHeaders(requestHeaders, ignoredParameters);
  const differing = names.find((name) => !hashed.has(name) && comparable(stored, name) !== comparable(current, name));
  return differing ? { matches: false, reason: `Vary mismatch on ${differing}` } : { matches: true, reason: 'Vary matched' };
}

/** The header names a Vary-qualified (secondary) key is built from: Vary names plus the user's matchHeaders. */
export function secondaryMatchHeaders(entry: CachedEntry, matchHeaders: boolean | readonly string[]): boolean | string[] {
  if (matchHeaders === true) return true;
  const names = varyNames(entry);
  const vary = names === '*' ? [] : names;
  return [...new Set([...vary, ...(matchHeaders === false ? [] : matchHeaders.map((n) => n.toLowerCase()))])];
}
