// Unpacking hostile layer tars (as root, on the real filesystem): nothing may
// land outside the layer dir, whatever the names, symlinks and hardlinks say.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { after, beforeEach, test } from 'node:test';
import * as zlib from 'node:zlib';
import { native } from '../../helper/native';
import { unpackLayer } from '../../helper/images/unpack';
import { tarBuffer, type TarWriteEntry } from '../../helper/images/tar-writer';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'nscope-images-unpack-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

let work: string;   // the directory the layer is unpacked in (its temp dir goes here too)
let target: string;
let n = 0;
beforeEach(() => {
  work = path.join(tmp, `w${n++}`);
  fs.mkdirSync(work);
  target = path.join(work, 'layer');
});

type E = TarWriteEntry & { data?: string };
const unpack = (entries: E[], t = target) => unpackLayer(Readable.from([tarBuffer(entries)]), t, { label: 'layer test' });

/** After a refused layer: no layer dir, no temp dir, nothing beside it. */
function nothingLeft(): void {
  assert.deepEqual(fs.readdirSync(work), []);
}

test('"../evil" is refused, naming the entry, and nothing is written anywhere', async () => {
  await assert.rejects(unpack([
    { name: 'ok', type: 'file', data: 'fine' },
    { name: '../evil', type: 'file', data: 'pwned' },
  ]), /layer test: entry "\.\.\/evil" escapes the layer/);
  nothingLeft();
  assert.ok(!fs.existsSync(path.join(tmp, 'evil')));
  await assert.rejects(unpack([{ name: 'a/../../evil2', type: 'file', data: 'x' }]), /escapes the layer/);
  nothingLeft();
});

test('absolute names are taken relative to the layer root', async () => {
  const res = await unpack([{ name: '/abs/file', type: 'file', data: 'inside' }, { name: '/../../abs/up', type: 'file', data: 'clamped' }]);
  assert.equal(fs.readFileSync(path.join(target, 'abs/file'), 'utf8'), 'inside');
  assert.equal(fs.readFileSync(path.join(target, 'abs/up'), 'utf8'), 'clamped');
  assert.equal(res.size, 'inside'.length + 'clamped'.length);
});

test('a symlink to / planted earlier cannot carry a later entry out of the layer', async () => {
  const hostEtc = path.join(tmp, 'host-etc'); // stands for the host's /etc
  fs.mkdirSync(hostEtc, { recursive: true });
  await unpack([
    { name: 'link', type: 'symlink', linkname: '/' },
    { name: 'link/etc/evil', type: 'file', data: 'contained' },
    { name: 'hostetc', type: 'symlink', linkname: hostEtc },
    { name: 'hostetc/evil', type: 'file', data: 'contained too' },
    { name: 'sub/', type: 'dir' },
    { name: 'sub/up', type: 'symlink', linkname: '..' },
    { name: 'sub/up/sub/up/x', type: 'file', data: 'at the root' },
  ]);
  assert.ok(!fs.existsSync('/etc/evil'), 'nothing written to the host /etc');
  assert.deepEqual(fs.readdirSync(hostEtc), []);
  assert.equal(fs.readFileSync(path.join(target, 'etc/evil'), 'utf8'), 'contained');
  assert.equal(fs.readFileSync(path.join(target, hostEtc.slice(1), 'evil'), 'utf8'), 'contained too');
  assert.equal(fs.readFileSync(path.join(target, 'x'), 'utf8'), 'at the root');
  // the symlinks themselves are kept as they were (followed only inside the container)
  assert.equal(fs.readlinkSync(path.join(target, 'link')), '/');
});

test('a file entry replaces a symlink at its name instead of writing through it', async () => {
  const victim = path.join(tmp, 'victim');
  fs.writeFileSync(victim, 'original');
  await unpack([
    { name: 'f', type: 'symlink', linkname: victim },
    { name: 'f', type: 'file', data: 'replaced', mode: 0o600 },
    { name: 'd', type: 'symlink', linkname: '/' },
    { name: 'd', type: 'dir', mode: 0o750 },
  ]);
  assert.equal(fs.readFileSync(victim, 'utf8'), 'original');
  assert.ok(fs.lstatSync(path.join(target, 'f')).isFile());
  assert.equal(fs.readFileSync(path.join(target, 'f'), 'utf8'), 'replaced');
  assert.ok(fs.lstatSync(path.join(target, 'd')).isDirectory());
  assert.equal(fs.statSync(path.join(target, 'd')).mode & 0o7777, 0o750);
});

