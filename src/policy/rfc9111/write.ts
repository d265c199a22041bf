/**
 * The write side of the RFC modes: whether a response from the origin is stored, with which
 * expiry and age (https://www.rfc-editor.org/rfc/rfc9111#section-3, §4.2). The twin of
 * write-decision.ts, which keeps the requests-cache modes exactly as they were.
 */
import { parseCacheControl } from '../directives.js';
import { hasValidator, headerValue } from '../headers.js';
import type { RequestActions } from '../request-actions.js';
import type { CacheSettings, RfcMode } from '../settings.js';
import type { CacheDirectives, StoredHeaders } from '../types.js';
import type { ResponseFacts, WriteDecision } from '../write-decision.js';
import { agedFrom } from './age.js';
import { expiryFrom, freshnessLifetime, type Lifetime } from './freshness.js';
import { storabilityCriteria } from './storability.js';


export interface RfcResponseFacts extends ResponseFacts {
  /** When the request was sent and when its response arrived (epoch ms), for the age (§4.2.3). */
  requestTime: number;
  responseTime: number;
  /** The request carried Authorization (§3.5). */
  authorized: boolean;
}

export interface RfcWriteDecision extends WriteDecision {
  agedFrom: number;
  lifetime: Lifetime;
  /** The headers as stored: without the fields a qualified no-cache or (shared) private names. */
  headers: StoredHeaders;
}

/** `Vary: *` (RFC 9111 §4.1): no later request can match it. */
export function hasVaryStar(headers: StoredHeaders): boolean {
  const vary = headerValue(headers, 'vary');
  return vary !== undefined && vary.split(',').some((name) => name.trim() === '*');
}

/**
 * Headers that update a stored response (a 304, or a 200 to HEAD) may withdraw what made it storable:
 * `no-store`, `private` in a shared cache, Vary: *. The first reason not to keep it, or undefined.
 */
export function refusalAfterUpdate(status: number, merged: StoredHeaders, mode: RfcMode, authorized: boolean, explicit: boolean): string | undefined {
  const criteria = storabilityCriteria({ status, cc: responseDirectives(merged), mode, authorized, varyStar: hasVaryStar(merged), explicit });
  return Object.entries(criteria).find(([, on]) => on)?.[0];
}

/**
 * The response directives as the RFC modes read them. Every hit reads them again, and a service sees
 * few distinct Cache-Control values, so parses are kept by value (bounded; callers never mutate them).
 */
export function responseDirectives(headers: StoredHeaders): CacheDirectives {
  const value = headerValue(headers, 'cache-control');
  if (value === undefined) return NO_DIRECTIVES;
  let parsed = parsedDirectives.get(value);
  if (parsed === undefined) {
    parsed = Object.freeze(parseCacheControl(value, { strict: true }));
    if (parsedDirectives.size >= PARSED_DIRECTIVES) parsedDirectives.clear();
    parsedDirectives.set(value, parsed);
  }
  return parsed;
}

const NO_DIRECTIVES: CacheDirectives = Object.freeze({});
const parsedDirectives = new Map<string, CacheDirectives>();
const PARSED_DIRECTIVES = 256;

/**
 * A qualified `no-cache="f"` lets a cache use the response without revalidation once `f` is left
 * out (§5.2.2.4); a qualified `private="f"` lets a shared cache store it without `f` (§5.2.2.7).
 */
export function withoutQualifiedFields(headers: StoredHeaders, cc: CacheDirectives, mode: RfcMode): StoredHeaders {
  const fields = [...(cc.noCacheFields ?? []), ...(mode === 'shared' ? (cc.privateFields ?? []) : [])];
  if (fields.length === 0) return headers;
  const out: StoredHeaders = {};
  for (const [name, value] of Object.entries(headers)) if (!fields.includes(name)) out[name] = value;
  return out;
}

export function decideRfcWrite(settings: CacheSettings, actions: RequestActions, response: RfcResponseFacts): RfcWriteDecision {
  const mode = settings.rfcMode!;
  const { status, headers, responseTime } = response;
  const cc = responseDirectives(headers);
  const lifetime = freshnessLifetime(status, cc, headers, mode, { expiration: actions.expiration, source: actions.expirationSource }, responseTime);
  const born = agedFrom(headers, response.requestTime, responseTime);
  const expires = expiryFrom(born, lifetime);
  const staleOnArrival = expires <= responseTime;
  const criteria = {
    ...actions.writeCriteria,
    'disabled status (allowableCodes)': settings.allowableCodesGiven && !settings.allowableCodes.has(status),
    'disabled by filter': !response.passesFilter,
    ...storabilityCriteria({
      status,
      cc,
      mode,
      authorized: response.authorized,
      varyStar: hasVaryStar(headers),
      explicit: lifetime.explicit,
    }),
    // As in every mode: a cookie is for the one client it was sent to (write-decision.ts).
    'response Set-Cookie': !settings.storeSetCookie && headers['set-cookie'] !== undefined,
    'partial response without Range (RFC 9110 §15.3.7)': status === 206 && response.rangeRequested !== true,
    "304 to the caller's own validators": status === 304 && response.callerValidators === true,
    // A 304 only updates a stored response (§4.3.4); without one it is handed back, never stored as one.
    '304 with no stored response to update (RFC 9111 §4.3.4)': status === 304,
    'redirect changed the method': response.methodChanged === true,
    // A response stale on arrival can only ever be revalidated or served as a stale fallback: without
    // a validator or stale-if-error, storing it buys nothing.
    'stale on arrival, no validator, no stale-if-error':
      staleOnArrival && !hasValidator(headers) && cc.staleIfError === undefined && actions.staleIfError === false,
  };
  return {
    write: !Object.values(criteria).some(Boolean),
    expires,
    agedFrom: born,
    lifetime,
    criteria,
    headers: withoutQualifiedFields(headers, cc, mode),
  };
}
