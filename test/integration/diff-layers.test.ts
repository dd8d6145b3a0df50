// diffLayer on layer directories made by hand, the way overlayfs and the
// unpacker leave them (whiteouts are char devices 0/0, opaque directories
// carry trusted.overlay.opaque=y): cases a container run cannot produce
// on demand (metacopy copy-ups, devices, same-size rewrites, opaque base
// layers, nested opaque directories). Root: mknod, trusted.* xattrs, chown.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { native } from '../../helper/native';
import type { DiffChange } from '../../helper/protocol';
import { diffLayer } from '../../helper/rootfs/diff';
import { listDir, readFile, statPath, type View } from '../../helper/rootfs/read';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'nscope-diff-layers-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

let n = 0;
/** A fresh set of layers: `files` maps a layer-relative path to content, a directory (ends in /), a whiteout, a symlink, … */
type Spec = Record<string, string | { dir?: true; opaque?: true; whiteout?: true; link?: string; dev?: [number, number]; mode?: number; uid?: number; data?: string; mtime?: number; metacopy?: true }>;
function layer(spec: Spec): string {
  const root = path.join(tmp, `l${n++}`);
  fs.mkdirSync(root);
  for (const [rel, v] of Object.entries(spec)) {
    const p = path.join(root, rel);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    const o = typeof v === 'string' ? { data: v } : v;
    if (o.dir || rel.endsWith('/')) fs.mkdirSync(p, { recursive: true });
    else if (o.whiteout) native().mknod(p, fs.constants.S_IFCHR, 0, 0);
    else if (o.link !== undefined) fs.symlinkSync(o.link, p);
    else if (o.dev) native().mknod(p, fs.constants.S_IFCHR | 0o666, o.dev[0], o.dev[1]);
    else fs.writeFileSync(p, o.data ?? '');
    if (o.opaque) native().lsetxattr(p, 'trusted.overlay.opaque', Buffer.from('y'));
    if (o.metacopy) native().lsetxattr(p, 'trusted.overlay.metacopy', Buffer.alloc(0));
    if (o.mode !== undefined) fs.chmodSync(p, o.mode);
    if (o.uid !== undefined) fs.lchownSync(p, o.uid, o.uid);
    if (o.mtime !== undefined) fs.utimesSync(p, o.mtime, o.mtime);
  }
  return root;
}

const lines = (cs: DiffChange[]) => cs.map((c) => `${c.kind} ${c.path}${c.change ? ` ${c.change}` : ''}`);

test('files: content vs metadata by bytes, not by size or time; symlinks, devices, type changes', async () => {
  const base = layer({
    'f/same-size': 'aaaa', 'f/same-bytes': 'bbbb', 'f/chowned': 'c', 'f/grown': 'd',
    'f/link': { link: 'target' }, 'f/link2': { link: 'target' }, 'f/dev': { dev: [1, 3] }, 'f/dev2': { dev: [1, 3] },
    'f/file-to-dir': 'x', 'f/dir-to-file/': {}, 'f/dir-to-file/inner': 'i', 'f/meta': 'data in the lower layer',
  });
  const upper = layer({
    'f/': {}, 'f/same-size': { data: 'aaab', mtime: 1000 }, 'f/same-bytes': { data: 'bbbb', mtime: 5 }, 'f/chowned': { data: 'c', uid: 1234 }, 'f/grown': 'dd',
    'f/link': { link: 'other' }, 'f/link2': { link: 'target', uid: 7 }, 'f/dev': { dev: [1, 5] }, 'f/dev2': { dev: [1, 3], mode: 0o600 },
    'f/file-to-dir/': {}, 'f/file-to-dir/new': 'n', 'f/dir-to-file': 'now a file',
    // overlay metacopy: same size, no data of its own (a sparse file), the xattr says the data is below
    'f/meta': { data: '\0'.repeat('data in the lower layer'.length), metacopy: true, mode: 0o600 },
  });
  assert.deepEqual(lines(await diffLayer(upper, [base])), [
    'C /f content',
    'C /f/chowned metadata',
    'C /f/dev content',
    'C /f/dev2 metadata',
    'C /f/dir-to-file content',
    'C /f/file-to-dir content',
    'A /f/file-to-dir/new',
    'C /f/grown content',
    'C /f/link content',
    'C /f/link2 metadata',
    'C /f/meta metadata',
    'C /f/same-bytes metadata',
    'C /f/same-size content',
  ]);
  const d = new Map((await diffLayer(upper, [base], { details: true })).map((c) => [c.path, c]));
  assert.deepEqual([d.get('/f/chowned')!.uid, d.get('/f/chowned')!.image!.uid], [1234, 0]);
  assert.deepEqual([d.get('/f/dir-to-file')!.type, d.get('/f/dir-to-file')!.image!.type], ['file', 'dir']);
  assert.equal(d.get('/f/dev2')!.mode, 0o600);
  assert.equal(d.get('/f/link')!.type, 'symlink');
});

