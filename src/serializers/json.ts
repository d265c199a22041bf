/**
 * The default serializer: one JSON document per entry. Bodies are raw bytes, stored as base64 so they
 * round-trip byte-exact whatever their encoding (upstream's json serializer does the same since 1.0).
 */
import { ENTRY_FORMAT, type CachedEntry, type StoredHeaders, type StoredRequest } from '../policy/types.js';
import type { Serializer } from './types.js';

interface JsonRequest extends Omit<StoredRequest, 'body'> {
  body?: string;
  bodyBase64?: string;
}

interface JsonEntry extends Omit<CachedEntry, 'body' | 'request'> {
  body: string;
  request: JsonRequest;
}

/**
 * Header values as JSON keeps them: a header whose value is absent (undefined, as adapters sometimes
 * give) is left out rather than written as a key JSON would drop anyway; numbers become text.
 */
function encodeHeaders<H extends Record<string, unknown>>(headers: H): H {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || value === null) continue;
    out[name] = Array.isArray(value) ? value.map(String) : typeof value === 'number' ? String(value) : value;
  }
  return out as H;
}

function encodeRequest({ body, headers, ...rest }: StoredRequest): JsonRequest {
  const request = { ...rest, headers: encodeHeaders(headers) };
  if (body === undefined) return request;
  return typeof body === 'string' ? { ...request, body } : { ...request, bodyBase64: body.toString('base64') };
}

function decodeRequest({ body, bodyBase64, ...rest }: JsonRequest): StoredRequest {
  if (bodyBase64 !== undefined) return { ...rest, body: Buffer.from(bodyBase64, 'base64') };
  return body === undefined ? rest : { ...rest, body };
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Header values are strings, or lists of strings (`set-cookie`). */
const isHeaderMap = (value: unknown, lists: boolean): boolean =>
  isRecord(value) &&
  Object.values(value).every((v) => typeof v === 'string' || (lists && Array.isArray(v) && v.every((x) => typeof x === 'string')));

/** Everything the cache reads from an entry, checked, so a damaged value is a miss and never a throw later. */
function isEntryShape(value: unknown): value is JsonEntry {
  if (!isRecord(value)) return false;
  const e = value as unknown as JsonEntry;
  const r = e.request as unknown;
  return (
    e.v === ENTRY_FORMAT &&
    typeof e.url === 'string' &&
    Number.isFinite(e.status) &&
    typeof e.statusText === 'string' &&
    typeof e.body === 'string' &&
    isHeaderMap(e.headers, true) &&
    isRecord(r) &&
    typeof r.method === 'string' &&
    typeof r.url === 'string' &&
    isHeaderMap(r.headers, false) &&
    (r.body === undefined || typeof r.body === 'string') &&
    (r.bodyBase64 === undefined || typeof r.bodyBase64 === 'string') &&
    // JSON writes NaN and Infinity as null: only finite numbers survive the round trip.
    Number.isFinite(e.createdAt) &&
    (e.expires === null || Number.isFinite(e.expires))
  );
}

export const jsonSerializer: Serializer = {
  name: 'json',
  dumps(entry) {
    // Some adapters give no statusText (HTTP/2, some fetch responses): stored as '', as the read
    // check expects, so such a response is not written only to be refused on every read.
    const doc: JsonEntry = {
      ...entry,
      statusText: typeof entry.statusText === 'string' ? entry.statusText : '',
      headers: encodeHeaders<StoredHeaders>(entry.headers),
      body: entry.body.toString('base64'),
      request: encodeRequest(entry.request),
    };
    // The same check loads() runs: an entry that could not be read back is refused here, at write time.
    if (!isEntryShape(doc)) throw new TypeError('the json serializer cannot store this entry: it would not read back');
    return JSON.stringify(doc);
  },
  loads(data) {
    const doc: unknown = JSON.parse(data);
    if (!isEntryShape(doc)) throw new TypeError('not a cache entry written by the json serializer');
    return { ...doc, body: Buffer.from(doc.body, 'base64'), request: decodeRequest(doc.request) };
  },
};
