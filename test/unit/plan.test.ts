// spec -> plan: the operations the shim will run, in order (no root needed).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildPlan, CLONE_FLAGS } from '../../helper/runtime/plan';
import { defaultSpec } from '../../helper/runtime/spec';

function ops(buf: Buffer): string[] {
  return buf.toString('utf8').split('\0').slice(0, -1);
}

const base = { rootfs: '/b/rootfs', bundle: '/b', cgroupProcs: ['/sys/fs/cgroup/pids/x/cgroup.procs'], exitFile: '/b/exit', pidFile: '/b/pid' };

test('the default spec: new namespaces, private /, mounts before pivot, creds last, then the command', () => {
  const plan = buildPlan({ ...base, spec: defaultSpec(), fifo: '/b/fifo' });
  const t = ops(plan.buffer);
  const flags = CLONE_FLAGS.mount | CLONE_FLAGS.pid | CLONE_FLAGS.network | CLONE_FLAGS.ipc | CLONE_FLAGS.uts;
  assert.equal(plan.cloneFlags, flags, 'cgroup ns is unshared later, after joining the cgroup');
  const at = (name: string) => t.indexOf(name);
  assert.ok(at('cgroup') < at('unshare'));
  assert.ok(at('propagation') < at('mountroot'));
  assert.ok(at('mountroot') < at('mount') && at('mount') < at('pivot'));
  assert.ok(at('pivot') < at('mknod') && at('pivot') < at('mask'));
  assert.ok(at('setuid') < at('caps') && at('caps') < at('nonewprivs'));
  assert.equal(t[t.length - 1], 'sh');
  assert.equal(t[t.indexOf('caps') + 1], 'a80425fb');
  assert.ok(t.includes('/proc/kcore'));
  assert.equal(t[t.indexOf('fifo') + 1], '/b/fifo');
});

test('joined namespaces, host namespaces, and sysfs without a new netns', () => {
  const s = defaultSpec();
  s.linux!.namespaces = [{ type: 'mount' }, { type: 'network', path: '/proc/1/ns/net' }, { type: 'pid', path: '/proc/1/ns/pid' }];
  delete s.hostname;
  const t = ops(buildPlan({ ...base, spec: s }).buffer);
  assert.equal(t[t.indexOf('joinpid') + 1], '/proc/1/ns/pid');
  assert.equal(t[t.indexOf('join') + 2], '/proc/1/ns/net');
  // sysfs is bound from the host, read-only
  const i = t.findIndex((x, k) => x === 'mount' && t[k + 2] === '/sys');
  assert.equal(t[i + 1], '/sys');
  assert.equal(t[i + 3], '');
});

test('hostile or broken specs are refused with the field named', () => {
  const bad: [string, (s: ReturnType<typeof defaultSpec>) => void, RegExp][] = [
    ['no args', (s) => { s.process.args = []; }, /process.args/],
    ['relative mount', (s) => { s.mounts!.push({ destination: 'tmp', type: 'tmpfs' }); }, /absolute/],
    ['NUL in env', (s) => { s.process.env = ['A=\0b']; }, /NUL/],
    ['duplicate ns', (s) => { s.linux!.namespaces!.push({ type: 'uts' }); }, /listed twice/],
    ['user ns', (s) => { s.linux!.namespaces!.push({ type: 'user' }); }, /not supported/],
    ['unknown cap', (s) => { s.process.capabilities!.bounding = ['CAP_FLY']; }, /unknown capability/],
    ['bad rlimit', (s) => { s.process.rlimits = [{ type: 'RLIMIT_FOO', soft: 1, hard: 1 }]; }, /RLIMIT_FOO/],
    ['bad uid', (s) => { s.process.user.uid = -1; }, /uid/],
    ['hostname without uts', (s) => { s.linux!.namespaces = s.linux!.namespaces!.filter((n) => n.type !== 'uts'); }, /UTS/],
    ['sysctl escape', (s) => { s.linux!.sysctl = { '../../etc/passwd': 'x' }; }, /sysctl/],
  ];
  for (const [what, mut, re] of bad) {
    const s = defaultSpec();
    mut(s);
    assert.throws(() => buildPlan({ ...base, spec: s }), re, what);
  }
});
