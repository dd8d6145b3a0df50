// The explorer's view of containers an engine runs with nscope-runtime: a
// private containerd and a private Docker each run one, and the daemon (which
// did not create them) lists them with their engine, processes, namespaces,
// limits (an update reaches their cgroup) and, on Docker's overlay, the CoW
// diff; the engine's verbs (stop, remove, ...) are refused naming its command.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import type { HelperClient } from '../../helper/protocol/client';
import { RUNTIME_ROOTS_DIR } from '../../helper/runtime/runtime-roots';
import { haveContainerd, PrivateContainerd } from '../helpers/containerd';
import { waitFor } from '../helpers/containers';
import { removeCgroupTree, startWithImage, type TestDaemon } from '../helpers/daemon';
import { haveDocker, PrivateDocker } from '../helpers/dockerd';
import { cgroupName, RUN } from '../helpers/run-scope';

const skipCtrd = haveContainerd() ? false : 'containerd is not installed (scripts/setup-engines.sh installs it)';
const skipDocker = haveDocker() ? false : 'docker.io is not installed (scripts/setup-engines.sh installs it)';
let d: TestDaemon;
let c: HelperClient;
let dir: string;
let rootfs: string;
let ctrd: PrivateContainerd | undefined;
let docker: PrivateDocker | undefined;
const parent = cgroupName('ev');
const CTR_ID = `view-${RUN}`;

/** The memory limit the kernel has for a container's cgroup (v1 memory hierarchy or v2). */
function memoryLimit(cgroupPath: string): string {
  const v1 = `/sys/fs/cgroup/memory${cgroupPath}/memory.limit_in_bytes`;
  return fs.readFileSync(fs.existsSync(v1) ? v1 : `/sys/fs/cgroup${cgroupPath}/memory.max`, 'utf8').trim();
}

before(async () => {
  d = await startWithImage('ev', { engines: true });
  c = await d.client();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nscope-ev-'));
  fs.chmodSync(dir, 0o755);
  const img = await c.request('image.inspect', { ref: 'host' });
  rootfs = path.join(dir, 'rootfs');
  fs.cpSync((img.layers as unknown as { dir: string }[])[0].dir, rootfs, { recursive: true, verbatimSymlinks: true });
});

