/**
 * Expiration values: checking what the user wrote (once, at setup) and turning a checked value into
 * an expiry timestamp. Behaviour follows the docs/behaviour.md §1 "Expiration values"; HTTP dates follow
 * RFC 9110 §5.6.7 and the response `Expires` rule follows RFC 9111 §5.3.
 *
 * Pure: no clock reads. Every function that needs the current time takes `now` (epoch ms).
 */
import { DO_NOT_CACHE, NEVER_EXPIRE } from '../constants.js';
import type { Expiration } from './types.js';

const NEVER: Expiration = Object.freeze({ type: 'never' });
const DO_NOT_CACHE_EXP: Expiration = Object.freeze({ type: 'do-not-cache' });

const EXPECTED =
  "expected seconds, a Date, a duration such as '90s', '5m', '1h30m', '2d', an HTTP date, " +
  'NEVER_EXPIRE, EXPIRE_IMMEDIATELY or DO_NOT_CACHE';

/**
 * Validates a user-supplied expiration. Runs at setup time so a typo fails where it was written,
 * not on the first request (requests-cache only notices at request time, docs/behaviour.md §10 item 22).
 */
export function parseExpiration(value: unknown, option: string): Expiration {
  if (value === null || value === undefined) return NEVER;

  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw invalid(RangeError, option, value);
    if (value === NEVER_EXPIRE) return NEVER;
    if (value === DO_NOT_CACHE) return DO_NOT_CACHE_EXP;
    checkDurationRange(value, option, value);
    // Kept as given: negative means "written already expired", and the int(x) == 0 quirk is
    // decided later by isExpireImmediately (docs/behaviour.md §1).
    return { type: 'relative', seconds: value };
  }

  if (value instanceof Date) {
    const at = value.getTime();
    if (Number.isNaN(at)) throw invalid(RangeError, option, value);
    return { type: 'absolute', at };
  }

  if (typeof value === 'string') return parseExpirationString(value, option);

  throw invalid(TypeError, option, value);
}

function parseExpirationString(raw: string, option: string): Expiration {
  const text = raw.trim();
  if (text === '') throw invalid(RangeError, option, raw);

  // requests-cache reads any digit string as EXPIRE_IMMEDIATELY (a rule meant for `Expires: 0`),
  // so `expire_after='60'` silently disables caching. We refuse it instead: a documented difference.
  if (BARE_NUMBER.test(text)) {
    throw new RangeError(
      `Invalid ${option}: ${show(raw)} (a number in a string is ambiguous: ` +
        `pass the number ${text} for seconds, or give a unit such as '${text}s')`,
    );
  }

  const seconds = parseDuration(text);
  if (seconds !== undefined) {
    checkDurationRange(seconds, option, raw);
    return { type: 'relative', seconds };
  }
  // A sign is not part of the grammar: say so rather than give the generic message.
  if (/^[+-]/.test(text) && parseDuration(text.slice(1).trimStart()) !== undefined) {
    throw new RangeError(
      `Invalid ${option}: ${show(raw)} (a duration string cannot be signed; ` +
        'pass a number of seconds, such as -300, for an entry written already expired)',
    );
  }

  const at = parseHttpDate(text);
  if (at !== undefined) return { type: 'absolute', at };

  throw invalid(RangeError, option, raw);
}

const BARE_NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?$/i;

/**
 * The duration grammar, case-insensitive (README "Expiration"):
 *
 *   duration = part *( [spaces] part )          surrounding spaces are ignored
 *   part     = number [spaces] unit
 *   number   = digits [ "." digits ] / "." digits    no sign, no exponent
 *   unit     = ms / msec(s) / millisecond(s) / s / sec(s) / second(s) / m / min(s) / minute(s)
 *            / h / hr(s) / hour(s) / d / day(s) / w / wk(s) / week(s)
 *
 * requests-cache has no duration strings (it takes seconds, a timedelta or a datetime); these stand
 * in for `timedelta(...)`. A unit is the whole run of letters after a number, so `ms` is never
 * `m` + `s` and a misspelt unit is an error rather than a different duration.
 */
const UNIT_SECONDS: ReadonlyMap<string, number> = new Map(
  (
    [
      [0.001, ['ms', 'msec', 'msecs', 'millisecond', 'milliseconds']],
      [1, ['s', 'sec', 'secs', 'second', 'seconds']],
      [60, ['m', 'min', 'mins', 'minute', 'minutes']],
      [3600, ['h', 'hr', 'hrs', 'hour', 'hours']],
      [86_400, ['d', 'day', 'days']],
      [604_800, ['w', 'wk', 'wks', 'week', 'weeks']],
    ] as const
  ).flatMap(([seconds, names]) => names.map((name) => [name, seconds] as const)),
);
const DURATION_PART = /\s*(\d+(?:\.\d+)?|\.\d+)\s*([a-z]+)/iy;

