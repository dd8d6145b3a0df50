// A default container is confined like Docker's: every attack of issue 10
// refused by the default seccomp profile, each with a positive control (the
// same call allowed unconfined or with the capability that opens it), and the
// profile keeps what real programs need. The probe is a static C program
// (test/fixtures/sec-probe.c) bind-mounted into the container.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import type { RunOptions } from '../../helper/protocol';
import { runToExit, waitFor } from '../helpers/containers';
import { REPO, startWithImage, type TestDaemon } from '../helpers/daemon';

let d: TestDaemon;
let probeDir: string;
before(async () => {
  d = await startWithImage('seccomp');
  probeDir = path.join(d.dir, 'probe');
  fs.mkdirSync(probeDir);
  execFileSync('gcc', ['-static', '-O1', '-o', path.join(probeDir, 'sec-probe'), path.join(REPO, 'test', 'fixtures', 'sec-probe.c')]);
});
after(async () => { assert.deepEqual(await d.cleanup(), []); });

/** Runs the probe's checks in a container; NAME -> "ok" or the errno number. */
async function probe(checks: string[], extra: Partial<RunOptions> = {}): Promise<Record<string, string>> {
  const r = await runToExit(await d.client(), {
    image: 'host', cmd: ['/probe/sec-probe', ...checks], volumes: [`${probeDir}:/probe:ro`], ...extra,
  });
  assert.equal(r.exitCode, 0, r.stderr);
  const out: Record<string, string> = {};
  for (const line of r.stdout.trim().split('\n')) {
    const [name, result] = line.split(' ');
    out[name] = result === 'ok' ? 'ok' : result.replace(/^errno=/, '');
  }
  return out;
}

const EPERM = '1';
const UNCONFINED: Partial<RunOptions> = { securityOpt: ['seccomp=unconfined'] };

test('default: /proc/self/status says seccomp filter mode (2); unconfined says 0', async () => {
  const c = await d.client();
  const on = await runToExit(c, { image: 'host', cmd: ['grep', '-E', '^(Seccomp|NoNewPrivs):', '/proc/self/status'] });
  assert.match(on.stdout, /Seccomp:\s+2/);
  const off = await runToExit(c, { image: 'host', ...UNCONFINED, cmd: ['grep', '^Seccomp:', '/proc/self/status'] });
  assert.match(off.stdout, /Seccomp:\s+0/);
});

for (const [check, why] of [
  ['unshare-user', 'unshare(CLONE_NEWUSER)'],
  ['unshare-user-net', 'a user namespace, then mount+net namespaces, a tmpfs, a NETLINK_NETFILTER socket and SIOCSIFFLAGS (lo up) in it'],
  ['clone-newuser', 'clone(CLONE_NEWUSER)'],
  ['keyctl', 'keyctl'],
  ['add_key', 'add_key'],
  ['perf_event_open', 'perf_event_open'],
  ['userfaultfd', 'userfaultfd(UFFD_USER_MODE_ONLY)'],
  ['io_uring_setup', 'io_uring_setup (a static program)'],
] as const) {
  test(`default refuses ${why}; unconfined allows it`, async () => {
    assert.equal((await probe([check]))[check], EPERM);
    assert.equal((await probe([check], UNCONFINED))[check], 'ok');
  });
}

test('personality: only the values Docker allows; socket: no AF_VSOCK', async () => {
  const r = await probe(['personality-bad', 'personality-query', 'socket-vsock', 'socket-inet']);
  assert.deepEqual(r, { 'personality-bad': EPERM, 'personality-query': 'ok', 'socket-vsock': EPERM, 'socket-inet': 'ok' });
  const u = await probe(['personality-bad'], UNCONFINED);
  assert.equal(u['personality-bad'], 'ok');
});

test('what programs need stays allowed: getrandom, fork, rseq; clone3 says ENOSYS so libc falls back to clone', async () => {
  const r = await probe(['getrandom', 'fork', 'rseq-registered', 'clone3']);
  assert.deepEqual(r, { getrandom: 'ok', fork: 'ok', 'rseq-registered': 'ok', clone3: '38' });
  const c = await d.client();
  const sh = await runToExit(c, { image: 'host', cmd: ['sh', '-c', 'ls -l / >/dev/null && ps >/dev/null && sleep 0.01 && echo fine'] });
  assert.equal(sh.exitCode, 0, sh.stderr);
  assert.equal(sh.stdout.trim(), 'fine');
});

test('--cap-add SYS_ADMIN opens what Docker opens (unshare, clone3) and nothing else (keyctl)', async () => {
  const r = await probe(['unshare-user', 'clone3', 'keyctl'], { capAdd: ['SYS_ADMIN'] });
  assert.deepEqual(r, { 'unshare-user': 'ok', clone3: 'ok', keyctl: EPERM });
});

test('--privileged runs unconfined, as with Docker', async () => {
  const r = await probe(['keyctl'], { privileged: true });
  assert.equal(r.keyctl, 'ok');
});

