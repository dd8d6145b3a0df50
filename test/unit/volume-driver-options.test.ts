// The local driver's options (volume create -o type/device/o) checked as the
// helper checks them before a volume is made and before each mount: what
// mount(8) is given, the defaults (nosuid, nodev), and the refusals (no root
// needed: nothing is mounted here).
import assert from 'node:assert/strict';
import * as os from 'node:os';
import { test } from 'node:test';
import { checkDriverOptions, kernelFilesystems, mountPlan } from '../../helper/volumes/driver-options';
import { parseMountFlag } from '../../helper/volumes/mount-options';

test('/proc/filesystems read: the type and whether it needs no device', () => {
  const m = kernelFilesystems('nodev\tsysfs\nnodev\ttmpfs\n\text4\n\txfs\nnodev\tcgroup2\n');
  assert.deepEqual([...m], [['sysfs', true], ['tmpfs', true], ['ext4', false], ['xfs', false], ['cgroup2', true]]);
});

test('no options is a plain volume; Docker\'s three are kept as given', () => {
  assert.equal(checkDriverOptions(undefined, 'v'), undefined);
  assert.equal(checkDriverOptions({}, 'v'), undefined);
  assert.deepEqual(checkDriverOptions({ type: 'tmpfs', device: 'tmpfs', o: 'size=1m,uid=1000' }, 'v'), { type: 'tmpfs', device: 'tmpfs', o: 'size=1m,uid=1000' });
});

test('tmpfs: --tmpfs\'s checks, exec as Docker leaves it, nosuid and nodev unless asked', () => {
  const p = mountPlan({ type: 'tmpfs', device: 'tmpfs', o: 'size=1m,mode=700' }, 'v');
  assert.equal(p.kind, 'tmpfs');
  assert.deepEqual(new Set(p.options), new Set(['nosuid', 'nodev', 'exec', `size=${1 << 20}`, 'mode=0700']));
  const asked = mountPlan({ type: 'tmpfs', device: 'tmpfs', o: 'suid,dev,noexec' }, 'v');
  assert.deepEqual(new Set(asked.options), new Set(['suid', 'dev', 'noexec']));
  assert.throws(() => mountPlan({ type: 'tmpfs', device: 'tmpfs', o: `size=${Math.ceil(os.totalmem() / 1024) + 1024}k` }, 'v'), /out of range/);
});

test('bind: type none with bind first, the directory must exist', () => {
  const p = mountPlan({ type: 'none', device: os.tmpdir(), o: 'bind,ro' }, 'v');
  assert.deepEqual(p, { kind: 'bind', type: 'none', device: os.tmpdir(), options: ['bind', 'nosuid', 'nodev', 'ro'] });
  assert.deepEqual(mountPlan({ type: 'none', device: '/', o: 'rbind,suid' }, 'v').options, ['rbind', 'nodev', 'suid']);
  assert.throws(() => mountPlan({ type: 'none', device: '/', o: 'bind,X-mount.mkdir' }, 'v'), /"X-mount.mkdir" is not an option nscope passes to a bind mount/);
  assert.throws(() => mountPlan({ type: 'none', device: '/', o: 'bind,remount' }, 'v'), /"remount"/);
});

test('refused: unknown and mandatory options, kernel interfaces, size quotas', () => {
  assert.throws(() => checkDriverOptions({ size: '1g' }, 'v'), /xfs project quotas/);
  assert.throws(() => checkDriverOptions({ type: 'tmpfs', device: 'x', mode: '1' }, 'v'), /invalid option: "mode"/);
  assert.throws(() => checkDriverOptions({ o: 'bind' }, 'v'), /missing required option: "device"/);
  assert.throws(() => checkDriverOptions({ type: 'tmpfs', device: 1 }, 'v'), /must be a string/);
  assert.throws(() => checkDriverOptions({ type: 'sysfs', device: 'sysfs' }, 'v'), /not storage a volume may be/);
  assert.throws(() => checkDriverOptions({ type: 'Ext4', device: '/dev/x' }, 'v'), /not a file system type's name/);
  assert.throws(() => checkDriverOptions({ type: 'ext4', device: '/dev/null' }, 'v'), /not a block device/);
  assert.throws(() => checkDriverOptions({ type: 'tmpfs', device: 'a b' }, 'v'), /only a name/);
  assert.throws(() => checkDriverOptions({ type: 'tmpfs', device: 'tmpfs', o: 'size=1m\nx' }, 'v'), /has characters no mount option has/);
});

test('--mount volume-opt: KEY=VALUE pairs for the volume it makes, o quoted when it has commas', () => {
  const r = parseMountFlag('type=volume,src=vol,dst=/d,volume-opt=type=tmpfs,volume-opt=device=tmpfs,"volume-opt=o=size=1m,uid=1"');
  assert.deepEqual(r.driverOptions, { type: 'tmpfs', device: 'tmpfs', o: 'size=1m,uid=1' });
  assert.throws(() => parseMountFlag('type=volume,dst=/d,volume-opt=novalue'), /invalid volume-opt/);
  assert.throws(() => parseMountFlag('type=bind,src=/,dst=/d,volume-opt=type=tmpfs'), /volume-opt is for type=volume/);
});