/**
 * '90s', '1h30m', '1 hour 30 minutes', '1.5H', '250ms' -> seconds; undefined when the text (already
 * trimmed) is not a duration.
 */
function parseDuration(text: string): number | undefined {
  DURATION_PART.lastIndex = 0;
  let total = 0;
  let parts = 0;
  while (DURATION_PART.lastIndex < text.length) {
    const match = DURATION_PART.exec(text);
    if (!match) return undefined;
    const unit = UNIT_SECONDS.get(match[2]!.toLowerCase());
    if (unit === undefined) return undefined;
    // Divide for milliseconds so '100ms' is exactly 0.1 rather than 100 * 0.001.
    total += unit < 1 ? Number(match[1]) / 1000 : Number(match[1]) * unit;
    parts++;
  }
  return parts > 0 ? total : undefined;
}

/**
 * The largest duration accepted, either way: 8e12 s (about 253,000 years). JavaScript Dates span
 * ±8.64e15 ms around 1970 (ECMA-262 §21.4.1.1, https://tc39.es/ecma262/#sec-time-values-and-time-range),
 * so an expiry up to this far from any `now` before the year 20,000 is still a valid Date, and
 * formatting it (logs, `describeResponse`, `String(cachedResponse)`) cannot throw. Anything longer
 * is a typo or a stand-in for "never", which NEVER_EXPIRE says.
 */
export const MAX_DURATION_SECONDS = 8e12;

/** The edges of JavaScript's Date range, in epoch ms. */
export const MAX_DATE_MS = 8.64e15;

function checkDurationRange(seconds: number, option: string, raw: unknown): void {
  if (Math.abs(seconds) > MAX_DURATION_SECONDS) {
    throw new RangeError(
      `Invalid ${option}: ${show(raw)} (too far away: a duration may be at most ${MAX_DURATION_SECONDS} seconds, ` +
        'about 253,000 years, either way; use NEVER_EXPIRE for never)',
    );
  }
}

// ---------------------------------------------------------------------------------------------
// HTTP dates (RFC 9110 §5.6.7): a recipient must accept IMF-fixdate, the obsolete RFC 850 form
// and asctime. We are lenient where it costs nothing: names in any case, full or short day names,
// a one-digit day, runs of spaces. The day name is not cross-checked against the date.
// ---------------------------------------------------------------------------------------------

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const DAY = '(?:mon|tue|wed|thu|fri|sat|sun|monday|tuesday|wednesday|thursday|friday|saturday|sunday)';
const TIME = '(\\d{2}):(\\d{2}):(\\d{2})';

/** Sun, 06 Nov 1994 08:49:37 GMT */
const IMF_FIXDATE = new RegExp(`^${DAY},\\s*(\\d{1,2})\\s+([a-z]{3})\\s+(\\d{4})\\s+${TIME}\\s+GMT$`, 'i');
/** Sunday, 06-Nov-94 08:49:37 GMT */
const RFC850_DATE = new RegExp(`^${DAY},\\s*(\\d{1,2})-([a-z]{3})-(\\d{2}|\\d{4})\\s+${TIME}\\s+GMT$`, 'i');
/** Sun Nov  6 08:49:37 1994 */
const ASCTIME_DATE = new RegExp(`^${DAY}\\s+([a-z]{3})\\s+(\\d{1,2})\\s+${TIME}\\s+(\\d{4})$`, 'i');

/** Epoch ms for a valid HTTP date, or undefined. Never throws. */
export function parseHttpDate(value: string): number | undefined {
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  let m: RegExpExecArray | null;
  if ((m = IMF_FIXDATE.exec(text))) return toEpoch(m[3]!, m[2]!, m[1]!, m[4]!, m[5]!, m[6]!);
  if ((m = RFC850_DATE.exec(text))) return toEpoch(m[3]!, m[2]!, m[1]!, m[4]!, m[5]!, m[6]!);
  if ((m = ASCTIME_DATE.exec(text))) return toEpoch(m[6]!, m[1]!, m[2]!, m[3]!, m[4]!, m[5]!);
  return undefined;
}

