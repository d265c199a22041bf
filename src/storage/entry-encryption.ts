/**
 * Encryption at rest (`encryptionKey`, README "Serializers"): AES-256-GCM from node:crypto with a
 * fresh random 96-bit IV per entry (NIST SP 800-38D §8.2.2) and the storage key as associated data,
 * so a ciphertext moved under another key fails to decrypt. The cipher key and the key for URL
 * tags are derived with HKDF per purpose, apart from the credential-hash secret. With encryption on,
 * the URL index holds an HMAC of each URL, never the URL itself.
 */
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import type { StoredValue } from './record-store.js';

const MAGIC = Buffer.from('AKE\x01', 'latin1');
const IV_BYTES = 12;
const TAG_BYTES = 16;
const TEXT = 0;
const BYTES = 1;
export const MIN_ENCRYPTION_KEY_BYTES = 16;

const show = (value: unknown): string => inspect(value, { depth: 1, breakLength: Infinity });

function aad(storageKey: string, kind: number): Buffer {
  const key = Buffer.from(storageKey, 'utf8');
  return Buffer.concat([Buffer.from(`entry\0${key.length}:`), key, Buffer.from([kind])]);
}

export class EntryCipher {
  private readonly cipherKey: Buffer;
  private readonly urlKey: Buffer;

  constructor(secret: Buffer) {
    this.cipherKey = Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), 'axios-keyv-cache v1 entry-encryption', 32));
    this.urlKey = Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), 'axios-keyv-cache v1 url-index', 32));
  }

  /** The `encryptionKey` option: a secret of at least 16 bytes (a string or bytes). */
  static fromOption(value: unknown): EntryCipher | undefined {
    if (value === undefined) return undefined;
    let bytes: Buffer;
    if (typeof value === 'string') bytes = Buffer.from(value, 'utf8');
    else if (value instanceof Uint8Array) bytes = Buffer.from(value);
    else throw new TypeError(`Invalid encryptionKey: ${show(value)} (expected a string, Buffer or Uint8Array)`);
    if (bytes.length < MIN_ENCRYPTION_KEY_BYTES) throw new RangeError(`Invalid encryptionKey: ${bytes.length} bytes (an encryption key needs at least ${MIN_ENCRYPTION_KEY_BYTES} bytes)`);
    return new EntryCipher(bytes);
  }

  encrypt(storageKey: string, value: StoredValue): Buffer {
    const kind = typeof value === 'string' ? TEXT : BYTES;
    const plain = typeof value === 'string' ? Buffer.from(value, 'utf8') : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.cipherKey, iv);
    cipher.setAAD(aad(storageKey, kind));
    const body = Buffer.concat([cipher.update(plain), cipher.final()]);
    return Buffer.concat([MAGIC, Buffer.from([kind]), iv, cipher.getAuthTag(), body]);
  }

  /** The serialized value, or undefined when it is not ours, was moved, altered or uses another key. */
  decrypt(storageKey: string, stored: StoredValue): StoredValue | undefined {
    if (typeof stored === 'string') return undefined;
    const buf = Buffer.from(stored.buffer, stored.byteOffset, stored.byteLength);
    const head = MAGIC.length + 1;
    if (buf.length < head + IV_BYTES + TAG_BYTES || !buf.subarray(0, MAGIC.length).equals(MAGIC)) return undefined;
    const kind = buf[MAGIC.length];
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.cipherKey, buf.subarray(head, head + IV_BYTES));
      decipher.setAAD(aad(storageKey, kind));
      decipher.setAuthTag(buf.subarray(head + IV_BYTES, head + IV_BYTES + TAG_BYTES));
      const plain = Buffer.concat([decipher.update(buf.subarray(head + IV_BYTES + TAG_BYTES)), decipher.final()]);
      return kind === TEXT ? plain.toString('utf8') : plain;
    } catch {
      return undefined;
    }
  }

  /** What the URL index holds instead of a URL: an HMAC, equal for equal URLs, revealing nothing. */
  urlTag(url: string): string {
    return 'hmac:' + createHmac('sha256', this.urlKey).update(url).digest('base64url');
  }
}
