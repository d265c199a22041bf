/**
 * Invalidation after an unsafe request (https://www.rfc-editor.org/rfc/rfc9111#section-4.4): a
 * non-error response to a method that is not known to be safe invalidates what is stored for the
 * target URI, and for the Location and Content-Location URIs when they are on the same origin (a
 * request to one origin must not be able to evict another's responses).
 */
import { headerValue } from '../headers.js';
import type { StoredHeaders } from '../types.js';

/** RFC 9110 §9.2.1: the safe methods. Every other one, unknown ones included, invalidates. */
const SAFE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE']);

export function isUnsafeMethod(method: string): boolean {
  return !SAFE_METHODS.has(method.toUpperCase());
}

/** Absolute URLs whose stored responses the response invalidates; empty when it invalidates nothing. */
export function invalidationTargets(method: string, requestUrl: string, status: number, headers: StoredHeaders): string[] {
  // "Non-error" is 2xx or 3xx (§4.4).
  if (!isUnsafeMethod(method) || status < 200 || status >= 400) return [];
  let base: URL;
  try {
    base = new URL(requestUrl);
  } catch {
    return [];
  }
  const targets = new Set<string>([base.href.split('#')[0]!]);
  for (const name of ['location', 'content-location']) {
    const value = headerValue(headers, name);
    if (value === undefined) continue;
    try {
      const target = new URL(value.trim(), base);
      if (target.origin === base.origin) targets.add(target.href.split('#')[0]!);
    } catch {
      // An unparsable reference names nothing to invalidate.
    }
  }
  return [...targets];
}