test('--security-opt seccomp=PROFILE: a user profile applies (errnoRet, args), in exec too', async () => {
  const profile = {
    defaultAction: 'SCMP_ACT_ALLOW',
    syscalls: [
      { names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_ERRNO', errnoRet: 13 },
      { names: ['socket'], action: 'SCMP_ACT_ERRNO', args: [{ index: 0, value: 2, op: 'SCMP_CMP_EQ' }] },
    ],
  };
  const c = await d.client();
  const opts = { image: 'host', securityOpt: [`seccomp=${JSON.stringify(profile)}`], volumes: [`${probeDir}:/probe:ro`] };
  const r = await runToExit(c, { ...opts, cmd: ['sh', '-c', 'mkdir /x; /probe/sec-probe socket-inet keyctl'] });
  assert.match(r.stderr, /Permission denied/);
  assert.match(r.stdout, /socket-inet errno=1/);
  assert.match(r.stdout, /keyctl ok/);
  const { id } = await c.request('container.create', { ...opts, cmd: ['sleep', '30'] });
  await c.request('container.start', { id });
  const inspect = await c.request('container.inspect', { id });
  assert.equal((inspect.spec as { annotations: Record<string, string> }).annotations['org.nscope.seccomp'], 'custom');
  const cli = await d.cli(['exec', id, 'sh', '-c', 'mkdir /y 2>&1; grep ^Seccomp: /proc/self/status']);
  assert.match(cli.stdout, /Permission denied/);
  assert.match(cli.stdout, /Seccomp:\s+2/);
  await c.request('container.remove', { id, force: true });
});

test('bad profiles are clear errors naming the field, and create nothing', async () => {
  const c = await d.client();
  const before = (await c.request('container.list', { all: true })).length;
  const bad: [unknown, RegExp][] = [
    ['{not json', /not valid JSON/],
    [{ defaultAction: 'SCMP_ACT_FOO' }, /defaultAction: unknown action "SCMP_ACT_FOO"/],
    [{ defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: ['read'], action: 'SCMP_ACT_ALLOW', args: [{ index: 9, value: 0, op: 'SCMP_CMP_EQ' }] }] }, /syscalls\[0\]\.args\[0\]\.index must be 0-5/],
    [{ defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: ['read'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: -1, op: 'SCMP_CMP_EQ' }] }] }, /is not an unsigned 64-bit integer/],
    [{ defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: ['read'], action: 'SCMP_ACT_NOTIFY' }] }, /SCMP_ACT_NOTIFY is not supported/],
    [{ defaultAction: 'SCMP_ACT_ERRNO', architectures: ['SCMP_ARCH_Z80'] }, /unknown architecture "SCMP_ARCH_Z80"/],
    [{ defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: ['read; rm'], action: 'SCMP_ACT_ALLOW' }] }, /is not a syscall name/],
  ];
  for (const [p, re] of bad) {
    const text = typeof p === 'string' ? p : JSON.stringify(p);
    await assert.rejects(c.request('container.create', { image: 'host', cmd: ['true'], securityOpt: [`seccomp=${text}`] }), re);
  }
  await assert.rejects(c.request('container.create', { image: 'host', cmd: ['true'], securityOpt: ['apparmor=x'] }), /not supported/);
  assert.equal((await c.request('container.list', { all: true })).length, before);
});

test('the filter is loaded while start is awaited when it allows what that needs, else just before execve (a profile refusing write still starts)', async () => {
  const c = await d.client();
  const seccompMode = (pid: number) => /^Seccomp:\s+(\d)/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  // Docker's profile: loaded by the created container's init before start
  const early = await c.request('container.create', { image: 'host', cmd: ['true'] });
  const pid = (await c.request('container.inspect', { id: early.id })).pid!;
  await waitFor(() => seccompMode(pid) === '2', 5000, 'the filter of a created container');
  const waited = c.request('container.wait', { id: early.id });
  await c.request('container.start', { id: early.id });
  assert.equal((await waited).exitCode, 0);
  // write refused: the exec fifo's byte is written first, the filter loaded last
  const noWrite = { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['write'], action: 'SCMP_ACT_ERRNO' }] };
  const late = await c.request('container.create', { image: 'host', cmd: ['sh', '-c', 'echo hi; exit 3'], securityOpt: [`seccomp=${JSON.stringify(noWrite)}`] });
  const latePid = (await c.request('container.inspect', { id: late.id })).pid!;
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(seccompMode(latePid), '0', 'not loaded before start');
  const lateWaited = c.request('container.wait', { id: late.id });
  await c.request('container.start', { id: late.id });
  const exit = await lateWaited;
  assert.equal(exit.exitCode, 3, exit.error);
  assert.deepEqual((await c.request('container.logs', { id: late.id })).filter((l) => l.stream === 'stdout'), [], 'echo refused');
  for (const id of [early.id, late.id]) await c.request('container.remove', { id, force: true });
});

test('a second container with the same profile loads the cached filter (one file per profile and capability set)', async () => {
  const cache = path.join(d.root, 'run', '.seccomp');
  const c = await d.client();
  await runToExit(c, { image: 'host', cmd: ['true'] });
  const n = fs.readdirSync(cache).length;
  await runToExit(c, { image: 'host', cmd: ['true'] });
  assert.equal(fs.readdirSync(cache).length, n);
  await runToExit(c, { image: 'host', cmd: ['true'], capAdd: ['SYS_PTRACE'] });
  assert.equal(fs.readdirSync(cache).length, n + 1);
  for (const f of fs.readdirSync(cache)) assert.equal(fs.statSync(path.join(cache, f)).size % 8, 0);
});

test('keyrings: a container\'s init joins a session keyring of its own, so a host key is not found through it (seccomp off)', async () => {
  const bin = path.join(probeDir, 'sec-probe');
  const host = execFileSync(bin, ['add_user_key', 'find_in_session'], { encoding: 'utf8' });
  try {
    assert.match(host, /add_user_key ok/);
    const r = await probe(['find_in_session', 'keyctl'], UNCONFINED);
    assert.equal(r.keyctl, 'ok');
    assert.equal(r.find_in_session, '126'); // ENOKEY: the new session keyring does not link the host's
    // the control: where the host's own session reaches its user keyring, the key is found there
    if (/find_in_session ok/.test(host)) assert.match(host, /find_in_session ok/);
  } finally {
    execFileSync(bin, ['del_user_key']);
  }
});
