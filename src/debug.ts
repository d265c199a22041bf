import createDebug from 'debug';

/**
 * Decision logger, silent by default. Enable with `DEBUG=axios-keyv-cache` (or `axios-keyv-cache:*`).
 * Each decision is logged with the named criteria that produced it, as requests-cache does.
 */
export const log = createDebug('axios-keyv-cache');

/** Renders `{ 'disabled cache': false, 'method not allowed': true }` as `method not allowed`. */
export function trueCriteria(criteria: Record<string, boolean>): string {
  const hits = Object.keys(criteria).filter((name) => criteria[name]);
  return hits.length > 0 ? hits.join(', ') : 'none';
}
