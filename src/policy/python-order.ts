/**
 * Python's `<` and `==` on JSON values, for the root lists requests-cache runs through `sorted()`
 * (docs/behaviour.md §3.2). Numbers and booleans compare by value (a bool is an int: `True == 1`), strings by
 * code point, lists element by element; anything else (null, objects, a string against a number)
 * cannot be ordered: Python raises, and upstream then hashes the body as it is.
 */
import { compareCodePoints } from './code-point-order.js';

export class Unorderable extends Error {}

const numeric = (value: unknown): unknown => (typeof value === 'boolean' ? Number(value) : value);

/** Python `a == b` for parsed JSON values. */
export function pythonEquals(a: unknown, b: unknown): boolean {
  const x = numeric(a);
  const y = numeric(b);
  if (typeof x === 'number' || typeof y === 'number') return x === y;
  if (Array.isArray(x) || Array.isArray(y)) {
    return Array.isArray(x) && Array.isArray(y) && x.length === y.length && x.every((item, i) => pythonEquals(item, y[i]));
  }
  if (x !== null && y !== null && typeof x === 'object' && typeof y === 'object') {
    const keys = Object.keys(x);
    return keys.length === Object.keys(y).length && keys.every((k) => Object.hasOwn(y, k) && pythonEquals((x as never)[k], (y as never)[k]));
  }
  return x === y;
}

/** Python `a < b` for parsed JSON values; throws Unorderable where Python raises TypeError. */
export function pythonLess(a: unknown, b: unknown): boolean {
  const x = numeric(a);
  const y = numeric(b);
  if (typeof x === 'number' && typeof y === 'number') return x < y;
  if (typeof x === 'string' && typeof y === 'string') return compareCodePoints(x, y) < 0;
  if (Array.isArray(x) && Array.isArray(y)) {
    // Lists: the first elements that differ decide; a list that is a prefix of the other is smaller.
    const n = Math.min(x.length, y.length);
    for (let i = 0; i < n; i++) if (!pythonEquals(x[i], y[i])) return pythonLess(x[i], y[i]);
    return x.length < y.length;
  }
  throw new Unorderable(`'<' not supported between ${typeof x} and ${typeof y}`);
}

/** A comparator for Array.prototype.sort (stable, like Python's): equal values keep their order. */
export function comparePython(a: unknown, b: unknown): number {
  return pythonLess(a, b) ? -1 : pythonLess(b, a) ? 1 : 0;
}
