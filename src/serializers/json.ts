/**
 * The default serializer: one JSON document per entry. Bodies are raw bytes, stored as base64 so they
 * round-trip byte-exact whatever their encoding (upstream's json serializer does the same since 1.0).
 */
import type { CachedEntry, StoredRequest } from '../policy/types.js';
import type { Serializer } from './types.js';

interface JsonRequest extends Omit<StoredRequest, 'body'> {
  body?: string;
  bodyBase64?: string;
}

interface JsonEntry extends Omit<CachedEntry, 'body' | 'request'> {
  body: string;
  request: JsonRequest;
}

function encodeRequest({ body, ...rest }: StoredRequest): JsonRequest {
  if (body === undefined) return rest;
  return typeof body === 'string' ? { ...rest, body } : { ...rest, bodyBase64: body.toString('base64') };
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
    e.v === 1 &&
    typeof e.url === 'string' &&
    typeof e.status === 'number' &&
    typeof e.statusText === 'string' &&
    typeof e.body === 'string' &&
    isHeaderMap(e.headers, true) &&
    isRecord(r) &&
    typeof r.method === 'string' &&
    typeof r.url === 'string' &&
    isHeaderMap(r.headers, false) &&
    (r.body === undefined || typeof r.body === 'string') &&
    (r.bodyBase64 === undefined || typeof r.bodyBase64 === 'string') &&
    typeof e.createdAt === 'number' &&
    (e.expires === null || typeof e.expires === 'number')
  );
}

export const jsonSerializer: Serializer = {
  name: 'json',
  dumps(entry) {
    const doc: JsonEntry = { ...entry, body: entry.body.toString('base64'), request: encodeRequest(entry.request) };
    return JSON.stringify(doc);
  },
  loads(data) {
    const doc: unknown = JSON.parse(data);
    if (!isEntryShape(doc)) throw new TypeError('not a cache entry written by the json serializer');
    return { ...doc, body: Buffer.from(doc.body, 'base64'), request: decodeRequest(doc.request) };
  },
};
