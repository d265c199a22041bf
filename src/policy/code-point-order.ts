/**
 * String ordering by Unicode code point, the order Python's `sorted()` uses on `str`.
 *
 * JavaScript's default `<` compares UTF-16 code units, which puts astral characters (surrogate
 * pairs, U+D800..U+DFFF) before U+E000..U+FFFF. Keys do not need Python's exact order, but they do
 * need a total order in which only identical strings tie, so that sorting a permutation always gives
 * the same result. Lone surrogates are ordered too, so this never ties on distinct strings.
 */
export function compareCodePoints(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i += 1) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return rank(x) - rank(y);
  }
  return a.length - b.length;
}

/** Moves surrogates above U+E000..U+FFFF so code-unit order becomes code-point order. */
function rank(unit: number): number {
  if (unit >= 0xd800 && unit <= 0xdfff) return unit + 0x2000;
  if (unit >= 0xe000) return unit - 0x800;
  return unit;
}
