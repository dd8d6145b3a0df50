// The layer explorer on a hand-built three-layer image whose every number is
// known: own / cumulative / hidden sizes (hardlinks counted once, a file
// replaced while a hardlink keeps its old inode visible, an opaque directory,
// a directory replaced by a file, whiteouts), each layer's A/C/D changes,
// the merged tree at each layer, paging and errors. The sizes are checked
// against a real read-only overlay mount of the layers too.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { LayerExplorer } from '../../helper/images/layers-info';
import { ImageStore } from '../../helper/images/store';
import { tarBuffer, type TarWriteEntry } from '../../helper/images/tar-writer';

const sha = (b: Buffer | string) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
type E = TarWriteEntry & { data?: Buffer | string };
const dir = (name: string, mode = 0o755): E => ({ name, type: 'dir', mode, mtime: 1700000000 });
const file = (name: string, bytes: number, mode = 0o644): E => ({ name, type: 'file', mode, uid: 7, gid: 8, mtime: 1700000001, data: 'x'.repeat(bytes) });

const L0 = tarBuffer([
  dir('etc/'), file('etc/a', 100), file('etc/b', 200), { name: 'etc/link', type: 'hardlink', linkname: 'etc/a' },
  dir('usr/'), dir('usr/lib/'), file('usr/lib/x', 300), file('usr/lib/y', 400),
  dir('opt/'), file('opt/f', 50),
  { name: 'bin', type: 'symlink', linkname: 'usr/bin' },
]);
const L1 = tarBuffer([
  dir('etc/'), file('etc/.wh.b', 0), file('etc/c', 10), file('etc/a', 120),
  dir('usr/'), dir('usr/lib/'), file('usr/lib/.wh..wh..opq', 0), file('usr/lib/y', 40),
  file('opt', 5),
]);
const L2 = tarBuffer([dir('etc/'), file('etc/.wh.link', 0), dir('new/'), file('new/n', 1000)]);

let tmp: string;
let store: ImageStore;
let explorer: LayerExplorer;

before(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'nscope-layers-info-'));
  store = new ImageStore(path.join(tmp, 'state'));
  explorer = new LayerExplorer(store);
  const cfg = Buffer.from(JSON.stringify({
    architecture: 'amd64', os: 'linux', config: { Cmd: ['/bin/sh'] },
    rootfs: { type: 'layers', diff_ids: [sha(L0), sha(L1), sha(L2)] },
    history: [
      { created_by: 'ADD base', created: '2024-01-01T00:00:00Z' },
      { created_by: 'ENV X=1', empty_layer: true },
      { created_by: 'RUN change', comment: 'second' },
      { created_by: 'RUN more' },
    ],
  }));
  const parts: E[] = [
    { name: 'manifest.json', type: 'file', data: JSON.stringify([{ Config: `${sha(cfg).slice(7)}.json`, RepoTags: ['three:1'], Layers: ['0.tar', '1.tar', '2.tar'] }]) },
    { name: `${sha(cfg).slice(7)}.json`, type: 'file', data: cfg },
    { name: '0.tar', type: 'file', data: L0 }, { name: '1.tar', type: 'file', data: L1 }, { name: '2.tar', type: 'file', data: L2 },
  ];
  fs.writeFileSync(path.join(tmp, 'three.tar'), tarBuffer(parts));
  await store.importArchive(path.join(tmp, 'three.tar'));
});
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

