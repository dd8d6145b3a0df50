// Image references and the lexical path rules of the unpacker (no root needed).
import assert from 'node:assert/strict';
import { parseReference } from '../../helper/registry/reference';
import { test } from 'node:test';
import { cleanEntryPath, symlinkStaysInside } from '../../helper/images/in-root';
import { idPrefix, normalizeName, tryNormalizeName } from '../../helper/images/names';

test('image names normalize to name:tag; Docker Hub prefixes are dropped; bad ones are refused clearly', () => {
  assert.equal(normalizeName('busybox'), 'busybox:latest');
  assert.equal(normalizeName('busybox:1.36'), 'busybox:1.36');
  assert.equal(normalizeName('docker.io/library/busybox:latest'), 'busybox:latest');
  assert.equal(normalizeName('docker.io/someone/app'), 'someone/app:latest');
  assert.equal(normalizeName('localhost:5000/team/app'), 'localhost:5000/team/app:latest', 'a port is not a tag');
  assert.equal(normalizeName('example.com/a/b-c_d.e:v1.2-rc'), 'example.com/a/b-c_d.e:v1.2-rc');
  assert.throws(() => normalizeName('Busybox'), /image name "Busybox": invalid reference format/);
  assert.throws(() => normalizeName('a:b:c'), /invalid/);
  assert.throws(() => normalizeName('app:-bad'), /invalid tag "-bad"/);
  assert.throws(() => normalizeName('app@sha256:' + '0'.repeat(64)), /digests cannot be used as names/);
  assert.throws(() => normalizeName('', '--name'), /--name: empty/);
  // a newline typed into a name stays escaped: the error is one line
  assert.throws(() => normalizeName('x:\nnl'), (e: Error) => !e.message.includes('\n') && /invalid tag "\\nnl"/.test(e.message));
  assert.throws(() => parseReference('a\nb'), (e: Error) => !e.message.includes('\n') && /"a\\nb"/.test(e.message));
  assert.equal(tryNormalizeName('UPPER'), undefined);
});

test('image IDs: full digest, 64 hex or a prefix of at least 4 hex digits', () => {
  const hex = 'ab'.repeat(32);
  assert.equal(idPrefix(`sha256:${hex}`), hex);
  assert.equal(idPrefix(hex), hex);
  assert.equal(idPrefix('abcd'), 'abcd');
  assert.equal(idPrefix('abc'), undefined);
  assert.equal(idPrefix('busybox'), undefined);
});

test('entry names: cleaned, absolute ones clamped at the root, relative escapes refused', () => {
  assert.deepEqual(cleanEntryPath('./a//b/../c/'), ['a', 'c']);
  assert.deepEqual(cleanEntryPath('/etc/passwd'), ['etc', 'passwd']);
  assert.deepEqual(cleanEntryPath('/../../etc'), ['etc']);
  assert.deepEqual(cleanEntryPath('./'), []);
  assert.equal(cleanEntryPath('../x'), null);
  assert.equal(cleanEntryPath('a/../../x'), null);
});

test('symlink targets: relative ones must stay inside when read from the link\'s directory', () => {
  assert.ok(symlinkStaysInside([], '/'));
  assert.ok(symlinkStaysInside(['usr', 'bin'], '../lib/x'));
  assert.ok(symlinkStaysInside(['a'], '..'));
  assert.ok(!symlinkStaysInside(['a'], '../..'));
  assert.ok(!symlinkStaysInside([], '../etc'));
  assert.ok(symlinkStaysInside(['a', 'b'], 'c/../../../x'));
  assert.ok(!symlinkStaysInside(['a', 'b'], 'c/../../../../x'));
});