test('symlink loops and files used as directories are clear errors', async () => {
  await assert.rejects(unpack([
    { name: 'a', type: 'symlink', linkname: 'b' },
    { name: 'b', type: 'symlink', linkname: 'a' },
    { name: 'a/x', type: 'file', data: 'x' },
  ]), /entry "a\/x": too many levels of symbolic links/);
  nothingLeft();
  await assert.rejects(unpack([{ name: 'f', type: 'file', data: 'f' }, { name: 'f/x', type: 'file', data: 'x' }]), /entry "f\/x": "f" is not a directory/);
  nothingLeft();
});

test('a relative symlink escaping the layer is refused ("invalid symlink")', async () => {
  await assert.rejects(unpack([{ name: 'a/b', type: 'symlink', linkname: '../../../etc' }]), /entry "a\/b": invalid symlink "a\/b" -> "\.\.\/\.\.\/\.\.\/etc"/);
  nothingLeft();
  // climbing and coming back down inside is fine
  await unpack([{ name: 'a/b', type: 'symlink', linkname: '../c/../a' }]);
  assert.equal(fs.readlinkSync(path.join(target, 'a/b')), '../c/../a');
});

test('hardlinks must point at an existing non-directory inside the layer', async () => {
  await assert.rejects(unpack([{ name: 'pw', type: 'hardlink', linkname: '../../etc/passwd' }]), /entry "pw": hardlink target "\.\.\/\.\.\/etc\/passwd" is outside the layer/);
  nothingLeft();
  // through a symlink planted to the host's /etc: resolved in the layer, where there is no passwd
  await assert.rejects(unpack([
    { name: 'etcl', type: 'symlink', linkname: '/etc' },
    { name: 'pw', type: 'hardlink', linkname: 'etcl/passwd' },
  ]), /hardlink target "etcl\/passwd" does not exist in the layer/);
  nothingLeft();
  await assert.rejects(unpack([{ name: 'd/', type: 'dir' }, { name: 'h', type: 'hardlink', linkname: 'd' }]), /is a directory/);
  nothingLeft();
  await unpack([{ name: 'f', type: 'file', data: 'same', mode: 0o640 }, { name: 'sub/h', type: 'hardlink', linkname: './f' }]);
  assert.equal(fs.statSync(path.join(target, 'sub/h')).ino, fs.statSync(path.join(target, 'f')).ino);
});

test('OCI whiteouts become overlay whiteouts and opaque directories', async () => {
  await unpack([
    { name: 'etc/', type: 'dir' },
    { name: 'etc/.wh.motd', type: 'file' },
    { name: '.wh.gone-dir', type: 'file' },
    { name: 'var/lib/', type: 'dir' },
    { name: 'var/lib/.wh..wh..opq', type: 'file' },
    { name: 'var/lib/new', type: 'file', data: 'kept' },
    { name: 'var/.wh..wh.plnk', type: 'dir' }, // AUFS metadata: ignored
  ]);
  for (const p of ['etc/motd', 'gone-dir']) {
    const st = fs.lstatSync(path.join(target, p));
    assert.ok(st.isCharacterDevice() && st.rdev === 0, `${p} is a 0/0 whiteout`);
  }
  assert.ok(!fs.existsSync(path.join(target, 'etc/.wh.motd')));
  assert.equal(native().lgetxattr(path.join(target, 'var/lib'), 'trusted.overlay.opaque')?.toString(), 'y');
  assert.equal(fs.readFileSync(path.join(target, 'var/lib/new'), 'utf8'), 'kept');
  assert.ok(!fs.existsSync(path.join(target, 'var/.wh..wh.plnk')));
});

