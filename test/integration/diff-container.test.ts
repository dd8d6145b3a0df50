// container.diff and the file views on real containers: a three-layer image
// (the host image's layer, one that adds files, one that deletes one and
// replaces a directory with OCI whiteouts), a container that adds, changes,
// chmods, deletes, replaces a directory and writes the init layer's files.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { tarBuffer, type TarWriteEntry } from '../../helper/images/tar-writer';
import { native } from '../../helper/native';
import type { HelperClient } from '../../helper/protocol/client';
import type { DiffChange, FileSource } from '../../helper/protocol';
import { runToExit, waitFor } from '../helpers/containers';
import { startWithImage, type TestDaemon } from '../helpers/daemon';

let d: TestDaemon;
let c: HelperClient;
let ct: string; // the changed, exited container

const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
type Entry = TarWriteEntry & { data?: Buffer | string };
const file = (name: string, data: Buffer | string, mode = 0o644): Entry => ({ name, type: 'file', mode, data });
const dir = (name: string): Entry => ({ name, type: 'dir', mode: 0o755 });

// image layer 1: files to change; layer 2: deletes /opt/app/b, replaces /etc/conf.d (opaque), adds /opt/app/d
const L1 = tarBuffer([
  dir('opt/'), dir('opt/app/'), file('opt/app/a', 'alpha\n'), file('opt/app/b', 'bravo\n'), dir('opt/app/sub/'), file('opt/app/sub/c', 'charlie\n'),
  dir('etc/'), dir('etc/conf.d/'), file('etc/conf.d/one', '1\n'), dir('etc/conf.d/deep/'), file('etc/conf.d/deep/x', 'x\n'),
]);
const L2 = tarBuffer([
  dir('opt/'), dir('opt/app/'), file('opt/app/.wh.b', ''), file('opt/app/d', 'delta\n'),
  dir('etc/'), dir('etc/conf.d/'), file('etc/conf.d/.wh..wh..opq', ''), file('etc/conf.d/three', '3\n'),
]);

