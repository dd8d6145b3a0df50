// nscope-runtime held to runc where a side-by-side run found them apart: the
// cgroup mount of a container without a cgroup namespace (runc spec's and
// Docker's default on cgroup v1), in a user namespace too; the owner of a
// linux.devices node; a created container's init and the signals it dies of.
// Where runc is installed the same bundle runs under it and the answers match.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { detect } from '../../helper/cgroups/detect';
import { type Spec } from '../../helper/runtime/spec';
import { waitFor } from '../helpers/containers';
import { cgroupDirs, REPO, startWithImage, type TestDaemon } from '../helpers/daemon';
import { cgroupName } from '../helpers/run-scope';
import { writeBundle } from '../helpers/oci-bundle';

let d: TestDaemon;
let dir: string;
let rootfs: string;
const parent = cgroupName('rtp');
const HAVE_RUNC = spawnSync('runc', ['--version']).status === 0;
const V1 = detect().version === 1;

interface Result { code: number; stdout: string; stderr: string }

// files, not pipes: a created container keeps the caller's stdio
let seq = 0;
function run(cmd: string, args: string[]): Promise<Result> {
  const out = path.join(dir, `out-${++seq}`);
  const err = path.join(dir, `err-${seq}`);
  const fds = [fs.openSync(out, 'w'), fs.openSync(err, 'w')];
  return new Promise((resolve) => {
    const p = spawn(cmd, args, { cwd: dir, stdio: ['ignore', ...fds] });
    for (const fd of fds) fs.closeSync(fd);
    p.on('exit', (code) => resolve({ code: code ?? 1, stdout: fs.readFileSync(out, 'utf8'), stderr: fs.readFileSync(err, 'utf8') }));
  });
}
const rt = (args: string[]) => run(process.execPath, [path.join(REPO, 'bin', 'nscope-runtime.cjs'), '--root', path.join(dir, 'state'), ...args]);
const runc = (args: string[]) => run('runc', ['--root', path.join(dir, 'runc-state'), ...args]);
const RUNTIMES = HAVE_RUNC ? [['nscope-runtime', rt], ['runc', runc]] as const : [['nscope-runtime', rt]] as const;

/** A bundle of its own for `name`, in cgroup /<parent>/<name>. */
const bundle = (name: string, mut: (s: Spec) => void): string => writeBundle({ dir, rootfs, parent }, name, mut, undefined);

const noCgroupNs = (s: Spec) => { s.linux!.namespaces = s.linux!.namespaces!.filter((n) => n.type !== 'cgroup'); };

before(async () => {
  d = await startWithImage('ocipar');
  const c = await d.client();
  const img = await c.request('image.inspect', { ref: 'host' });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nscope-rtp-'));
  // 0755: a user namespace's root (host uid 100000) reaches the rootfs below here
  fs.chmodSync(dir, 0o755);
  rootfs = path.join(dir, 'rootfs');
  fs.cpSync((img.layers as unknown as { dir: string }[])[0].dir, rootfs, { recursive: true, verbatimSymlinks: true });
});

after(async () => {
  for (const [, r] of RUNTIMES) {
    const root = path.join(dir, r === rt ? 'state' : 'runc-state');
    for (const id of fs.existsSync(root) ? fs.readdirSync(root).filter((x) => !x.startsWith('.')) : []) await r(['delete', '--force', id]);
  }
  assert.deepEqual(await d.cleanup(), []);
  await waitFor(() => cgroupDirs(parent).every((cg) => { try { fs.rmdirSync(cg); return true; } catch { return false; } }), 10000, 'the test\'s cgroups to empty');
  fs.rmSync(dir, { recursive: true, force: true });
});

