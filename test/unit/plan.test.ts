// spec -> plan: the operations the shim will run, in order (no root needed).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildPlan, CLONE_FLAGS } from '../../helper/runtime/plan';
import { defaultSpec, DEFAULT_CAPS } from '../../helper/runtime/spec';
import { resolvedDefault } from '../../helper/security/seccomp-profile';

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
  // a joined network namespace gets a sysfs of its own (its devices), as with runc
  const i = t.findIndex((x, k) => x === 'mount' && t[k + 2] === '/sys');
  assert.equal(t[i + 3], 'sysfs');
  // without a network namespace of the container, sysfs is the host's, bound read-only
  s.linux!.namespaces = [{ type: 'mount' }];
  const h = ops(buildPlan({ ...base, spec: s }).buffer);
  const j = h.findIndex((x, k) => x === 'mount' && h[k + 2] === '/sys');
  assert.equal(h[j + 1], '/sys');
  assert.equal(h[j + 3], '');
  // a hostname needs a UTS namespace of the container: a joined one will do, the host's will not
  s.hostname = 'x';
  assert.throws(() => buildPlan({ ...base, spec: s }), /hostname: needs a UTS namespace of the container/);
  s.linux!.namespaces = [{ type: 'mount' }, { type: 'uts', path: '/proc/1/ns/uts' }];
  assert.ok(ops(buildPlan({ ...base, spec: s }).buffer).includes('hostname'));
});

