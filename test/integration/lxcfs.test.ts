// lxcfs: Debian's lxcfs, started here on a directory of the test's own (not
// the package's /var/lib/lxcfs), bound over /proc/meminfo, /proc/cpuinfo, …
// and /sys/devices/system/cpu/online of a `--memory 64m --cpus 1` container.
// On this cgroup v1 (hybrid) host lxcfs reads the memory limit from the
// reader's v1 memory cgroup; CPUs follow the CFS quota only with lxcfs's
// --enable-cfs (else the cpuset). `nproc` counts the affinity mask
// (sched_getaffinity), which no file changes: it says 1 with --cpuset-cpus.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { waitFor } from '../helpers/containers';
import { TestDaemon } from '../helpers/daemon';

const lxcfsBin = ['/usr/bin/lxcfs', '/usr/sbin/lxcfs'].find((p) => fs.existsSync(p));
const skip = !lxcfsBin ? 'lxcfs is not installed (apt-get install lxcfs; scripts/setup.sh does)' : !fs.existsSync('/dev/fuse') ? 'no /dev/fuse' : false;

let d: TestDaemon;
let dir: string;
let lxcfs: ChildProcess | undefined;
const mounted = () => fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n').some((l) => l.includes(` ${dir} `) && l.includes('fuse.lxcfs'));

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nscope-lxcfs-mnt-'));
  d = new TestDaemon('lxcfs');
  d.extraArgs = ['--lxcfs-dir', dir];
  await d.start();
  await (await d.client()).request('image.host', { name: 'host', programs: ['sh', 'cat', 'grep', 'nproc', 'free', 'true'] });
});

after(async () => {
  if (lxcfs && lxcfs.exitCode === null) {
    lxcfs.kill('SIGTERM');
    await new Promise((r) => lxcfs!.once('exit', r));
  }
  if (mounted()) spawnSync('umount', ['-l', dir]);
  assert.deepEqual(await d.cleanup(), []);
  assert.ok(!mounted(), 'lxcfs unmounted');
  fs.rmSync(dir, { recursive: true, force: true });
});

test('--lxcfs without lxcfs mounted there fails with a clear error', async () => {
  const r = await d.cli(['run', '--rm', '--lxcfs', 'host', 'true']);
  assert.equal(r.code, 125);
  assert.equal(r.stderr.trim(), `nscope: --lxcfs: lxcfs is not mounted at ${dir} (start lxcfs there, e.g. \`lxcfs ${dir}\`, or give the helper --lxcfs-dir)`);
});

test('free, /proc/meminfo, /proc/cpuinfo and cpu/online show a --memory 64m --cpus 1 container\'s limits', { skip }, async () => {
  // its own pid file: the package's service (/run/lxcfs.pid) is left alone
  lxcfs = spawn(lxcfsBin!, ['-f', '--enable-cfs', '-p', path.join(d.dir, 'lxcfs.pid'), dir], { stdio: 'ignore' });
  await waitFor(() => mounted(), 10000, 'lxcfs mounted');
  const r = await d.cli(['run', '--rm', '--lxcfs', '--memory', '64m', '--cpus', '1', 'host', 'sh', '-c',
    'free -m | grep ^Mem:; grep MemTotal /proc/meminfo; grep -c ^processor /proc/cpuinfo; cat /sys/devices/system/cpu/online']);
  assert.equal(r.code, 0, `${r.stdout}${r.stderr}`);
  const [mem, total, cpus, online] = r.stdout.trim().split('\n');
  assert.equal(mem.split(/\s+/)[1], '64', `free -m: ${mem}`);
  assert.match(total, /^MemTotal:\s+65536 kB$/);
  assert.equal(cpus, '1');
  assert.equal(online, '0');
  // nproc counts the affinity mask: a cpuset of one CPU
  const n = await d.cli(['run', '--rm', '--lxcfs', '--cpuset-cpus', '0', 'host', 'nproc']);
  assert.equal(n.stdout, '1\n', n.stderr);
  // without --lxcfs: the host's
  const host = await d.cli(['run', '--rm', '--memory', '64m', 'host', 'grep', 'MemTotal', '/proc/meminfo']);
  assert.doesNotMatch(host.stdout, /65536 kB/);
  const info = await (await d.client()).request('container.list', { all: true });
  assert.equal(info.length, 0);
});

test('the helper\'s --lxcfs makes it the default', { skip }, async () => {
  d.proc!.kill('SIGTERM');
  await d.waitExit();
  d.extraArgs = ['--lxcfs-dir', dir, '--lxcfs'];
  await d.start();
  const r = await d.cli(['run', '--rm', '--memory', '64m', 'host', 'grep', 'MemTotal', '/proc/meminfo']);
  assert.match(r.stdout, /65536 kB/, r.stderr);
});
