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
  /** Response directives only the RFC 9111 modes read (`cacheControl: 'private' | 'shared'`). */
  sMaxAge?: number;
  public?: boolean;
  private?: boolean;
  proxyRevalidate?: boolean;
  mustUnderstand?: boolean;
  /** Field names of a qualified `no-cache="a, b"` (RFC 9111 §5.2.2.4), lower-cased. */
  noCacheFields?: string[];
  /** Field names of a qualified `private="a, b"` (RFC 9111 §5.2.2.7), lower-cased. */
  privateFields?: string[];
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
   * requests' `verify=False`, which upstream keys separately (docs/behaviour.md §3.1, §10 item 9).
   */
  insecure?: boolean;
}

/** The options that shape a cache key. */
export interface KeySettings {
  /** Out of the key and `REDACTED` in stored data (any case). Shared between callers. */
  ignoredParameters: readonly string[];
  /**
   * In the key only as an HMAC-SHA256 under {@link credentialKey}, `REDACTED` in stored data (any
   * case). Absent or empty: nothing is hashed.
   */
  hashedParameters?: readonly string[];
  /** HKDF-derived key for credential digests; required when `hashedParameters` is not empty. */
  credentialKey?: Uint8Array;
  /** HKDF-derived key (another purpose) for the digests stored to compare `Vary` on hashed headers. */
  varyKey?: Uint8Array;
  /** `true`: every request header; a list: those headers (any case); `false`: none. */
  matchHeaders: boolean | readonly string[];
  contentRootKey?: string;
  /** Part of the key so a serializer switch never reads another serializer's data (as upstream). */
  serializerName: string;
}

/** A request as stored with its response: ignored and hashed parameters already redacted. */
export interface StoredRequest {
  method: string;
  url: string;
  headers: HeaderRecord;
  /** Redacted, normalized body; absent when the request had none. */
  body?: string | Buffer;
  /**
   * Per hashed header present on the request (lower-case name): an HMAC under the Vary purpose key,
   * never the key digest, so `Vary: Authorization` can be checked without storing the credential.
   */
  varyDigests?: Record<string, string>;
}

/** A cached response as stored. Bodies are raw bytes, before any transformResponse. */
/**
 * The stored entry format. 2 since 0.2 (keys hash credentials and order parameters differently, so
 * 0.1 entries would never be found again); a store of an older format is purged on open.
 */
export const ENTRY_FORMAT = 3;

export interface CachedEntry {
  /** Format version, so a later layout change can tell old entries apart. */
  v: typeof ENTRY_FORMAT;
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
  /**
   * RFC 9111 modes only: the epoch ms at which the stored response's age was 0, i.e. the response
   * time minus its corrected initial age (https://www.rfc-editor.org/rfc/rfc9111#section-4.2.3).
   * Current age is `now - agedFrom`. Absent in the other modes and in older entries (createdAt stands in).
   */
  agedFrom?: number;
}
