// kernel.read on a real helper with a real container: the allowed kernel
// sources read back exactly what the kernel files say; everything else (other
// files, "..", links out of the allowlist, secrets in /proc, write-only
// control files, files over 1 MiB) is refused with an error naming why.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { MAX_KERNEL_READ } from '../../helper/protocol';
import { HelperError, type HelperClient } from '../../helper/protocol/client';
import { waitFor } from '../helpers/containers';
import { cgroupFile, startWithImage, type TestDaemon } from '../helpers/daemon';

let d: TestDaemon;
let c: HelperClient;
let id: string;
let pid: number;

before(async () => {
  d = await startWithImage('kernel');
  c = await d.client();
  ({ id } = await c.request('container.create', { image: 'host', name: 'kread', cmd: ['sleep', '600'], memory: '64m', pidsLimit: 40 }));
  await c.request('container.start', { id });
  pid = (await c.request('container.inspect', { id })).pid!;
});
after(async () => { assert.deepEqual(await d.cleanup(), []); });

const read = async (p: string) => {
  const r = await c.request('kernel.read', { path: p });
  assert.equal(r.length, Buffer.from(r.data, 'base64').length);
  return { ...r, text: Buffer.from(r.data, 'base64').toString('utf8') };
};

/** kernel.read of `p` fails with `kind`, its message matching `re`. */
async function refused(p: unknown, kind: string, re: RegExp): Promise<void> {
  await assert.rejects(c.request('kernel.read', { path: p as string }), (e: unknown) => {
    assert.ok(e instanceof HelperError, String(e));
    assert.equal(e.kind, kind, `${String(p)}: ${e.message}`);
    assert.match(e.message, re);
    return true;
  });
}

test('a process\'s /proc files read back as the kernel has them', async () => {
  for (const f of ['cgroup', 'mountinfo', 'cmdline', 'statm', 'uid_map', 'gid_map']) {
    const r = await read(`/proc/${pid}/${f}`);
    assert.equal(r.kind, 'file');
    assert.equal(r.resolved, `/proc/${pid}/${f}`);
    if (f !== 'statm') assert.equal(r.text, fs.readFileSync(`/proc/${pid}/${f}`, 'utf8'), f);
  }
  assert.equal((await read(`/proc/${pid}/cmdline`)).text, 'sleep\u0000600\u0000');
  const status = (await read(`/proc/${pid}/status`)).text;
  assert.match(status, /^Name:\tsleep$/m);
  assert.match(status, new RegExp(`^Pid:\\t${pid}$`, 'm'));
  // the Security node's sources: seccomp filter mode, and the host's user namespace (identity map)
  assert.match(status, /^Seccomp:\t2$/m);
  assert.match((await read(`/proc/${pid}/uid_map`)).text, /^\s+0\s+0\s+4294967295$/m);
  // the overlay behind the container's root, with its lowerdir and upperdir
  assert.match((await read(`/proc/${pid}/mountinfo`)).text.split('\n')[0], / \/ .* - overlay overlay .*lowerdir=.*,upperdir=.*rw,workdir=/);
});

test('/proc/PID/net/dev lists the interfaces of the container\'s own network namespace, nothing else in net/', async () => {
  const r = await read(`/proc/${pid}/net/dev`);
  assert.equal(r.kind, 'file');
  // the counters move between two reads: compare the interfaces, which are the container's own (lo at least), not the host's
  const names = (t: string) => t.split('\n').filter((l) => /^\s*[^\s|]+:/.test(l)).map((l) => l.split(':')[0].trim());
  assert.deepEqual(names(r.text), names(fs.readFileSync(`/proc/${pid}/net/dev`, 'utf8')));
  assert.ok(names(r.text).includes('lo'));
  assert.notDeepEqual(names(r.text), names(fs.readFileSync('/proc/self/net/dev', 'utf8')));
  await refused(`/proc/${pid}/net/tcp`, 'forbidden', /not a kernel source nscope shows/);
  await refused(`/proc/${pid}/net`, 'forbidden', /not a kernel source nscope shows/);
});

