// --userns=auto: the container's root is a range of unprivileged host ids,
// with the image's files shown as its own and its writes stored as the image
// would have them (diff, commit). Real user namespaces, idmapped mounts.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { defaultSpec } from '../../helper/runtime/spec';
import { runToExit, waitFor } from '../helpers/containers';
import { cgroupDirs, REPO, startWithImage, type TestDaemon } from '../helpers/daemon';
import { cgroupName } from '../helpers/run-scope';

let d: TestDaemon;
let hostDir: string;
before(async () => {
  d = await startWithImage('userns');
  // a host directory the container sees through a bind mount: root's own file in it
  hostDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nscope-userns-host-'));
  fs.chmodSync(hostDir, 0o755);
  fs.writeFileSync(path.join(hostDir, 'secret'), 'host root only\n', { mode: 0o600 });
});
after(async () => {
  assert.deepEqual(await d.cleanup(), []);
  fs.rmSync(hostDir, { recursive: true, force: true });
});

const AUTO = { userns: 'auto' };
const mapOf = (text: string) => text.trim().split(/\s+/).map(Number);

test('--userns=auto: root inside is a range of host ids; the image\'s files are its own', async () => {
  const c = await d.client();
  const r = await runToExit(c, { ...AUTO, image: 'host', cmd: ['sh', '-c', 'id -u; cat /proc/self/uid_map; cat /proc/self/gid_map; stat -c "%u:%g" / /etc /bin/sh /dev/pts /dev/mqueue /dev/shm; touch /etc/new && echo WROTE'] });
  assert.equal(r.exitCode, 0, r.stderr);
  const [uid, uidMap, gidMap, ...rest] = r.stdout.trim().split('\n');
  assert.equal(uid, '0');
  const [inside, outside, size] = mapOf(uidMap);
  assert.equal(inside, 0);
  assert.ok(outside >= 65536, `mapped to an unprivileged range, not ${outside}`);
  assert.equal(size, 65536);
  assert.equal(mapOf(gidMap)[2], 65536);
  assert.deepEqual(rest.slice(0, 6), ['0:0', '0:0', '0:0', '0:0', '0:0', '0:0'], 'the root, the image\'s files, /dev/pts, /dev/mqueue and /dev/shm belong to the container\'s root');
  assert.equal(rest[6], 'WROTE');
  // positive control: the host's user namespace maps everything
  const host = await runToExit(c, { image: 'host', cmd: ['cat', '/proc/self/uid_map'] });
  assert.deepEqual(mapOf(host.stdout), [0, 0, 4294967295]);
});

test('the container\'s root is not the host\'s: a root-only host file is out of reach (positive control: --userns=host)', async () => {
  const c = await d.client();
  const volumes = [`${hostDir}:/host`];
  const r = await runToExit(c, { ...AUTO, image: 'host', volumes, cmd: ['sh', '-c', 'cat /host/secret; echo rc=$?; stat -c %u /host/secret'] });
  assert.match(r.stdout, /rc=1/);
  assert.match(r.stderr, /Permission denied/);
  assert.match(r.stdout, /65534/, 'a host root file shows as the overflow id');
  const ok = await runToExit(c, { image: 'host', volumes, cmd: ['cat', '/host/secret'] });
  assert.equal(ok.stdout, 'host root only\n');
});

test('writes are owned by the mapped ids on the host, and by the container\'s ids in diff and commit', async () => {
  const c = await d.client();
  const { id } = await c.request('container.create', { ...AUTO, image: 'host', cmd: ['sh', '-c', 'mkdir /data && echo a > /data/root-file && echo b > /data/user-file && chown 1000:1000 /data/user-file'] });
  const waited = c.request('container.wait', { id });
  await c.request('container.start', { id });
  assert.equal((await waited).exitCode, 0);
  const info = await c.request('container.inspect', { id });
  const base = info.security!.userns!.uidMap[0].hostID;
  const st = fs.statSync(path.join(info.rootfs.upper, 'data', 'root-file'));
  assert.equal(st.uid, base, 'on the host: the mapped root');
  assert.equal(fs.statSync(path.join(info.rootfs.upper, 'data', 'user-file')).uid, base + 1000);
  const { changes } = await c.request('container.diff', { id, details: true });
  const byPath = new Map(changes.map((x) => [x.path, x]));
  assert.equal(byPath.get('/data/root-file')?.uid, 0);
  assert.equal(byPath.get('/data/user-file')?.uid, 1000);
  assert.equal(byPath.get('/data/user-file')?.gid, 1000);
  const stat = await c.request('file.stat', { container: id, path: '/data/user-file' });
  assert.equal(stat.uid, 1000);
  // the committed layer holds the container's ids; a plain container of it sees them
  await c.request('container.commit', { id, name: 'userns-commit' });
  const again = await runToExit(c, { image: 'userns-commit', cmd: ['stat', '-c', '%n %u:%g', '/data/root-file', '/data/user-file'] });
  assert.equal(again.stdout, '/data/root-file 0:0\n/data/user-file 1000:1000\n');
  for (const x of [id, again.id]) await c.request('container.remove', { id: x });
  await c.request('image.remove', { ref: 'userns-commit' });
});

