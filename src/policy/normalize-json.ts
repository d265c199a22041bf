/**
 * JSON request bodies for cache keys and stored requests (`docs/behaviour.md §3.2` "Content type
 * application/*json").
 *
 * requests-cache 1.3 (`requests_cache/cache_keys.py` `normalize_json_body`) parses the body, sorts
 * and redacts the top level only, sorts root lists, and re-serializes. Here:
 *
 * - object keys are sorted at every depth (stable: duplicate keys keep their order);
 * - listed names are replaced at every depth, in nested objects and in arrays of objects, matched
 *   case-insensitively (see {@link Redactor}): a secret one level down is still a secret;
 * - arrays keep their order and every element: `[3,1]` and `[1,3]` may ask for different things;
 * - every value is kept as its source text minus insignificant whitespace. `JSON.parse`/`stringify`
 *   would round numbers to doubles (`9007199254740993` would key like `9007199254740992`). Strings
 *   are kept as written, so `"\u00e9"` and `"é"` key differently: a miss, never a wrong hit.
 *
 * One pass over the text, depth bounded by {@link MAX_JSON_DEPTH}: work is linear in the body size
 * and the result never depends on engine state.
 */
import { compareCodePoints } from './code-point-order.js';
import { asRedactor, type Redactor } from './credentials.js';

/** Nesting deeper than this is not normalized: the body is keyed as its raw bytes. */
export const MAX_JSON_DEPTH = 64;

/** `replaced`: some listed name's value was replaced. */
export type JsonResult = { kind: 'ok'; text: string; replaced: boolean } | { kind: 'invalid' } | { kind: 'too-deep' };

/**
 * Canonical text of a JSON body, or `undefined` when the body is kept as it is (invalid JSON, a
 * scalar root, nesting past {@link MAX_JSON_DEPTH}). `contentRootKey` is accepted for
 * compatibility: since the rules apply at every depth, they already cover the value under it.
 */
export function normalizeJsonText(text: string, names: Redactor | readonly string[] | ReadonlySet<string>, _contentRootKey?: string): string | undefined {
  const result = normalizeJson(text, asRedactor(names));
  return result.kind === 'ok' ? result.text : undefined;
}

/** {@link normalizeJsonText} telling an invalid body from one nested too deeply. */
export function normalizeJson(text: string, redactor: Redactor): JsonResult {
  const start = skipWhitespace(text, 0);
  const first = text[start];
  if (first !== '{' && first !== '[') return { kind: 'invalid' };
  try {
    JSON.parse(text); // validates, so the scanner below may trust its input
  } catch {
    return { kind: 'invalid' };
  }
  try {
    const scanner = new Scanner(text, redactor);
    const canonical = scanner.value(start, 0);
    return { kind: 'ok', text: canonical, replaced: scanner.replaced };
  } catch (error) {
    if (error instanceof TooDeep) return { kind: 'too-deep' };
    throw error;
  }
}

class TooDeep extends Error {}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

function isJsonWhitespace(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d; // RFC 8259 §2
}

function skipWhitespace(text: string, at: number): number {
  while (at < text.length && isJsonWhitespace(text.charCodeAt(at))) at += 1;
  return at;
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

/** The decoded text of a string literal; the cheap slice when it has no escapes. */
function decodeString(literal: string): string {
  return literal.includes('\\') ? (JSON.parse(literal) as string) : literal.slice(1, -1);
}

/** A recursive-descent pass over validated JSON; each call returns a value's canonical text. */
class Scanner {
  /** Index just past the value last returned. */
  private end = 0;
  /** Set once a listed name's value has been replaced. */
  replaced = false;

  constructor(
    private readonly text: string,
    private readonly redactor: Redactor,
  ) {}

  value(at: number, depth: number): string {
    const { text } = this;
    const code = text.charCodeAt(at);
    if (code === QUOTE) {
      this.end = stringEnd(text, at);
      return text.slice(at, this.end);
    }
    if (code === 0x7b /* { */ || code === 0x5b /* [ */) {
      if (depth >= MAX_JSON_DEPTH) throw new TooDeep();
      return code === 0x7b ? this.object(at, depth + 1) : this.array(at, depth + 1);
    }
    // number, true, false, null: up to the next delimiter
    let i = at;
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c === 0x2c || c === 0x7d || c === 0x5d || isJsonWhitespace(c)) break;
      i += 1;
    }
    this.end = i;
    return text.slice(at, i);
  }

  private array(at: number, depth: number): string {
    const { text } = this;
    const items: string[] = [];
    let i = skipWhitespace(text, at + 1);
    while (text[i] !== ']') {
      items.push(this.value(i, depth));
      i = skipWhitespace(text, this.end);
      if (text[i] === ',') i = skipWhitespace(text, i + 1);
    }
    this.end = i + 1;
    return `[${items.join(',')}]`;
  }

  private object(at: number, depth: number): string {
    const { text, redactor } = this;
    const members: Array<[string, string]> = [];
    let i = skipWhitespace(text, at + 1);
    while (text[i] !== '}') {
      const keyEnd = stringEnd(text, i);
      const literal = text.slice(i, keyEnd);
      const key = decodeString(literal);
      i = skipWhitespace(text, skipWhitespace(text, keyEnd) + 1); // past ':'
      let raw = this.value(i, depth);
      if (!redactor.empty) {
        const replacement = redactor.replace('body', key, raw.charCodeAt(0) === QUOTE ? decodeString(raw) : raw);
        if (replacement !== undefined) {
          raw = JSON.stringify(replacement);
          this.replaced = true;
        }
      }
      members.push([key, `${JSON.stringify(key)}:${raw}`]);
      i = skipWhitespace(text, this.end);
      if (text[i] === ',') i = skipWhitespace(text, i + 1);
    }
    this.end = i + 1;
    members.sort(([a], [b]) => compareCodePoints(a, b)); // stable: duplicate keys keep their order
    return `{${members.map(([, member]) => member).join(',')}}`;
  }
}
