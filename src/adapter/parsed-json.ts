/**
 * JSON bodies of cache hits, parsed once and copied per caller.
 *
 * On a hit axios runs its default `transformResponse`, which `JSON.parse`s the text we hand it
 * (axios 1.x lib/defaults/index.js). For a 2 KB API document that parse is the largest single cost
 * of a memory hit (profiled with `node --cpu-prof`: about a fifth of a hit's CPU; README
 * "Performance"). A structural copy of an already parsed value costs about a third of a parse and
 * gives the caller the same thing: a fresh object graph equal to `JSON.parse(text)`, shared with
 * nobody. The parsed original stays here and is never handed out, so no caller can change what the
 * next one gets.
 *
 * The memo is keyed by cache key and holds the body bytes it parsed: it answers only when this hit's
 * body is those very bytes (the same object for the memory backend, equal bytes for the others,
 * which decode a fresh copy per hit), so a changed entry is simply parsed again. The first hit on
 * some bytes keeps only the bytes and hands its own parse to its caller; the second keeps a parse.
 * So an entry read once, as in a large cache read at random, costs one parse, as it would without
 * the memo, not a parse and a copy. It is bounded in entries and bytes, oldest out first.
 *
 * Only where the result is exactly what axios would have produced: the caller's `transformResponse`
 * is axios' own default alone, no `parseReviver`, and the default transform would parse this text
 * (`responseType: 'json'`, or no responseType with `transitional.forcedJSONParsing`). A body that does
 * not parse goes the usual way, so axios raises its own error (or returns the text) as without the
 * cache. The default transform then receives an object and returns it unchanged.
 */
import axios, { type InternalAxiosRequestConfig } from 'axios';
import type { BodyShape } from './response-data.js';

/** axios' default response transform, recognised by identity (the same function in every instance's defaults). */
const DEFAULT_TRANSFORM: unknown = (axios.defaults.transformResponse as unknown[] | undefined)?.[0];

/** Bodies larger than this are parsed per hit as before. */
export const PARSED_JSON_MAX_BODY = 256 * 1024;
/** Bounds of the memo: entries, and the sum of their body sizes. */
export const PARSED_JSON_MEMO_ENTRIES = 1000;
export const PARSED_JSON_MEMO_BYTES = 16 * 1024 * 1024;

interface Parsed {
  body: Buffer;
  /** The fetch and http adapters decode text their own way (BOM, malformed UTF-8). */
  shape: BodyShape;
  value: unknown;
}
/** By cache key, oldest first (a Map keeps insertion order). */
const memo = new Map<string, Parsed>();
let memoBytes = 0;
const NOT_JSON = Symbol('not JSON');
/** Bytes seen on one hit only: not parsed ahead of the next. */
const SEEN_ONCE = Symbol('seen once');

const hasOwn = (object: object, key: string): boolean => Object.prototype.hasOwnProperty.call(object, key);

/** Whether axios' default transformResponse would `JSON.parse` this caller's text, and nothing else would touch it. */
export function defaultJsonParse(config: InternalAxiosRequestConfig): boolean {
  const transforms = config.transformResponse;
  const only = Array.isArray(transforms) ? transforms.length === 1 && transforms[0] : transforms;
  if (DEFAULT_TRANSFORM === undefined || only !== DEFAULT_TRANSFORM) return false;
  if (hasOwn(config, 'parseReviver') && (config as { parseReviver?: unknown }).parseReviver !== undefined) return false;
  const responseType = hasOwn(config, 'responseType') ? config.responseType : undefined;
  if (responseType === 'json') return true;
  if (responseType) return false;
  const transitional = (hasOwn(config, 'transitional') ? config.transitional : undefined) ?? axios.defaults.transitional;
  return Boolean(transitional?.forcedJSONParsing);
}

/**
 * A fresh copy of the body's text (`text()`, decoded as this shape decodes it) parsed as JSON, for
 * a caller for whom {@link defaultJsonParse} holds; `undefined` when the text is empty or not JSON
 * (the caller then gets the text, as without this).
 */
export function parsedJsonCopy(key: string, body: Buffer, shape: BodyShape, text: () => string): { value: unknown } | undefined {
  if (body.byteLength === 0 || body.byteLength > PARSED_JSON_MAX_BODY) return undefined;
  const known = memo.get(key);
  const same = known !== undefined && known.shape === shape && (known.body === body || known.body.equals(body));
  if (same && known.value !== SEEN_ONCE) {
    if (known.value === NOT_JSON) return undefined;
    try {
      return { value: copyJson(known.value) };
    } catch {
      // Nesting deeper than the stack allows (JSON.parse itself goes deeper): parse this caller's text.
      return undefined;
    }
  }
  let value: unknown = NOT_JSON;
  try {
    const decoded = text();
    if (decoded !== '') value = JSON.parse(decoded) as unknown;
  } catch {
    // not JSON: remembered, so the next hit does not try again
  }
  if (value === NOT_JSON) {
    remember(key, { body, shape, value });
    return undefined;
  }
  if (!same) {
    // First sight of these bytes: the caller takes this parse itself, and only the bytes are kept.
    // An entry read once (a large cache read at random) then costs one parse, as without the memo,
    // instead of a parse, a copy and a parsed value held until it ages out.
    remember(key, { body, shape, value: SEEN_ONCE });
    return { value };
  }
  // Seen before: worth keeping parsed. The kept value is never handed out; this caller gets a copy.
  remember(key, { body, shape, value });
  try {
    return { value: copyJson(value) };
  } catch {
    return undefined; // too deep to copy (see above): this caller's text is parsed the usual way
  }
}

function remember(key: string, parsed: Parsed): void {
  const previous = memo.get(key);
  if (previous) {
    memoBytes -= previous.body.byteLength;
    memo.delete(key);
  }
  memo.set(key, parsed);
  memoBytes += parsed.body.byteLength;
  for (const [oldest, { body }] of memo) {
    if (memo.size <= PARSED_JSON_MEMO_ENTRIES && memoBytes <= PARSED_JSON_MEMO_BYTES) break;
    memo.delete(oldest);
    memoBytes -= body.byteLength;
  }
}

/** A deep copy of a JSON value (objects, arrays, strings, numbers, booleans, null). */
function copyJson(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    const out = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i += 1) out[i] = copyJson(value[i]);
    return out;
  }
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const item = copyJson((value as Record<string, unknown>)[key]);
    // JSON.parse makes "__proto__" an own property; assigning it would set the prototype instead.
    if (key === '__proto__') Object.defineProperty(out, key, { value: item, enumerable: true, writable: true, configurable: true });
    else out[key] = item;
  }
  return out;
}
