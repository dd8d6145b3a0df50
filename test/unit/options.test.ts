// run options + image config -> OCI spec, as Docker does it (no root needed).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { limitsFromArgs, mergeLimits, resourcesFromLimits } from '../../helper/runtime/limits';
import { resolveUser, specFromOptions } from '../../helper/runtime/options';

const noPid = () => { throw new Error('no containers'); };

test('command: image Entrypoint + Cmd; a given command replaces Cmd; --entrypoint clears Cmd', () => {
  const image = { Entrypoint: ['/ep'], Cmd: ['a', 'b'], Env: ['PATH=/x', 'A=1'], WorkingDir: '/w' };
  const s1 = specFromOptions({ opts: { image: 'i' }, image, layers: [], hostname: 'h', containerPid: noPid });
  assert.deepEqual(s1.process.args, ['/ep', 'a', 'b']);
  assert.equal(s1.process.cwd, '/w');
  assert.ok(s1.process.env!.includes('PATH=/x'));
  assert.ok(s1.process.env!.includes('HOSTNAME=h'));
  const s2 = specFromOptions({ opts: { image: 'i', cmd: ['c'], env: ['A=2'] }, image, layers: [], hostname: 'h', containerPid: noPid });
  assert.deepEqual(s2.process.args, ['/ep', 'c']);
  assert.ok(s2.process.env!.includes('A=2') && !s2.process.env!.includes('A=1'));
  const s3 = specFromOptions({ opts: { image: 'i', entrypoint: ['/other'] }, image, layers: [], hostname: 'h', containerPid: noPid });
  assert.deepEqual(s3.process.args, ['/other']);
  assert.throws(() => specFromOptions({ opts: { image: 'i' }, image: {}, layers: [], hostname: 'h', containerPid: noPid }), /no command specified/);
  // a hand-made config: a string is one word (Docker's strslice), not its characters; other shapes refused by field
  const s4 = specFromOptions({ opts: { image: 'i' }, image: { Entrypoint: '/bin/echo', Cmd: 'hi there' }, layers: [], hostname: 'h', containerPid: noPid });
  assert.deepEqual(s4.process.args, ['/bin/echo', 'hi there']);
  assert.throws(() => specFromOptions({ opts: { image: 'i' }, image: { Cmd: [1] as unknown as string[] }, layers: [], hostname: 'h', containerPid: noPid }), /the image's Cmd is not a list of strings/);
  // a relative WorkingDir is the image's fault, not a --workdir the user never gave
  assert.throws(() => specFromOptions({ opts: { image: 'i', cmd: ['x'] }, image: { WorkingDir: 'app' }, layers: [], hostname: 'h', containerPid: noPid }), /the image.s WorkingDir "app" is not an absolute path/);
  assert.throws(() => specFromOptions({ opts: { image: 'i', cmd: ['x'], workdir: 'rel' }, image: {}, layers: [], hostname: 'h', containerPid: noPid }), /--workdir: "rel" must be an absolute path/);
});

test('namespaces: host, none, paths, and bad values', () => {
  const mk = (o: object) => specFromOptions({ opts: { image: 'i', cmd: ['x'], ...o }, image: {}, layers: [], hostname: 'h', containerPid: () => 42 });
  const types = (o: object) => mk(o).linux!.namespaces!.map((n) => n.type + (n.path ? `=${n.path}` : '')).sort();
  assert.deepEqual(types({}), ['cgroup', 'ipc', 'mount', 'network', 'pid', 'uts']);
  assert.deepEqual(types({ net: 'host', pid: 'host' }), ['cgroup', 'ipc', 'mount', 'uts']);
  assert.deepEqual(types({ net: 'none' }), ['cgroup', 'ipc', 'mount', 'network', 'pid', 'uts']);
  assert.ok(types({ net: 'container:web' }).includes('network=/proc/42/ns/net'));
  assert.throws(() => mk({ net: 'bridge' }), /--net/);
  assert.throws(() => mk({ pid: '/etc/passwd' }), /--pid/);
  assert.throws(() => mk({ uts: 'host', hostname: 'x' }), /--hostname/);
});

// -v, --mount, --tmpfs: test/unit/mount-options.test.ts
test('env is checked; planned mounts come after the defaults', () => {
  const mk = (o: object, mounts?: { destination: string }[]) => specFromOptions({ opts: { image: 'i', cmd: ['x'], ...o }, image: {}, layers: [], hostname: 'h', containerPid: noPid, mounts });
  assert.throws(() => mk({ env: ['NOEQUALS'] }), /KEY=VALUE/);
  const s = mk({}, [{ destination: '/data' }]);
  assert.equal(s.mounts![s.mounts!.length - 1].destination, '/data');
});

test('users from the image\'s passwd and group files', () => {
  const layer = fs.mkdtempSync(path.join(os.tmpdir(), 'nscope-user-'));
  fs.mkdirSync(path.join(layer, 'etc'));
  fs.writeFileSync(path.join(layer, 'etc/passwd'), 'root:x:0:0::/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n');
  fs.writeFileSync(path.join(layer, 'etc/group'), 'root:x:0:\napp:x:1000:\nextra:x:2000:app\n');
  try {
    assert.deepEqual(resolveUser('app', [layer]), { uid: 1000, gid: 1000, additionalGids: [1000, 2000] });
    // an explicit group: that group alone, as runc's GetExecUser (no /etc/group memberships)
    assert.deepEqual(resolveUser('app:root', [layer]), { uid: 1000, gid: 0, additionalGids: [0] });
    assert.deepEqual(resolveUser('5:6', [layer]), { uid: 5, gid: 6, additionalGids: [6] });
    assert.throws(() => resolveUser('ghost', [layer]), /unable to find user ghost/);
    assert.throws(() => resolveUser('app:ghosts', [layer]), /unable to find group ghosts/);
  } finally {
    fs.rmSync(layer, { recursive: true });
  }
});

test('limits: parsed with the flag named; update merges', () => {
  assert.deepEqual(limitsFromArgs({ memory: '64m', cpus: '0.5', pidsLimit: '50' }), { memory: 64 << 20, cpus: 0.5, pidsLimit: 50 });
  assert.equal(limitsFromArgs({ cpus: '0' }).cpus, -1);
  assert.equal(limitsFromArgs({ cpus: 0 }).cpus, -1);
  // 0 is Docker's "not set" for memory, swap, reservation and shares
  assert.deepEqual(limitsFromArgs({ memory: '0', memorySwap: 0, memoryReservation: '0', cpuShares: '0' }), {});
  // -1 is out of range in Docker, not "no limit"
  assert.throws(() => limitsFromArgs({ cpus: '-1' }), /^NscopeError: --cpus: -1: Range of CPUs is from 0\.01 to \d+\.00, as there are only \d+ CPUs available$/);
  assert.throws(() => limitsFromArgs({ cpus: -0.5 }), /Range of CPUs/);
  assert.equal(limitsFromArgs({ memory: '64m', memoryReservation: '32m' }).memoryReservation, 32 << 20);
  assert.throws(() => limitsFromArgs({ memory: '64m', memoryReservation: '128m' }), /--memory-reservation: .* is above --memory/);
  assert.throws(() => limitsFromArgs({ memoryReservation: '1m' }), /--memory-reservation: .* below the minimum of 6 MiB/);
  assert.throws(() => limitsFromArgs({ memory: '64q' }), /--memory/);
  assert.throws(() => limitsFromArgs({ pidsLimit: 'x' }), /--pids-limit/);
  assert.throws(() => limitsFromArgs({ memory: '1k' }), /--memory/);
  assert.deepEqual(mergeLimits({ memory: 1 << 30, pidsLimit: 5 }, { memory: 2 << 30 }), { memory: 2 << 30, pidsLimit: 5 });
});

test('--cpu-period / --cpu-quota: Docker\'s ranges and words; the quota as given (above the host\'s CPUs too); never with --cpus', () => {
  assert.deepEqual(limitsFromArgs({ cpuPeriod: '50000', cpuQuota: '25000' }), { cpus: 0.5, cpuPeriod: 50000 });
  assert.deepEqual(limitsFromArgs({ cpuQuota: 150000 }), { cpus: 1.5, cpuPeriod: 100000 });
  assert.deepEqual(limitsFromArgs({ cpuPeriod: '20000' }), { cpuPeriod: 20000 });
  assert.deepEqual(limitsFromArgs({ cpuQuota: '-1' }), { cpus: -1, cpuPeriod: 100000 });
  assert.deepEqual(resourcesFromLimits({ cpus: 0.5, cpuPeriod: 50000 }).cpu, { period: 50000, quota: 25000 });
  assert.deepEqual(resourcesFromLimits({ cpus: 64, cpuPeriod: 100000 }).cpu, { period: 100000, quota: 6_400_000 });
  assert.deepEqual(resourcesFromLimits({ cpuPeriod: 20000 }).cpu, { period: 20000, quota: -1 });
  assert.deepEqual(resourcesFromLimits({ cpus: 0.33333, cpuPeriod: 100000 }).cpu, { period: 100000, quota: 33333 });
  assert.throws(() => limitsFromArgs({ cpuPeriod: '999' }), /--cpu-period: "999": CPU cfs period can not be less than 1ms \(i\.e\. 1000\) or larger than 1 second/);
  assert.throws(() => limitsFromArgs({ cpuPeriod: 1_000_001 }), /--cpu-period/);
  assert.throws(() => limitsFromArgs({ cpuQuota: '500' }), /--cpu-quota: "500": CPU cfs quota can not be less than 1ms/);
  assert.throws(() => limitsFromArgs({ cpuQuota: '1.5e3' }), /--cpu-quota/);
  assert.throws(() => limitsFromArgs({ cpus: '1', cpuQuota: '50000' }), /Conflicting options: --cpus and --cpu-period\/--cpu-quota/);
  // update: --cpus again takes back its own period; a new period keeps the share of CPU
  assert.deepEqual(mergeLimits({ cpus: 0.5, cpuPeriod: 50000 }, { cpus: 2 }), { cpus: 2 });
  assert.deepEqual(mergeLimits({ cpus: 0.5, cpuPeriod: 50000 }, { cpuPeriod: 20000 }), { cpus: 0.5, cpuPeriod: 20000 });
});
