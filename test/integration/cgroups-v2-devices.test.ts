// The cgroup v2 device filter on a real kernel. On this hybrid VM the cgroup2
// hierarchy is the "unified" mount: a BPF device program attached to a cgroup
// there is asked on every open and mknod of a device node by its processes,
// alongside the v1 devices cgroup (which leaves the test's processes alone).
// A shell placed in the cgroup tries each node; nodes are made by the test
// (outside the cgroup) in a temp dir, so no host /dev entry is ever changed.
import { describe, test, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseCgroupMounts, parseProcCgroup, relToMount } from '../../helper/cgroups/mountinfo';
import { V2Driver } from '../../helper/cgroups/v2';
import type { Cgroup, DeviceRule } from '../../helper/cgroups/types';
import { NscopeError } from '../../helper/errors';
import { native } from '../../helper/native';
import { DEFAULT_DEVICE_RULES } from '../../helper/runtime/spec';
import { isRoot, leftovers, spawnIn, uniqueParent } from './cgroups-helpers';

function cgroup2(): V2Driver | undefined {
  const m = parseCgroupMounts(fs.readFileSync('/proc/self/mountinfo', 'utf8')).find((x) => x.fsType === 'cgroup2');
  if (!m) return undefined;
  const line = parseProcCgroup(fs.readFileSync('/proc/self/cgroup', 'utf8')).find((l) => l.id === 0);
  const own = relToMount(line?.path ?? '/', m.root) ?? '';
  const ctrls = fs.readFileSync(path.join(m.mountPoint, 'cgroup.controllers'), 'utf8').trim().split(/\s+/).filter(Boolean);
  return new V2Driver(m.mountPoint, ctrls, own);
}

/**
 * A block device of this machine that the test itself may open (read-only,
 * the only way it is ever opened): the sandbox may forbid some (this VM's vda).
 */
function hostDisk(): [number, number] {
  for (const mm of fs.readdirSync('/sys/dev/block').sort()) {
    const name = /^DEVNAME=(.*)$/m.exec(fs.readFileSync(`/sys/dev/block/${mm}/uevent`, 'utf8'))?.[1];
    try {
      fs.closeSync(fs.openSync(`/dev/${name}`, 'r'));
      return mm.split(':').map(Number) as [number, number];
    } catch { /* not openable here: the next */ }
  }
  throw new Error('no block device this test may open');
}

const KMSG: [number, number] = [1, 11]; // a char device the defaults do not allow: the --device of these tests
const allowKmsg: DeviceRule = { allow: true, type: 'c', major: KMSG[0], minor: KMSG[1], access: 'rwm' };

