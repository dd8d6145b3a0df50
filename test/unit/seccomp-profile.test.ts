// Docker's profile format resolved for one container (includes/excludes by
// capability, architecture and kernel), and the OCI form encoded for the shim.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_CAPS } from '../../helper/runtime/spec';
import { seccompOps } from '../../helper/security/seccomp-oci';
import { defaultProfile, parseProfile, resolvedDefault, resolveProfile } from '../../helper/security/seccomp-profile';

const allowed = (s: ReturnType<typeof resolveProfile>, name: string) =>
  s.syscalls!.filter((c) => c.names.includes(name) && c.action === 'SCMP_ACT_ALLOW');

test('default profile, default caps, x86_64: EPERM by default, the 32-bit ABIs, clone only without namespace flags, clone3 ENOSYS', () => {
  const s = resolveProfile(defaultProfile(), { capabilities: DEFAULT_CAPS, arch: 'x64', kernel: '6.1.0' });
  assert.equal(s.defaultAction, 'SCMP_ACT_ERRNO');
  assert.equal(s.defaultErrnoRet, 1);
  assert.deepEqual(s.architectures, ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32']);
  const clone = allowed(s, 'clone');
  assert.equal(clone.length, 1);
  assert.deepEqual(clone[0].args, [{ index: 0, value: 2114060288, op: 'SCMP_CMP_MASKED_EQ' }]);
  assert.deepEqual(s.syscalls!.find((c) => c.names.includes('clone3'))?.errnoRet, 38);
  for (const n of ['unshare', 'mount', 'keyctl', 'add_key', 'io_uring_setup', 'perf_event_open', 'userfaultfd', 'bpf']) assert.equal(allowed(s, n).length, 0, n);
  assert.ok(allowed(s, 'arch_prctl').length, 'amd64-only rule kept');
  assert.equal(allowed(s, 'riscv_flush_icache').length, 0);
  assert.ok(allowed(s, 'ptrace').length, 'ptrace for kernels >= 4.8');
  assert.ok(allowed(s, 'chroot').length, 'CAP_SYS_CHROOT is a default cap');
});

test('CAP_SYS_ADMIN opens unshare, mount, clone3 and every clone; arm64 gets its own ABIs; an old kernel loses ptrace', () => {
  const s = resolveProfile(defaultProfile(), { capabilities: [...DEFAULT_CAPS, 'CAP_SYS_ADMIN'], arch: 'arm64', kernel: '4.4.0' });
  assert.deepEqual(s.architectures, ['SCMP_ARCH_AARCH64', 'SCMP_ARCH_ARM']);
  for (const n of ['unshare', 'mount', 'setns', 'clone3']) assert.ok(allowed(s, n).length, n);
  assert.ok(allowed(s, 'clone').every((c) => !c.args), 'clone unconditionally');
  assert.ok(!s.syscalls!.some((c) => c.names.includes('clone3') && c.action === 'SCMP_ACT_ERRNO'));
  assert.equal(allowed(s, 'arch_prctl').length, 0);
  assert.equal(allowed(s, 'ptrace').length, 0);
});

test('old format ("architectures", "name") and clear errors', () => {
  const s = resolveProfile(parseProfile(JSON.stringify({ defaultAction: 'SCMP_ACT_ALLOW', architectures: ['SCMP_ARCH_X86_64'], syscalls: [{ name: 'mkdir', action: 'SCMP_ACT_ERRNO' }] })), { capabilities: [] });
  assert.deepEqual(s.syscalls, [{ names: ['mkdir'], action: 'SCMP_ACT_ERRNO' }]);
  assert.throws(() => parseProfile('[1]'), /must be a JSON object/);
  assert.throws(() => resolveProfile({ defaultAction: 'SCMP_ACT_ALLOW', architectures: ['SCMP_ARCH_X86'], archMap: [{ architecture: 'SCMP_ARCH_X86' }] }, { capabilities: [] }), /either "architectures" or "archMap"/);
  assert.throws(() => resolveProfile({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['read'], name: 'x', action: 'SCMP_ACT_ALLOW' }] }, { capabilities: [] }), /either "name" or "names"/);
  assert.throws(() => resolveProfile({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['read'], action: 'SCMP_ACT_ALLOW', includes: { minKernel: 'new' } }] }, { capabilities: [] }), /minKernel: "new" is not a kernel version/);
});

