/**
 * The age of a response (https://www.rfc-editor.org/rfc/rfc9111#section-4.2.3) and the `Age` field
 * (https://www.rfc-editor.org/rfc/rfc9111#section-5.1). Pure: every time is passed in (epoch ms).
 */
import { parseStrictHttpDate } from './http-date.js';
import { headerValue } from '../headers.js';
import type { CachedEntry, StoredHeaders } from '../types.js';

/** RFC 9111 §1.2.2: a delta-seconds too large to hold is read as 2^31. */
const MAX_DELTA_SECONDS = 2 ** 31;

/**
 * The `Age` value in seconds, or undefined when there is none to use. §5.1: a list-valued field
 * uses its first member; a value that is not a non-negative integer is ignored.
 */
export function ageValue(headers: StoredHeaders): number | undefined {
  const field = headerValue(headers, 'age');
  if (field === undefined) return undefined;
  const first = field.split(',')[0]!.trim();
  if (!/^\d+$/.test(first)) return undefined;
  return Math.min(Number(first), MAX_DELTA_SECONDS);
}

/** The `Date` of a response, or undefined when absent or not an HTTP date. */
export function dateValue(headers: StoredHeaders): number | undefined {
  const field = headerValue(headers, 'date');
  return field === undefined ? undefined : parseStrictHttpDate(field);
}

/**
 * The instant the response's age was 0, as §4.2.3 computes it:
 *   apparent_age = max(0, response_time - date_value)
 *   corrected_age_value = age_value + (response_time - request_time)
 *   corrected_initial_age = max(apparent_age, corrected_age_value)
 * and `current_age = corrected_initial_age + (now - response_time)` becomes `now - agedFrom`.
 * The apparent age counts whole seconds, as `Date` has no finer resolution: a `Date` of 12:00:00
 * received at 12:00:00.900 is not 0.9 s old.
 */
export function agedFrom(headers: StoredHeaders, requestTime: number, responseTime: number): number {
  const date = dateValue(headers);
  const apparentMs = date === undefined ? 0 : Math.max(0, Math.floor((responseTime - date) / 1000) * 1000);
  const correctedAgeMs = (ageValue(headers) ?? 0) * 1000 + Math.max(0, responseTime - requestTime);
  return responseTime - Math.max(apparentMs, correctedAgeMs);
}

/** Current age in seconds (fractional) of a stored entry; entries without `agedFrom` count from `createdAt`. */
export function currentAge(entry: CachedEntry, now: number): number {
  return Math.max(0, now - (entry.agedFrom ?? entry.createdAt)) / 1000;
}

/** The `Age` header value a response served from the cache carries (§5.1: whole seconds). */
export function ageHeader(entry: CachedEntry, now: number): string {
  return String(Math.min(Math.floor(currentAge(entry, now)), MAX_DELTA_SECONDS));
}