function toEpoch(yearText: string, monthText: string, dayText: string, h: string, min: string, s: string) {
  const month = MONTHS.indexOf(monthText.toLowerCase());
  if (month < 0) return undefined;
  let year = Number(yearText);
  // RFC 850 two-digit years. RFC 9110 §5.6.7 pivots on "now", which a pure parser does not have;
  // we use the fixed pivot of Python's email.utils (what requests-cache parses with): 69-99 are
  // 19xx, 00-68 are 20xx.
  if (yearText.length === 2) year += year >= 69 ? 1900 : 2000;
  const day = Number(dayText);
  const hour = Number(h);
  const minute = Number(min);
  const second = Number(s);
  const daysInMonth = month === 1 && isLeap(year) ? 29 : DAYS_IN_MONTH[month]!;
  // 60 seconds is allowed for a leap second (RFC 5322 §3.3); Date rolls it into the next minute.
  if (day < 1 || day > daysInMonth || hour > 23 || minute > 59 || second > 60) return undefined;
  const date = new Date(0);
  // setUTCFullYear, not Date.UTC, which would map years 0-99 to 19xx.
  date.setUTCFullYear(year, month, day);
  date.setUTCHours(hour, minute, second, 0);
  return date.getTime();
}

function isLeap(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

// ---------------------------------------------------------------------------------------------
// Conversions of a validated Expiration.
// ---------------------------------------------------------------------------------------------

/**
 * requests-cache compares `int(expire_after) == 0`, so 0.5 and -0.5 mean "expire immediately"
 * too (docs/behaviour.md §1): written only with a validator, then revalidated on every use.
 */
export function isExpireImmediately(exp: Expiration): boolean {
  return exp.type === 'relative' && Math.trunc(exp.seconds) === 0;
}

/** Epoch ms at which an entry written at `now` expires; null for never. */
export function expiresAt(exp: Expiration, now: number): number | null {
  switch (exp.type) {
    case 'never':
      return null;
    case 'absolute':
      return exp.at;
    case 'relative': {
      if (isExpireImmediately(exp)) return now;
      // Whole milliseconds keep stored timestamps integral; sub-ms precision has no meaning here.
      // Settings are range-checked at setup; a response's `max-age` is not, so clamp to the Date
      // range (a stored expiry must always make a valid Date).
      const at = Math.round(now + exp.seconds * 1000);
      return Math.min(MAX_DATE_MS, Math.max(-MAX_DATE_MS, at));
    }
    case 'do-not-cache':
      throw new Error('expiresAt: DO_NOT_CACHE has no expiry; check for it before computing one');
  }
}

/**
 * Seconds until expiry, rounded up, or -1 (NEVER_EXPIRE) for never: upstream's
 * `get_expiration_seconds`. A past expiry gives a negative number, so callers that must tell
 * "expired 1 s ago" from "never" should use expiresAt instead.
 */
export function expirationSeconds(exp: Expiration, now: number): number {
  const at = expiresAt(exp, now);
  if (at === null) return NEVER_EXPIRE;
  const seconds = Math.ceil((at - now) / 1000);
  return seconds === 0 ? 0 : seconds; // no -0 in logs or headers
}

/**
 * Expiry for a response `Expires` header. Anything that is not a valid HTTP date, including the
 * common `0` and `-1`, means "already expired" (RFC 9111 §5.3). requests-cache raises out of the
 * request for an invalid date (docs/behaviour.md §2.3, BUG?); we never throw.
 */
export function expirationFromResponseExpires(value: string, now: number): number {
  return parseHttpDate(value) ?? now;
}

/** Short text for debug logs. */
export function describeExpiration(exp: Expiration): string {
  switch (exp.type) {
    case 'never':
      return 'never';
    case 'do-not-cache':
      return 'do not cache';
    case 'absolute':
      return Number.isFinite(exp.at) && Math.abs(exp.at) <= MAX_DATE_MS ? `at ${new Date(exp.at).toISOString()}` : `at ${exp.at} ms`;
    case 'relative': {
      const text = `${exp.seconds}s`;
      if (isExpireImmediately(exp)) return `${text} (expire immediately)`;
      return exp.seconds < 0 ? `${text} (already expired)` : text;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Error messages: name the option and show the value as the user wrote it.
// ---------------------------------------------------------------------------------------------

function invalid(Kind: typeof TypeError | typeof RangeError, option: string, value: unknown): Error {
  return new Kind(`Invalid ${option}: ${show(value)} (${EXPECTED})`);
}

function show(value: unknown): string {
  if (typeof value === 'string') {
    const text = value.length > 80 ? `${value.slice(0, 77)}...` : value;
    return `'${text}'`;
  }
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'function') return `[function ${value.name || 'anonymous'}]`;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
  if (typeof value === 'symbol') return value.toString();
  if (value !== null && typeof value === 'object') {
    try {
      const json = JSON.stringify(value);
      if (json !== undefined) return json.length > 80 ? `${json.slice(0, 77)}...` : json;
    } catch {
      // cyclic or throwing toJSON: fall through to the tag
    }
    return Object.prototype.toString.call(value);
  }
  return String(value);
}
