/**
 * The one check every serializer's output goes through on the way back: a decoded value is an entry
 * of the current format with every field the cache reads, typed, so a damaged value is a miss and
 * never a throw later. Bodies come back as Buffers whatever byte type the decoder gave.
 */
import { ENTRY_FORMAT, type CachedEntry, type StoredRequest } from '../policy/types.js';

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);

/** Header values are strings, or lists of strings (`set-cookie`). */
const isHeaderMap = (value: unknown, lists: boolean): boolean =>
  isRecord(value) && Object.values(value).every((v) => typeof v === 'string' || (lists && Array.isArray(v) && v.every((x) => typeof x === 'string')));

const asBuffer = (bytes: Uint8Array): Buffer => (Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));

/** The entry in `value`, or a TypeError saying what is wrong (`who` names the serializer). */
export function checkEntry(value: unknown, who: string): CachedEntry {
  const fail = (what: string): never => {
    throw new TypeError(`not a cache entry written by the ${who} serializer (${what})`);
  };
  if (!isRecord(value)) return fail('not an object');
  const e = value;
  if (e.v !== ENTRY_FORMAT) fail(`entry format ${String(e.v)}, expected ${ENTRY_FORMAT}`);
  if (typeof e.url !== 'string' || !Number.isFinite(e.status) || typeof e.statusText !== 'string') fail('url, status or statusText');
  if (!(e.body instanceof Uint8Array)) fail('body is not bytes');
  if (!isHeaderMap(e.headers, true)) fail('headers');
  const r = e.request;
  if (!isRecord(r) || typeof r.method !== 'string' || typeof r.url !== 'string' || !isHeaderMap(r.headers, false)) fail('request');
  const request = r as Record<string, unknown>;
  if (request.body !== undefined && typeof request.body !== 'string' && !(request.body instanceof Uint8Array)) fail('request body');
  if (request.varyDigests !== undefined && !isHeaderMap(request.varyDigests, false)) fail('request varyDigests');
  // JSON writes NaN and Infinity as null: only finite numbers survive every encoding.
  if (!Number.isFinite(e.createdAt) || !(e.expires === null || Number.isFinite(e.expires))) fail('createdAt or expires');
  if (e.agedFrom !== undefined && e.agedFrom !== null && !Number.isFinite(e.agedFrom)) fail('agedFrom');
  const storedRequest: StoredRequest = {
    method: request.method as string,
    url: request.url as string,
    headers: request.headers as StoredRequest['headers'],
  };
  if (request.body !== undefined) storedRequest.body = typeof request.body === 'string' ? request.body : asBuffer(request.body as Uint8Array);
  if (request.varyDigests !== undefined) storedRequest.varyDigests = request.varyDigests as StoredRequest['varyDigests'];
  const entry: CachedEntry = {
    v: ENTRY_FORMAT,
    url: e.url as string,
    status: e.status as number,
    statusText: e.statusText as string,
    headers: e.headers as CachedEntry['headers'],
    body: asBuffer(e.body as Uint8Array),
    request: storedRequest,
    createdAt: e.createdAt as number,
    expires: e.expires as number | null,
  };
  // JSON and BSON keep an absent field absent; a null (an older writer's) reads as absent too.
  if (typeof e.agedFrom === 'number') entry.agedFrom = e.agedFrom;
  return entry;
}

/**
 * The entry as a plain object ready for any encoder: header values that are absent (undefined, as
 * adapters sometimes give) are left out, numbers become text, `statusText` is always a string.
 */
export function plainEntry(entry: CachedEntry): CachedEntry {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(entry.headers as Record<string, unknown>)) {
    if (value === undefined || value === null) continue;
    headers[name] = Array.isArray(value) ? value.map(String) : String(value);
  }
  const requestHeaders: Record<string, string> = {};
  for (const [name, value] of Object.entries(entry.request.headers as Record<string, unknown>)) {
    if (value === undefined || value === null) continue;
    requestHeaders[name] = String(value);
  }
  return {
    ...entry,
    statusText: typeof entry.statusText === 'string' ? entry.statusText : '',
    headers,
    request: { ...entry.request, headers: requestHeaders },
  };
}

/** Refuses, at write time, an entry that would not read back (NaN times, a wrong format), naming the serializer. */
export function checkWritable(entry: CachedEntry, id: string): CachedEntry {
  const plain = plainEntry(entry);
  try {
    checkEntry(plain, id);
  } catch (error) {
    throw new TypeError(`the ${id} serializer cannot store this entry: it would not read back (${(error as Error).message})`);
  }
  return plain;
}
