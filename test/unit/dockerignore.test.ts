// .dockerignore as Docker reads it: Go's globs (helper/build/go-glob.ts, the
// translation COPY's wildcards share), `**`, `!` and the last match winning,
// a directory's match covering what is below it; a malformed line refused.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseDockerignore } from '../../helper/build/dockerignore';

test('.dockerignore: globs, **, ! re-includes, the last matching line wins, directories cover what is below', () => {
  const ignored = parseDockerignore('# secrets\n**/*.key\n!keep.key\n/build/\n./tmp\nfile?.[ch]\nlit\\*star\n[!a]x\ndocs/**\n');
  const cases: [string, boolean][] = [
    ['a.key', true], ['sub/deep/b.key', true], ['keep.key', false],
    ['build', true], ['build/out/x.o', true], ['builder', false],
    ['tmp', true], ['tmp/x', true],
    ['file1.c', true], ['file1.h', true], ['file1.o', false], ['file12.c', false],
    ['lit*star', true], ['litXstar', false],
    ['bx', true], ['ax', false],
    ['docs', false], ['docs/a/b.md', true],
    ['src/main.go', false],
  ];
  for (const [rel, out] of cases) assert.equal(ignored(rel), out, rel);
});

test('.dockerignore: a malformed pattern fails naming its line, not silently ignored', () => {
  assert.throws(() => parseDockerignore('ok\n\n[abc\n'), /\.dockerignore:3: "\[abc": syntax error in pattern/);
});
