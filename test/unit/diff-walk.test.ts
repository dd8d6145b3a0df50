// The native walker and the beneath-helpers on plain temp directories (no root needed).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { native } from '../../helper/native';
import { openRegularBeneath } from '../../helper/rootfs/read';
import { DT_DIR, DT_LNK, DT_REG, walkTree } from '../../helper/rootfs/walk';
import { spawnSync } from 'node:child_process';

let tmp: string;
before(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'nscope-diff-walk-'));
  const t = (p: string) => path.join(tmp, 't', p);
  fs.mkdirSync(t('b/c/d'), { recursive: true });
  fs.mkdirSync(t('a-b'));
  fs.writeFileSync(t('a'), 'x');
  fs.writeFileSync(t('b/c/d/deep'), 'deep data');
  fs.writeFileSync(t('b/f'), '');
  fs.writeFileSync(t('a-b/g'), 'g');
  fs.symlinkSync('/etc', t('b/link'));
  fs.symlinkSync('b', t('z'));
  for (let i = 0; i < 300; i++) fs.writeFileSync(t(`b/c/n${String(i).padStart(3, '0')}`), String(i));
});
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

test('tree order: each directory sorted by name, its subtree right after it; symlinks are entries, never followed', async () => {
  const w = await walkTree(path.join(tmp, 't'), '', { stat: true });
  const paths = w.paths;
  assert.equal(w.count, paths.length);
  assert.deepEqual(paths.filter((p) => !p.startsWith('b/c/n')), ['a', 'a-b', 'a-b/g', 'b', 'b/c', 'b/c/d', 'b/c/d/deep', 'b/f', 'b/link', 'z']);
  assert.equal(paths.indexOf('b/c/n000'), paths.indexOf('b/c/d/deep') + 1);
  const at = (p: string) => w.entry(paths.indexOf(p));
  assert.deepEqual([at('a').type, at('a').size, at('a').depth, at('a').hasStat], [DT_REG, 1, 1, true]);
  assert.deepEqual([at('b/c/d/deep').depth, at('b/c/d/deep').size], [4, 9]);
  assert.deepEqual([at('b').type, at('b').descended, at('b').entries], [DT_DIR, true, 3]);
  assert.equal(at('b/c').entries, 301);
  assert.equal(at('b/link').type, DT_LNK);
  assert.equal(at('z').descended, false);
  assert.equal(at('a').mode & 0o170000, 0o100000);
  assert.ok(Math.abs(at('a').mtimeSec * 1000 - fs.statSync(path.join(tmp, 't/a')).mtimeMs) < 1000);
});

test('without stat only directories are stat\'ed; threads do not change the result; maxDepth 1 lists one directory', async () => {
  const root = path.join(tmp, 't');
  const one = await walkTree(root, '', { threads: 1 });
  const four = await walkTree(root, '', { threads: 4 });
  assert.deepEqual(four.all(), one.all());
  const i = one.paths.indexOf('b/c/d/deep');
  assert.equal(one.hasStat(i), false);
  assert.equal(one.type(i), DT_REG);
  assert.equal(one.hasStat(one.paths.indexOf('b/c')), true);
  const top = await walkTree(root, 'b', { maxDepth: 1, stat: true });
  assert.deepEqual(top.paths, ['c', 'f', 'link']);
  assert.equal(top.descended(0), false);
});

test('errors name the syscall and path; a limit on entries; no way out through symlinks or ".."', async () => {
  const root = path.join(tmp, 't');
  await assert.rejects(walkTree(root, '', { maxEntries: 10 }), /more than 10 entries/);
  await assert.rejects(walkTree(root, 'nope'), /^Error: openat2: No such file or directory 'nope'$/);
  await assert.rejects(walkTree(root, 'z'), /openat2: Not a directory 'z'/);
  await assert.rejects(walkTree(root, 'b/link/x'), /openat2: Too many levels of symbolic links 'b\/link\/x'/);
  await assert.rejects(walkTree(root, '../..'), /openat2: .*'\.\.\/\.\.'/);
  assert.throws(() => native().openBeneath(root, 'b/link/passwd', fs.constants.O_RDONLY), /openat2: Too many levels of symbolic links 'b\/link\/passwd'/);
  assert.throws(() => native().openBeneath(root, '../t/a', fs.constants.O_RDONLY), (e: NodeJS.ErrnoException) => e.code === 'EXDEV' && e.syscall === 'openat2');
  assert.equal(native().lstatBeneath(root, 'nope'), null);
  assert.equal(native().lstatBeneath(root, 'a/x'), null);
  assert.equal(native().lstatBeneath(root, 'b/link')!.target, '/etc');
  assert.equal(native().lstatBeneath(root, 'b/c/d/deep')!.size, 9);
  assert.equal(native().lstatBeneath(root, '')!.mode & 0o170000, 0o040000);
  const fd = native().openBeneath(root, 'a-b/g', fs.constants.O_RDONLY);
  try { assert.equal(fs.readFileSync(fd, 'utf8'), 'g'); } finally { fs.closeSync(fd); }
});

test('openRegularBeneath opens regular files only: a fifo is refused without being opened (no hang)', () => {
  const root = path.join(tmp, 't');
  assert.equal(spawnSync('mkfifo', [path.join(root, 'fifo')]).status, 0);
  assert.throws(() => openRegularBeneath(root, 'fifo'), /fifo: not a regular file/);
  assert.throws(() => openRegularBeneath(root, 'b/c'), /b\/c: not a regular file/);
  assert.equal(openRegularBeneath(root, 'nope'), null);
  const o = openRegularBeneath(root, 'b/c/d/deep')!;
  try { assert.equal(fs.readFileSync(o.fd, 'utf8'), 'deep data'); assert.equal(o.st.size, 9); } finally { fs.closeSync(o.fd); }
  fs.rmSync(path.join(root, 'fifo'));
});
