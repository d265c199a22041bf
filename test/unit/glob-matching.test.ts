/**
 * `urlsExpireAfter` globs are matched without backtracking: the work grows linearly with the URL
 * length whatever the pattern, so a pattern with many `*` cannot stall the event loop on a long URL
 * that does not match (every request runs every glob, cache hits included).
 * Cost is measured in matcher steps (`globSteps`), not wall-clock time.
 */
import { expect } from 'chai';
import { compileGlob, compileUrlPatterns, globSteps } from '../../src/policy/url-patterns.js';

/** Steps one call of `fn` costs. */
function stepsOf(fn: () => void): number {
  const before = globSteps();
  fn();
  return globSteps() - before;
}

/** A plain recursive fnmatch (memoized), as an oracle for short inputs. */
function oracle(glob: string, text: string): boolean {
  const g = Array.from(glob);
  const t = Array.from(text);
  const memo = new Map<string, boolean>();
  const classAt = (gi: number): { end: number; test: (c: string) => boolean } => {
    let i = gi + 1;
    const negate = g[i] === '!';
    if (negate) i++;
    let close = g[i] === ']' ? i + 1 : i;
    while (g[close] !== ']') close++;
    const members = g.slice(i, close);
    return {
      end: close,
      test: (c) => {
        let inside = false;
        for (let k = 0; k < members.length; k++) {
          if (members[k + 1] === '-' && k + 2 < members.length) {
            if (c >= members[k]! && c <= members[k + 2]!) inside = true;
            k += 2;
          } else if (c === members[k]) inside = true;
        }
        return inside !== negate;
      },
    };
  };
  const go = (gi: number, ti: number): boolean => {
    const key = `${gi},${ti}`;
    const cached = memo.get(key);
    if (cached !== undefined) return cached;
    let result: boolean;
    if (gi === g.length) result = ti === t.length;
    else if (g[gi] === '*') result = go(gi + 1, ti) || (ti < t.length && go(gi, ti + 1));
    else if (ti === t.length) result = false;
    else if (g[gi] === '?') result = go(gi + 1, ti + 1);
    else if (g[gi] === '[') {
      const cls = classAt(gi);
      result = cls.test(t[ti]!) && go(cls.end + 1, ti + 1);
    } else result = g[gi] === t[ti] && go(gi + 1, ti + 1);
    memo.set(key, result);
    return result;
  };
  return go(0, 0);
}

describe('policy/url-patterns glob matching cost', () => {
  const hostile = '*.example.com/*/*/*/*/x';

  it('answers a many-star pattern against a long non-matching URL, with work linear in its length', () => {
    const [pattern] = compileUrlPatterns([[hostile, 60]]);
    const url = (n: number) => `https://api.example.com/${'a/'.repeat(n / 2)}?q=${'y'.repeat(n / 2)}`;
    const small = stepsOf(() => expect(pattern!.matches(url(1000))).to.equal(false));
    const large = stepsOf(() => expect(pattern!.matches(url(2000))).to.equal(false));
    const huge = stepsOf(() => expect(pattern!.matches(url(8000))).to.equal(false));
    // Linear: twice the text, about twice the steps (a backtracking RegExp grows as n^k here).
    expect(large / small).to.be.within(1.8, 2.2);
    expect(huge / small).to.be.within(7.2, 8.8);
    // Bounded by text length x (pattern length + 1).
    expect(huge).to.be.at.most(8100 * (hostile.length + 2));
  });

  it('stays linear for patterns of stars and classes and ?', () => {
    for (const glob of ['*a*a*a*a*a*b', '*[ab]*[!c]*?*?*z', '?*?*?*?*?*!']) {
      const m = compileGlob(glob);
      const a = stepsOf(() => m.test('a'.repeat(4000)));
      const b = stepsOf(() => m.test('a'.repeat(8000)));
      expect(b / a, glob).to.be.within(1.8, 2.2);
    }
  });

  it('stops at the first character once a trailing * is reached (prefix match)', () => {
    const [pattern] = compileUrlPatterns([['api.example.com/users', 60]]);
    const steps = stepsOf(() => expect(pattern!.matches(`https://api.example.com/users/${'x'.repeat(100_000)}`)).to.equal(true));
    expect(steps).to.be.below(100);
  });

  it('gives the same answers as a reference fnmatch on many small cases', () => {
    const globs = ['a*b', '*', '', '?', 'a?c', '*a*', 'a**b', '[ab]*', '[!a]?', '*[a-c]', '[]a]*', '[!]]', '[a-]b', '*?*', 'a*b*c', '[^a]'];
    const alphabet = ['a', 'b', 'c', ']', '-', '^'];
    const texts: string[] = [''];
    for (let len = 1; len <= 4; len++) {
      for (let i = 0; i < alphabet.length ** len; i++) {
        let s = '';
        for (let k = 0, v = i; k < len; k++, v = Math.floor(v / alphabet.length)) s += alphabet[v % alphabet.length];
        texts.push(s);
      }
    }
    for (const glob of globs) {
      const m = compileGlob(glob);
      for (const text of texts) expect(m.test(text), `${glob} vs ${text}`).to.equal(oracle(glob, text));
    }
  });

  it('gives the same answers for globs longer than 30 tokens (the state-list matcher)', () => {
    const globs = ['a*'.repeat(20) + 'b', '?'.repeat(31) + '*', '*' + '[ab]?'.repeat(16) + 'c', 'x'.repeat(40)];
    const texts = ['a'.repeat(40), 'a'.repeat(40) + 'b', 'ab'.repeat(25), 'ab'.repeat(20) + 'c', 'x'.repeat(40), 'x'.repeat(39), ''];
    for (const glob of globs) {
      const m = compileGlob(glob);
      for (const text of texts) expect(m.test(text), `${glob} vs ${text}`).to.equal(oracle(glob, text));
      const a = stepsOf(() => m.test('ab'.repeat(1000)));
      const b = stepsOf(() => m.test('ab'.repeat(2000)));
      if (a > 50) expect(b / a, glob).to.be.within(1.8, 2.2);
    }
  });

  it('reads ? as one character, astral ones included (as Python does)', () => {
    expect(compileGlob('a?b').test('a\u{1F600}b')).to.equal(true);
    expect(compileGlob('[\u{1F600}]').test('\u{1F600}')).to.equal(true);
    expect(compileGlob('a?b').test('a\nb')).to.equal(true);
    expect(compileGlob('[!a]').test('\u{1F600}')).to.equal(true);
    expect(compileGlob('??').test('\u{1F600}')).to.equal(false);
    expect(compileGlob('?'.repeat(31)).test('\u{1F600}'.repeat(31))).to.equal(true);
  });
});