test('cgroup v1 without a cgroup namespace: /sys/fs/cgroup/* are the container\'s own cgroups (its limits), as runc binds them', { skip: !V1 && 'cgroup v2: a container without a cgroup namespace mounts the whole tree there, as runc does' }, async () => {
  for (const [name, r] of RUNTIMES) {
    const id = `cgview-${name}`;
    const b = bundle(id, (s) => {
      noCgroupNs(s);
      s.linux!.resources = { ...s.linux!.resources, memory: { limit: 96 << 20 }, pids: { limit: 77 } };
      s.process.args = ['sh', '-c', 'cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/pids/pids.max; ls /sys/fs/cgroup/memory | grep -c sane_behavior; touch /sys/fs/cgroup/pids/x'];
    });
    const res = await r(['run', '--bundle', b, id]);
    const [limit, pids, rootFile] = res.stdout.trim().split('\n');
    assert.equal(limit, String(96 << 20), `${name}: the container's memory limit, not the host root's\n${res.stderr}`);
    assert.equal(pids, '77', name);
    assert.equal(rootFile, '0', `${name}: no root-only file: the hierarchy's root is not what is shown`);
    assert.match(res.stderr, /Read-only file system/, `${name}: the spec's ro holds`);
  }
});

test('a user namespace without a cgroup namespace: the cgroup mount is the container\'s cgroups bound (a v1 cgroup mount is refused there)', { skip: !V1 && 'cgroup v1 only' }, async () => {
  for (const [name, r] of RUNTIMES) {
    const id = `cguserns-${name}`;
    const b = bundle(id, (s) => {
      noCgroupNs(s);
      s.linux!.namespaces!.push({ type: 'user' });
      s.linux!.uidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }];
      s.linux!.gidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }];
      delete s.linux!.seccomp;
      s.linux!.resources = { ...s.linux!.resources, pids: { limit: 33 } };
      s.process.args = ['sh', '-c', 'id -u; cat /sys/fs/cgroup/pids/pids.max'];
    });
    const res = await r(['run', '--bundle', b, id]);
    assert.equal(res.code, 0, `${name}: ${res.stderr}`);
    assert.deepEqual(res.stdout.trim().split('\n'), ['0', '33'], name);
  }
});

test('linux.devices: a node gets the uid and gid the spec gives it; ids out of range are refused by name', async () => {
  for (const [name, r] of RUNTIMES) {
    const id = `devowner-${name}`;
    const b = bundle(id, (s) => {
      s.linux!.devices = [
        { path: '/dev/owned', type: 'c', major: 1, minor: 3, fileMode: 0o660, uid: 1000, gid: 1001 },
        { path: '/dev/plain', type: 'c', major: 1, minor: 5 },
      ];
      s.process.args = ['stat', '-c', '%n %u %g %a', '/dev/owned', '/dev/plain'];
    });
    const res = await r(['run', '--bundle', b, id]);
    assert.equal(res.code, 0, `${name}: ${res.stderr}`);
    assert.deepEqual(res.stdout.trim().split('\n'), ['/dev/owned 1000 1001 660', '/dev/plain 0 0 666'], name);
  }
  const b = bundle('devbad', (s) => { s.linux!.devices = [{ path: '/dev/bad', type: 'c', major: 1, minor: 3, uid: -1 }]; });
  const res = await rt(['run', '--bundle', b, 'devbad']);
  assert.equal(res.code, 1);
  assert.match(res.stderr, /linux\.devices: \/dev\/bad: uid -1 is out of range/);
  assert.ok(!fs.existsSync(path.join(dir, 'state', 'devbad')), 'nothing left');
});

test('a created container dies of kill TERM (an engine\'s stop before start), and outlives USR1, as runc\'s init', async () => {
  for (const [name, r] of RUNTIMES) {
    const status = async (id: string) => JSON.parse((await r(['state', id])).stdout).status as string;
    for (const [sig, after] of [['TERM', 'stopped'], ['INT', 'stopped'], ['USR1', 'created']] as const) {
      const id = `created-${sig.toLowerCase()}-${name}`;
      const b = bundle(id, (s) => { s.process.args = ['sleep', '1000']; });
      const cr = await r(['create', '--bundle', b, id]);
      assert.equal(cr.code, 0, `${name}: ${cr.stderr}`);
      assert.equal(await status(id), 'created');
      assert.equal((await r(['kill', id, sig])).code, 0);
      if (after === 'stopped') await waitFor(async () => (await status(id)) === 'stopped', 5000, `${name}: ${id} to stop`);
      else await new Promise((res) => setTimeout(res, 300));
      assert.equal(await status(id), after, `${name}: ${sig} to a created container`);
      assert.equal((await r(['delete', '--force', id])).code, 0);
    }
  }
});
