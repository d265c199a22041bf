/**
 * `urlsExpireAfter`: per-URL expirations, matched the way requests-cache does (reference §2.2).
 *
 * Globs follow Python's fnmatch, not micromatch: the scheme is dropped from both sides, every
 * pattern is a prefix match, and `*` crosses `/`. micromatch disagrees on upstream's own examples
 * (reference §2.2), so the glob is translated to a RegExp here.
 */
import { parseExpiration } from './expiration.js';
import type { ExpireAfter, UrlPattern } from './types.js';

/**
 * The forms `urlsExpireAfter` accepts. A plain object is fine for most patterns, but JS objects
 * put integer-like keys first, so a Map or an array of pairs is the way to keep a chosen order.
 */
export type UrlsExpireAfter =
  | Record<string, ExpireAfter>
  | Map<string | RegExp, ExpireAfter>
  | ReadonlyArray<readonly [string | RegExp, ExpireAfter]>;

/**
 * Validates and compiles `urlsExpireAfter`, keeping the user's order: the first match wins
 * (reference §10 item 18). Undefined or null means no patterns.
 */
export function compileUrlPatterns(input: unknown, option = 'urlsExpireAfter'): UrlPattern[] {
  return entriesOf(input, option).map(([key, value]) => compileEntry(key, value, option));
}

/** The first pattern that matches `url`, in order. */
export function findUrlPattern(url: string, patterns: readonly UrlPattern[]): UrlPattern | undefined {
  return patterns.find((pattern) => pattern.matches(url));
}

/**
 * fnmatch's translation, anchored at both ends: `*` is any run of characters (including `/`),
 * `?` is one character, `[seq]` / `[!seq]` are classes, anything else is literal. Case-sensitive.
 * Unlike fnmatch, which reads an unclosed `[` as a literal, a malformed class is an error here:
 * it is almost certainly a typo, and setup time is the place to say so.
 */
export function globToRegExp(glob: string): RegExp {
  let source = '';
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i]!;
    if (ch === '*') {
      // Collapse runs: `**` means the same as `*` in fnmatch.
      while (glob[i + 1] === '*') i++;
      source += '.*';
    } else if (ch === '?') {
      source += '.';
    } else if (ch === '[') {
      const { regex, end } = translateClass(glob, i);
      source += regex;
      i = end;
    } else {
      source += escapeRegExp(ch);
    }
  }
  // `s`: a URL never holds a newline, but fnmatch's `*` matches one, so stay faithful.
  return new RegExp(`^${source}$`, 's');
}

/** Translates the class that opens at `start`; `end` is the index of its closing `]`. */
function translateClass(glob: string, start: number): { regex: string; end: number } {
  let i = start + 1;
  let negate = false;
  if (glob[i] === '!') {
    negate = true;
    i++;
  }
  // As in fnmatch, a `]` right after `[` or `[!` is a member, not the end.
  const close = glob.indexOf(']', glob[i] === ']' ? i + 1 : i);
  if (close < 0) throw new RangeError(`Malformed glob '${glob}': '[' at position ${start} is never closed`);

  const members = glob.slice(i, close);
  let body = '';
  for (let k = 0; k < members.length; k++) {
    const lo = members[k]!;
    // `a-z` is a range when `-` sits between two members; a leading or trailing `-` is literal.
    if (members[k + 1] === '-' && k + 2 < members.length) {
      const hi = members[k + 2]!;
      if (hi < lo) throw new RangeError(`Malformed glob '${glob}': range '${lo}-${hi}' is reversed`);
      body += `${escapeClassChar(lo)}-${escapeClassChar(hi)}`;
      k += 2;
    } else {
      body += escapeClassChar(lo);
    }
  }
  return { regex: `[${negate ? '^' : ''}${body}]`, end: close };
}

function escapeRegExp(ch: string): string {
  return /[\\^$.*+?()[\]{}|/-]/.test(ch) ? `\\${ch}` : ch;
}

/** Inside a class only `\`, `]`, `[`, `^` and `-` are special; escaping any punctuation is safe (no `u` flag). */
function escapeClassChar(ch: string): string {
  return /[\\\]\[^-]/.test(ch) ? `\\${ch}` : ch;
}

/** `url.split('://')[-1]` in upstream: everything after the last `://`. */
function dropScheme(text: string): string {
  const parts = text.split('://');
  return parts[parts.length - 1]!;
}

function compileEntry(key: string | RegExp, value: unknown, option: string): UrlPattern {
  const expiration = parseExpiration(value, `${option}[${showKey(key)}]`);
  return { source: key, expiration, matches: key instanceof RegExp ? regexMatcher(key) : globMatcher(key) };
}

/** Upstream: strip trailing `*` and append one, so every glob is a prefix match on the scheme-less URL. */
function globMatcher(glob: string): (url: string) => boolean {
  const regex = globToRegExp(`${dropScheme(glob).replace(/\*+$/, '')}*`);
  return (url) => regex.test(dropScheme(url));
}

/**
 * Upstream calls `pattern.search(url)`: unanchored, on the full URL with scheme and query. A copy
 * without `g`/`y` keeps `test` stateless (those flags make it resume from `lastIndex`).
 */
function regexMatcher(pattern: RegExp): (url: string) => boolean {
  const regex = new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, ''));
  return (url) => regex.test(url);
}

function entriesOf(input: unknown, option: string): Array<[string | RegExp, unknown]> {
  if (input === undefined || input === null) return [];
  let raw: Array<[unknown, unknown]>;
  if (input instanceof Map) {
    raw = [...input.entries()];
  } else if (Array.isArray(input)) {
    raw = input.map((pair, index) => {
      if (!Array.isArray(pair) || pair.length !== 2) {
        throw new TypeError(`Invalid ${option}[${index}]: expected a [pattern, expiration] pair`);
      }
      return [pair[0], pair[1]];
    });
  } else if (isPlainObject(input)) {
    raw = Object.entries(input);
  } else {
    throw new TypeError(
      `Invalid ${option}: expected an object, a Map or an array of [pattern, expiration] pairs, got ${describeType(input)}`,
    );
  }
  return raw.map(([key, value]) => [checkKey(key, option), value]);
}

function checkKey(key: unknown, option: string): string | RegExp {
  if (key instanceof RegExp) return key;
  if (typeof key !== 'string') {
    throw new TypeError(`Invalid ${option} pattern: expected a glob string or a RegExp, got ${describeType(key)}`);
  }
  // An empty glob would become `*` and silently match every URL.
  if (key.trim() === '') throw new RangeError(`Invalid ${option} pattern: '${key}' is empty`);
  // Compile once now so a malformed class fails at setup; the matcher compiles its own prefix form.
  try {
    globToRegExp(key);
  } catch (error) {
    throw new RangeError(`Invalid ${option} pattern '${key}': ${(error as Error).message}`);
  }
  return key;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function showKey(key: string | RegExp): string {
  return typeof key === 'string' ? `'${key}'` : String(key);
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return `'${value}'`;
  if (typeof value === 'number' || typeof value === 'boolean') return `${typeof value} ${String(value)}`;
  if (typeof value === 'object') return Object.prototype.toString.call(value);
  return typeof value;
}
