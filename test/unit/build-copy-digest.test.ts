// helper/build/copy-digest.ts and copy-glob.ts: what a COPY's cache key hashes
// (the tar without file times) and what a wildcard source matches (Go's
// filepath.Match per segment, .dockerignore'd entries left out).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { TarDigest } from '../../helper/build/copy-digest';
import { hasWildcard, matchSources } from '../../helper/build/copy-glob';
import { tarBuffer } from '../../helper/images/tar-writer';

const digest = (tar: Buffer, chunk = tar.length) => {
  const d = new TarDigest();
  for (let i = 0; i < tar.length; i += chunk) d.update(tar.subarray(i, i + chunk));
  return d.digest();
};

describe('TarDigest', () => {
  const entries = (mtime: number, body = 'hello\n', mode = 0o644) => tarBuffer([
    { name: 'dir/', type: 'dir', mode: 0o755, mtime },
    { name: 'dir/f', type: 'file', mode, mtime, data: body },
    // a PAX header (a long name) and a time too large for the octal field (a PAX mtime record)
    { name: `dir/${'n'.repeat(120)}`, type: 'file', mode, mtime: mtime + 0o77777777777 + 1, data: body },
  ]);

  test('times are left out, in whatever chunks the tar comes', () => {
    assert.equal(digest(entries(1000)), digest(entries(2000)));
    assert.equal(digest(entries(1000), 7), digest(entries(2000), 512));
  });

  test('bytes, modes and names count', () => {
    assert.notEqual(digest(entries(1000)), digest(entries(1000, 'hello!\n')));
    assert.notEqual(digest(entries(1000)), digest(entries(1000, 'hello\n', 0o600)));
  });
});

describe('copy-glob', () => {
  test('hasWildcard: *, ? and [ unless escaped', () => {
    assert.deepEqual(['*.txt', 'a?', '[ab].c', 'plain', 'a\\*b'].map(hasWildcard), [true, true, true, false, false]);
  });

  test('matchSources: per segment, sorted, dot files too, ignored left out, folders through links', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nscope-copyglob-'));
    try {
      for (const f of ['b.txt', 'a.txt', '.h.txt', 'c.md', 'src/x/main.go', 'src/y/main.go', 'src/y/skip.go']) {
        fs.mkdirSync(path.join(dir, path.dirname(f)), { recursive: true });
        fs.writeFileSync(path.join(dir, f), f);
      }
      fs.symlinkSync('src', path.join(dir, 'lnk'));
      const none = () => false;
      assert.deepEqual(await matchSources(dir, '*.txt', none), ['.h.txt', 'a.txt', 'b.txt']);
      assert.deepEqual(await matchSources(dir, '[ab].txt', none), ['a.txt', 'b.txt']);
      assert.deepEqual(await matchSources(dir, '[!a].txt', none), ['b.txt']);
      assert.deepEqual(await matchSources(dir, 'src/*/main.go', none), ['src/x/main.go', 'src/y/main.go']);
      assert.deepEqual(await matchSources(dir, 'lnk/*/skip.go', none), ['lnk/y/skip.go']);
      assert.deepEqual(await matchSources(dir, '*.txt', (r) => r === 'a.txt'), ['.h.txt', 'b.txt']);
      assert.deepEqual(await matchSources(dir, 'nope/*', none), []);
    } finally { fs.rmSync(dir, { recursive: true, force: true }); }
  });
});
