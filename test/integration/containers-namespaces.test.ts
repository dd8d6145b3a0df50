// Each namespace of a container is really new (real containers, as root).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { after, before, test } from 'node:test';
import { runToExit, waitFor } from '../helpers/containers';
import { startWithImage, type TestDaemon } from '../helpers/daemon';

let d: TestDaemon;
before(async () => { d = await startWithImage('ns'); });
after(async () => { assert.deepEqual(await d.cleanup(), []); });

test('UTS: the hostname is the container\'s, not the host\'s', async () => {
  const c = await d.client();
  const r = await runToExit(c, { image: 'host', cmd: ['hostname'], hostname: 'box1' });
  assert.equal(r.exitCode, 0);
  assert.equal(r.stdout.trim(), 'box1');
  assert.notEqual(os.hostname(), 'box1');
  // the default hostname is the short id, like Docker
  const r2 = await runToExit(c, { image: 'host', cmd: ['hostname'] });
  assert.equal(r2.stdout.trim(), r2.id.slice(0, 12));
});

test('PID: the command is PID 1 and /proc lists only the container\'s processes', async () => {
  const c = await d.client();
  const r = await runToExit(c, { image: 'host', cmd: ['sh', '-c', 'echo $$; ls /proc | while read p; do case $p in [0-9]*) echo proc $p;; esac; done'] });
  assert.equal(r.exitCode, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines[0], '1');
  const pids = lines.slice(1).map((l) => Number(l.split(' ')[1]));
  assert.ok(pids.includes(1));
  assert.ok(pids.length <= 3, `only the shell and its children, got ${pids}`);
  assert.ok(pids.every((p) => p < 10));
});

test('NET: --network none: only lo in the network namespace', async () => {
  const c = await d.client();
  const r = await runToExit(c, { image: 'host', net: 'none', cmd: ['cat', '/proc/net/dev'] });
  const ifaces = r.stdout.split('\n').slice(2).filter(Boolean).map((l) => l.split(':')[0].trim());
  assert.deepEqual(ifaces, ['lo']);
  // and lo is up, as runc and Docker leave it (IFF_UP = 0x1 in its flags)
  const flags = await runToExit(c, { image: 'host', net: 'none', cmd: ['cat', '/sys/class/net/lo/flags'] });
  assert.equal(Number(flags.stdout.trim()) & 1, 1, `lo flags ${flags.stdout}`);
});

test('IPC: System V objects of the host are invisible in the container', async () => {
  const key = execFileSync('ipcmk', ['-M', '4096'], { encoding: 'utf8' }).match(/(\d+)/)![1];
  try {
    const hostShm = fs.readFileSync('/proc/sysvipc/shm', 'utf8');
    assert.ok(hostShm.split('\n').some((l) => l.trim().split(/\s+/)[1] === key));
    const c = await d.client();
    const r = await runToExit(c, { image: 'host', cmd: ['cat', '/proc/sysvipc/shm'] });
    assert.equal(r.exitCode, 0, r.stderr);
    assert.equal(r.stdout.trim().split('\n').length, 1, `only the header line: ${r.stdout}`);
  } finally {
    execFileSync('ipcrm', ['-m', key]);
  }
});

test('MNT: a mount made inside never appears on the host', async () => {
  const c = await d.client();
  const { id } = await c.request('container.create', { image: 'host', privileged: true, cmd: ['sh', '-c', 'mkdir -p /mnt/x && mount -t tmpfs nscope-inner /mnt/x && echo mounted && sleep 30'] });
  await c.request('container.start', { id });
  await waitFor(async () => (await c.request('container.logs', { id })).some((l) => l.log.includes('mounted')), 10000, 'mount inside');
  const host = fs.readFileSync('/proc/self/mountinfo', 'utf8');
  assert.ok(!host.includes('nscope-inner'));
  assert.ok(!host.includes(id), 'the overlay rootfs is mounted only in the container');
  const inspect = await c.request('container.inspect', { id });
  const inside = fs.readFileSync(`/proc/${inspect.pid}/mountinfo`, 'utf8');
  assert.ok(inside.includes('nscope-inner'));
  assert.equal(inspect.rootSwitch, 'pivot_root');
  await c.request('container.remove', { id, force: true });
});

test('every namespace of the container differs from the host\'s', async () => {
  const c = await d.client();
  const { id } = await c.request('container.create', { image: 'host', cmd: ['sleep', '30'] });
  await c.request('container.start', { id });
  const { pid } = await c.request('container.inspect', { id });
  for (const ns of ['mnt', 'pid', 'net', 'ipc', 'uts', 'cgroup']) {
    assert.notEqual(fs.readlinkSync(`/proc/${pid}/ns/${ns}`), fs.readlinkSync(`/proc/self/ns/${ns}`), ns);
  }
  await c.request('container.remove', { id, force: true });
});

test('--net host and --pid host share the host\'s namespaces', async () => {
  const c = await d.client();
  const { id } = await c.request('container.create', { image: 'host', cmd: ['sleep', '30'], net: 'host', pid: 'host' });
  await c.request('container.start', { id });
  const { pid } = await c.request('container.inspect', { id });
  assert.equal(fs.readlinkSync(`/proc/${pid}/ns/net`), fs.readlinkSync('/proc/self/ns/net'));
  assert.equal(fs.readlinkSync(`/proc/${pid}/ns/pid`), fs.readlinkSync('/proc/self/ns/pid'));
  assert.notEqual(fs.readlinkSync(`/proc/${pid}/ns/mnt`), fs.readlinkSync('/proc/self/ns/mnt'));
  await c.request('container.remove', { id, force: true });
});
