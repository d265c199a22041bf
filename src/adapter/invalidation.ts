/**
 * The I/O half of RFC 9111 §4.4 (the decision is policy/rfc9111/invalidation.ts): every response
 * stored for an invalidated URL, every variant and every caller's, is deleted through the backend's
 * URL index, before the unsafe request's response is handed back, so the caller's next GET sees the change.
 */
import type { CacheContext } from '../context.js';
import { log } from '../debug.js';
import { redactUrl } from '../policy/keys.js';
import { invalidationTargets } from '../policy/rfc9111/invalidation.js';
import type { StoredHeaders } from '../policy/types.js';

export async function invalidateAfter(ctx: CacheContext, method: string, url: string, status: number, headers: StoredHeaders): Promise<void> {
  if (!ctx.settings.rfcMode || ctx.settings.readOnly) return;
  const targets = invalidationTargets(method, url, status, headers);
  for (const target of targets) {
    const deleted = await ctx.storage.invalidateUrl(redactUrl(target, ctx.keySettings));
    if (log.enabled) log('%s %s answered %d: %d stored response(s) for %s invalidated (RFC 9111 §4.4)', method, redactUrl(url, ctx.keySettings), status, deleted, redactUrl(target, ctx.keySettings));
  }
}
