/**
 * JSON request bodies for cache keys (reference §3.2 "Content type application/*json").
 *
 * Upstream parses the body, sorts and redacts the root, and re-serializes it. Re-serializing with
 * `JSON.parse`/`JSON.stringify` would round numbers to doubles, so `{"id":9007199254740993}` and
 * `{"id":9007199254740992}` would share a key and one request's response could be served for
 * another. So only the root (the part upstream changes) is taken apart; every value below it is kept
 * as its source text with insignificant whitespace removed. Equivalent bodies that differ only in
 * string escapes below the root (`"\u00e9"` vs `"é"`) get different keys: a miss, never a wrong hit.
 * The byte format differs from Python's `json.dumps`, which keys do not need.
 */
import { REDACTED } from '../constants.js';
import { compareCodePoints } from './code-point-order.js';
import { comparePython, Unorderable } from './python-order.js';

/**
 * Canonical text of a JSON body, or `undefined` when upstream would leave the body unchanged
 * (invalid JSON, a scalar root, an array Python cannot sort).
 *
 * - root object: top-level keys sorted, values of ignored keys (exact case) replaced by `"REDACTED"`;
 *   nested objects keep their order (top level only, as upstream);
 * - root array: sorted as Python's `sorted()` would; in an array of strings, elements equal to an
 *   ignored name are removed;
 * - `contentRootKey`: when the root is an object holding that key, the above applies to its value.
 */
export function normalizeJsonText(
  text: string,
  ignored: ReadonlySet<string>,
  contentRootKey?: string,
): string | undefined {
  try {
    JSON.parse(text); // validates, so the scanner below may trust its input
    const compact = minify(text.trim());
    if (contentRootKey !== undefined && compact.startsWith('{')) {
      const members = objectMembers(compact);
      if (members.some(([key]) => key === contentRootKey)) {
        let changed = false;
        const rooted = members.map(([key, raw]): [string, string] => {
          const filtered = key === contentRootKey ? filterSort(raw, ignored) : undefined;
          if (filtered === undefined) return [key, raw];
          changed = true;
          return [key, filtered];
        });
        return changed ? serializeObject(rooted) : undefined;
      }
    }
    return filterSort(compact, ignored);
  } catch {
    return undefined; // invalid JSON: upstream hashes the body as it is
  }
}

/** The root rules on one compact JSON value; `undefined` when they do not apply. */
function filterSort(compact: string, ignored: ReadonlySet<string>): string | undefined {
  if (compact.startsWith('{')) {
    const members = objectMembers(compact)
      .map(([key, raw]): [string, string] => [key, ignored.has(key) ? JSON.stringify(REDACTED) : raw])
      .sort(([a], [b]) => compareCodePoints(a, b)); // stable: duplicate keys keep their order
    return serializeObject(members);
  }
  if (!compact.startsWith('[')) return undefined;

  const items = arrayItems(compact);
  if (items.every((raw) => raw.startsWith('"'))) {
    const strings = items
      .map((raw) => JSON.parse(raw) as string)
      .filter((value) => !ignored.has(value))
      .sort(compareCodePoints);
    return `[${strings.map((value) => JSON.stringify(value)).join(',')}]`;
  }
  if (items.every((raw) => /^-?\d/.test(raw))) {
    // By value; equal doubles (e.g. big integers) fall back to their text so the order stays total.
    const sorted = [...items].sort((a, b) => Number(a) - Number(b) || compareCodePoints(a, b));
    return `[${sorted.join(',')}]`;
  }
  // Anything else Python can order (booleans with numbers, nested lists): sorted as Python would,
  // each element kept as its source text. Unorderable elements (null, objects, mixed kinds): Python's
  // sorted() raises and upstream keeps the body.
  const values: unknown[] = items.map((raw) => JSON.parse(raw));
  const order = items.map((_raw, i) => i);
  try {
    order.sort((i, j) => comparePython(values[i], values[j]));
  } catch (error) {
    if (error instanceof Unorderable) return undefined;
    throw error;
  }
  return `[${order.map((i) => items[i]).join(',')}]`;
}

function serializeObject(members: ReadonlyArray<readonly [string, string]>): string {
  return `{${members.map(([key, raw]) => `${JSON.stringify(key)}:${raw}`).join(',')}}`;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

function isJsonWhitespace(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d; // RFC 8259 §2
}

/** Valid JSON without whitespace outside strings. */
function minify(text: string): string {
  let out = '';
  let runStart = 0;
  let i = 0;
  while (i < text.length) {
    const code = text.charCodeAt(i);
    if (code === QUOTE) {
      i = stringEnd(text, i);
    } else if (isJsonWhitespace(code)) {
      out += text.slice(runStart, i);
      while (i < text.length && isJsonWhitespace(text.charCodeAt(i))) i += 1;
      runStart = i;
    } else {
      i += 1;
    }
  }
  return out + text.slice(runStart);
}

/** Index just past the string literal that opens at `start`. */
function stringEnd(text: string, start: number): number {
  let from = start + 1;
  for (;;) {
    const quote = text.indexOf('"', from);
    if (quote === -1) throw new SyntaxError('unterminated string');
    let backslashes = 0;
    while (text.charCodeAt(quote - 1 - backslashes) === BACKSLASH) backslashes += 1;
    if (backslashes % 2 === 0) return quote + 1;
    from = quote + 1;
  }
}

/** Index just past the compact value that starts at `start` (iterative: no recursion limit). */
function valueEnd(text: string, start: number): number {
  const first = text[start];
  if (first === '"') return stringEnd(text, start);
  if (first === '{' || first === '[') {
    let depth = 0;
    for (let i = start; i < text.length; ) {
      const char = text[i];
      if (char === '"') {
        i = stringEnd(text, i);
        continue;
      }
      if (char === '{' || char === '[') depth += 1;
      else if (char === '}' || char === ']') {
        depth -= 1;
        if (depth === 0) return i + 1;
      }
      i += 1;
    }
    throw new SyntaxError('unterminated container');
  }
  let i = start;
  while (i < text.length && !',}]'.includes(text[i] ?? '')) i += 1;
  return i;
}

/** `[decoded key, compact value text]` pairs of a compact JSON object, in source order. */
function objectMembers(compact: string): Array<[string, string]> {
  const members: Array<[string, string]> = [];
  let i = 1; // past '{'
  while (compact[i] !== '}') {
    const keyEnd = stringEnd(compact, i);
    const key = JSON.parse(compact.slice(i, keyEnd)) as string;
    const end = valueEnd(compact, keyEnd + 1); // past ':'
    members.push([key, compact.slice(keyEnd + 1, end)]);
    i = compact[end] === ',' ? end + 1 : end;
  }
  return members;
}

/** Compact element texts of a compact JSON array. */
function arrayItems(compact: string): string[] {
  const items: string[] = [];
  let i = 1; // past '['
  while (compact[i] !== ']') {
    const end = valueEnd(compact, i);
    items.push(compact.slice(i, end));
    i = compact[end] === ',' ? end + 1 : end;
  }
  return items;
}