test('/sys/class/net/NAME: a host interface as text from its attribute files; a name that is not one is refused', async () => {
  const r = await read('/sys/class/net/lo');
  assert.equal(r.kind, 'interface');
  assert.equal(r.resolved, fs.realpathSync('/sys/class/net/lo'));
  assert.match(r.text, new RegExp(`^/sys/class/net/lo/ifindex:${fs.readFileSync('/sys/class/net/lo/ifindex', 'utf8').trim()}$`, 'm'));
  assert.match(r.text, /^\/sys\/class\/net\/lo\/address:00:00:00:00:00:00$/m);
  assert.match(r.text, /^\/sys\/class\/net\/lo\/statistics\/rx_bytes:\d+$/m);
  await refused('/sys/class/net/nscope-no-such', 'not_found', /no such file/);
  await refused('/sys/class/net/lo/address', 'forbidden', /not a kernel source nscope shows/);
  await refused('/sys/class/net/a b', 'forbidden', /not a network interface name/);
  await refused('/sys/class/net', 'forbidden', /not a kernel source nscope shows/);
});

test('the container\'s cgroup control files read back as the kernel has them', async () => {
  for (const [ctl, file, want] of [['memory', 'memory.limit_in_bytes', String(64 * 2 ** 20)], ['pids', 'pids.max', '40']]) {
    const f = cgroupFile(d.cgroupParent, id, ctl, file);
    const v2 = !f.includes(`/${ctl}/`);
    const p = v2 ? f.replace('memory.limit_in_bytes', 'memory.max') : f;
    const r = await read(p);
    assert.equal(r.kind, 'file');
    assert.equal(r.text, fs.readFileSync(p, 'utf8'));
    assert.equal(r.text.trim(), want);
  }
  const procs = await read(cgroupFile(d.cgroupParent, id, 'pids', 'cgroup.procs'));
  assert.equal(procs.text.trim(), String(pid));
});

test('a namespace is shown as what readlink and ls -ln print', async () => {
  const nss = await c.request('container.namespaces', { id });
  const net = nss.find((n) => n.type === 'net')!;
  const r = await read(`/proc/${pid}/ns/net`);
  assert.equal(r.kind, 'namespace');
  assert.match(r.text, new RegExp(`^\\$ readlink /proc/${pid}/ns/net\\nnet:\\[${net.inode}\\]\\n`));
  assert.match(r.text, new RegExp(`^l[rwx-]{9} 1 0 0 0 .* net -> net:\\[${net.inode}\\]$`, 'm'));
  const dir = await read(`/proc/${pid}/ns`);
  assert.equal(dir.kind, 'namespaces');
  for (const n of nss) assert.match(dir.text, new RegExp(` ${n.type} -> ${n.type}:\\[${n.inode}\\]$`, 'm'));
  await refused(`/proc/${pid}/ns/bogus`, 'forbidden', /"bogus" is not a namespace/);
});

