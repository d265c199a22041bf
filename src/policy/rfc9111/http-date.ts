/**
 * HTTP-date as RFC 9110 §5.6.7 defines it (https://www.rfc-editor.org/rfc/rfc9110#section-5.6.7),
 * for the RFC modes: the three formats a recipient must accept, each with its exact spacing and
 * punctuation (so `Thu, 18  Aug  2050`, `Thu, 18-Aug-2050` or `... UTC` are no dates), but
 * case-insensitive names, as the public cache test suite expects of an optimal cache. The
 * requests-cache modes keep the lenient reading of policy/expiration.ts.
 */
import { parseHttpDate } from '../expiration.js';

const SHORT_DAY = '(?:mon|tue|wed|thu|fri|sat|sun)';
const LONG_DAY = '(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)';
const MONTH = '(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)';
const TIME = '\\d{2}:\\d{2}:\\d{2}';

/** IMF-fixdate: `Sun, 06 Nov 1994 08:49:37 GMT`. */
const IMF_FIXDATE = new RegExp(`^${SHORT_DAY}, \\d{2} ${MONTH} \\d{4} ${TIME} GMT$`, 'i');
/** rfc850-date: `Sunday, 06-Nov-94 08:49:37 GMT`. */
const RFC850 = new RegExp(`^${LONG_DAY}, \\d{2}-${MONTH}-\\d{2} ${TIME} GMT$`, 'i');
/** asctime-date: `Sun Nov  6 08:49:37 1994` (a one-digit day is padded with a space). */
const ASCTIME = new RegExp(`^${SHORT_DAY} ${MONTH} (?:\\d{2}| \\d) ${TIME} \\d{4}$`, 'i');

/** Epoch ms for a valid HTTP-date, or undefined. Never throws. */
export function parseStrictHttpDate(value: string): number | undefined {
  if (!IMF_FIXDATE.test(value) && !RFC850.test(value) && !ASCTIME.test(value)) return undefined;
  // The shape is right; the lenient parser checks the ranges (day of month, hours) and converts.
  return parseHttpDate(value);
}
