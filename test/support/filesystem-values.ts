/**
 * Self-checking values for the multi-process filesystem tests: each says how long it is and what it
 * holds, so a reader can tell a complete value from a torn, truncated or interleaved one.
 */
import { createHash } from 'node:crypto';

/** Keys every writer process writes: plain hex (stored as is), escaped, and one long enough to be hashed. */
export const sharedKeys = [
  ...Array.from({ length: 6 }, (_, i) => createHash('sha256').update(String(i)).digest('hex')),
  'GET https://x.test/shared?a=1',
  'user:ü/✓',
  'k'.repeat(400),
];

/** A text value (JSON) or a bytes value of about `size` bytes from `writer` in `round`. */
export function sharedValue(writer: string, round: number, size: number, bytes: boolean): string | Uint8Array {
  if (!bytes) return JSON.stringify({ w: writer, r: round, len: size, pad: 'x'.repeat(size) });
  const out = Buffer.alloc(8 + size);
  out.writeUInt32BE(size, 0);
  const seed = (writer.charCodeAt(writer.length - 1) + round) & 0xff;
  out.writeUInt32BE(seed, 4);
  for (let i = 0; i < size; i += 1) out[8 + i] = (i * 31 + seed) & 0xff;
  return out;
}

/** undefined when `value` is absent or one writer's complete value; otherwise what is wrong with it. */
export function checkSharedValue(value: string | Uint8Array | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string') {
    try {
      const parsed = JSON.parse(value) as { len: number; pad: string };
      return parsed.pad.length === parsed.len ? undefined : `text of ${value.length} chars: pad ${parsed.pad.length} != ${parsed.len}`;
    } catch {
      return `text of ${value.length} chars is not JSON`;
    }
  }
  const buf = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  if (buf.length < 8) return `bytes value of ${buf.length} bytes`;
  const size = buf.readUInt32BE(0);
  const seed = buf.readUInt32BE(4);
  if (buf.length !== 8 + size) return `bytes value of ${buf.length} bytes, header says ${8 + size}`;
  for (let i = 0; i < size; i += 1) if (buf[8 + i] !== ((i * 31 + seed) & 0xff)) return `bytes value damaged at ${i}`;
  return undefined;
}
