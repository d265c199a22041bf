/** Expiration sentinels, with requests-cache 1.x values (docs/behaviour.md §1 "Expiration values"). */

/** Never expire: the entry is stored with `expires = null`. */
export const NEVER_EXPIRE = -1;
/** Expire at once: stored only when the response has a validator, then revalidated on every use. */
export const EXPIRE_IMMEDIATELY = 0;
/** Skip both the cache read and the write. Same number as requests-cache's `DO_NOT_CACHE`. */
export const DO_NOT_CACHE = 0x0d0e0200020704;

/**
 * Credential names whose values enter the key only as a keyed hash (HMAC-SHA256 under the hash
 * secret) and are redacted from stored data, so one instance serving many users keeps them apart
 * (`docs/behaviour.md §3.1`). Matched case-insensitively in request headers, the query, path
 * parameters and bodies. A user's `hashedParameters` list is added to these; naming one in
 * `ignoredParameters` shares it instead; `hashedParameters: false` makes them ignored parameters.
 */
export const DEFAULT_HASHED_PARAMETERS: readonly string[] = Object.freeze([
  'Authorization',
  'Proxy-Authorization',
  'Cookie',
  'X-API-Key',
  'X-Auth-Token',
  'X-API-Token',
  'X-Access-Token',
  'access_token',
  'api_key',
  'apikey',
]);

/**
 * Names kept out of cache keys and redacted from stored data by default: none. requests-cache 1.x
 * ignores its credential names by default (shared between callers); here they are hashed instead
 * ({@link DEFAULT_HASHED_PARAMETERS}). Kept as an export for code that spreads it into its own list.
 */
export const DEFAULT_IGNORED_PARAMETERS: readonly string[] = Object.freeze([]);

/** `hashedParameters: false`: the credential names are ignored (requests-cache 1.x's default list plus Cookie). */
export const UNHASHED_CREDENTIAL_PARAMETERS: readonly string[] = DEFAULT_HASHED_PARAMETERS;

/** Environment variable read for the hash secret when the `hashSecret` option is not given. */
export const HASH_SECRET_ENV = 'AXIOS_KEYV_CACHE_HASH_SECRET';

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
