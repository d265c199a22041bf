/**
 * Which named values are ignored (out of the key, `REDACTED` when stored) and which are hashed (in
 * the key only as a keyed digest, `REDACTED` when stored), and what replaces them
 * (`docs/behaviour.md §3.1`, §5). Pure: the HMAC key is derived elsewhere and passed in.
 */
import { createHmac } from 'node:crypto';
import { REDACTED } from '../constants.js';
import type { KeySettings } from './types.js';

/** Where a value came from; part of every digest so a header and a query value never collide. */
export type ValueSource = 'header' | 'query' | 'path' | 'body' | 'keyFn';

/**
 * `key`: hashed values become their digest (for cache keys and `keyFn`); `store`: every listed value
 * becomes `REDACTED` (stored data, logs).
 */
export type RedactMode = 'key' | 'store';

export interface Redactor {
  readonly mode: RedactMode;
  /** Lower-case listed names, for callers that only need membership (Vary, response headers). */
  readonly ignored: ReadonlySet<string>;
  readonly hashed: ReadonlySet<string>;
  /** True when no name is listed at all: callers may skip the work. */
  readonly empty: boolean;
  /** The replacement for the value of `name`, or `undefined` when the name is not listed. */
  replace(source: ValueSource, name: string, value: string | Buffer): string | undefined;
}

/**
 * A parameter name as it is matched: lower-cased, with PHP/Rails array suffixes dropped, so
 * `API_KEY`, `api_key[]` and `api_key[0]` all match `api_key`.
 */
export function matchName(name: string): string {
  const lower = name.toLowerCase();
  const bracket = lower.indexOf('[');
  return bracket > 0 && lower.endsWith(']') ? lower.slice(0, bracket) : lower;
}

/**
 * HMAC-SHA256 over (source, lower-case name, value), each length-prefixed so no two different
 * triples share an input. Hex, 64 characters.
 */
export function credentialDigest(key: Uint8Array, source: ValueSource, name: string, value: string | Buffer): string {
  // The same caller's token is digested on every request (key, Vary digest, redaction): an HMAC
  // costs microseconds, a lookup far less. Kept per key, for a bounded number of string values.
  if (typeof value !== 'string') return computeDigest(key, source, name, value);
  let memo = digests.get(key);
  if (!memo) digests.set(key, (memo = new Map()));
  const id = `${source}\0${name.length}:${name}\0${value}`;
  let digest = memo.get(id);
  if (digest === undefined) {
    digest = computeDigest(key, source, name, value);
    if (memo.size >= DIGESTS) memo.clear();
    memo.set(id, digest);
  }
  return digest;
}

const digests = new WeakMap<Uint8Array, Map<string, string>>();
const DIGESTS = 1024;

function computeDigest(key: Uint8Array, source: ValueSource, name: string, value: string | Buffer): string {
  const lowerName = Buffer.from(name.toLowerCase(), 'utf8');
  const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
  return createHmac('sha256', key)
    .update(`${source}\0${lowerName.length}:`)
    .update(lowerName)
    .update(`\0${bytes.length}:`)
    .update(bytes)
    .digest('hex');
}

const cache = new WeakMap<KeySettings, { key?: Redactor; store?: Redactor }>();

/** The redactor of these settings in this mode; built once per settings object. */
export function redactorFor(settings: Pick<KeySettings, 'ignoredParameters' | 'hashedParameters' | 'credentialKey'>, mode: RedactMode): Redactor {
  let slot = cache.get(settings as KeySettings);
  if (!slot) {
    slot = {};
    cache.set(settings as KeySettings, slot);
  }
  return (slot[mode] ??= buildRedactor(settings.ignoredParameters, settings.hashedParameters ?? [], settings.credentialKey, mode));
}

/** A redactor from a bare list of ignored names (the older call form of the normalizers). */
export function ignoredOnly(ignoredParameters: readonly string[]): Redactor {
  return buildRedactor(ignoredParameters, [], undefined, 'store');
}

/** `Redactor | string[]` arguments, as the normalizers accept both (a list or set means ignored names). */
export function asRedactor(names: Redactor | readonly string[] | ReadonlySet<string>): Redactor {
  return isRedactor(names) ? names : ignoredOnly([...names]);
}

function isRedactor(names: unknown): names is Redactor {
  return typeof (names as Redactor).replace === 'function' && typeof (names as Redactor).mode === 'string';
}

function buildRedactor(
  ignoredParameters: readonly string[],
  hashedParameters: readonly string[],
  credentialKey: Uint8Array | undefined,
  mode: RedactMode,
): Redactor {
  const ignored = new Set(ignoredParameters.map(matchName));
  const hashed = new Set(hashedParameters.map(matchName).filter((name) => !ignored.has(name)));
  if (mode === 'key' && hashed.size > 0 && credentialKey === undefined) {
    throw new TypeError('KeySettings: hashedParameters needs a credentialKey');
  }
  const empty = ignored.size === 0 && hashed.size === 0;
  return {
    mode,
    ignored,
    hashed,
    empty,
    replace(source, name, value) {
      if (empty) return undefined;
      const matched = matchName(name);
      if (ignored.has(matched)) return REDACTED;
      if (!hashed.has(matched)) return undefined;
      return mode === 'store' ? REDACTED : credentialDigest(credentialKey!, source, matched, value);
    },
  };
}