test('paths outside the allowlist, secrets and tricks are refused', async () => {
  await refused('/etc/shadow', 'forbidden', /\/etc\/shadow: not a kernel source nscope shows \(allowed: /);
  await refused(`/proc/${pid}/environ`, 'forbidden', /environ: not readable through nscope: it holds the process's environment/);
  await refused('/proc/1/environ', 'forbidden', /environment/);
  await refused(`/proc/${pid}/mem`, 'forbidden', /memory/);
  await refused(`/proc/${pid}/root/etc/shadow`, 'forbidden', /root directory/);
  await refused(`/proc/${pid}/cwd`, 'forbidden', /working directory/);
  await refused('/proc/self/status', 'forbidden', /"self" is not a process id/);
  await refused('/proc/thread-self/status', 'forbidden', /not a process id/);
  await refused(`/proc/${pid}/task/${pid}/status`, 'forbidden', /not a kernel source/);
  await refused(`/proc/${pid}/ns/net/../../environ`, 'invalid', /contains "\." or "\.\."/);
  await refused(`/proc/${pid}/./status`, 'invalid', /contains "\." or "\.\."/);
  await refused(`/proc//${pid}/status`, 'invalid', /empty component/);
  await refused(`/proc/${pid}/status/`, 'invalid', /empty component/);
  await refused(`proc/${pid}/status`, 'invalid', /not absolute/);
  await refused(`/proc/${pid}/status\u0000`, 'invalid', /control character/);
  await refused(42, 'invalid', /path must be a non-empty string/);
  await refused('', 'invalid', /path must be a non-empty string/);
  await refused('/proc/4194305/status', 'forbidden', /not a process id/);
  await refused('/proc/4194303/status', 'not_found', /no such file/);
  // cgroup files: only a live nscope container's own, only readable control files
  await refused('/sys/fs/cgroup/memory/memory.limit_in_bytes', 'forbidden', /not in the cgroup of a live nscope container/);
  await refused(`/sys/fs/cgroup/memory/${d.cgroupParent}/${'0'.repeat(64)}/memory.limit_in_bytes`, 'forbidden', /not in the cgroup of a live nscope container/);
  await refused(`/sys/fs/cgroup/memory/elsewhere/${id}/memory.limit_in_bytes`, 'forbidden', /not the container's cgroup/);
  await refused(`/sys/fs/cgroup/memory/${d.cgroupParent}/${id}/../${id}/memory.limit_in_bytes`, 'invalid', /\.\./);
  const forceEmpty = cgroupFile(d.cgroupParent, id, 'memory', 'memory.force_empty');
  if (fs.existsSync(forceEmpty)) await refused(forceEmpty, 'forbidden', /write-only control file/);
  // an exited container has no cgroup to read
  const { id: gone } = await c.request('container.create', { image: 'host', name: 'kread-exited', cmd: ['true'] });
  await c.request('container.start', { id: gone });
  await c.request('container.wait', { id: gone });
  await refused(`/sys/fs/cgroup/memory/${d.cgroupParent}/${gone}/memory.limit_in_bytes`, 'forbidden', /not in the cgroup of a live nscope container/);
  await c.request('container.remove', { id: gone });
});

test('a link on the way is followed only to the same container\'s cgroup file', async (t) => {
  const mem = cgroupFile(d.cgroupParent, id, 'memory', 'memory.limit_in_bytes');
  if (!mem.includes('/memory/')) { t.skip('cgroup v2: /sys/fs/cgroup is not a tmpfs where a link can be made'); return; }
  const tag = crypto.randomBytes(4).toString('hex');
  const good = `/sys/fs/cgroup/nscope-kread-link-${tag}`;
  const evil = `/sys/fs/cgroup/nscope-kread-evil-${tag}`;
  const fake = fs.mkdtempSync(path.join(os.tmpdir(), 'nscope-kread-'));
  try {
    fs.symlinkSync('memory', good); // like /sys/fs/cgroup/cpu -> cpu,cpuacct
    const r = await read(`${good}/${d.cgroupParent}/${id}/memory.limit_in_bytes`);
    assert.equal(r.resolved, mem);
    assert.equal(r.text.trim(), String(64 * 2 ** 20));
    // a link to a directory made to look like the container's cgroup
    fs.mkdirSync(path.join(fake, d.cgroupParent, id), { recursive: true });
    fs.writeFileSync(path.join(fake, d.cgroupParent, id, 'memory.limit_in_bytes'), 'not the kernel\n');
    fs.symlinkSync(fake, evil);
    await refused(`${evil}/${d.cgroupParent}/${id}/memory.limit_in_bytes`, 'forbidden', new RegExp(`resolves to ${fake.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/.*, outside the container.s cgroup`));
  } finally {
    fs.rmSync(good, { force: true });
    fs.rmSync(evil, { force: true });
    fs.rmSync(fake, { recursive: true, force: true });
  }
});

test('a kernel file larger than 1 MiB is refused, not cut', async () => {
  // a process whose command line is over 1 MiB (each argument < 128 KiB, the kernel's per-string limit)
  const big = Array.from({ length: 10 }, () => 'x'.repeat(120 * 1024));
  const p = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)', ...big], { stdio: 'ignore' });
  try {
    await waitFor(() => { try { return fs.statSync(`/proc/${p.pid}/cmdline`) && fs.readFileSync(`/proc/${p.pid}/cmdline`).length > MAX_KERNEL_READ; } catch { return false; } }, 10000, 'the big process');
    await refused(`/proc/${p.pid}/cmdline`, 'unsupported', /is larger than 1 MiB, the most nscope shows/);
  } finally {
    p.kill('SIGKILL');
    await new Promise((r) => p.once('exit', r));
  }
});
