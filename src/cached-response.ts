/**
 * A stored response as `cache.filter()` yields it, plus the one-line summary used for it and for
 * axios responses (modelled on requests-cache's `CachedResponse.__str__`, quote balanced).
 */
import type { AxiosResponse } from 'axios';
import type { CachedEntry, StoredHeaders, StoredRequest } from './policy/types.js';

function formatSize(bytes: number): string {
  const units = ['KiB', 'MiB', 'GiB'];
  if (bytes < 1024) return `${bytes} bytes`;
  let value = bytes;
  let unit = 'bytes';
  for (const next of units) {
    if (value < 1024) break;
    value /= 1024;
    unit = next;
  }
  return `${value.toFixed(2)} ${unit}`;
}

/**
 * Never throws: an entry stored by an older version (or another writer) can hold an expiry outside
 * the Date range, which makes an Invalid Date, and toISOString throws a RangeError on one.
 */
export function formatDate(date: Date | null | undefined): string {
  const ms = date instanceof Date ? date.getTime() : Number.NaN;
  if (Number.isNaN(ms)) return 'invalid date';
  return date!.toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
}

export interface SummaryFields {
  status: number;
  fromCache: boolean;
  createdAt: Date;
  expires: Date | null;
  size: number;
  method: string;
  url: string;
}

export function summary(s: SummaryFields, now = Date.now()): string {
  // An Invalid Date (NaN) compares false, so such an entry reads as fresh, as `isExpired` says too.
  const state = s.expires == null ? 'fresh' : now >= s.expires.getTime() ? 'expired' : 'fresh';
  const expires = s.expires == null ? 'N/A' : formatDate(s.expires);
  const kind = s.fromCache ? 'CachedResponse' : 'OriginalResponse';
  return `<${kind} [${s.status}]: created: ${formatDate(s.createdAt)}, expires: ${expires} (${state}), size: ${formatSize(s.size)}, request: ${s.method} ${s.url}>`;
}

/** A readable one-line summary of a response from a cached instance, for logs and debugging. */
export function describeResponse(response: AxiosResponse): string {
  const data = response.data as unknown;
  const size =
    typeof data === 'string' ? Buffer.byteLength(data) : Buffer.isBuffer(data) ? data.length : data === undefined ? 0 : Buffer.byteLength(JSON.stringify(data) ?? '');
  const url = (response.request as { res?: { responseUrl?: string } } | undefined)?.res?.responseUrl ?? response.config.url ?? '';
  return summary({
    status: response.status,
    fromCache: response.fromCache === true,
    createdAt: response.createdAt ?? new Date(),
    expires: response.expires ?? null,
    size,
    method: (response.config.method ?? 'get').toUpperCase(),
    url,
  });
}

function copyHeaders<H extends Record<string, string | string[]>>(headers: H): H {
  const copy: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) copy[name] = Array.isArray(value) ? [...value] : value;
  return copy as H;
}

export class CachedResponse {
  readonly cacheKey: string;
  readonly url: string;
  readonly status: number;
  readonly statusText: string;
  readonly headers: StoredHeaders;
  readonly request: StoredRequest;
  readonly createdAt: Date;
  readonly expires: Date | null;
  private readonly body: Buffer;

  constructor(key: string, entry: CachedEntry) {
    this.cacheKey = key;
    this.url = entry.url;
    this.status = entry.status;
    this.statusText = entry.statusText;
    // Copies down to list values (`set-cookie`): the memory backend hands out its live entry, and
    // changing what filter() yielded must not change what is cached.
    this.headers = copyHeaders(entry.headers);
    this.request = { ...entry.request, headers: copyHeaders(entry.request.headers) };
    if (Buffer.isBuffer(entry.request.body)) this.request.body = Buffer.from(entry.request.body);
    this.createdAt = new Date(entry.createdAt);
    this.expires = entry.expires === null ? null : new Date(entry.expires);
    this.body = Buffer.from(entry.body);
  }

  readonly fromCache = true;

  get isExpired(): boolean {
    return this.expires !== null && Date.now() >= this.expires.getTime();
  }

  /** Seconds until expiry (negative once expired), or null for never. */
  get expiresDelta(): number | null {
    return this.expires === null ? null : Math.round((this.expires.getTime() - Date.now()) / 1000);
  }

  get size(): number {
    return this.body.length;
  }

  /** The raw body bytes (a copy). */
  get data(): Buffer {
    return Buffer.from(this.body);
  }

  text(encoding: BufferEncoding = 'utf8'): string {
    return this.body.toString(encoding);
  }

  json<T = unknown>(): T {
    return JSON.parse(this.text()) as T;
  }

  isOlderThan(seconds: number): boolean {
    return this.createdAt.getTime() < Date.now() - seconds * 1000;
  }

  toString(): string {
    return summary({ ...this, fromCache: true, size: this.size, method: this.request.method, url: this.url });
  }
}
