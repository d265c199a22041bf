/** Every runtime export of the package entry point is documented in README.md. */
import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as entry from '../../src/index.js';

const readme = fs.readFileSync(
  path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'README.md'),
  'utf8',
);

/** Whether README names `name` as code: inside a `...` span or a fenced block, as a whole word. */
function documented(name: string): boolean {
  const code = [...readme.matchAll(/```[\s\S]*?```|`[^`\n]+`/g)].map((m) => m[0]);
  const word = new RegExp(`(^|[^A-Za-z0-9_$])${name}([^A-Za-z0-9_$]|$)`);
  return code.some((span) => word.test(span));
}

describe('src/index.ts exports', () => {
  it('are all named in README.md', () => {
    const names = Object.keys(entry).sort();
    expect(names).to.include.members(['setupCache', 'hasCache', 'restoreCache', 'ALL_METHODS']);
    expect(names.filter((name) => !documented(name)), 'exports README does not name').to.deep.equal([]);
  });

  it('do not include jsonSerializer (the serializer option takes only its name)', () => {
    expect(Object.keys(entry)).to.not.include('jsonSerializer');
  });
});
