/**
 * Plain data shared by the policy modules. Nothing here knows about axios or storage: the glue turns
 * axios configs and responses into these shapes, and the policy decides on them.
 */

/** Header names lower-cased, values as strings (repeated headers joined with ", "). */
export type HeaderRecord = Record<string, string>;

/** Response headers as stored: lower-case names; `set-cookie` may stay a list. */
export type StoredHeaders = Record<string, string | string[]>;

/** What the user may write wherever an expiration is accepted. */
export type ExpireAfter = number | Date | string | null;

/**
 * An expiration after validation. `relative` counts seconds from the moment a response is written;
 * a `relative` value whose integer part is 0 means "expire immediately" (requests-cache's `int(x) == 0`).
 */
export type Expiration =
  | { readonly type: 'never' }
  | { readonly type: 'relative'; readonly seconds: number }
  | { readonly type: 'absolute'; readonly at: number }
  | { readonly type: 'do-not-cache' };

/** Cache-Control directives we act on (request or response), already typed. */
export interface CacheDirectives {
  maxAge?: number;
  /** Seconds of staleness accepted; `Infinity` for a bare `max-stale` (RFC 9111 §5.2.1.2). */
  maxStale?: number;
  minFresh?: number;
  noCache?: boolean;
  noStore?: boolean;
  onlyIfCached?: boolean;
  mustRevalidate?: boolean;
  immutable?: boolean;
  staleIfError?: number;
  staleWhileRevalidate?: number;
}

/** One compiled `urlsExpireAfter` entry. */
export interface UrlPattern {
  /** The pattern as the user wrote it (for logs and errors). */
  readonly source: string | RegExp;
  readonly expiration: Expiration;
  /** True when the request URL matches (glob: scheme-less fnmatch prefix; RegExp: search on the full URL). */
  matches(url: string): boolean;
}

/** The request as it is about to be sent, after every user interceptor and transformRequest. */
export interface RequestInfo {
  /** Upper-case method. */
  method: string;
  /** Absolute URL with params applied, as axios will send it. */
  url: string;
  headers: HeaderRecord;
  /** Serialized body; FormData is already turned into canonical multipart bytes. */
  body?: string | Buffer;
  /**
   * TLS verification is off (`httpsAgent` with `rejectUnauthorized: false`): axios' counterpart of
   * requests' `verify=False`, which upstream keys separately (reference §3.1, §10 item 9).
   */
  insecure?: boolean;
}

/** The options that shape a cache key. */
export interface KeySettings {
  ignoredParameters: readonly string[];
  /** `true`: every request header; a list: those headers (any case); `false`: none. */
  matchHeaders: boolean | readonly string[];
  contentRootKey?: string;
  /** Part of the key so a serializer switch never reads another serializer's data (as upstream). */
  serializerName: string;
}

/** A request as stored with its response: ignored parameters already redacted. */
export interface StoredRequest {
  method: string;
  url: string;
  headers: HeaderRecord;
  /** Redacted, normalized body; absent when the request had none. */
  body?: string | Buffer;
}

/** A cached response as stored. Bodies are raw bytes, before any transformResponse. */
export interface CachedEntry {
  /** Format version, so a later layout change can tell old entries apart. */
  v: 1;
  /** Final URL (after redirects), normalized and redacted. */
  url: string;
  status: number;
  statusText: string;
  headers: StoredHeaders;
  body: Buffer;
  request: StoredRequest;
  /** Epoch ms; preserved across revalidation. */
  createdAt: number;
  /** Epoch ms, or null for never. */
  expires: number | null;
}
