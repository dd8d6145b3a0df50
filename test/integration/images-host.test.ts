// `nscope image host`: an image of the host's programs that really runs
// (chroot into the unpacked layer), plus resolve/list/remove on a real store.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { ImageStore } from '../../helper/images/store';

const CHROOT = ['/usr/sbin/chroot', '/sbin/chroot', '/usr/bin/chroot'].find((p) => fs.existsSync(p)) ?? 'chroot';

let root: string;
let store: ImageStore;

before(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'nscope-images-host-'));
  store = new ImageStore(root);
});
after(() => fs.rmSync(root, { recursive: true, force: true }));

test('buildFromHost: one layer with /bin/sh, its libraries and the skeleton; chroot runs it', async () => {
  const sum = await store.buildFromHost('host');
  assert.equal(sum.name, 'host:latest');
  assert.match(sum.id, /^sha256:[0-9a-f]{64}$/);
  assert.equal(sum.layers, 1);
  assert.ok(sum.size > 100_000, `size ${sum.size}`);

  const img = store.resolve('host');
  assert.equal(img.layerDirs.length, 1);
  const dir = img.layerDirs[0];
  assert.deepEqual(img.config.config?.Cmd, ['/bin/sh']);
  assert.ok(img.config.config?.Env?.some((e) => e.startsWith('PATH=')));

  // every library ldd lists for the host's sh is at the same path in the layer
  const libs = execFileSync('ldd', [fs.realpathSync('/bin/sh')], { encoding: 'utf8' })
    .split('\n').map((l) => /(\/\S+) \(0x/.exec(l)?.[1]).filter((x): x is string => !!x);
  assert.ok(libs.length > 0);
  for (const lib of libs) assert.ok(existsIn(dir, lib), `${lib} missing in the layer`);
  assert.equal(fs.statSync(path.join(dir, 'tmp')).mode & 0o7777, 0o1777);
  assert.match(fs.readFileSync(path.join(dir, 'etc/passwd'), 'utf8'), /^root:x:0:0:root:\/root:\/bin\/sh$/m);
  assert.match(fs.readFileSync(path.join(dir, 'etc/shells'), 'utf8'), /^\/bin\/sh$/m);

  // the real proof: the layer is a working root filesystem
  const out = execFileSync(CHROOT, [dir, '/bin/sh', '-c', 'echo hi; ls /'], { encoding: 'utf8', env: { PATH: '/usr/bin:/bin' } });
  assert.match(out, /^hi\n/);
  for (const d of ['bin', 'etc', 'proc', 'tmp', 'dev', 'root']) assert.match(out, new RegExp(`^${d}$`, 'm'));
  assert.equal(execFileSync(CHROOT, [dir, '/bin/id', '-un'], { encoding: 'utf8' }).trim(), 'root');
});

test('buildFromHost is deterministic: the same host gives the same layer and image ID', async () => {
  const a = store.inspect('host');
  const b = await store.buildFromHost('host2');
  assert.equal(b.id, a.id);
  assert.equal(store.inspect('host2').layers[0].diffId, a.layers[0].diffId);
  assert.equal(store.list().length, 2);
  assert.equal(store.inspect('host').layers[0].createdBy, 'nscope image host sh ls cat echo ps mkdir rm hostname sleep id mount'
    .split(' ').filter((p, i) => i < 3 || hostHas(p)).join(' '));
});

test('buildFromHost: explicit programs, a missing one is an error naming it', async () => {
  await assert.rejects(store.buildFromHost('bad', ['sh', 'no-such-program-xyz']), /no-such-program-xyz/);
  const s = await store.buildFromHost('tiny', ['true', '/usr/bin/env']);
  const dir = store.resolve('tiny:latest').layerDirs[0];
  execFileSync(CHROOT, [dir, '/bin/true']);
  assert.equal(execFileSync(CHROOT, [dir, '/bin/env'], { encoding: 'utf8', env: { A: 'b' } }).trim(), 'A=b');
  assert.ok(s.size < store.inspect('host').size);
});

test('remove: untags by name, GCs blobs and layers no image uses', () => {
  const id = store.inspect('host').id;
  const layerDir = store.inspect('host').layers[0].dir;
  store.remove('host'); // host2 still has the same image
  assert.ok(fs.existsSync(layerDir));
  assert.throws(() => store.resolve('host'), /No such image: host/);
  assert.throws(() => store.remove('host2', { inUse: (i) => (i === id ? { name: 'web', id: 'c'.repeat(64), running: false } : undefined) }), /in use by container "web"/);
  store.remove(id.slice(7, 19));
  assert.ok(!fs.existsSync(layerDir), 'layer dir collected');
  const left = store.list();
  assert.deepEqual(left.map((i) => i.name), ['tiny:latest']);
  const keep = new Set([left[0].digest, left[0].id, ...store.inspect('tiny').layers.map((l) => l.digest)].map((d) => d.slice(7)));
  assert.deepEqual(fs.readdirSync(path.join(root, 'images/blobs/sha256')).sort(), [...keep].sort());
  store.remove('tiny');
  assert.deepEqual(fs.readdirSync(path.join(root, 'images/blobs/sha256')), []);
  assert.deepEqual(fs.readdirSync(path.join(root, 'layers')), []);
});

function existsIn(dir: string, abs: string): boolean {
  // follow symlinks inside the layer the way the loader would inside the container
  try { execFileSync(CHROOT, [dir, '/bin/ls', abs], { stdio: 'ignore' }); return true; } catch { return false; }
}

function hostHas(p: string): boolean {
  for (const d of ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin']) if (fs.existsSync(path.join(d, p))) return true;
  return false;
}