/** A docker-save archive of the host image's layer + L1 + L2, imported as `multi`. */
async function importMulti(): Promise<void> {
  const host = await c.request('image.inspect', { ref: 'host' });
  const blob = fs.readFileSync(path.join(d.root, 'images', 'blobs', 'sha256', host.layers[0].digest.slice(7)));
  const config = Buffer.from(JSON.stringify({
    architecture: (host.config as { architecture: string }).architecture, os: 'linux',
    config: { Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'], Cmd: ['/bin/sh'] },
    rootfs: { type: 'layers', diff_ids: [host.layers[0].diffId, sha(L1), sha(L2)] },
    history: [{ created_by: 'host' }, { created_by: 'layer 1' }, { created_by: 'layer 2' }],
  }));
  const archive = path.join(d.dir, 'multi.tar');
  fs.writeFileSync(archive, tarBuffer([
    file('manifest.json', JSON.stringify([{ Config: 'config.json', RepoTags: ['multi:latest'], Layers: ['l0.tar', 'l1.tar', 'l2.tar'] }])),
    file('config.json', config), file('l0.tar', blob), file('l1.tar', L1), file('l2.tar', L2),
  ]));
  await c.request('image.import', { file: archive });
}

const SCRIPT = [
  'set -e',
  'echo added > /added.txt',
  'mkdir -p /newdir/sub && echo n > /newdir/sub/f',
  'echo changed >> /opt/app/a',                    // content
  'chmod 600 /etc/passwd',                          // metadata only
  'chmod 644 /opt/app/sub/c',                       // copied up, nothing changed: metadata
  'rm /etc/shells',                                 // deletion
  'rm -rf /etc/conf.d && mkdir /etc/conf.d && touch /etc/conf.d/new', // opaque
  'rm /opt/app/d && mkdir /opt/app/d && echo in > /opt/app/d/in',      // a file replaced by a directory
  'echo 10.0.0.1 extra >> /etc/hosts', 'echo other > /etc/hostname',  // the init layer's: never reported
  'ln -s / /hostlink',
  'echo container-secret > /etc/shadow',
].join('\n');

const EXPECTED = [
  'A /added.txt',
  'C /etc',
  'C /etc/conf.d',
  'A /etc/conf.d/new',
  'D /etc/conf.d/three',
  'C /etc/passwd',
  'A /etc/shadow',
  'D /etc/shells',
  'A /hostlink',
  'A /newdir',
  'A /newdir/sub',
  'A /newdir/sub/f',
  'C /opt',
  'C /opt/app',
  'C /opt/app/a',
  'C /opt/app/d',
  'A /opt/app/d/in',
  'C /opt/app/sub',
  'C /opt/app/sub/c',
];

const lines = (changes: DiffChange[]) => changes.map((x) => `${x.kind} ${x.path}`);
const text = async (src: FileSource, p: string) => Buffer.from((await c.request('file.read', { ...src, path: p })).data, 'base64').toString();

before(async () => {
  d = await startWithImage('diff');
  c = await d.client();
  await importMulti();
  // --network none: with a network /etc/hosts, resolv.conf and hostname are bind mounts from the
  // container's directory (as Docker's), and this checks the init layer's files as the container edits them
  const r = await runToExit(c, { image: 'multi', net: 'none', cmd: ['sh', '-c', SCRIPT] });
  assert.equal(r.exitCode, 0, r.stderr);
  ct = r.id;
});
after(async () => { assert.deepEqual(await d.cleanup(), []); });

test('the image is what the test expects: layer 2 deleted /opt/app/b and made /etc/conf.d opaque', async () => {
  const img = await c.request('image.inspect', { ref: 'multi' });
  assert.equal(img.layers.length, 3);
  assert.equal(native().lgetxattr(path.join((img.layers[2] as unknown as { dir: string }).dir, 'etc/conf.d'), 'trusted.overlay.opaque')?.toString(), 'y');
  const names = (await c.request('file.list', { image: 'multi', path: '/etc/conf.d' })).entries.map((e) => e.name);
  assert.deepEqual(names, ['three']);
});

test('diff: exactly the expected lines in Docker\'s format, sorted, without the init layer\'s files', async () => {
  const r = await c.request('container.diff', { id: ct });
  assert.equal(r.id, ct);
  assert.deepEqual(lines(r.changes), EXPECTED);
  // this kernel's overlay marked the replaced directory opaque (that is what the diff relies on)
  const upper = (await c.request('container.inspect', { id: ct })).rootfs.upper;
  assert.equal(native().lgetxattr(path.join(upper, 'etc/conf.d'), 'trusted.overlay.opaque')?.toString(), 'y');
  assert.ok(fs.existsSync(path.join(upper, 'etc/hosts')), 'the container did write /etc/hosts into its rw layer');
});

test('diff: content vs metadata, and details (now and image metadata)', async () => {
  const { changes } = await c.request('container.diff', { id: ct, details: true });
  assert.deepEqual(lines(changes), EXPECTED, 'details do not change the list');
  const by = new Map(changes.map((x) => [x.path, x]));
  assert.equal(by.get('/opt/app/a')!.change, 'content');
  assert.equal(by.get('/etc/passwd')!.change, 'metadata');
  assert.equal(by.get('/opt/app/sub/c')!.change, 'metadata');
  assert.equal(by.get('/opt/app/d')!.change, 'content');
  assert.equal(by.get('/etc/conf.d')!.change, 'content');
  assert.equal(by.get('/opt/app')!.change, 'content');
  const passwd = by.get('/etc/passwd')!;
  assert.equal(passwd.mode, 0o600);
  assert.equal(passwd.image!.mode, 0o644);
  assert.equal(passwd.size, passwd.image!.size);
  const a = by.get('/opt/app/a')!;
  assert.deepEqual([a.type, a.size, a.uid, a.gid, a.image!.size], ['file', 'alpha\nchanged\n'.length, 0, 0, 'alpha\n'.length]);
  assert.deepEqual(by.get('/opt/app/d')!.image!.type, 'file');
  assert.equal(by.get('/opt/app/d')!.type, 'dir');
  assert.deepEqual(by.get('/etc/shells')!.image!.type, 'file');
  assert.equal(by.get('/etc/shells')!.size, undefined);
  assert.equal(by.get('/hostlink')!.type, 'symlink');
  assert.equal(by.get('/added.txt')!.size, 'added\n'.length);
  assert.equal(by.get('/newdir')!.type, 'dir');
});

test('diff works on created, running and exited containers; a runtime-made mount point is A, like Docker', async () => {
  const { id } = await c.request('container.create', { image: 'host', cmd: ['sh', '-c', 'echo x > /running.txt; sleep 60'], volumes: [`${d.dir}:/data`] });
  // `create` already set the container up (in its created state, before the command runs): the mount point is there
  assert.deepEqual(lines((await c.request('container.diff', { id })).changes), ['A /data'], 'a created container has only its mount point');
  await c.request('container.start', { id });
  await waitFor(async () => lines((await c.request('container.diff', { id })).changes).includes('A /running.txt'), 10000, 'the running container\'s write');
  assert.deepEqual(lines((await c.request('container.diff', { id })).changes), ['A /data', 'A /running.txt']);
  // reading a running container's file
  assert.equal(await text({ container: id }, '/running.txt'), 'x\n');
  await c.request('container.kill', { id });
  await c.request('container.wait', { id });
  assert.deepEqual(lines((await c.request('container.diff', { id })).changes), ['A /data', 'A /running.txt']);
  await c.request('container.remove', { id });
  await assert.rejects(c.request('container.diff', { id }), /No such container/);
});

test('reading both sides: the image\'s old content, the container\'s new one, one layer\'s', async () => {
  assert.equal(await text({ container: ct, view: 'image' }, '/opt/app/a'), 'alpha\n');
  assert.equal(await text({ container: ct }, '/opt/app/a'), 'alpha\nchanged\n');
  assert.equal(await text({ container: ct, view: 'layer', layer: 'rw' }, '/opt/app/a'), 'alpha\nchanged\n');
  assert.equal(await text({ container: ct, view: 'layer', layer: 1 }, '/opt/app/a'), 'alpha\n');
  assert.equal(await text({ image: 'multi' }, '/opt/app/a'), 'alpha\n');
  // a file deleted in layer 2: gone from the image, there up to layer 1
  await assert.rejects(c.request('file.read', { image: 'multi', path: '/opt/app/b' }), /image multi:latest.*: \/opt\/app\/b: no such file or directory/);
  assert.equal(await text({ image: 'multi', layer: 1 }, '/opt/app/b'), 'bravo\n');
  assert.equal(await text({ image: 'multi', view: 'image', layer: 1 }, '/etc/conf.d/deep/x'), 'x\n');
  await assert.rejects(c.request('file.read', { image: 'multi', path: '/etc/conf.d/deep/x' }), /no such file/);
  // the container's deletions and replacements
  await assert.rejects(c.request('file.read', { container: ct, path: '/etc/shells' }), /no such file/);
  assert.match(await text({ container: ct, view: 'image' }, '/etc/shells'), /sh/);
  await assert.rejects(c.request('file.read', { container: ct, path: '/etc/conf.d/three' }), /no such file/);
  assert.equal(await text({ container: ct, view: 'image' }, '/etc/conf.d/three'), '3\n');
  // the init layer's files as the container sees them
  assert.match(await text({ container: ct }, '/etc/hosts'), /10\.0\.0\.1 extra/);
  assert.equal(await text({ container: ct }, '/etc/hostname'), 'other\n');
  assert.match(await text({ container: ct, view: 'layer', layer: 'init' }, '/etc/hostname'), /^[0-9a-f]{12}\n$/);
  // by digest / diff_id prefix
  const img = await c.request('image.inspect', { ref: 'multi' });
  assert.equal(await text({ container: ct, view: 'layer', layer: img.layers[1].diffId }, '/opt/app/b'), 'bravo\n');
  assert.equal(await text({ image: 'multi', view: 'layer', layer: img.layers[1].digest.slice(7, 19) }, '/opt/app/b'), 'bravo\n');
});

test('reads are size-bounded with an offset, binary-safe, and report metadata', async () => {
  const bin = Buffer.alloc(70000);
  for (let i = 0; i < bin.length; i++) bin[i] = (i * 7) & 0xff;
  const { id } = await c.request('container.create', { image: 'host', cmd: ['sh', '-c', 'exit 0'] });
  const upper = (await c.request('container.inspect', { id })).rootfs.upper;
  fs.writeFileSync(path.join(upper, 'blob.bin'), bin);
  const first = await c.request('file.read', { container: id, path: 'blob.bin', length: 40000 });
  assert.deepEqual([first.offset, first.length, first.size, first.eof], [0, 40000, 70000, false]);
  const second = await c.request('file.read', { container: id, path: '/blob.bin', offset: 40000, length: 40000 });
  assert.deepEqual([second.length, second.eof], [30000, true]);
  assert.ok(Buffer.concat([Buffer.from(first.data, 'base64'), Buffer.from(second.data, 'base64')]).equals(bin));
  const past = await c.request('file.read', { container: id, path: '/blob.bin', offset: 999999 });
  assert.deepEqual([past.length, past.eof, past.data], [0, true, '']);
  assert.deepEqual([first.info.type, first.info.size, first.info.from.layer, first.info.path], ['file', 70000, 'rw', '/blob.bin']);
  await assert.rejects(c.request('file.read', { container: id, path: '/blob.bin', offset: -1 }), /offset must be a non-negative integer/);
  await assert.rejects(c.request('file.read', { container: id, path: '/etc' }), /\/etc: not a regular file \(a directory\)/);
  await c.request('container.remove', { id, force: true });
});

test('no escape: ../../etc/shadow and a symlink to / planted in the container stay inside its rootfs', async () => {
  const hostShadow = fs.readFileSync('/etc/shadow', 'utf8');
  for (const p of ['../../etc/shadow', '/../../../../etc/shadow', '/hostlink/etc/shadow', 'hostlink/../hostlink/hostlink/etc/shadow', '/hostlink/../etc/../../etc/shadow']) {
    const got = await text({ container: ct }, p);
    assert.equal(got, 'container-secret\n', p);
    assert.notEqual(got, hostShadow);
  }
  const st = await c.request('file.stat', { container: ct, path: '/hostlink/etc/shadow' });
  assert.equal(st.path, '/etc/shadow');
  assert.equal((await c.request('file.stat', { container: ct, path: '/hostlink', nofollow: true })).target, '/');
  assert.equal((await c.request('file.stat', { container: ct, path: '/hostlink' })).path, '/');
  // the image has no /etc/shadow: not found, never the host's
  await assert.rejects(c.request('file.read', { container: ct, view: 'image', path: '../../etc/shadow' }), /no such file or directory/);
  await assert.rejects(c.request('file.read', { image: 'multi', path: '/../etc/shadow' }), /no such file or directory/);
  // one layer: symlinks resolve inside that layer
  assert.equal(await text({ container: ct, view: 'layer', layer: 'rw' }, '/hostlink/etc/shadow'), 'container-secret\n');
  await assert.rejects(c.request('file.read', { container: ct, view: 'layer', layer: 0, path: '/hostlink/etc/shadow' }), /no such file/);
  // a symlink to the host's /etc put into the rw layer from the host: still the container's /etc
  const upper = (await c.request('container.inspect', { id: ct })).rootfs.upper;
  fs.mkdirSync(path.join(upper, 'swap'));
  fs.symlinkSync('/etc', path.join(upper, 'swap', 'etc'));
  assert.equal(await text({ container: ct }, '/swap/etc/shadow'), 'container-secret\n');
  fs.rmSync(path.join(upper, 'swap'), { recursive: true });
});

test('listing: merged entries with the layer each comes from; one layer shows its whiteouts', async () => {
  const etc = (await c.request('file.list', { container: ct, path: '/etc' })).entries;
  const from = Object.fromEntries(etc.map((e) => [e.name, e.from.layer]));
  assert.deepEqual(from, { 'conf.d': 'rw', group: 0, hostname: 'rw', hosts: 'rw', mtab: 'init', passwd: 'rw', 'resolv.conf': 'init', shadow: 'rw' });
  assert.deepEqual(etc.map((e) => e.name), [...etc.map((e) => e.name)].sort());
  const passwd = etc.find((e) => e.name === 'passwd')!;
  assert.deepEqual([passwd.type, passwd.mode, passwd.uid, passwd.path], ['file', 0o600, 0, '/etc/passwd']);
  assert.equal(etc.find((e) => e.name === 'mtab')!.target, '/proc/mounts');
  const app = (await c.request('file.list', { container: ct, path: '/opt/app' })).entries;
  assert.deepEqual(app.map((e) => [e.name, e.type, e.from.layer]), [['a', 'file', 'rw'], ['d', 'dir', 'rw'], ['sub', 'dir', 'rw']]);
  const img = await c.request('image.inspect', { ref: 'multi' });
  const imgApp = (await c.request('file.list', { image: 'multi', path: '/opt/app' })).entries;
  assert.deepEqual(imgApp.map((e) => [e.name, e.from.layer]), [['a', 1], ['d', 2], ['sub', 1]]);
  assert.equal(imgApp[0].from.diffId, img.layers[1].diffId);
  assert.equal(imgApp[0].from.digest, img.layers[1].digest);
  const upTo1 = (await c.request('file.list', { image: 'multi', layer: 1, path: '/opt/app' })).entries;
  assert.deepEqual(upTo1.map((e) => e.name), ['a', 'b', 'sub']);
  const layer2 = (await c.request('file.list', { image: 'multi', view: 'layer', layer: 2, path: '/opt/app' })).entries;
  assert.deepEqual(layer2.map((e) => [e.name, e.type]), [['b', 'whiteout'], ['d', 'file']]);
  const layer2etc = (await c.request('file.list', { image: 'multi', view: 'layer', layer: 2, path: '/etc' })).entries;
  assert.equal(layer2etc.find((e) => e.name === 'conf.d')!.opaque, true);
  const root = (await c.request('file.list', { container: ct, path: '/' })).entries;
  assert.equal(root.find((e) => e.name === 'hostlink')!.target, '/');
  assert.equal(root.find((e) => e.name === 'bin')!.type, 'symlink');
  // a symlinked directory is listed through its link, inside the view
  assert.deepEqual((await c.request('file.list', { container: ct, path: '/hostlink/opt' })).entries.map((e) => e.name), ['app']);
});

test('errors are one line naming what was wrong', async () => {
  const one = async (p: Promise<unknown>, re: RegExp) => {
    const e = await p.then(() => assert.fail('expected an error'), (x: Error) => x);
    assert.match(e.message, re);
    assert.doesNotMatch(e.message, /\n/);
  };
  await one(c.request('container.diff', { id: 'nope' }), /No such container: nope/);
  await one(c.request('file.read', { container: ct, path: '/no/such' }), /^container \S+: \/no\/such: no such file or directory$/);
  await one(c.request('file.list', { container: ct, path: '/etc/passwd' }), /\/etc\/passwd: not a directory/);
  await one(c.request('file.read', { container: ct, image: 'multi', path: '/' }), /either a container or an image/);
  await one(c.request('file.read', { image: 'multi', view: 'layer', path: '/' }), /view "layer" needs a layer/);
  await one(c.request('file.read', { image: 'multi', view: 'layer', layer: 7, path: '/' }), /no layer 7 \(it has 3, 0 to 2\)/);
  await one(c.request('file.read', { image: 'multi', view: 'layer', layer: 'rw', path: '/' }), /layer "rw": not an index/);
  await one(c.request('file.read', { image: 'multi', view: 'container', path: '/' }), /view "container" needs a container/);
  await one(c.request('file.read', { image: 'nope', path: '/' }), /No such image: nope/);
  await one(c.request('file.read', { image: 'multi', layer: 'sha256:0000000000000000', path: '/' }), /no layer sha256:0000000000000000/);
  await one(c.request('file.stat', { container: ct, path: '/etc/passwd/x' }), /\/etc\/passwd is not a directory/);
});

test('CLI: nscope diff prints Docker\'s format; --format json the details; nscope file cat/ls', async () => {
  const r = await d.cli(['diff', ct]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, EXPECTED.map((l) => `${l}\n`).join(''));
  const j = await d.cli(['diff', '--format', 'json', ct]);
  assert.equal(j.code, 0, j.stderr);
  const parsed = JSON.parse(j.stdout) as DiffChange[];
  assert.deepEqual(lines(parsed), EXPECTED);
  assert.equal(parsed.find((x) => x.path === '/etc/passwd')!.change, 'metadata');
  const bad = await d.cli(['diff', 'nope']);
  assert.equal(bad.code, 1);
  assert.equal(bad.stderr, 'nscope: No such container: nope\n');
  const usage = await d.cli(['diff']);
  assert.equal(usage.code, 1);
  const cat = await d.cli(['file', 'cat', '--view', 'image', ct, '/opt/app/a']);
  assert.equal(cat.stdout, 'alpha\n');
  const catNew = await d.cli(['file', 'cat', ct, '/opt/app/a']);
  assert.equal(catNew.stdout, 'alpha\nchanged\n');
  const ls = await d.cli(['file', 'ls', '--image', '--layer', '2', '--view', 'layer', 'multi', '/opt/app']);
  assert.equal(ls.code, 0, ls.stderr);
  assert.match(ls.stdout, /^w\S{9}\s+0\s+0\s+0\s+2\s+b$/m);
});