test('sizes: own, cumulative and hidden per layer; cumulative of the top = sum of own - sum of hidden', async () => {
  const r = await explorer.summary('three:1');
  assert.equal(r.name, 'three:1');
  assert.deepEqual(r.layers.map((l) => [l.size, l.cumulativeSize, l.hiddenSize]), [
    [1050, 1050, 0], // etc/link is etc/a's inode: counted once
    [175, 275, 950], // b, usr/lib/x+y (opaque), opt/f (dir replaced by a file); not etc/a: etc/link still shows its inode
    [1000, 1175, 100], // deleting etc/link finally hides the old etc/a
  ]);
  const own = r.layers.reduce((n, l) => n + l.size, 0);
  const hidden = r.layers.reduce((n, l) => n + l.hiddenSize, 0);
  assert.equal(r.size, own - hidden);
  assert.equal(r.layers[2].cumulativeSize, r.size);
  // the layer store's own measure of a layer agrees
  const d = store.inspect('three:1');
  assert.deepEqual(r.layers.map((l) => l.size), d.layers.map((l) => l.unpackedSize));
  assert.deepEqual(r.layers.map((l) => [l.added, l.changed, l.deleted]), [[11, 0, 0], [1, 6, 2], [2, 1, 1]]);
  // history: the empty_layer entry makes no layer
  assert.deepEqual(r.layers.map((l) => l.createdBy), ['ADD base', 'RUN change', 'RUN more']);
  assert.equal(r.layers[1].comment, 'second');
  assert.deepEqual(r.history.map((h) => [h.createdBy, h.emptyLayer, h.layer]), [
    ['ADD base', false, 0], ['ENV X=1', true, undefined], ['RUN change', false, 1], ['RUN more', false, 2],
  ]);
  assert.deepEqual(r.layers.map((l) => l.diffId), [sha(L0), sha(L1), sha(L2)]);
});

test('the cumulative size is what a real overlay mount of the layers shows', () => {
  const dirs = store.inspect('three:1').layers.map((l) => l.dir);
  const mnt = fs.mkdtempSync(path.join(tmp, 'mnt-'));
  execFileSync('mount', ['-t', 'overlay', 'overlay', '-o', `ro,lowerdir=${[...dirs].reverse().join(':')}`, mnt]);
  try {
    let bytes = 0;
    const seen = new Set<string>();
    const walk = (d: string) => {
      for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        const p = path.join(d, e.name);
        const st = fs.lstatSync(p);
        if (st.isDirectory()) walk(p);
        else if (st.isFile() && !seen.has(`${st.dev}:${st.ino}`)) { seen.add(`${st.dev}:${st.ino}`); bytes += st.size; }
      }
    };
    walk(mnt);
    assert.equal(bytes, 1175);
    assert.deepEqual(fs.readdirSync(path.join(mnt, 'usr/lib')), ['y']);
  } finally {
    execFileSync('umount', [mnt]);
  }
});

test('changes of a layer: A/C/D against the layers below, sorted, with what each hides', async () => {
  const l0 = await explorer.changes('three:1', 0);
  assert.deepEqual(l0.changes.map((c) => `${c.kind} ${c.path}`), [
    'A /bin', 'A /etc', 'A /etc/a', 'A /etc/b', 'A /etc/link', 'A /opt', 'A /opt/f', 'A /usr', 'A /usr/lib', 'A /usr/lib/x', 'A /usr/lib/y',
  ]);
  assert.deepEqual(l0.changes.find((c) => c.path === '/bin'), { path: '/bin', kind: 'A', type: 'symlink', size: 0, mode: 0o777, uid: 0, gid: 0, linkTarget: 'usr/bin', hides: 0 });
  assert.deepEqual(l0.changes.find((c) => c.path === '/etc/a'), { path: '/etc/a', kind: 'A', type: 'file', size: 100, mode: 0o644, uid: 7, gid: 8, hides: 0 });

  const l1 = await explorer.changes('three:1', 1);
  assert.equal(l1.total, 9);
  assert.deepEqual(l1.changes.map((c) => `${c.kind} ${c.path} ${c.hides}${c.opaque ? ' opaque' : ''}`), [
    'C /etc 0', 'C /etc/a 0', 'D /etc/b 200', 'A /etc/c 0', 'C /opt 50', 'C /usr 0', 'C /usr/lib 0 opaque', 'D /usr/lib/x 300', 'C /usr/lib/y 400',
  ]);
  const del = l1.changes.find((c) => c.path === '/etc/b')!;
  assert.equal(del.type, 'file', 'a deletion names what was deleted');
  assert.equal(del.size, 200);
  assert.equal(l1.changes.find((c) => c.path === '/opt')!.type, 'file');
  assert.equal(l1.changes.reduce((n, c) => n + c.hides, 0), 950, 'the hides of the changes add up to the layer\'s hidden size');

  const l2 = await explorer.changes('three:1', -1);
  assert.equal(l2.layer, 2);
  assert.deepEqual(l2.changes.map((c) => `${c.kind} ${c.path} ${c.hides}`), ['C /etc 0', 'D /etc/link 100', 'A /new 0', 'A /new/n 0']);

  // by digest prefix, the same layer
  const d = store.inspect('three:1');
  assert.equal((await explorer.changes('three:1', d.layers[1].diffId.slice(7, 19))).layer, 1);
});

