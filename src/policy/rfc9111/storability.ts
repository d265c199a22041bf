/**
 * Whether a response may be stored at all, in the RFC modes (https://www.rfc-editor.org/rfc/rfc9111#section-3).
 * Each rule is a named criterion: a true one is a reason not to store, and the log prints its name.
 */
import type { RfcMode } from '../settings.js';
import type { CacheDirectives } from '../types.js';
import { heuristicAllowed } from './freshness.js';

/**
 * Statuses whose semantics this cache knows (RFC 9110 §15), for `must-understand`
 * (https://www.rfc-editor.org/rfc/rfc9111#section-5.2.2.3).
 */
const UNDERSTOOD_STATUSES: ReadonlySet<number> = new Set([200, 203, 204, 206, 300, 301, 302, 303, 307, 308, 404, 405, 410, 414, 501]);

export interface StorabilityFacts {
  status: number;
  cc: CacheDirectives;
  mode: RfcMode;
  /** The request carried Authorization (§3.5). */
  authorized: boolean;
  /** The response has a `Vary: *`: no later request can match it (§4.1). */
  varyStar: boolean;
  /** Explicit freshness was found (Expires, max-age, or s-maxage in a shared cache). */
  explicit: boolean;
}

export function storabilityCriteria(f: StorabilityFacts): Record<string, boolean> {
  const { cc, mode } = f;
  // must-understand: a cache that knows the status ignores no-store; one that does not, stores nothing.
  const understood = cc.mustUnderstand === true && UNDERSTOOD_STATUSES.has(f.status);
  return {
    'not a final status (RFC 9111 §3)': f.status < 200,
    'response no-store (RFC 9111 §5.2.2.5)': cc.noStore === true && !understood,
    'must-understand with a status this cache does not know (RFC 9111 §5.2.2.3)': cc.mustUnderstand === true && !UNDERSTOOD_STATUSES.has(f.status),
    // A qualified `private="field"` only keeps those fields out (write.ts strips them).
    'private response in a shared cache (RFC 9111 §5.2.2.7)': mode === 'shared' && cc.private === true && cc.privateFields === undefined,
    'Authorization without public, s-maxage or must-revalidate (RFC 9111 §3.5)':
      mode === 'shared' && f.authorized && !(cc.public || cc.sMaxAge !== undefined || cc.mustRevalidate),
    // §3: without explicit freshness, only heuristically cacheable statuses (or `public`, or
    // `private` in a private cache) may be stored.
    'no explicit freshness and not heuristically cacheable (RFC 9111 §3, RFC 9110 §15.1)':
      !f.explicit && !heuristicAllowed(f.status, cc, mode),
    'Vary: * matches no request (RFC 9111 §4.1)': f.varyStar,
  };
}