test('two containers get disjoint ranges; a removed one gives its range back', async () => {
  const c = await d.client();
  const mk = () => c.request('container.create', { ...AUTO, image: 'host', cmd: ['sleep', '60'] });
  const [a, b] = await Promise.all([mk(), mk()]);
  const range = async (id: string) => (await c.request('container.inspect', { id })).security!.userns!.uidMap[0];
  const ra = await range(a.id);
  const rb = await range(b.id);
  assert.ok(ra.hostID + ra.size <= rb.hostID || rb.hostID + rb.size <= ra.hostID, `${JSON.stringify(ra)} and ${JSON.stringify(rb)} overlap`);
  await c.request('container.remove', { id: a.id, force: true });
  const cc = await mk();
  assert.equal((await range(cc.id)).hostID, ra.hostID, 'the freed range is the lowest free one again');
  for (const x of [b, cc]) await c.request('container.remove', { id: x.id, force: true });
});

test('exec joins the user namespace: same map, its root or a user of it; the cgroup is delegated to the container\'s root', async () => {
  const c = await d.client();
  const { id } = await c.request('container.create', { ...AUTO, image: 'host', cmd: ['sleep', '60'] });
  await c.request('container.start', { id });
  try {
    const exec = (args: string[]) => d.cli(['exec', ...args]);
    const root = await exec([id, 'sh', '-c', 'id -u; cat /proc/self/uid_map; touch /made-by-exec; stat -c %u /made-by-exec']);
    assert.equal(root.code, 0, root.stderr);
    const [uid, map, owner] = root.stdout.trim().split('\n');
    assert.equal(uid, '0');
    const info = await c.request('container.inspect', { id });
    const base = info.security!.userns!.uidMap[0].hostID;
    assert.deepEqual(mapOf(map), [0, base, 65536]);
    assert.equal(owner, '0');
    const asUser = await exec(['-u', '1000', id, 'id', '-u']);
    assert.equal(asUser.stdout.trim(), '1000');
    for (const dir of cgroupDirs(`${d.cgroupParent}/${id}`)) assert.equal(fs.statSync(dir).uid, base, `${dir} is the container's root's`);
    // the namespaces views show the mapping
    const user = (await c.request('container.namespaces', { id })).find((n) => n.type === 'user')!;
    assert.equal(user.sharedWithHost, false);
    assert.deepEqual(user.maps?.uidMap, [{ containerID: 0, hostID: base, size: 65536 }]);
    const listed = (await c.request('namespace.list', { type: 'user' })).find((n) => n.container?.id === id);
    assert.ok(listed, 'namespace.list attributes the user namespace to the container');
    assert.deepEqual(listed!.maps?.gidMap, info.security!.userns!.gidMap);
    assert.equal((await c.request('namespace.list', { type: 'user' })).find((n) => n.host)?.maps, undefined);
  } finally {
    await c.request('container.remove', { id, force: true });
  }
});

test('--userns: refused with what cannot be combined, and bad values named', async () => {
  const c = await d.client();
  const create = (o: object) => c.request('container.create', { image: 'host', cmd: ['true'], ...o });
  await assert.rejects(create({ ...AUTO, privileged: true }), /--privileged cannot be combined with --userns=auto/);
  await assert.rejects(create({ ...AUTO, net: 'host' }), /--network=host cannot be combined with --userns=auto/);
  await assert.rejects(create({ ...AUTO, pid: 'host' }), /--pid=host cannot be combined/);
  await assert.rejects(create({ userns: 'keep-id' }), /"keep-id" is not host, auto or auto:size=N/);
  await assert.rejects(create({ userns: 'auto:size=0' }), /size 0 is out of range/);
  const r = await runToExit(c, { image: 'host', userns: 'auto:size=2000', cmd: ['cat', '/proc/self/uid_map'] });
  assert.equal(mapOf(r.stdout)[2], 2000);
});

test('a restarted container keeps its range; so does one found again by a restarted helper', async () => {
  const c = await d.client();
  const { id } = await c.request('container.create', { ...AUTO, image: 'host', cmd: ['cat', '/proc/self/uid_map'] });
  const waited = c.request('container.wait', { id });
  await c.request('container.start', { id });
  await waited;
  d.kill9();
  await d.waitExit();
  await d.start();
  const c2 = await d.client();
  await c2.request('container.start', { id });
  let logs: string[] = [];
  await waitFor(async () => (logs = (await c2.request('container.logs', { id })).map((l) => l.log)).length === 2, 10000, 'the second run\'s output');
  assert.equal(logs[0], logs[1]);
  await c2.request('container.remove', { id, force: true });
});

