/**
 * What one request finds in the cache and what the policy decides about it (docs/behaviour.md §0 steps 4–6).
 */
import type { CacheContext } from '../context.js';
import { log } from '../debug.js';
import { redactUrl } from '../policy/keys.js';
import { decideRead, type ReadContext, type ReadDecision } from '../policy/read-decision.js';
import type { LookupFacts } from '../policy/response-decision.js';
import type { RequestActions } from '../policy/request-actions.js';
import type { CachedEntry, RequestInfo } from '../policy/types.js';
import { secondaryMatchHeaders } from '../policy/vary.js';

/** What one request found in the cache and decided about it. */
export type Lookup = LookupFacts;

/**
 * A URL as debug logs show it: redacted like stored URLs, so a token in the query never reaches a
 * log. Only called under `log.enabled`.
 */
export function shownUrl(ctx: CacheContext, url: string | undefined): string {
  if (url === undefined) return '';
  try {
    return redactUrl(url, ctx.keySettings);
  } catch {
    return '(unparsable URL)';
  }
}

export function describe(decision: ReadDecision): string {
  return `${decision.action} (${decision.reason})`;
}

/** A stored entry the policy cannot read (a damaged or foreign value that passed decoding) is a miss. */
function decide(entry: CachedEntry | undefined, ctx: ReadContext): ReadDecision {
  try {
    return decideRead(entry, ctx);
  } catch (error) {
    log('unreadable cache entry, treated as a miss: %O', error);
    return decideRead(undefined, ctx);
  }
}

/** Reference §0 steps 4–6: read the entry, decide, and on a Vary mismatch look under the secondary key. */
export async function look(
  ctx: CacheContext,
  request: RequestInfo,
  actions: RequestActions,
  { followsRedirects, readDeadlineMs }: { followsRedirects: boolean; readDeadlineMs: number },
): Promise<Lookup> {
  const now = Date.now();
  const key = ctx.keyFor(request);
  let found = actions.skipRead ? undefined : await ctx.storage.get(key, readDeadlineMs);
  // A request that does not follow redirects (`maxRedirects: 0`) would get the redirect itself, not
  // the response a followed redirect ended at: that entry does not answer it.
  if (found && !followsRedirects && found.entry.url !== redactUrl(request.url, ctx.keySettings)) {
    if (log.enabled) log('%s %s: the entry was reached through a redirect and redirects are off; a miss', request.method, shownUrl(ctx, request.url));
    found = undefined;
  }
  // Through a redirect alias, the entry must still be the response of this URL: the redirecting
  // URL may have been refetched since and now answer something else (upstream keeps the final
  // response under its own key, which takes precedence).
  if (found && found.key !== key && found.entry.url !== redactUrl(request.url, ctx.keySettings)) {
    if (log.enabled) log('%s %s: redirect alias points at %s, which no longer answers this URL; a miss', request.method, shownUrl(ctx, request.url), found.entry.url);
    found = undefined;
  }
  const decision = decide(found?.entry, { settings: ctx.settings, actions, request, now });
  if (decision.action !== 'vary-mismatch') {
    return { request, actions, key, entry: found?.entry, entryKey: found?.key ?? key, decision };
  }
  // The primary entry is another variant: it is never served nor revalidated for this request, so its
  // validators cannot make a 304 serve the wrong variant (fixes the upstream bug described in docs/behaviour.md §3.6).
  const secondaryKey = ctx.keyFor(request, secondaryMatchHeaders(found!.entry, ctx.settings.matchHeaders));
  const secondary = await ctx.storage.get(secondaryKey, readDeadlineMs);
  if (log.enabled) log('%s %s: %s; secondary key %s', request.method, shownUrl(ctx, request.url), decision.reason, secondaryKey);
  return {
    request,
    actions,
    key: secondaryKey,
    entry: secondary?.entry,
    entryKey: secondary?.key ?? secondaryKey,
    decision: decide(secondary?.entry, { settings: ctx.settings, actions, request, now, secondary: true }),
  };
}
