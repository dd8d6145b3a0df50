// inspect's security.live: what the kernel says of a running container's
// init process (/proc/PID/status CapEff, Seccomp, NoNewPrivs; ns/user,
// uid_map, gid_map) next to what its spec asks for — the data of the
// extension's Security node. Checked against real containers and, for a
// user namespace with a mapping, a real process made by unshare(1).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { after, before, test } from 'node:test';
import type { ContainerDetail, RunOptions } from '../../helper/protocol';
import type { HelperClient } from '../../helper/protocol/client';
import { readLiveSecurity } from '../../helper/security/live';
import { waitFor } from '../helpers/containers';
import { startWithImage, type TestDaemon } from '../helpers/daemon';

let d: TestDaemon;
let c: HelperClient;
before(async () => { d = await startWithImage('seclive'); c = await d.client(); });
after(async () => { assert.deepEqual(await d.cleanup(), []); });

const DOCKER_DEFAULT = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FOWNER', 'CAP_FSETID', 'CAP_KILL', 'CAP_SETGID', 'CAP_SETUID', 'CAP_SETPCAP',
  'CAP_NET_BIND_SERVICE', 'CAP_NET_RAW', 'CAP_SYS_CHROOT', 'CAP_MKNOD', 'CAP_AUDIT_WRITE', 'CAP_SETFCAP',
];

/** A running `sleep` container with `opts`, inspected; removed by the caller. */
async function running(opts: Partial<RunOptions>): Promise<ContainerDetail> {
  const { id } = await c.request('container.create', { image: 'host', cmd: ['sleep', '600'], ...opts });
  await c.request('container.start', { id });
  return c.request('container.inspect', { id });
}

const statusField = (pid: number, key: string) => fs.readFileSync(`/proc/${pid}/status`, 'utf8').match(new RegExp(`^${key}:\\s*(\\S+)`, 'm'))?.[1];

test('a default container: seccomp filter (2), no_new_privs, Docker\'s 14 capabilities, the host\'s user namespace', async () => {
  const x = await running({});
  try {
    const s = x.security;
    assert.equal(s.seccomp, 'default');
    assert.equal(s.privileged, false);
    assert.equal(s.seccompRules?.defaultAction, 'SCMP_ACT_ERRNO');
    assert.ok((s.seccompRules?.syscalls ?? 0) > 300, `the default profile names its allowed syscalls: ${s.seccompRules?.syscalls}`);
    const live = s.live!;
    assert.ok(live, 'a running container has live fields');
    assert.equal(live.pid, x.pid);
    assert.equal(live.seccompMode, 2);
    assert.equal(live.seccompMode, Number(statusField(x.pid!, 'Seccomp')));
    assert.ok((live.seccompFilters ?? 1) >= 1);
    assert.equal(live.noNewPrivileges, true);
    assert.equal(live.capEff, '00000000a80425fb');
    assert.equal(live.capEff, statusField(x.pid!, 'CapEff'));
    assert.equal(live.capabilities.length, 14);
    assert.deepEqual([...live.capabilities].sort(), [...DOCKER_DEFAULT].sort());
    assert.deepEqual([...s.capabilities].sort(), [...live.capabilities].sort(), 'the kernel granted what the spec asks');
    assert.equal(live.userns, null);
    assert.equal(s.userns, null);
    assert.equal(live.userNamespace, fs.readlinkSync('/proc/self/ns/user'));
  } finally {
    await c.request('container.remove', { id: x.id, force: true });
  }
});

test('--security-opt seccomp=unconfined: Seccomp 0 and the unconfined label', async () => {
  const x = await running({ securityOpt: ['seccomp=unconfined'] });
  try {
    assert.equal(x.security.seccomp, 'unconfined');
    assert.equal(x.security.seccompRules, null);
    assert.equal(x.security.live!.seccompMode, 0);
    assert.equal(statusField(x.pid!, 'Seccomp'), '0');
    // the rest of the confinement stays
    assert.equal(x.security.live!.noNewPrivileges, true);
    assert.equal(x.security.live!.capabilities.length, 14);
  } finally {
    await c.request('container.remove', { id: x.id, force: true });
  }
});

test('--cap-add SYS_ADMIN shows in the live set; --cap-drop too', async () => {
  const x = await running({ capAdd: ['SYS_ADMIN'], capDrop: ['NET_RAW'] });
  try {
    const caps = x.security.live!.capabilities;
    assert.ok(caps.includes('CAP_SYS_ADMIN'), caps.join(' '));
    assert.ok(!caps.includes('CAP_NET_RAW'), caps.join(' '));
    assert.equal(caps.length, 14);
    // the kernel's bit order: SYS_ADMIN (21) after SYS_CHROOT (18), before MKNOD (27)
    assert.ok(caps.indexOf('CAP_SYS_CHROOT') < caps.indexOf('CAP_SYS_ADMIN') && caps.indexOf('CAP_SYS_ADMIN') < caps.indexOf('CAP_MKNOD'));
    assert.equal(x.security.live!.seccompMode, 2);
  } finally {
    await c.request('container.remove', { id: x.id, force: true });
  }
});

test('--privileged is marked (a label cannot claim it) and runs unconfined', async () => {
  const p = await running({ privileged: true });
  const l = await running({ labels: { 'org.nscope.privileged': 'true' } });
  try {
    assert.equal(p.security.privileged, true);
    assert.equal(p.security.seccomp, 'unconfined');
    assert.equal(p.security.live!.seccompMode, 0);
    assert.equal(p.security.live!.noNewPrivileges, false);
    // every capability this host can give (its own bounding set)
    assert.equal(p.security.live!.capEff, statusField(process.pid, 'CapBnd'));
    assert.equal(l.security.privileged, false);
    assert.equal(l.security.live!.seccompMode, 2);
  } finally {
    await c.request('container.remove', { id: p.id, force: true });
    await c.request('container.remove', { id: l.id, force: true });
  }
});

test('a stopped container has no live fields, only what its spec asks', async () => {
  const x = await running({});
  try {
    await c.request('container.kill', { id: x.id });
    await c.request('container.wait', { id: x.id });
    const s = (await c.request('container.inspect', { id: x.id })).security;
    assert.equal(s.live, undefined);
    assert.equal(s.seccomp, 'default');
    assert.equal(s.capabilities.length, 14);
  } finally {
    await c.request('container.remove', { id: x.id, force: true });
  }
});

test('a process in a user namespace of its own: its mapping from uid_map and gid_map', async () => {
  // unshare(1) as root: a new user namespace mapping root to root, one id
  const p = spawn('unshare', ['--user', '--map-root-user', 'sleep', '60'], { stdio: 'ignore' });
  try {
    const host = fs.readlinkSync('/proc/self/ns/user');
    await waitFor(() => { try { return fs.readlinkSync(`/proc/${p.pid}/ns/user`) !== host && fs.readFileSync(`/proc/${p.pid}/uid_map`, 'utf8').trim() !== ''; } catch { return false; } }, 10000, 'unshare\'s user namespace');
    const live = readLiveSecurity(p.pid!)!;
    assert.notEqual(live.userNamespace, host);
    assert.deepEqual(live.userns, { uidMap: [{ containerID: 0, hostID: 0, size: 1 }], gidMap: [{ containerID: 0, hostID: 0, size: 1 }] });
    assert.equal(live.seccompMode, 0);
  } finally {
    p.kill('SIGKILL');
    await new Promise((r) => p.once('exit', r));
  }
  assert.equal(readLiveSecurity(p.pid!), null, 'a process that is gone reads as null');
});