after(async () => {
  try {
    if (ctrd) {
      await ctrd.ctr(['task', 'kill', '-s', 'KILL', CTR_ID]);
      for (let i = 0; i < 100 && (await ctrd.ctr(['task', 'rm', CTR_ID])).code !== 0; i++) await new Promise((r) => setTimeout(r, 50));
      await ctrd.ctr(['container', 'rm', CTR_ID]);
      await ctrd.stop();
    }
    if (docker) await docker.stop();
    const left = fs.readdirSync('/proc').filter((x) => /^\d+$/.test(x)).filter((pid) => {
      try { return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(dir); } catch { return false; }
    });
    assert.deepEqual(left, [], 'processes of the test left');
    assert.ok(!fs.readFileSync('/proc/self/mountinfo', 'utf8').includes(dir), 'mounts left');
    await removeCgroupTree(parent);
    // the runtime roots the engines recorded (a daemon would drop them lazily once empty)
    // (entries only: the dot names beside them are symlinks to entries, see runtime-roots.ts)
    for (const f of fs.existsSync(RUNTIME_ROOTS_DIR) ? fs.readdirSync(RUNTIME_ROOTS_DIR).filter((n) => /^[0-9a-f]{32}$/.test(n)) : []) {
      const file = path.join(RUNTIME_ROOTS_DIR, f);
      if (fs.readFileSync(file, 'utf8').startsWith(dir + '/')) fs.rmSync(file);
    }
  } finally {
    assert.deepEqual(await d.cleanup(), []);
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('containerd: its container is listed with the engine, processes, namespaces and editable limits; stop/remove refused', { skip: skipCtrd }, async () => {
  ctrd = new PrivateContainerd(path.join(dir, 'ctrd'));
  fs.mkdirSync(ctrd.dir);
  await ctrd.start();
  const r = await ctrd.run(CTR_ID, rootfs, `/${parent}/ctrd`, ['-d', '--memory-limit', String(64 << 20)], ['sh', '-c', 'echo hi > /tmp/written; exec sleep 300']);
  assert.equal(r.code, 0, r.stderr);

  const list = await c.request('container.list', { all: true });
  const s = list.find((x) => x.id === CTR_ID);
  assert.ok(s, `not listed: ${JSON.stringify(list.map((x) => x.id))}`);
  assert.equal(s.engine?.name, 'containerd');
  assert.equal(s.engine?.namespace, 'nscope-test');
  assert.equal(s.engine?.root, path.join(ctrd.runcRoot, 'nscope-test'));
  assert.equal(s.status, 'running');
  assert.deepEqual(s.command, ['sh', '-c', 'echo hi > /tmp/written; exec sleep 300']);
  // listed without `all` too: it runs
  assert.ok((await c.request('container.list', {})).some((x) => x.id === CTR_ID));

  const top = await c.request('container.top', { id: CTR_ID });
  assert.equal(top.length, 1);
  assert.equal(top[0].pid, s.pid);
  assert.equal(top[0].nsPid, 1);
  assert.match(top[0].command, /sleep 300/);

  const nss = await c.request('container.namespaces', { id: CTR_ID });
  for (const t of ['mnt', 'pid', 'uts', 'ipc']) assert.equal(nss.find((n) => n.type === t)?.sharedWithHost, false, `${t} is the container's own`);

  const detail = await c.request('container.inspect', { id: CTR_ID });
  assert.equal(detail.cgroup.path, `/${parent}/ctrd`);
  assert.equal(detail.limits.memory, 64 << 20);
  assert.equal(detail.bundle.endsWith(`/io.containerd.runtime.v2.task/nscope-test/${CTR_ID}`), true, detail.bundle);
  // `ctr run --rootfs DIR`: the root is a plain directory, no layers
  assert.deepEqual(detail.rootfs.lower, []);

  const upd = await c.request('container.update', { id: CTR_ID, memory: '96m' });
  assert.equal(upd.limits.memory, 96 << 20);
  assert.equal(memoryLimit(detail.cgroup.path), String(96 << 20), 'the update reached the container\'s cgroup');
  const stats = await c.request('container.stats', { id: CTR_ID });
  assert.equal(stats.memoryLimit, 96 << 20);
  assert.equal(stats.pidsCurrent, 1);

  await assert.rejects(c.request('container.stop', { id: CTR_ID }), { message: `container ${CTR_ID} belongs to containerd: use ctr -n nscope-test task kill ${CTR_ID}` });
  await assert.rejects(c.request('container.remove', { id: CTR_ID, force: true }), { message: `container ${CTR_ID} belongs to containerd: use ctr -n nscope-test task rm ${CTR_ID}` });
  await assert.rejects(c.request('container.diff', { id: CTR_ID }), /not an overlay \(containerd gave it a plain directory\)/);
  // streams and other verbs reach find(): the engine is named there too
  await assert.rejects(c.request('container.shells', { id: CTR_ID }), /belongs to containerd/);
  assert.match((await ctrd.ctr(['task', 'ls'])).stdout, new RegExp(`${CTR_ID}\\s+\\d+\\s+RUNNING`), 'still running: nothing acted behind the engine\'s back');
});

test('Docker: its container is listed as Docker\'s, with its overlay\'s layers and the CoW diff of what it wrote', { skip: skipDocker }, async () => {
  docker = new PrivateDocker(path.join(dir, 'dk'), `${parent}/dk`);
  fs.mkdirSync(docker.dir);
  await docker.start();
  const tar = execFileSync('tar', ['-C', rootfs, '-c', '.'], { maxBuffer: 1 << 30 });
  assert.equal((await docker.docker(['import', '-', 'nscope-view'], { input: tar })).code, 0);
  const r = await docker.docker(['run', '-d', '--runtime', 'nscope', '--memory', '64m', 'nscope-view', 'sh', '-c', 'mkdir /data && echo hi > /data/f && rm /bin/true; exec sleep 300']);
  assert.equal(r.code, 0, r.stderr);
  const id = r.stdout.trim();
  const short = id.slice(0, 12);

  const s = (await c.request('container.list', { all: true })).find((x) => x.id === id);
  assert.ok(s, 'not listed');
  assert.equal(s.engine?.name, 'docker');
  assert.equal(s.name, short);
  assert.equal(s.status, 'running');

  // by Docker's short id, as the user knows it
  const detail = await c.request('container.inspect', { id: short });
  assert.equal(detail.id, id);
  assert.equal(detail.limits.memory, 64 << 20);
  assert.ok(detail.rootfs.lower.length >= 2, `the image layer and Docker's init layer: ${JSON.stringify(detail.rootfs)}`);
  assert.match(detail.rootfs.upper, /\/diff$/);

  await waitFor(async () => (await c.request('container.diff', { id })).changes.some((x) => x.path === '/data/f'), 10000, 'the write in the diff');
  const diff = (await c.request('container.diff', { id })).changes;
  assert.deepEqual(diff.filter((x) => x.path.startsWith('/data')).map((x) => `${x.kind} ${x.path}`), ['A /data', 'A /data/f']);
  // a deletion is a whiteout in the upper layer (/bin may be a symlink to usr/bin on the host the image came from)
  assert.ok(diff.some((x) => x.kind === 'D' && x.path.endsWith('bin/true')), JSON.stringify(diff));

  const upd = await c.request('container.update', { id: short, memory: '80m' });
  assert.equal(upd.limits.memory, 80 << 20);
  assert.equal(memoryLimit(detail.cgroup.path), String(80 << 20));

  await assert.rejects(c.request('container.stop', { id: short }), { message: `container ${short} belongs to Docker: use docker stop ${short}` });
  await assert.rejects(c.request('container.remove', { id, force: true }), { message: `container ${short} belongs to Docker: use docker rm ${short}` });
  await assert.rejects(c.request('container.commit', { id, name: 'x' }), /belongs to Docker: use docker commit/);
  assert.equal((await docker.docker(['inspect', '-f', '{{.State.Running}}', id])).stdout.trim(), 'true');

  // once Docker removes it, it is gone from the list too
  assert.equal((await docker.docker(['rm', '-f', id], { timeoutMs: 60000 })).code, 0);
  assert.ok(!(await c.request('container.list', { all: true })).some((x) => x.id === id));
});
