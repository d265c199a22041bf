/**
 * The storage-error contract shared by every backend: what failed ('open', 'read', 'write',
 * 'delete', 'clear', 'iterate'), on which key and backend, reported through `onStorageError`.
 */
import { log } from '../debug.js';
import type { StorageErrorHook, StorageErrorInfo, StorageOperation } from '../types.js';

/** The backend could not be opened (or its native module loaded); `cause` has the original error. */
export class StorageOpenError extends Error {
  override name = 'StorageOpenError';
}

/** An operation that did not finish within the cache's deadline; it may still finish later. */
export class StorageTimeoutError extends Error {
  override name = 'StorageTimeoutError';
  readonly code = 'ETIMEDOUT';
}

/**
 * Calls the user's hook for one failed operation. The hook runs on a request's path, so nothing it
 * does (a throw, a rejected promise) may reach the request: it is logged instead. Without a hook the
 * first failure of each cache is printed once as a process warning, so a cache that silently never
 * stores anything is visible; the rest go to the debug log only.
 */
export function storageErrorReporter(hook: StorageErrorHook | undefined, backend: string): (error: unknown, operation: StorageOperation, key?: string) => void {
  let warned = false;
  let hookFailureWarned = false;
  const hookFailed = (failure: unknown): void => {
    log('onStorageError threw; ignored: %O', failure);
    if (hookFailureWarned) return;
    hookFailureWarned = true;
    process.emitWarning(`axios-keyv-cache: onStorageError threw (ignored): ${(failure as Error)?.message ?? String(failure)}`);
  };
  return (error, operation, key) => {
    const err = error instanceof Error ? error : new Error(String(error));
    // Whatever operation tripped over it, a store that cannot open is reported as 'open'.
    const reported: StorageOperation = err instanceof StorageOpenError ? 'open' : operation;
    log('storage %s failed on %s%s: %O', reported, backend, key === undefined ? '' : ` (key ${key})`, err);
    const info: StorageErrorInfo = key === undefined ? { operation: reported, backend } : { operation: reported, key, backend };
    if (hook) {
      try {
        const result = hook(err, info) as unknown;
        if (result && typeof (result as Promise<unknown>).then === 'function') (result as Promise<unknown>).then(undefined, hookFailed);
      } catch (failure) {
        hookFailed(failure);
      }
      return;
    }
    if (warned) return;
    warned = true;
    process.emitWarning(
      `axios-keyv-cache: cache ${reported} failed on ${backend}: ${err.message}. Requests still work, uncached. ` +
        'Pass onStorageError to handle storage errors; later ones are logged with DEBUG=axios-keyv-cache.',
    );
  };
}

/** A SQLite file locked by another process past the retries: the write was skipped, nothing is broken. */
export class StorageBusyError extends Error {
  override name = 'StorageBusyError';
  readonly code = 'SQLITE_BUSY';
}

/** A response larger than `maxEntrySize` (or the backend's own limit): not cached, never an error to the caller. */
export class EntryTooLargeError extends Error {
  override name = 'EntryTooLargeError';
  readonly code = 'ENTRY_TOO_LARGE';
}