test('device nodes: skipped under dev/, refused elsewhere; FIFOs are created', async () => {
  await assert.rejects(unpack([{ name: 'usr/sda', type: 'block', devmajor: 8, devminor: 0 }]), /entry "usr\/sda": device nodes \(block 8:0\) are not allowed outside \/dev/);
  nothingLeft();
  await assert.rejects(unpack([{ name: 'mem', type: 'char', devmajor: 1, devminor: 1 }]), /device nodes \(char 1:1\)/);
  nothingLeft();
  await unpack([
    { name: 'dev/', type: 'dir' },
    { name: 'dev/null', type: 'char', devmajor: 1, devminor: 3, mode: 0o666 },
    { name: 'dev/sda', type: 'block', devmajor: 8, devminor: 0 },
    { name: 'run/fifo', type: 'fifo', mode: 0o620 },
    { name: 'etc/gone', type: 'char', devmajor: 0, devminor: 0 }, // already an overlay whiteout: opens nothing, kept
  ]);
  const wh = fs.lstatSync(path.join(target, 'etc/gone'));
  assert.ok(wh.isCharacterDevice() && wh.rdev === 0);
  assert.deepEqual(fs.readdirSync(path.join(target, 'dev')), []);
  const st = fs.statSync(path.join(target, 'run/fifo'));
  assert.ok(st.isFIFO());
  assert.equal(st.mode & 0o7777, 0o620);
});

test('modes (setuid, setgid, sticky), owners, times and xattrs are kept', async () => {
  await unpack([
    { name: 'bin/su', type: 'file', mode: 0o4755, uid: 0, gid: 0, mtime: 1_600_000_000, data: '#!/bin/false\n' },
    { name: 'bin/wall', type: 'file', mode: 0o2755, uid: 1000, gid: 5, data: 'w' },
    { name: 'tmp/', type: 'dir', mode: 0o1777, mtime: 1_500_000_000 },
    { name: 'tmp/owned', type: 'file', mode: 0o600, uid: 1234, gid: 4321, data: 'o' },
    { name: 'tmp/l', type: 'symlink', linkname: 'owned', uid: 7, gid: 8 },
    { name: 'caps', type: 'file', mode: 0o755, data: 'c', xattrs: { 'user.note': 'hello', 'trusted.overlay.redirect': '/etc' } },
  ]);
  const st = (p: string) => fs.lstatSync(path.join(target, p));
  assert.equal(st('bin/su').mode & 0o7777, 0o4755);
  assert.equal(st('bin/su').mtimeMs, 1_600_000_000_000);
  assert.equal(st('bin/wall').mode & 0o7777, 0o2755);
  assert.equal(st('bin/wall').uid, 1000);
  assert.equal(st('tmp').mode & 0o7777, 0o1777);
  assert.equal(st('tmp').mtimeMs, 1_500_000_000_000, 'directory times are set after their children');
  assert.deepEqual([st('tmp/owned').uid, st('tmp/owned').gid], [1234, 4321]);
  assert.deepEqual([st('tmp/l').uid, st('tmp/l').gid], [7, 8]);
  assert.equal(native().lgetxattr(path.join(target, 'caps'), 'user.note')?.toString(), 'hello');
  assert.equal(native().lgetxattr(path.join(target, 'caps'), 'trusted.overlay.redirect'), null, 'a layer cannot steer the overlay');
});

test('gzip layers, the diff_id, and a diff_id mismatch leaving nothing', async () => {
  const tar = tarBuffer([{ name: 'a', type: 'file', data: 'A' }]);
  const diffId = `sha256:${createHash('sha256').update(tar).digest('hex')}`;
  const res = await unpackLayer(Readable.from([zlib.gzipSync(tar)]), target, { expectDiffId: diffId });
  assert.equal(res.diffId, diffId);
  assert.equal(fs.readFileSync(path.join(target, 'a'), 'utf8'), 'A');

  const other = path.join(work, 'other');
  await assert.rejects(unpackLayer(Readable.from([tar]), other, { label: 'layer x', expectDiffId: `sha256:${'0'.repeat(64)}` }), /layer x: content does not match its diff_id/);
  assert.deepEqual(fs.readdirSync(work), ['layer']);

  // a corrupt archive in the middle of the layer: refused, nothing left
  const broken = Buffer.concat([tar.subarray(0, 512), Buffer.from('garbage'.repeat(200))]);
  await assert.rejects(unpackLayer(Readable.from([broken]), other, { label: 'layer y' }), /layer y: /);
  assert.deepEqual(fs.readdirSync(work), ['layer']);
});
