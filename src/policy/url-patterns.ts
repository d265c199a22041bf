/**
 * `urlsExpireAfter`: per-URL expirations, matched the way requests-cache does (docs/behaviour.md §2.2).
 *
 * Globs follow Python's fnmatch, not micromatch: the scheme is dropped from both sides, every
 * pattern is a prefix match, and `*` crosses `/`. micromatch disagrees on upstream's own examples
 * (docs/behaviour.md §2.2), so globs are matched by our own non-backtracking matcher (`compileGlob`).
 * A RegExp pattern is the user's own and runs as given: its cost on long URLs is theirs.
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
 * (docs/behaviour.md §10 item 18). Undefined or null means no patterns.
 */
export function compileUrlPatterns(input: unknown, option = 'urlsExpireAfter'): UrlPattern[] {
  return entriesOf(input, option).map(([key, value]) => compileEntry(key, value, option));
}

/** The first pattern that matches `url`, in order. */
export function findUrlPattern(url: string, patterns: readonly UrlPattern[]): UrlPattern | undefined {
  return patterns.find((pattern) => pattern.matches(url));
}

/** One step of a compiled glob: a literal code point, `?`, a `[...]` class, or a run of `*`. */
type GlobToken =
  | { readonly kind: 'char'; readonly cp: number }
  | { readonly kind: 'any' }
  | { readonly kind: 'class'; readonly negate: boolean; readonly ranges: readonly number[] }
  | { readonly kind: 'star' };

/** A compiled glob: `test(text)` says whether the whole of `text` matches (anchored at both ends). */
export interface GlobMatcher {
  readonly source: string;
  test(text: string): boolean;
}

let stepCount = 0;

/**
 * Total matcher steps since the module loaded: one per character of text for globs of up to 30
 * tokens, one per live state per character for longer ones. For tests that check that matching
 * costs time linear in the text length; reading it has no side effects.
 */
export function globSteps(): number {
  return stepCount;
}

/**
 * fnmatch's semantics, anchored at both ends: `*` is any run of characters (including `/`), `?` is
 * one character, `[seq]` / `[!seq]` are classes, anything else is literal. Case-sensitive.
 * Unlike fnmatch, which reads an unclosed `[` as a literal, a malformed class is an error here:
 * it is almost certainly a typo, and setup time is the place to say so.
 *
 * Why not a RegExp, as fnmatch itself compiles one: each `*` would become `.*`, and a backtracking
 * engine tries every way of splitting the text between the stars before it gives up, so
 * `'*.example.com/*\/*\/*\/*\/x'` against a 1 KB URL that does not match ran for seconds, on every
 * request, hits included, with the URL's query under the caller's control. Here the glob runs as a
 * set of states over the pattern positions advanced once per character of the text: the cost is at
 * most (text length) x (pattern length) steps, whatever the input (docs/behaviour.md §2.2).
 */
export function compileGlob(glob: string): GlobMatcher {
  const tokens = tokenizeGlob(glob);
  const test = tokens.length < 31 ? bitParallelMatcher(tokens) : (text: string) => runGlob(tokens, text);
  return { source: glob, test };
}

/** The code point at `i` of `text` and the index after it (a surrogate pair is one character). */
function codePointAt(text: string, i: number): number {
  const unit = text.charCodeAt(i);
  if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
    const low = text.charCodeAt(i + 1);
    if (low >= 0xdc00 && low <= 0xdfff) return (unit - 0xd800) * 0x400 + (low - 0xdc00) + 0x10000;
  }
  return unit;
}

/**
 * The same automaton as `runGlob`, with the set of live states held as the bits of one integer
 * (bit i = state i), for globs of up to 30 tokens (every glob anyone writes for a URL): one character
 * costs a few integer operations, whatever the number of live states. This is the Shift-And
 * technique (Baeza-Yates and Gonnet, "A new approach to text searching", CACM 35(10), 1992), with
 * star states looping on themselves.
 */
function bitParallelMatcher(tokens: readonly GlobToken[]): (text: string) => boolean {
  const end = tokens.length;
  const accepted = 1 << end;
  let stars = 0;
  for (let i = 0; i < end; i++) if (tokens[i]!.kind === 'star') stars |= 1 << i;
  const trailingStar = end > 0 && tokens[end - 1]!.kind === 'star';
  /** Bit i set when token i is not a star and accepts `cp`. */
  const stepMask = (cp: number): number => {
    let mask = 0;
    for (let i = 0; i < end; i++) if (tokens[i]!.kind !== 'star' && tokenAccepts(tokens[i]!, cp)) mask |= 1 << i;
    return mask;
  };
  const ascii = new Int32Array(128);
  for (let cp = 0; cp < 128; cp++) ascii[cp] = stepMask(cp);
  // Stars never follow each other (runs are collapsed), so one shift completes the empty moves.
  const close = (states: number): number => states | ((states & stars) << 1);
  const start = close(1);

  return (text) => {
    let states = start;
    for (let i = 0; i < text.length; i++) {
      if (trailingStar && (states & accepted) !== 0) return true;
      const cp = text.charCodeAt(i) < 128 ? text.charCodeAt(i) : codePointAt(text, i);
      if (cp > 0xffff) i++;
      stepCount++;
      states = close(((states & (cp < 128 ? ascii[cp]! : stepMask(cp))) << 1) | (states & stars));
      if (states === 0) return false;
    }
    return (states & accepted) !== 0;
  };
}

