/**
 * Signed entries (`secretKey`, README "Serializers"): an HMAC-SHA256 over what is stored, keyed per
 * purpose with HKDF from each secret. The MAC covers the storage key the value sits under (and for
 * an alias, the key it points to), so whoever can write the store can neither alter an entry nor
 * move a valid one under another key nor repoint an alias. The first secret signs; every secret
 * verifies, so a rolling deploy first adds the new secret second (verify only), then first.
 * `expires` is inside the signed entry; a SQLite expiry reset (`resetExpiration`), which overrides it
 * for the rows written before it, is signed too (`signReset`), with its generation, so an old reset
 * cannot be replayed.
 */
import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { inspect } from 'node:util';
import type { StoredValue } from './record-store.js';

const INFO = 'axios-keyv-cache v1 entry-signing';
/** Marks a signed response value: 'AKS' + format 1. */
const MAGIC = Buffer.from('AKS\x01', 'latin1');
const MAC_BYTES = 32;
const TEXT = 0;
const BYTES = 1;
/** An alias value is `<target>.<base64url MAC>`; targets are our keys and never contain the separator last. */
const ALIAS_SEPARATOR = '.';

export const MIN_SECRET_KEY_BYTES = 16;

const show = (value: unknown): string => inspect(value, { depth: 1, breakLength: Infinity });

/** The `secretKey` option: one secret or a list (first signs, all verify), each >= 16 bytes. */
export function parseSecretKeys(value: unknown): Buffer[] | undefined {
  if (value === undefined) return undefined;
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0) throw new RangeError('Invalid secretKey: [] (expected a secret or a non-empty list; the first signs, all verify)');
  return list.map((item, i) => {
    const where = Array.isArray(value) ? `secretKey[${i}]` : 'secretKey';
    let bytes: Buffer;
    if (typeof item === 'string') bytes = Buffer.from(item, 'utf8');
    else if (item instanceof Uint8Array) bytes = Buffer.from(item);
    else throw new TypeError(`Invalid ${where}: ${show(item)} (expected a string, Buffer or Uint8Array)`);
    if (bytes.length < MIN_SECRET_KEY_BYTES) throw new RangeError(`Invalid ${where}: ${bytes.length} bytes (a secret key needs at least ${MIN_SECRET_KEY_BYTES} bytes)`);
    return Buffer.from(hkdfSync('sha256', bytes, Buffer.alloc(0), INFO, 32));
  });
}

function mac(key: Buffer, purpose: 'response' | 'alias' | 'reset', storageKey: string, kind: number, payload: Buffer): Buffer {
  const h = createHmac('sha256', key);
  const keyBytes = Buffer.from(storageKey, 'utf8');
  // Length-prefixed parts: no two (key, payload) pairs hash the same input.
  h.update(`${purpose}\0${keyBytes.length}:`);
  h.update(keyBytes);
  h.update(Buffer.from([kind]));
  h.update(payload);
  return h.digest();
}

export class EntrySigner {
  constructor(private readonly keys: readonly Buffer[]) {}

  signResponse(storageKey: string, value: StoredValue): Buffer {
    const kind = typeof value === 'string' ? TEXT : BYTES;
    const payload = typeof value === 'string' ? Buffer.from(value, 'utf8') : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
    return Buffer.concat([MAGIC, Buffer.from([kind]), mac(this.keys[0], 'response', storageKey, kind, payload), payload]);
  }

  /** The serialized value, or undefined when the signature does not verify under any key. */
  verifyResponse(storageKey: string, stored: StoredValue): StoredValue | undefined {
    if (typeof stored === 'string') return undefined;
    const buf = Buffer.from(stored.buffer, stored.byteOffset, stored.byteLength);
    if (buf.length < MAGIC.length + 1 + MAC_BYTES || !buf.subarray(0, MAGIC.length).equals(MAGIC)) return undefined;
    const kind = buf[MAGIC.length];
    const given = buf.subarray(MAGIC.length + 1, MAGIC.length + 1 + MAC_BYTES);
    const payload = buf.subarray(MAGIC.length + 1 + MAC_BYTES);
    if (!this.keys.some((key) => timingSafeEqual(mac(key, 'response', storageKey, kind, payload), given))) return undefined;
    return kind === TEXT ? payload.toString('utf8') : payload;
  }

  signReset(generation: number, expires: number | null): string {
    return mac(this.keys[0], 'reset', String(generation), TEXT, Buffer.from(String(expires), 'utf8')).toString('base64url');
  }

  verifyReset(generation: number, expires: number | null, signature: string | null): boolean {
    if (signature === null) return false;
    const given = Buffer.from(signature, 'base64url');
    if (given.length !== MAC_BYTES) return false;
    return this.keys.some((key) => timingSafeEqual(mac(key, 'reset', String(generation), TEXT, Buffer.from(String(expires), 'utf8')), given));
  }

  signAlias(alias: string, target: string): string {
    return `${target}${ALIAS_SEPARATOR}${mac(this.keys[0], 'alias', alias, TEXT, Buffer.from(target, 'utf8')).toString('base64url')}`;
  }

  verifyAlias(alias: string, stored: string): string | undefined {
    const cut = stored.lastIndexOf(ALIAS_SEPARATOR);
    if (cut < 0) return undefined;
    const target = stored.slice(0, cut);
    const given = Buffer.from(stored.slice(cut + 1), 'base64url');
    if (given.length !== MAC_BYTES) return undefined;
    return this.keys.some((key) => timingSafeEqual(mac(key, 'alias', alias, TEXT, Buffer.from(target, 'utf8')), given)) ? target : undefined;
  }
}
