/**
 * The secret that credential digests are keyed with, and the per-purpose keys derived from it
 * (`docs/behaviour.md §3.1`). Never kept inside the store: whoever can read the store must not be
 * able to test guesses of a low-entropy credential (a Basic-auth password) against the keys.
 *
 * Where it comes from, first match wins: the `hashSecret` option; the environment variable
 * `AXIOS_KEYV_CACHE_HASH_SECRET`; for the `memory` backend a random per-process secret (the store
 * dies with the process); for every other backend a random 32-byte secret generated once into
 * `$XDG_CACHE_HOME/axios-keyv-cache/hash-secret` (else `~/.cache/...`), mode 0600 in a 0700 folder.
 */
import { hkdfSync, randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import { HASH_SECRET_ENV } from './constants.js';
import { log } from './debug.js';
import { MIN_HASH_SECRET_BYTES, parseHashSecret } from './policy/settings.js';

/** HKDF `info` strings: one key per purpose, so a digest made for one use is useless for another. */
export const HKDF_INFO = Object.freeze({
  credentialHash: 'axios-keyv-cache v1 credential-hash',
  varyHash: 'axios-keyv-cache v1 vary-hash',
});

export interface CredentialKeys {
  /** Keys the credential digests that enter cache keys. */
  credentialKey: Buffer;
  /** Keys the digests stored with an entry to compare `Vary` on hashed headers. */
  varyKey: Buffer;
}

/** RFC 5869 HKDF-SHA256 with an empty salt (the secret is already uniformly random or user-chosen). */
export function deriveKeys(secret: Uint8Array): CredentialKeys {
  const derive = (info: string) => Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), info, 32));
  return { credentialKey: derive(HKDF_INFO.credentialHash), varyKey: derive(HKDF_INFO.varyHash) };
}

/** `$XDG_CACHE_HOME/axios-keyv-cache/hash-secret`, else under `~/.cache` (XDG: a relative value is ignored). */
export function secretFilePath(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_CACHE_HOME;
  const base = xdg && isAbsolute(xdg) ? xdg : join(homedir(), '.cache');
  return join(base, 'axios-keyv-cache', 'hash-secret');
}

/**
 * The hash secret for a cache. `persistent` is false only for the `memory` backend.
 * Throws a RangeError when the environment variable or the secret file holds fewer than 16 bytes.
 */
export function resolveHashSecret(option: Buffer | undefined, persistent: boolean, env: NodeJS.ProcessEnv = process.env): Buffer {
  if (option !== undefined) return option;
  const fromEnv = env[HASH_SECRET_ENV];
  if (fromEnv !== undefined && fromEnv !== '') return parseHashSecret(fromEnv, HASH_SECRET_ENV)!;
  if (!persistent) return randomBytes(32);
  return loadOrCreateSecretFile(secretFilePath(env));
}

function readSecretFile(path: string): Buffer {
  const bytes = readFileSync(path);
  if (bytes.length < MIN_HASH_SECRET_BYTES) {
    throw new RangeError(`Hash secret file ${path} holds ${bytes.length} bytes (at least ${MIN_HASH_SECRET_BYTES} needed); delete it to generate a new one`);
  }
  return bytes;
}

/**
 * Reads the secret file, creating it first when missing. Creation is atomic: the secret is written
 * to a private temporary file which is then hard-linked to its final name, and `link` never
 * overwrites, so when two processes race, one link wins and both read the winner's secret.
 */
export function loadOrCreateSecretFile(path: string): Buffer {
  try {
    return readSecretFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const temp = `${path}.${process.pid}.${randomBytes(8).toString('hex')}.tmp`;
  writeFileSync(temp, randomBytes(32), { mode: 0o600, flag: 'wx' });
  try {
    linkSync(temp, path);
    log('generated a new hash secret in %s', path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    unlinkSync(temp);
  }
  return readSecretFile(path);
}