function tokenizeGlob(glob: string): GlobToken[] {
  // Code points, not UTF-16 units: Python's fnmatch (what upstream uses) sees one `?` per character.
  const chars = Array.from(glob);
  const tokens: GlobToken[] = [];
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i]!;
    if (ch === '*') {
      // Collapse runs: `**` means the same as `*` in fnmatch.
      if (tokens[tokens.length - 1]?.kind !== 'star') tokens.push({ kind: 'star' });
    } else if (ch === '?') {
      tokens.push({ kind: 'any' });
    } else if (ch === '[') {
      const { token, end } = parseClass(glob, chars, i);
      tokens.push(token);
      i = end;
    } else {
      tokens.push({ kind: 'char', cp: ch.codePointAt(0)! });
    }
  }
  return tokens;
}

/** Parses the class that opens at `start`; `end` is the index of its closing `]`. */
function parseClass(glob: string, chars: readonly string[], start: number): { token: GlobToken; end: number } {
  let i = start + 1;
  let negate = false;
  if (chars[i] === '!') {
    negate = true;
    i++;
  }
  // As in fnmatch, a `]` right after `[` or `[!` is a member, not the end.
  let close = chars[i] === ']' ? i + 1 : i;
  while (close < chars.length && chars[close] !== ']') close++;
  if (close >= chars.length) throw new RangeError(`Malformed glob '${glob}': '[' at position ${start} is never closed`);

  const members = chars.slice(i, close);
  const ranges: number[] = [];
  for (let k = 0; k < members.length; k++) {
    const lo = members[k]!.codePointAt(0)!;
    // `a-z` is a range when `-` sits between two members; a leading or trailing `-` is literal.
    if (members[k + 1] === '-' && k + 2 < members.length) {
      const hi = members[k + 2]!.codePointAt(0)!;
      if (hi < lo) throw new RangeError(`Malformed glob '${glob}': range '${members[k]}-${members[k + 2]}' is reversed`);
      ranges.push(lo, hi);
      k += 2;
    } else {
      ranges.push(lo, lo);
    }
  }
  return { token: { kind: 'class', negate, ranges }, end: close };
}

function tokenAccepts(token: GlobToken, cp: number): boolean {
  switch (token.kind) {
    case 'char':
      return token.cp === cp;
    case 'any':
    case 'star':
      return true;
    case 'class': {
      let inside = false;
      for (let r = 0; r < token.ranges.length && !inside; r += 2) {
        inside = cp >= token.ranges[r]! && cp <= token.ranges[r + 1]!;
      }
      return inside !== token.negate;
    }
  }
}

/**
 * Thompson-style simulation: state `i` means "tokens before i have matched". A star state loops on
 * any character and also lets the next state be live without consuming one. Each state is live at
 * most once per character (the `seen` marks), so one character costs at most tokens.length + 1 steps.
 */
function runGlob(tokens: readonly GlobToken[], text: string): boolean {
  const end = tokens.length;
  // A trailing star accepts any rest of the text: once its state is live, the answer is yes.
  const trailingStar = end > 0 && tokens[end - 1]!.kind === 'star';
  const seen = new Int32Array(end + 1).fill(-1);
  let current: number[] = [];
  let next: number[] = [];
  let generation = 0;

  const add = (list: number[], state: number): void => {
    // Follow star states' empty moves in place: state, then state + 1 while the token is a star.
    for (let s = state; s <= end && seen[s] !== generation; s++) {
      seen[s] = generation;
      list.push(s);
      if (s === end || tokens[s]!.kind !== 'star') break;
    }
  };

  add(current, 0);
  for (const ch of text) {
    if (trailingStar && seen[end] === generation) return true;
    const cp = ch.codePointAt(0)!;
    generation++;
    next.length = 0;
    for (const state of current) {
      stepCount++;
      if (state === end) continue;
      const token = tokens[state]!;
      if (!tokenAccepts(token, cp)) continue;
      add(next, token.kind === 'star' ? state : state + 1);
    }
    if (next.length === 0) return false;
    [current, next] = [next, current];
  }
  return seen[end] === generation;
}

/** `url.split('://')[-1]` in upstream: everything after the last `://`. */
function dropScheme(text: string): string {
  const at = text.lastIndexOf('://');
  return at < 0 ? text : text.slice(at + 3);
}

function compileEntry(key: string | RegExp, value: unknown, option: string): UrlPattern {
  const expiration = parseExpiration(value, `${option}[${showKey(key)}]`);
  return { source: key, expiration, matches: key instanceof RegExp ? regexMatcher(key) : globMatcher(key) };
}

/** Upstream: strip trailing `*` and append one, so every glob is a prefix match on the scheme-less URL. */
function globMatcher(glob: string): (url: string) => boolean {
  const matcher = compileGlob(`${dropScheme(glob).replace(/\*+$/, '')}*`);
  return (url) => matcher.test(dropScheme(url));
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
    compileGlob(key);
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
