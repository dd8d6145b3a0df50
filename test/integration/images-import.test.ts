// Importing `docker save` and OCI image layout archives built here with real
// sha256s; names, digests, inspect, shared layers, refusals, remove + GC.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import * as zlib from 'node:zlib';
import { ImageStore } from '../../helper/images/store';
import { tarBuffer, type TarWriteEntry } from '../../helper/images/tar-writer';

const sha = (b: Buffer | string) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const hex = (d: string) => d.slice(7);

let tmp: string;
let store: ImageStore;
before(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'nscope-images-import-'));
  store = new ImageStore(path.join(tmp, 'state'));
});
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

type File = TarWriteEntry & { data?: Buffer | string };
const file = (name: string, data: Buffer | string): File => ({ name, type: 'file', mode: 0o644, data });
function archive(name: string, entries: File[]): string {
  const p = path.join(tmp, name);
  fs.writeFileSync(p, tarBuffer(entries));
  return p;
}

// two layers: a base and one that deletes a file and adds another
const base = tarBuffer([
  { name: 'etc/', type: 'dir' }, file('etc/os-release', 'ID=test\n'), file('etc/motd', 'hello\n'),
  { name: 'bin/', type: 'dir' }, { name: 'bin/app', type: 'file', mode: 0o755, data: '#!/bin/sh\necho app\n' },
]);
const top = tarBuffer([{ name: 'etc/', type: 'dir' }, file('etc/.wh.motd', ''), file('etc/added', 'new\n')]);
const topGz = zlib.gzipSync(top);

function config(diffIds: string[], cmd = ['/bin/app']): Buffer {
  return Buffer.from(JSON.stringify({
    architecture: 'amd64', os: 'linux', created: '2024-01-02T03:04:05Z',
    config: { Env: ['PATH=/bin'], Cmd: cmd, Entrypoint: null, WorkingDir: '/', Labels: { a: 'b' } },
    rootfs: { type: 'layers', diff_ids: diffIds },
    history: [
      { created_by: '/bin/sh -c #(nop) ADD base' },
      { created_by: '/bin/sh -c #(nop) ENV PATH=/bin', empty_layer: true },
      { created_by: '/bin/sh -c rm /etc/motd && echo new > /etc/added' },
    ],
  }));
}

test('docker save archive: names from RepoTags, ID = config digest, layers unpacked, symlinked duplicate layers', async () => {
  const cfg = config([sha(base), sha(top)]);
  const cfg2 = config([sha(base)], ['/bin/other']);
  const file1 = archive('docker.tar', [
    file('manifest.json', JSON.stringify([
      { Config: `${hex(sha(cfg))}.json`, RepoTags: ['busybox:1.0', 'docker.io/library/busybox:latest'], Layers: ['aaa/layer.tar', 'bbb/layer.tar'] },
      { Config: `blobs/sha256/${hex(sha(cfg2))}`, RepoTags: ['other'], Layers: ['ccc/layer.tar'] },
    ])),
    file(`${hex(sha(cfg))}.json`, cfg),
    file(`blobs/sha256/${hex(sha(cfg2))}`, cfg2),
    file('aaa/layer.tar', base),
    file('bbb/layer.tar', topGz), // layer tars may be gzip: detected by their magic bytes
    { name: 'ccc/layer.tar', type: 'symlink', linkname: '../aaa/layer.tar' }, // as docker save writes repeated layers
    file('repositories', '{}'),
  ]);
  const added = await store.importArchive(file1);
  assert.deepEqual(added.map((i) => i.name), ['busybox:1.0', 'busybox:latest', 'other:latest']);
  assert.equal(added[0].id, sha(cfg), 'the image ID is the config digest, as Docker\'s');
  assert.equal(added[0].layers, 2);

  const d = store.inspect('busybox');
  assert.equal(d.id, sha(cfg));
  assert.equal(d.created, '2024-01-02T03:04:05Z');
  assert.deepEqual(d.layers.map((l) => [l.digest, l.diffId, l.mediaType, l.size, l.createdBy]), [
    [sha(base), sha(base), 'application/vnd.oci.image.layer.v1.tar', base.length, '/bin/sh -c #(nop) ADD base'],
    [sha(topGz), sha(top), 'application/vnd.oci.image.layer.v1.tar+gzip', topGz.length, '/bin/sh -c rm /etc/motd && echo new > /etc/added'],
  ]);
  assert.equal(d.layers[0].unpackedSize, 'ID=test\n'.length + 'hello\n'.length + '#!/bin/sh\necho app\n'.length);
  assert.equal(d.size, d.layers[0].unpackedSize + d.layers[1].unpackedSize);

  const r = store.resolve(hex(sha(cfg)).slice(0, 12)); // short image ID
  assert.equal(r.name, 'busybox:1.0');
  assert.deepEqual(r.config.config?.Cmd, ['/bin/app']);
  assert.ok(!('Entrypoint' in (r.config.config ?? {})), 'null fields are dropped for the runtime');
  assert.equal(fs.readFileSync(path.join(r.layerDirs[0], 'etc/os-release'), 'utf8'), 'ID=test\n');
  const wh = fs.lstatSync(path.join(r.layerDirs[1], 'etc/motd'));
  assert.ok(wh.isCharacterDevice() && wh.rdev === 0);
  // the base layer is shared, unpacked once
  assert.equal(store.resolve('other').layerDirs[0], r.layerDirs[0]);
  assert.equal(fs.readdirSync(path.join(tmp, 'state/layers')).filter((n) => !n.endsWith('.json')).length, 2);
  // the OCI layout on disk
  const index = JSON.parse(fs.readFileSync(path.join(tmp, 'state/images/index.json'), 'utf8'));
  assert.deepEqual(index.manifests.map((m: { annotations: Record<string, string> }) => m.annotations['org.opencontainers.image.ref.name']), ['busybox:1.0', 'busybox:latest', 'other:latest']);
  assert.deepEqual(JSON.parse(fs.readFileSync(path.join(tmp, 'state/images/oci-layout'), 'utf8')), { imageLayoutVersion: '1.0.0' });
  const manifest = JSON.parse(fs.readFileSync(path.join(tmp, 'state/images/blobs/sha256', hex(d.digest)), 'utf8'));
  assert.equal(manifest.config.digest, sha(cfg));
  // nothing left of the extraction
  assert.deepEqual(fs.readdirSync(path.join(tmp, 'state/images/.tmp')), []);
});

