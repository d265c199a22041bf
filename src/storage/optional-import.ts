/**
 * Backend drivers are optional peer dependencies, imported the first time a cache of that backend
 * is used: a memory or SQLite user never loads the AWS SDK, a Redis user never builds sqlite3. A
 * driver that is missing becomes a StorageOpenError naming the exact package and major to install.
 */
import { StorageOpenError } from './errors.js';

const loaded = new Map<string, Promise<unknown>>();

/**
 * `import(pkg)`, once per process. `range` is what to install, e.g. `@keyv/redis@5`. A failed
 * import is remembered: it only changes with an install, which needs a restart anyway.
 */
export function importOptional<T>(pkg: string, range: string, backend: string): Promise<T> {
  let promise = loaded.get(pkg);
  if (!promise) {
    promise = import(pkg).then(
      (module: unknown) => module,
      (error: unknown) => {
        const missing = (error as NodeJS.ErrnoException)?.code === 'ERR_MODULE_NOT_FOUND' || (error as NodeJS.ErrnoException)?.code === 'MODULE_NOT_FOUND';
        const why = missing ? 'is not installed' : `cannot be loaded (${(error as Error)?.message ?? String(error)})`;
        throw new StorageOpenError(`The ${backend} backend needs the package ${pkg}, which ${why}: install it with \`npm install ${range}\``, { cause: error });
      },
    );
    loaded.set(pkg, promise);
  }
  return promise as Promise<T>;
}
