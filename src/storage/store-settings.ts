/**
 * The storage options of `setupCache` (README "Options"), validated where the user wrote them:
 * a bad value throws naming the option and the value.
 */
import { inspect } from 'node:util';
import { parseExpiration } from '../policy/expiration.js';
import { BACKEND_DEADLINE_MS, DEFAULT_TTL_OFFSET_MS } from './cache-storage.js';
import type { StoreSettings } from './record-store.js';

const show = (value: unknown): string => inspect(value, { depth: 1, breakLength: Infinity });

export interface StorageSettingOptions {
  storageTimeout?: unknown;
  ttlOffset?: unknown;
  maxEntries?: unknown;
  maxBytes?: unknown;
  maxEntrySize?: unknown;
}

function positiveInteger(value: unknown, option: string, allowZero = false): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < (allowZero ? 0 : 1)) {
    throw new RangeError(`Invalid ${option}: ${show(value)} (expected a whole number${allowZero ? ' >= 0' : ' >= 1'})`);
  }
  return value;
}

/** `ttlOffset`: seconds or a duration string ('1h'); 0 keeps nothing past expiry. */
function offsetMs(value: unknown): number {
  if (value === undefined) return DEFAULT_TTL_OFFSET_MS;
  if (value === 0) return 0;
  // parseExpiration's own errors name the option and the value.
  const expiration = typeof value === 'number' || typeof value === 'string' ? parseExpiration(value, 'ttlOffset') : undefined;
  if (!expiration || expiration.type !== 'relative' || expiration.seconds < 0) {
    throw new RangeError(`Invalid ttlOffset: ${show(value)} (expected seconds >= 0 or a duration such as '1h')`);
  }
  return Math.round(expiration.seconds * 1000);
}

export function parseStoreSettings(options: StorageSettingOptions): StoreSettings {
  return {
    deadlineMs: positiveInteger(options.storageTimeout, 'storageTimeout') ?? BACKEND_DEADLINE_MS,
    ttlOffsetMs: offsetMs(options.ttlOffset),
    maxEntries: positiveInteger(options.maxEntries, 'maxEntries'),
    maxBytes: positiveInteger(options.maxBytes, 'maxBytes'),
    maxEntrySize: positiveInteger(options.maxEntrySize, 'maxEntrySize'),
  };
}