test('whiteouts and opaque directories: in the upper, in the base, nested; deletions in order', async () => {
  const l0 = layer({
    'etc/a': '1', 'etc/b': '2', 'etc/sub/x': 'x', 'etc/sub/deep/y': 'y', 'etc/keep': 'k',
    'gone/z': 'z', 'hidden/old': 'o', 'srv/a': 'a', 'srv/a-b': 'ab', 'srv/a0': 'a0',
  });
  // a base layer that hides l0's /hidden (opaque) and deletes /etc/keep
  const l1 = layer({ 'hidden/': { opaque: true }, 'hidden/new': 'n', 'etc/keep': { whiteout: true } });
  const upper = layer({
    'etc/': { opaque: true },            // rm -rf /etc; mkdir /etc
    'etc/a': '1',                         // recreated with the same bytes: metadata (it was copied back)
    'etc/sub/': {},                       // recreated directory inside the opaque one: its old entries are gone too
    'etc/sub/deep/': {},
    'etc/sub/deep/y2': 'y2',
    'gone': { whiteout: true },           // a deleted directory: one D, nothing below it
    'hidden/': {},
    'hidden/old': { whiteout: true },     // deletes what the base no longer shows: nothing to report
    'hidden/new': { whiteout: true },
    'nothere': { whiteout: true },        // a whiteout for a name the base never had
    'srv/': { opaque: true },
    'srv/a/': {},                         // a file replaced by a directory inside an opaque one
  });
  assert.deepEqual(lines(await diffLayer(upper, [l0, l1])), [
    'C /etc content',
    'C /etc/a metadata',
    'D /etc/b',
    'C /etc/sub content',
    'C /etc/sub/deep content',
    'D /etc/sub/deep/y',
    'A /etc/sub/deep/y2',
    'D /etc/sub/x',
    'D /gone',
    'C /hidden content',
    'D /hidden/new',
    'C /srv content',
    'C /srv/a content',
    'D /srv/a-b',
    'D /srv/a0',
  ]);
});

test('directories: own metadata; unchanged copy-ups not reported; excluded paths (the init layer\'s files) never', async () => {
  const base = layer({ 'etc/hosts': 'h', 'etc/x': 'x', 'var/lib/app/': {}, 'opt/': {} });
  const upper = layer({
    'etc/hosts': 'changed', 'etc/hostname': 'new', // excluded: /etc is in the upper only because of them
    'var/lib/app/': {}, 'var/lib/app/new': 'n',
    'opt/': { mode: 0o700 },
    'mtab/': {}, 'mtab/below': 'b',               // an excluded path that became a directory: nothing below it either
  });
  assert.deepEqual(lines(await diffLayer(upper, [base], { exclude: ['/etc/hosts', '/etc/hostname', '/mtab'] })), [
    'C /opt metadata',
    'C /var content',
    'C /var/lib content',
    'C /var/lib/app content',
    'A /var/lib/app/new',
  ]);
  assert.deepEqual(lines(await diffLayer(upper, [base])).slice(0, 3), ['C /etc content', 'A /etc/hostname', 'C /etc/hosts content']);
  // a new tree is A all the way down, and an empty upper has no changes
  assert.deepEqual(lines(await diffLayer(layer({ 'n/e/w/f': 'f' }), [base])), ['A /n', 'A /n/e', 'A /n/e/w', 'A /n/e/w/f']);
  assert.deepEqual(await diffLayer(layer({}), [base]), []);
});

test('many entries in one directory the base has: listed once, still exact', async () => {
  const spec: Spec = {};
  const upperSpec: Spec = {};
  for (let i = 0; i < 200; i++) spec[`big/f${i}`] = String(i);
  for (let i = 150; i < 250; i++) upperSpec[`big/f${i}`] = i < 200 ? `${i}!` : 'new';
  upperSpec['big/f3'] = { whiteout: true };
  const out = lines(await diffLayer(layer(upperSpec), [layer(spec)]));
  assert.equal(out[0], 'C /big content');
  assert.equal(out.filter((l) => l.startsWith('C /big/f')).length, 50);
  assert.equal(out.filter((l) => l.startsWith('A /big/f')).length, 50);
  assert.deepEqual(out.filter((l) => l.startsWith('D')), ['D /big/f3']);
});

test('merged views: overlay lookup rules, metacopy data from below, symlinks inside the view', async () => {
  const l0 = layer({ 'd/a': 'a0', 'd/b': 'b0', 'm': 'lower data', 'abs': { link: '/d/a' }, 'up': { link: '../../../d/b' } });
  const l1 = layer({ 'd/': { opaque: true }, 'd/c': 'c1', 'm': { data: '\0'.repeat(10), metacopy: true, mode: 0o600 } });
  const v: View = { layers: [{ dir: l0, ref: { layer: 0 } }, { dir: l1, ref: { layer: 1 } }], raw: false, label: 'test' };
  assert.deepEqual((await listDir(v, '/d')).entries.map((e) => [e.name, e.from.layer]), [['c', 1]]);
  const m = readFile(v, '/m');
  assert.equal(Buffer.from(m.data, 'base64').toString(), 'lower data');
  assert.equal(m.info.mode, 0o600);
  assert.throws(() => readFile(v, '/abs'), /test: \/abs: no such file or directory/); // /d/a is hidden by the opaque /d
  assert.throws(() => readFile(v, '/up'), /no such file/);
  assert.equal(statPath(v, '/up', true).target, '../../../d/b');
  const raw: View = { layers: [{ dir: l0, ref: { layer: 0 } }], raw: true, label: 'layer 0' };
  assert.equal(Buffer.from(readFile(raw, '/up').data, 'base64').toString(), 'b0');
  assert.equal(Buffer.from(readFile(raw, '/abs').data, 'base64').toString(), 'a0');
  const loop = layer({ x: { link: 'y' }, y: { link: 'x' } });
  assert.throws(() => readFile({ layers: [{ dir: loop, ref: { layer: 0 } }], raw: false, label: 'loop' }, '/x'), /loop: \/x: too many levels of symbolic links/);
});
