/**
 * The I/O half of RFC 9111 §4.3.5 (the decision is policy/rfc9111/head-update.ts): after a 200 to
 * HEAD, the stored GET response for the same request is read and rewritten, updated or made stale.
 */
import type { CacheContext } from '../context.js';
import { log } from '../debug.js';
import { decideHeadUpdate } from '../policy/rfc9111/head-update.js';
import type { RequestActions } from '../policy/request-actions.js';
import type { RequestInfo, StoredHeaders } from '../policy/types.js';
import { checkVary, secondaryMatchHeaders } from '../policy/vary.js';

export async function updateStoredGet(
  ctx: CacheContext,
  request: RequestInfo,
  actions: RequestActions,
  head: { status: number; headers: StoredHeaders; requestTime: number; responseTime: number },
): Promise<void> {
  const { settings, storage } = ctx;
  if (!settings.rfcMode || settings.readOnly || actions.skipWrite) return;
  const get = { ...request, method: 'GET' };
  let found = await storage.get(ctx.keyFor(get));
  // Only a GET response that could have answered this request (its Vary matches, §4.1); after a
  // Vary mismatch, the variant under the Vary-qualified key, as lookup.ts reads it.
  if (found && !checkVary(found.entry, request.headers, settings).matches) {
    found = await storage.get(ctx.keyFor(get, secondaryMatchHeaders(found.entry, settings.matchHeaders)));
    if (found && !checkVary(found.entry, request.headers, settings).matches) found = undefined;
  }
  const decision = decideHeadUpdate(found?.entry, { ...head, authorized: request.headers.authorization !== undefined }, actions, settings.rfcMode);
  if (log.enabled) log('HEAD %s: %s', ctx.storedUrl(request), decision.reason);
  if (decision.action === 'delete') await storage.discard([found!.key]);
  else if (decision.action !== 'none') await storage.save(found!.key, decision.entry);
}
