/**
 * Reading what a backend really wrote: the raw bytes of every file a SQLite cache left in a folder
 * (the database and any journal / WAL beside it), and a search for a secret in that text, plain or
 * hidden in base64 (the json serializer stores bodies that are not text as base64).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Every file in `dir` whose name starts with `prefix`, concatenated as latin1 text (byte for byte). */
export function rawFilesText(dir: string, prefix = ''): string {
  return readdirSync(dir)
    .filter((name) => name.startsWith(prefix))
    .map((name) => readFileSync(join(dir, name)).toString('latin1'))
    .join('\n');
}

/**
 * The base64 spellings of `secret` that appear inside any base64 text containing it, whatever its
 * byte offset (0, 1 or 2 mod 3): only the characters fully determined by the secret's own bytes.
 */
export function base64Spellings(secret: string): string[] {
  const bytes = Buffer.from(secret, 'utf8');
  const spellings: string[] = [];
  for (let offset = 0; offset < 3; offset += 1) {
    const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString('base64');
    const start = Math.ceil(offset / 3) * 4;
    const end = Math.floor((offset + bytes.length) / 3) * 4;
    if (end - start >= 8) spellings.push(encoded.slice(start, end));
  }
  return spellings;
}

/** Where `secret` shows up in `text`: as itself, or in one of its base64 spellings. Empty when nowhere. */
export function secretTraces(text: string, secret: string): string[] {
  return [secret, ...base64Spellings(secret)].filter((spelling) => text.includes(spelling));
}