test('hostile or broken specs are refused with the field named', () => {
  const bad: [string, (s: ReturnType<typeof defaultSpec>) => void, RegExp][] = [
    ['no args', (s) => { s.process.args = []; }, /process.args/],
    ['relative mount', (s) => { s.mounts!.push({ destination: 'tmp', type: 'tmpfs' }); }, /absolute/],
    ['NUL in env', (s) => { s.process.env = ['A=\0b']; }, /NUL/],
    ['duplicate ns', (s) => { s.linux!.namespaces!.push({ type: 'uts' }); }, /listed twice/],
    ['user ns without mappings', (s) => { s.linux!.namespaces!.push({ type: 'user' }); }, /uidMappings: a user namespace needs at least one mapping/],
    ['user ns to join', (s) => { s.linux!.namespaces!.push({ type: 'user', path: '/proc/1/ns/user' }); }, /joining an existing user namespace/],
    ['mappings without a user ns', (s) => { s.linux!.uidMappings = [{ containerID: 0, hostID: 1000, size: 1 }]; }, /need a user namespace/],
    ['overlapping mappings', (s) => {
      s.linux!.namespaces!.push({ type: 'user' });
      s.linux!.uidMappings = [{ containerID: 0, hostID: 100000, size: 100 }, { containerID: 100, hostID: 100050, size: 10 }];
      s.linux!.gidMappings = [{ containerID: 0, hostID: 100000, size: 1 }];
    }, /uidMappings: the hostID ranges overlap/],
    ['a mapping past the last id', (s) => {
      s.linux!.namespaces!.push({ type: 'user' });
      s.linux!.uidMappings = [{ containerID: 0, hostID: 0xfffffff0, size: 100 }];
      s.linux!.gidMappings = [{ containerID: 0, hostID: 100000, size: 1 }];
    }, /runs past the last id/],
    ['a negative id', (s) => {
      s.linux!.namespaces!.push({ type: 'user' });
      s.linux!.uidMappings = [{ containerID: 0, hostID: 100000, size: 1 }];
      s.linux!.gidMappings = [{ containerID: -1, hostID: 100000, size: 1 }];
    }, /gidMappings\[0\]\.containerID: -1 is not an id/],
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

test('a user namespace of its own: maps, the overlay built by the shim with idmapped layers, devices bound before pivot', () => {
  const s = defaultSpec();
  s.linux!.namespaces!.push({ type: 'user' });
  s.linux!.uidMappings = [{ containerID: 0, hostID: 200000, size: 65536 }];
  s.linux!.gidMappings = [{ containerID: 0, hostID: 300000, size: 65536 }];
  const overlay = { base: '/r', lower: ['run/x/init', 'layers/a'], upper: 'containers/x/rw', work: 'containers/x/work' };
  const plan = buildPlan({ ...base, spec: s, overlay });
  const t = ops(plan.buffer);
  assert.ok(plan.cloneFlags & CLONE_FLAGS.user, 'cloned into the user namespace with the others, which it then owns');
  assert.equal(t[t.indexOf('uidmap') + 1], '0 200000 65536\n');
  assert.equal(t[t.indexOf('gidmap') + 1], '0 300000 65536\n');
  assert.deepEqual(t.filter((_, k) => t[k - 1] === 'ovlidmap'), ['run/x/init', 'layers/a']);
  assert.ok(!t.includes('mountroot') && !t.includes('chdirhost'), 'the child does not mount the overlay itself');
  const at = (name: string) => t.indexOf(name);
  assert.ok(at('cgroup') < at('userroot'), 'the cgroup is joined with the host ids');
  assert.ok(at('mountfd') < at('userroot') && at('userroot') < at('mount'), 'becomes the namespace root before making mount points');
  assert.ok(!t.includes('mknod'), 'no mknod in a user namespace');
  const devBind = t.findIndex((x, k) => x === 'mount' && t[k + 1] === '/dev/null' && t[k + 2] === '/dev/null');
  assert.ok(devBind > 0 && devBind < at('pivot'), '/dev/null bound from the host before pivot_root');
  // a chowned copy of the layers instead: no idmapping
  const copy = ops(buildPlan({ ...base, spec: s, overlay, idmapLayers: false }).buffer);
  assert.ok(copy.includes('ovl') && !copy.includes('ovlidmap'));
});

test('tmpcopyup (Podman\'s --read-only tmpfs): a tmpfs that gets the image\'s content, the option not passed to the kernel', () => {
  const s = defaultSpec();
  s.mounts!.push({ destination: '/run', type: 'tmpfs', source: 'tmpfs', options: ['rw', 'rprivate', 'nosuid', 'nodev', 'tmpcopyup', 'size=65536k'] });
  const t = ops(buildPlan({ ...base, spec: s }).buffer);
  const i = t.findIndex((x, k) => x === 'mount' && t[k + 2] === '/run');
  assert.equal(t[i + 5], 'size=65536k');
  assert.equal(t[i + 6], 'c');
  s.mounts!.push({ destination: '/data', type: 'bind', source: '/tmp', options: ['bind', 'tmpcopyup'] });
  assert.throws(() => buildPlan({ ...base, spec: s }), /mount \/data: tmpcopyup is for tmpfs mounts/);
});

test('rootfsPropagation rshared: / is a slave while the root is set up, shared only after pivot_root', () => {
  const s = defaultSpec();
  s.linux!.rootfsPropagation = 'rshared';
  const t = ops(buildPlan({ ...base, spec: s }).buffer);
  const props = t.flatMap((x, k) => (x === 'propagation' ? [[k, Number(t[k + 1])]] : []));
  const REC = 16384, SLAVE = 1 << 19, SHARED = 1 << 20;
  assert.equal(props.length, 2);
  assert.equal(props[0][1], REC | SLAVE, 'nothing of the set-up reaches the host');
  assert.ok(props[1][0] > t.indexOf('pivot'));
  assert.equal(props[1][1], REC | SHARED);
  s.linux!.rootfsPropagation = 'unbindable';
  const unbindable = ops(buildPlan({ ...base, spec: s }).buffer);
  assert.equal(Number(unbindable[unbindable.lastIndexOf('propagation') + 1]), 1 << 17, 'unbindable after pivot_root, the rootfs bound first');
  s.linux!.rootfsPropagation = 'rslave';
  const slave = ops(buildPlan({ ...base, spec: s }).buffer);
  assert.equal(slave.filter((x) => x === 'propagation').length, 1);
});

test('seccomp: the filter as one operation per rule, its cache file named by their digest, the same for a shared default as for an equal copy', () => {
  const shared = resolvedDefault({ capabilities: DEFAULT_CAPS });
  const plan = (seccomp: typeof shared, noNewPrivileges = true) => {
    const s = defaultSpec();
    s.linux!.seccomp = seccomp;
    s.process.noNewPrivileges = noNewPrivileges;
    return ops(buildPlan({ ...base, spec: s, seccompCacheDir: '/run/x/.seccomp' }).buffer);
  };
  const t = plan(shared);
  assert.match(t[t.indexOf('seccompcache') + 1], /^\/run\/x\/\.seccomp\/[0-9a-f]{40}\.bpf$/);
  assert.ok(t.filter((x) => x === 'seccomprule').length < 40, 'one operation per profile entry');
  assert.equal(t[t.indexOf('seccompload') + 1], '2');
  assert.deepEqual(plan(shared), t, 'kept for the shared (frozen) default');
  assert.deepEqual(plan(JSON.parse(JSON.stringify(shared))), t, 'an equal copy (a spec read from config.json) gives the same plan');
  const early = plan(shared, false);
  assert.equal(early[early.indexOf('seccompload') + 1], '0', 'kept apart by no_new_privs');
  assert.notEqual(early[early.indexOf('seccompcache') + 1], t[t.indexOf('seccompcache') + 1]);
  const changed = JSON.parse(JSON.stringify(shared));
  changed.syscalls.pop();
  assert.notEqual(plan(changed)[t.indexOf('seccompcache') + 1], t[t.indexOf('seccompcache') + 1], 'another filter, another cache file');
});