test('nscope-runtime: linux.uidMappings with a user namespace in linux.namespaces, on a rootfs owned by the mapped ids', async () => {
  const c = await d.client();
  const img = await c.request('image.inspect', { ref: 'host' });
  const bundle = fs.mkdtempSync(path.join(os.tmpdir(), 'nscope-userns-bundle-'));
  fs.chmodSync(bundle, 0o755);
  const rootfs = path.join(bundle, 'rootfs');
  const parent = cgroupName('rtuserns');
  const base = 3000000000; // as containerd's snapshotter would: the rootfs chowned to the range
  fs.cpSync((img.layers as unknown as { dir: string }[])[0].dir, rootfs, { recursive: true, verbatimSymlinks: true });
  const chownTree = (p: string) => {
    const st = fs.lstatSync(p);
    fs.lchownSync(p, base + st.uid, base + st.gid);
    if (st.isDirectory()) for (const n of fs.readdirSync(p)) chownTree(path.join(p, n));
  };
  chownTree(rootfs);
  const s = defaultSpec();
  s.linux!.cgroupsPath = `/${parent}/c`;
  s.linux!.namespaces!.push({ type: 'user' });
  s.linux!.uidMappings = [{ containerID: 0, hostID: base, size: 65536 }];
  s.linux!.gidMappings = [{ containerID: 0, hostID: base, size: 65536 }];
  // CAP_SYS_ADMIN of the user namespace only: sethostname works if the UTS namespace is the container's
  for (const set of ['bounding', 'effective', 'permitted'] as const) s.process.capabilities![set]!.push('CAP_SYS_ADMIN');
  delete s.linux!.seccomp;
  s.process.args = ['sh', '-c', 'id -u; cat /proc/self/uid_map; stat -c %u /etc; hostname userns-box && hostname'];
  fs.writeFileSync(path.join(bundle, 'config.json'), JSON.stringify(s));
  try {
    const out = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      const p = spawn(process.execPath, [path.join(REPO, 'bin', 'nscope-runtime.cjs'), '--root', path.join(bundle, 'state'), 'run', '--bundle', bundle, 'u1'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      p.stdout.on('data', (x) => { stdout += x; });
      p.stderr.on('data', (x) => { stderr += x; });
      p.on('exit', (code) => resolve({ code: code ?? 1, stdout, stderr }));
    });
    assert.equal(out.code, 0, `${out.stdout}${out.stderr}`);
    const [uid, map, owner, hostname] = out.stdout.trim().split('\n');
    assert.equal(uid, '0');
    assert.deepEqual(mapOf(map), [0, base, 65536]);
    assert.equal(owner, '0');
    assert.equal(hostname, 'userns-box', 'the UTS namespace belongs to the container\'s user namespace: its root may set the hostname');
  } finally {
    for (const dir of cgroupDirs(parent).reverse()) try { fs.rmdirSync(dir); } catch { /* in use */ }
    fs.rmSync(bundle, { recursive: true, force: true });
  }
});

test('where layers cannot be idmapped: shifted copies per range (NSCOPE_USERNS_IDMAP=0), the same view inside, gone with the container', async () => {
  const { TestDaemon, TEST_PROGRAMS } = await import('../helpers/daemon');
  const d2 = new TestDaemon('userns-copy');
  process.env.NSCOPE_USERNS_IDMAP = '0';
  try { await d2.start(); } finally { delete process.env.NSCOPE_USERNS_IDMAP; }
  try {
    const c = await d2.client();
    await c.request('image.host', { name: 'host', programs: TEST_PROGRAMS });
    const { id } = await c.request('container.create', { ...AUTO, image: 'host', cmd: ['sh', '-c', 'stat -c "%u:%g" / /etc /bin/sh /etc/hostname; echo x > /etc/new; stat -c %u /etc/new'] });
    const waited = c.request('container.wait', { id });
    await c.request('container.start', { id });
    assert.equal((await waited).exitCode, 0);
    const out = (await c.request('container.logs', { id })).map((l) => l.log).join('');
    assert.equal(out, '0:0\n0:0\n0:0\n0:0\n0\n');
    const info = await c.request('container.inspect', { id });
    const base = info.security!.userns!.uidMap[0].hostID;
    const copies = path.join(d2.root, 'userns-layers');
    const [rangeDir] = fs.readdirSync(copies);
    assert.ok(rangeDir.startsWith(`${base}-`));
    const layer = path.join(copies, rangeDir, fs.readdirSync(path.join(copies, rangeDir))[0]);
    assert.equal(fs.statSync(path.join(layer, 'etc')).uid, base, 'the copy is owned by the range');
    const image = await c.request('image.inspect', { ref: 'host' });
    assert.equal(fs.statSync(path.join((image.layers as unknown as { dir: string }[])[0].dir, 'etc')).uid, 0, 'the image itself is untouched');
    // a second start gives the init layer again without shifting it twice
    await c.request('container.start', { id });
    let both = '';
    await waitFor(async () => (both = (await c.request('container.logs', { id })).map((l) => l.log).join('')).length >= 2 * out.length, 10000, 'the second run\'s output');
    assert.equal(both, out + out);
    await c.request('container.remove', { id, force: true });
    assert.deepEqual(fs.readdirSync(copies), [], 'the copies go with the last container of the range');
  } finally {
    assert.deepEqual(await d2.cleanup(), []);
  }
});