test('OCI layout archive: nested index, platform pick, containerd name; digests kept', async () => {
  const cfg = config([sha(base), sha(top)], ['/bin/oci']);
  const layerDesc = [
    { mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: sha(base), size: base.length },
    { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: sha(topGz), size: topGz.length },
  ];
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha(cfg), size: cfg.length }, layers: layerDesc,
  }));
  const idx = Buffer.from(JSON.stringify({
    schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [
      { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: sha('absent arm64 manifest'), size: 10, platform: { architecture: 'arm64', os: 'linux' } },
      { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: sha(manifest), size: manifest.length, platform: { architecture: 'amd64', os: 'linux' } },
      { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: sha('attestation'), size: 5, platform: { architecture: 'unknown', os: 'unknown' } },
    ],
  }));
  // a second image sharing the base layer blob (one file in the archive for both)
  const cfgBase = config([sha(base)], ['/bin/base']);
  const manifestBase = Buffer.from(JSON.stringify({
    schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha(cfgBase), size: cfgBase.length }, layers: [layerDesc[0]],
  }));
  const blob = (b: Buffer) => file(`blobs/sha256/${hex(sha(b))}`, b);
  const oci = archive('oci.tar', [
    file('oci-layout', '{"imageLayoutVersion":"1.0.0"}'),
    file('index.json', JSON.stringify({ schemaVersion: 2, manifests: [{
      mediaType: 'application/vnd.oci.image.index.v1+json', digest: sha(idx), size: idx.length,
      annotations: { 'io.containerd.image.name': 'example.com/team/app:v1', 'org.opencontainers.image.ref.name': 'v1' },
    }, {
      mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: sha(manifestBase), size: manifestBase.length,
      annotations: { 'org.opencontainers.image.ref.name': 'example.com/team/base:v1' },
    }] })),
    { name: 'blobs/', type: 'dir' }, blob(idx), blob(manifest), blob(cfg), blob(base), blob(topGz), blob(manifestBase), blob(cfgBase),
  ]);
  if (process.arch !== 'x64') return; // the archive offers amd64 only
  const added = await store.importArchive(oci);
  assert.deepEqual(added.map((i) => [i.name, i.id, i.digest]), [
    ['example.com/team/app:v1', sha(cfg), sha(manifest)], ['example.com/team/base:v1', sha(cfgBase), sha(manifestBase)],
  ]);
  const d = store.inspect('example.com/team/app:v1');
  assert.deepEqual(d.manifest, JSON.parse(manifest.toString()));
  assert.deepEqual(d.layers.map((l) => l.diffId), [sha(base), sha(top)]);
  // same layers as the docker-save image: still one dir each
  assert.equal(fs.readdirSync(path.join(tmp, 'state/layers')).filter((n) => !n.endsWith('.json')).length, 2);

  // --name overrides the archive's names, for an archive of one image
  await assert.rejects(store.importArchive(oci, { name: 'mine:2' }), /--name: the archive holds 2 images/);
  const one = archive('oci-one.tar', [
    file('oci-layout', '{"imageLayoutVersion":"1.0.0"}'),
    file('index.json', JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: sha(manifest), size: manifest.length }] })),
    blob(manifest), blob(cfg), blob(base), blob(topGz),
  ]);
  await assert.rejects(store.importArchive(one), /has no name/);
  const renamed = await store.importArchive(one, { name: 'mine:2' });
  assert.deepEqual(renamed.map((i) => i.name), ['mine:2']);
  assert.equal(store.inspect('mine:2').id, sha(cfg));
});