const v2 = isRoot ? cgroup2() : undefined;
describe('cgroups v2: device filter (BPF_PROG_TYPE_CGROUP_DEVICE)', { skip: !isRoot ? 'needs root' : !v2 && 'no cgroup2 mount' }, () => {
  let dir = '';
  let disk: [number, number];
  const made: Cgroup[] = [];
  let parent = '';

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nscope-devfilter-'));
    disk = hostDisk();
    const S_IFCHR = 0o020000;
    const S_IFBLK = 0o060000;
    native().mknod(path.join(dir, 'kmsg'), S_IFCHR | 0o600, ...KMSG);
    native().mknod(path.join(dir, 'zero'), S_IFCHR | 0o666, 1, 5);
    native().mknod(path.join(dir, 'disk'), S_IFBLK | 0o600, ...disk);
    parent = uniqueParent();
  });

  after(async () => {
    for (const cg of made.reverse()) await cg.destroy(); // the first one made the parent, and removes it
    fs.rmSync(dir, { recursive: true, force: true });
    assert.deepEqual(leftovers(parent), []);
  });

  const create = (name: string, devices?: DeviceRule[]) => {
    const cg = v2!.create(`${parent}/${name}`, devices ? { devices } : {});
    made.push(cg);
    return cg;
  };

  /**
   * Runs `sh -c script` inside `cg`; each line of the script is `name: command`
   * and the result says, per name, "ok" or the shell's error (EPERM shows as
   * "Operation not permitted").
   */
  async function tryIn(cg: Cgroup, checks: Record<string, string>): Promise<Record<string, string>> {
    // (no /dev/null in the harness: some of these filters deny it)
    const script = Object.entries(checks).map(([k, cmd]) => `if out=$( (${cmd}) 2>&1); then echo '${k}=ok'; else echo "${k}=$(echo "$out" | tail -n1)"; fi`).join('\n');
    const p = spawnIn(cg, ['sh', '-c', script]);
    const { code } = await p.exit;
    assert.equal(code, 0, p.stderr());
    return Object.fromEntries(p.stdout().trim().split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
  }
  const EPERM = /Operation not permitted/;
  const rd = (f: string) => `: < ${f}`;
  const wr = (f: string) => `: > ${f}`;
  const rw = (f: string) => `: <> ${f}`;

  test('the default rules: the standard nodes open, a block device can be made but not opened', async () => {
    const cg = create('defaults', DEFAULT_DEVICE_RULES);
    const sda = path.join(dir, 'sda-made-inside');
    const r = await tryIn(cg, {
      null: rw('/dev/null'), zero: rd('/dev/zero'), urandom: rd('/dev/urandom'), full: rw('/dev/full'), ptmx: rw('/dev/ptmx'),
      mknod: `mknod ${sda} b ${disk[0]} ${disk[1]}`, openMade: rd(sda), openDisk: rd(path.join(dir, 'disk')),
      kmsg: rd(path.join(dir, 'kmsg')),
    });
    assert.equal(r.null, 'ok');
    assert.equal(r.zero, 'ok');
    assert.equal(r.urandom, 'ok');
    assert.equal(r.full, 'ok');
    assert.equal(r.ptmx, 'ok', 'a new pty pair (c 5:2)');
    assert.equal(r.mknod, 'ok', 'c/b *:* m: mknod stays allowed');
    assert.match(r.openMade, EPERM);
    assert.match(r.openDisk, EPERM);
    assert.match(r.kmsg, EPERM);
    assert.equal(fs.statSync(sda).isBlockDevice(), true);
  });

  test('a --device style rule lets one node open; an update without it takes it back, and replaces the program', async () => {
    const cg = create('device', [...DEFAULT_DEVICE_RULES, allowKmsg]);
    const kmsg = rd(path.join(dir, 'kmsg'));
    const diskRead = { allow: true, type: 'b', major: disk[0], minor: disk[1], access: 'r' };
    let r = await tryIn(cg, { kmsg, disk: rd(path.join(dir, 'disk')) });
    assert.equal(r.kmsg, 'ok');
    assert.match(r.disk, EPERM);
    // The disk opens after this update only if the previous program (which
    // denies it) is gone: attached programs must all allow.
    cg.apply({ devices: [...DEFAULT_DEVICE_RULES, diskRead] });
    r = await tryIn(cg, { kmsg, disk: rd(path.join(dir, 'disk')), diskWrite: wr(path.join(dir, 'disk')) });
    assert.match(r.kmsg, EPERM);
    assert.equal(r.disk, 'ok');
    assert.match(r.diskWrite, EPERM, 'read-only rule: no write');
    // Limits alone (what update sends) leave the device rules as they are.
    cg.apply({ pids: undefined });
    cg.apply({ devices: [...DEFAULT_DEVICE_RULES] });
    r = await tryIn(cg, { kmsg, disk: rd(path.join(dir, 'disk')), null: rw('/dev/null') });
    assert.match(r.kmsg, EPERM);
    assert.match(r.disk, EPERM);
    assert.equal(r.null, 'ok');
  });

  test('the last matching rule wins; a denied access bit refuses any open that asks for it', async () => {
    const zero = path.join(dir, 'zero');
    const cg = create('order', [{ allow: true, access: 'rwm' }, { allow: false, type: 'c', major: 1, minor: 3, access: 'rwm' }]);
    let r = await tryIn(cg, { null: rd('/dev/null'), zero: rd(zero) });
    assert.match(r.null, EPERM);
    assert.equal(r.zero, 'ok');
    cg.apply({ devices: [{ allow: false, type: 'c', major: 1, minor: 3, access: 'rwm' }, { allow: true, access: 'rwm' }] });
    r = await tryIn(cg, { null: rd('/dev/null') });
    assert.equal(r.null, 'ok', 'allow all after the deny: allowed');
    cg.apply({ devices: [{ allow: true, access: 'rwm' }, { allow: false, type: 'c', major: 1, minor: 5, access: 'w' }] });
    r = await tryIn(cg, { rd: rd(zero), wr: wr(zero), rw: rw(zero) });
    assert.deepEqual([r.rd, EPERM.test(r.wr), EPERM.test(r.rw)], ['ok', true, true]);
    cg.apply({ devices: [{ allow: false, access: 'rwm' }, { allow: true, type: 'c', major: 1, minor: 5, access: 'r' }] });
    r = await tryIn(cg, { rd: rd(zero), rw: rw(zero) });
    assert.deepEqual([r.rd, EPERM.test(r.rw)], ['ok', true], 'an allow of r alone does not cover rw');
  });

  test('privileged (allow a after the defaults): everything opens', async () => {
    const cg = create('privileged', [...DEFAULT_DEVICE_RULES, { allow: true, access: 'rwm' }]);
    const r = await tryIn(cg, { kmsg: rd(path.join(dir, 'kmsg')), disk: rd(path.join(dir, 'disk')), null: rw('/dev/null') });
    assert.deepEqual(r, { kmsg: 'ok', disk: 'ok', null: 'ok' });
  });

  test('no rules given: no program, nothing filtered (as v1 writes nothing)', async () => {
    const cg = create('none');
    const r = await tryIn(cg, { kmsg: rd(path.join(dir, 'kmsg')) });
    assert.equal(r.kmsg, 'ok');
  });

  test('errors name the syscall and errno', () => {
    const gone = v2!.open(`${parent}/never-made`);
    assert.throws(() => gone.apply({ devices: DEFAULT_DEVICE_RULES }), (err: unknown) => {
      assert.ok(err instanceof NscopeError);
      assert.match(err.message, /^devices: cannot set the device filter of cgroup .*never-made: open: No such file or directory '.*' \(ENOENT\)$/);
      return true;
    });
    // bpf(BPF_PROG_ATTACH) on something that is not a cgroup
    assert.throws(() => native().attachDeviceFilter(dir, new Int32Array([0, -1, -1, 7, 1])), (err: NodeJS.ErrnoException) =>
      err.syscall === 'bpf(BPF_PROG_QUERY)' || err.syscall === 'bpf(BPF_PROG_ATTACH)' ? /^bpf\(BPF_PROG_(QUERY|ATTACH)\): /.test(err.message) && !!err.code : false);
  });
});