test('OCI encoding: actions as libseccomp values, one rule per entry for all its names, a rule equal to the default dropped, two conditions on one argument split into two rules', () => {
  const ops = seccompOps({
    defaultAction: 'SCMP_ACT_ERRNO', defaultErrnoRet: 38, architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86'], flags: ['SECCOMP_FILTER_FLAG_LOG'],
    syscalls: [
      { names: ['read', 'readv', 'pread64'], action: 'SCMP_ACT_ALLOW' },
      { names: ['write'], action: 'SCMP_ACT_ERRNO', errnoRet: 38 },
      { names: [], action: 'SCMP_ACT_KILL' },
      { names: ['personality'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 0, op: 'SCMP_CMP_EQ' }, { index: 0, value: 8, op: 'SCMP_CMP_EQ' }] },
      { names: ['kill'], action: 'SCMP_ACT_KILL_PROCESS' },
    ],
  }, true);
  assert.deepEqual(ops, [
    ['seccomp', String(0x50026), '2'], ['seccomparch', 'x86_64'], ['seccomparch', 'x86'],
    ['seccomprule', 'read,readv,pread64', String(0x7fff0000), '0'],
    ['seccomprule', 'personality', String(0x7fff0000), '1'], ['seccomparg', '0', '4', '0', '0'],
    ['seccomprule', 'personality', String(0x7fff0000), '1'], ['seccomparg', '0', '4', '8', '0'],
    ['seccomprule', 'kill', String(0x80000000), '0'],
    ['seccompload', '1'],
  ]);
  assert.throws(() => seccompOps({ defaultAction: 'SCMP_ACT_ALLOW', listenerPath: '/x.sock' }, true), /listenerPath.*not supported/);
  assert.throws(() => seccompOps({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['read'], action: 'SCMP_ACT_ALLOW', errnoRet: 1 }] }, true), /errnoRet is only valid/);
  assert.throws(() => seccompOps({ defaultAction: 'SCMP_ACT_ALLOW', flags: ['SECCOMP_FILTER_FLAG_NOPE'] }, true), /unknown flag/);
  assert.equal(seccompOps({ defaultAction: 'SCMP_ACT_ALLOW' }, false).at(-1)![1], '0', 'without no_new_privs: loaded early');
  assert.throws(() => seccompOps({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['read,write'], action: 'SCMP_ACT_ERRNO' }] }, true), /not a syscall name/, 'a comma cannot smuggle in another name');
});

test('with no_new_privs the filter is loaded once the set-up is done (2) when it allows what waiting for start needs, else just before execve (1)', () => {
  const when = (s: Parameters<typeof seccompOps>[0]) => seccompOps(s, true).at(-1)!;
  const docker = resolveProfile(defaultProfile(), { capabilities: DEFAULT_CAPS, arch: 'x64', kernel: '6.1' });
  assert.deepEqual(when(docker), ['seccompload', '2'], "Docker's profile allows openat, write, close, execve, exit_group");
  assert.deepEqual(when({ defaultAction: 'SCMP_ACT_ALLOW' }), ['seccompload', '2']);
  assert.deepEqual(when({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['write'], action: 'SCMP_ACT_ERRNO' }] }), ['seccompload', '1']);
  assert.deepEqual(when({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['close'], action: 'SCMP_ACT_LOG' }] }), ['seccompload', '1'], 'logged is not allowed');
  const needed = ['openat', 'write', 'close', 'execve', 'exit_group'];
  assert.deepEqual(when({ defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: needed, action: 'SCMP_ACT_ALLOW' }] }), ['seccompload', '2']);
  assert.deepEqual(when({ defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: needed.slice(1), action: 'SCMP_ACT_ALLOW' }] }), ['seccompload', '1'], 'openat refused by default');
  assert.deepEqual(when({
    defaultAction: 'SCMP_ACT_ERRNO',
    syscalls: [{ names: needed.slice(1), action: 'SCMP_ACT_ALLOW' }, { names: ['openat'], action: 'SCMP_ACT_ALLOW', args: [{ index: 2, value: 0, op: 'SCMP_CMP_EQ' }] }],
  }), ['seccompload', '1'], 'openat allowed only with some arguments');
  assert.deepEqual(when({
    defaultAction: 'SCMP_ACT_ALLOW',
    syscalls: [{ names: ['openat'], action: 'SCMP_ACT_ERRNO', args: [{ index: 2, value: 1, op: 'SCMP_CMP_MASKED_EQ', valueTwo: 1 }] }],
  }), ['seccompload', '1'], 'openat refused with some arguments (O_WRONLY, which the fifo needs)');
  assert.deepEqual(seccompOps({ defaultAction: 'SCMP_ACT_ALLOW' }, false).at(-1), ['seccompload', '0'], 'without no_new_privs: before the credentials drop');
});

test('the resolved default is kept per capability set: one frozen object, equal to resolving it anew', () => {
  const ctx = { capabilities: DEFAULT_CAPS, arch: 'x64', kernel: '6.1.0' };
  const a = resolvedDefault(ctx);
  assert.equal(resolvedDefault({ ...ctx, capabilities: [...DEFAULT_CAPS].reverse().map((c) => c.toLowerCase()) }), a, 'order and case do not matter');
  assert.deepEqual(a, resolveProfile(defaultProfile(), ctx));
  assert.ok(Object.isFrozen(a) && Object.isFrozen(a.syscalls) && Object.isFrozen(a.syscalls![0]) && Object.isFrozen(a.syscalls![0].names));
  const admin = resolvedDefault({ ...ctx, capabilities: [...DEFAULT_CAPS, 'CAP_SYS_ADMIN'] });
  assert.notEqual(admin, a);
  assert.ok(allowed(admin, 'mount').length && !allowed(a, 'mount').length);
  assert.notEqual(resolvedDefault({ ...ctx, kernel: '4.4.0' }), a);
});