test('refusals: digest mismatch, escaping paths, unnamed images, wrong diff_ids, devices in the archive', async () => {
  const cfg = config([sha(base)]);
  const good = (over: Partial<{ cfgName: string; tags: string[] | null; layer: Buffer; extra: File[] }> = {}) => [
    file('manifest.json', JSON.stringify([{ Config: over.cfgName ?? `${hex(sha(cfg))}.json`, RepoTags: over.tags === undefined ? ['t:1'] : over.tags, Layers: ['l/layer.tar'] }])),
    file(over.cfgName ?? `${hex(sha(cfg))}.json`, cfg), file('l/layer.tar', over.layer ?? base), ...(over.extra ?? []),
  ];
  const before = store.list().length;
  const blobsDir = path.join(tmp, 'state/images/blobs/sha256');
  const blobsBefore = fs.readdirSync(blobsDir).sort();
  const layersBefore = fs.readdirSync(path.join(tmp, 'state/layers')).sort();

  await assert.rejects(store.importArchive(archive('bad-cfg.tar', good({ cfgName: `${'0'.repeat(64)}.json` }))), /config 0{64}\.json: content does not match its digest/);
  const tampered = Buffer.from(base); tampered[600] ^= 1;
  await assert.rejects(store.importArchive(archive('bad-layer.tar', good({ layer: tampered }))), /content does not match its diff_id/);
  await assert.rejects(store.importArchive(archive('escape.tar', [...good(), file('../../escape', 'x')])), /archive: entry "\.\.\/\.\.\/escape" escapes the archive/);
  assert.ok(!fs.existsSync(path.join(tmp, 'escape')) && !fs.existsSync(path.join(tmp, 'state/escape')));
  await assert.rejects(store.importArchive(archive('abs.tar', [...good(), file('/etc/x', 'x')])), /escapes the archive/);
  await assert.rejects(store.importArchive(archive('dev.tar', [...good(), { name: 'null', type: 'char', devmajor: 1, devminor: 3 }])), /entry "null" is a char; an image archive holds only files and directories/);
  await assert.rejects(store.importArchive(archive('unnamed.tar', good({ tags: null }))), /has no name .*--name/);
  await assert.rejects(store.importArchive(archive('badname.tar', good({ tags: ['UPPER:case'] }))), /"UPPER:case" is not a valid image name/);
  await assert.rejects(store.importArchive(archive('empty.tar', [file('x', 'y')])), /neither an OCI image layout .* nor a docker save archive/);
  await assert.rejects(store.importArchive(path.join(tmp, 'no-such.tar')), /no such file/);
  await assert.rejects(store.importArchive(archive('link-out.tar', [...good(), { name: 'x', type: 'symlink', linkname: '../../../etc/passwd' }])), /link "x" -> "\.\.\/\.\.\/\.\.\/etc\/passwd" points outside the archive/);

  // OCI: a blob whose content does not match its name
  const oci = archive('oci-bad.tar', [
    file('oci-layout', '{"imageLayoutVersion":"1.0.0"}'),
    file('index.json', JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: sha('m'), size: 1, annotations: { 'org.opencontainers.image.ref.name': 'x:1' } }] })),
    file(`blobs/sha256/${hex(sha('m'))}`, '{"not":"m"}'),
  ]);
  await assert.rejects(store.importArchive(oci), /blob sha256:[0-9a-f]{64} does not match its digest/);

  assert.equal(store.list().length, before, 'nothing was added');
  assert.deepEqual(fs.readdirSync(blobsDir).sort(), blobsBefore, 'no blob left behind by a refused import');
  assert.deepEqual(fs.readdirSync(path.join(tmp, 'state/layers')).sort(), layersBefore);
  assert.deepEqual(fs.readdirSync(path.join(tmp, 'state/images/.tmp')), []);
  assert.deepEqual(fs.readdirSync(path.join(tmp, 'state/layers')).filter((n) => n.startsWith('.')), []);

  const ok = await store.importArchive(archive('named.tar', good({ tags: null })), { name: 'given' });
  assert.equal(ok[0].name, 'given:latest');
});