test('paging: limit and next walk the whole list once', async () => {
  const seen: string[] = [];
  let offset: number | undefined = 0;
  let pages = 0;
  while (offset !== undefined) {
    const p = await explorer.changes('three:1', 1, { offset, limit: 4 });
    assert.equal(p.total, 9);
    assert.equal(p.offset, offset);
    seen.push(...p.changes.map((c) => c.path));
    offset = p.next;
    pages++;
  }
  assert.equal(pages, 3);
  assert.equal(seen.length, 9);
  assert.equal(new Set(seen).size, 9);
  await assert.rejects(explorer.changes('three:1', 1, { limit: 0 }), /limit: 0 is not between 1 and 10000/);
  await assert.rejects(explorer.changes('three:1', 1, { offset: -1 }), /offset: -1 is not a non-negative integer/);
});

test('the merged tree at a layer: where each entry comes from, what the layer changed', async () => {
  const root0 = await explorer.tree('three:1', 0, '/');
  assert.deepEqual(root0.entries.map((e) => [e.name, e.type, e.size, e.layer, e.change]), [
    ['bin', 'symlink', 0, 0, 'A'], ['etc', 'dir', 400, 0, 'A'], ['opt', 'dir', 50, 0, 'A'], ['usr', 'dir', 700, 0, 'A'],
  ]);
  const root1 = await explorer.tree('three:1', 1);
  assert.deepEqual(root1.entries.map((e) => [e.name, e.type, e.size, e.layer, e.change]), [
    ['bin', 'symlink', 0, 0, undefined], ['etc', 'dir', 230, 1, 'C'], ['opt', 'file', 5, 1, 'C'], ['usr', 'dir', 40, 1, 'C'],
  ]);
  const etc1 = await explorer.tree('three:1', 1, '/etc');
  assert.equal(etc1.path, '/etc');
  assert.deepEqual(etc1.entries.map((e) => [e.path, e.size, e.layer, e.change]), [
    ['/etc/a', 120, 1, 'C'], ['/etc/c', 10, 1, 'A'], ['/etc/link', 100, 0, undefined],
  ]);
  assert.equal(etc1.entries[0].uid, 7);
  assert.equal(etc1.entries[0].mtime, 1700000001);
  const top = await explorer.tree('three:1', 2, 'etc/');
  assert.deepEqual(top.entries.map((e) => e.name), ['a', 'c']);
  const rootTop = await explorer.tree('three:1', 2, '/');
  assert.equal(rootTop.entries.find((e) => e.name === 'new')!.children, 1);
  const paged = await explorer.tree('three:1', 2, '/', { limit: 2 });
  assert.deepEqual([paged.entries.length, paged.total, paged.next], [2, 5, 2]);

  await assert.rejects(explorer.tree('three:1', 1, '/opt'), { message: '/opt: not a directory (a file) in image three:1 up to layer 1' });
  await assert.rejects(explorer.tree('three:1', 0, '/new'), /\/new: no such file or directory in image three:1 up to layer 0/);
  await assert.rejects(explorer.tree('three:1', 3, '/'), /layer 3: image three:1 has 3 layers \(0-2, or -1 for the top\)/);
  await assert.rejects(explorer.changes('three:1', 'sha256:ffff'), /layer "sha256:ffff" is not a layer of image three:1/);
  await assert.rejects(explorer.changes('nope:1', 0), /No such image: nope:1/);
});
