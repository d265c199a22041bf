/** Expiration sentinels, with requests-cache 1.x values (reference §1 "Expiration values"). */

/** Never expire: the entry is stored with `expires = null`. */
export const NEVER_EXPIRE = -1;
/** Expire at once: stored only when the response has a validator, then revalidated on every use. */
export const EXPIRE_IMMEDIATELY = 0;
/** Skip both the cache read and the write. Same number as requests-cache's `DO_NOT_CACHE`. */
export const DO_NOT_CACHE = 0x0d0e0200020704;

/**
 * Names kept out of cache keys and redacted from stored data by default (requests-cache 1.3.2's list).
 * Headers and parameters share one list, as upstream: each name is looked up in the query, form and
 * JSON bodies, and request headers (headers case-insensitively).
 */
export const DEFAULT_IGNORED_PARAMETERS: readonly string[] = Object.freeze([
  'Authorization',
  'Proxy-Authorization',
  'X-API-Key',
  'X-Auth-Token',
  'X-API-Token',
  'X-Access-Token',
  'access_token',
  'api_key',
  'apikey',
]);

/** The value stored in place of an ignored parameter, as upstream. */
export const REDACTED = 'REDACTED';

/** Every method requests-cache names in `ALL_METHODS`. */
export const ALL_METHODS: readonly string[] = Object.freeze(['GET', 'HEAD', 'OPTIONS', 'POST', 'PUT', 'PATCH', 'DELETE']);

/** Headers through which a client tunnels another method; they count toward `allowableMethods`. */
export const METHOD_OVERRIDE_HEADERS: readonly string[] = Object.freeze([
  'x-http-method-override',
  'x-http-method',
  'x-method-override',
]);