test('addImage: a new layer on top of a parent image (what commit needs); concurrent imports of one archive', async () => {
  const layer = path.join(tmp, 'commit.tar');
  const diff = tarBuffer([file('app/data', 'committed\n')]);
  fs.writeFileSync(layer, diff);
  const parent = store.inspect('other');
  const sum = await store.addImage('child', {
    architecture: 'amd64', os: 'linux', created: '2025-01-01T00:00:00Z', config: { Cmd: ['/bin/app'] },
    history: [...(parent.config.history ?? []), { created_by: 'nscope commit' }],
  }, [layer], { parent: 'other' });
  assert.equal(sum.layers, 2);
  assert.ok(fs.existsSync(layer), 'the caller\'s file is left alone');
  const d = store.inspect('child');
  assert.deepEqual(d.config.rootfs.diff_ids, [parent.config.rootfs.diff_ids[0], sha(diff)]);
  assert.deepEqual(d.layers.map((l) => l.digest), [parent.layers[0].digest, sha(diff)]);
  const dirs = store.resolve('child').layerDirs;
  assert.equal(dirs[0], parent.layers[0].dir);
  assert.equal(fs.readFileSync(path.join(dirs[1], 'app/data'), 'utf8'), 'committed\n');
  store.remove('child');
  assert.ok(!fs.existsSync(dirs[1]) && fs.existsSync(dirs[0]));

  // two imports of the same archive at once: both succeed, each layer unpacked into one dir
  const other = new ImageStore(path.join(tmp, 'state2'));
  const cfg = config([sha(base)]);
  const a = archive('twice.tar', [
    file('manifest.json', JSON.stringify([{ Config: 'c.json', RepoTags: ['twice:1', 'docker.io/library/twice:1'], Layers: ['l.tar'] }])),
    file('c.json', cfg), file('l.tar', base),
  ]);
  const [x, y] = await Promise.all([other.importArchive(a), other.importArchive(a)]);
  assert.deepEqual([x.map((i) => i.name), y.map((i) => i.name)], [['twice:1'], ['twice:1']], 'duplicate RepoTags collapse');
  assert.equal(other.list().length, 1);
  assert.deepEqual(fs.readdirSync(path.join(tmp, 'state2/layers')).sort(), [hex(sha(base)), `${hex(sha(base))}.json`]);
  fs.rmSync(path.join(tmp, 'state2'), { recursive: true, force: true });
});

test('remove: by name untags, in use is refused, --force keeps it unnamed, GC keeps shared layers', () => {
  const id = store.inspect('busybox:1.0').id;
  const topDir = store.inspect('busybox:1.0').layers[1].dir;
  assert.throws(() => store.remove(hex(id).slice(0, 8)), /has \d names .* remove them by name, or use --force/);
  store.remove('busybox:1.0');
  assert.equal(store.inspect('busybox:latest').id, id);
  const inUse = (i: string) => (i === id ? { name: 'web1', id: 'c'.repeat(64), running: false } : undefined);
  assert.throws(() => store.remove('busybox:latest', { inUse }), /in use by container "web1"/);
  store.remove('busybox:latest', { inUse, force: true });
  const unnamed = store.list().find((i) => i.id === id);
  assert.equal(unnamed?.name, '<none>:<none>');
  assert.ok(fs.existsSync(topDir), 'a forced removal keeps what a container uses');
  assert.deepEqual(store.resolve(hex(id)).layerDirs[1], topDir);

  // the OCI image has the same layers: removing the dangling one keeps them
  store.remove(hex(id));
  assert.ok(fs.existsSync(topDir));
  assert.equal(store.inspect('example.com/team/base:v1').layers[0].diffId, sha(base));
  for (const n of ['example.com/team/app:v1', 'mine:2']) if (store.list().some((i) => i.name === n)) store.remove(n);
  assert.ok(!fs.existsSync(topDir), 'the top layer is collected with its last image');
  for (const i of store.list()) store.remove(i.name);
  assert.deepEqual(store.list(), []);
  assert.deepEqual(fs.readdirSync(path.join(tmp, 'state/images/blobs/sha256')), []);
  assert.deepEqual(fs.readdirSync(path.join(tmp, 'state/layers')), []);
  assert.throws(() => store.remove('busybox'), /No such image: busybox/);
});
