// Entering running containers: exec sees the container's world; a TTY exec
// behaves like a terminal; nothing leaks after many execs.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { after, before, test } from 'node:test';
import { waitFor } from '../helpers/containers';
import { ExecStream } from '../helpers/exec';
import { startWithImage, type TestDaemon } from '../helpers/daemon';

let d: TestDaemon;
let id: string;
let pid: number;
before(async () => {
  d = await startWithImage('exec');
  const c = await d.client();
  ({ id } = await c.request('container.create', { image: 'host', name: 'box', hostname: 'insidebox', memory: '64m', pidsLimit: 40, cmd: ['sleep', '3600'] }));
  await c.request('container.start', { id });
  pid = (await c.request('container.inspect', { id })).pid!;
});
after(async () => { assert.deepEqual(await d.cleanup(), []); });

test('exec sees the container\'s hostname, PID namespace, rootfs, cgroup and limits', async () => {
  const c = await d.client();
  const s = await ExecStream.open(d.socket, { id, cmd: ['sh', '-c', 'hostname; echo $$; cat /proc/1/cmdline; echo; ls /proc | grep -c "^[0-9]"; cat /etc/hostname; cat /proc/self/cgroup | grep memory; cat /proc/self/status | grep -E "CapEff|NoNewPrivs"'] });
  await s.ended;
  const st = await c.request('exec.wait', { execId: s.execId });
  assert.equal(st.exitCode, 0, s.stderr);
  const lines = s.stdout.split('\n');
  assert.equal(lines[0], 'insidebox');
  assert.ok(Number(lines[1]) < 10, `small pid inside: ${lines[1]}`);
  assert.equal(lines[2], 'sleep\x003600\x00');
  assert.equal(lines[4], 'insidebox');
  assert.match(s.stdout, /memory:\/$/m, 'the cgroup namespace root is the container\'s cgroup');
  assert.match(s.stdout, /CapEff:\s+00000000a80425fb/);
  assert.match(s.stdout, /NoNewPrivs:\s+1/);
  // the exec'd process was in the container's cgroup (limits apply)
  const top = await c.request('container.top', { id });
  assert.equal(top.length, 1, 'the exec ended and left nothing');
});

test('exec -u and -w and -e', async () => {
  const s = await ExecStream.open(d.socket, { id, cmd: ['sh', '-c', 'id -u; pwd; echo $FOO'], user: 'nobody', workdir: '/tmp', env: ['FOO=bar'] });
  await s.ended;
  assert.equal(s.stdout, '65534\n/tmp\nbar\n');
});

test('stdin reaches a non-tty exec; exit codes come back', async () => {
  const c = await d.client();
  const s = await ExecStream.open(d.socket, { id, cmd: ['sh', '-c', 'cat; exit 4'], interactive: true });
  s.write('piped input\n');
  s.sock.end();
  await s.ended;
  assert.equal(s.stdout, 'piped input\n');
  assert.equal((await c.request('exec.wait', { execId: s.execId })).exitCode, 4);
});

test('a 0x0 size from a client means none (a terminal that reports 0x0): 24x80, and a 0x0 resize changes nothing', async () => {
  const c = await d.client();
  const s = await ExecStream.open(d.socket, { id, cmd: ['sh'], tty: true, interactive: true, rows: 0, cols: 0 });
  s.write('stty size\n');
  await s.expect(/24 80/);
  await c.request('exec.resize', { execId: s.execId, rows: 0, cols: 0 });
  await c.request('exec.resize', { execId: s.execId, rows: 0, cols: 120 });
  s.write('echo; stty size\n');
  await s.expect(/24 80[\s\S]*24 80/);
  // the refusals name the value and what is allowed
  await assert.rejects(c.request('exec.resize', { execId: s.execId, rows: -1, cols: 80 }), /exec resize: rows -1 is out of range \(1-10000, or 0 for no size\)/);
  await assert.rejects(c.request('exec.resize', { execId: s.execId, rows: 24, cols: 2.5 }), /cols 2\.5 is out of range/);
  await assert.rejects(c.request('exec.resize', { execId: s.execId, rows: 24, cols: 100000 }), /cols 100000 is out of range/);
  s.write('exit 0\n');
  await s.ended;
  await assert.rejects(ExecStream.open(d.socket, { id, cmd: ['sh'], tty: true, rows: -3, cols: 80 }), /exec: rows -3 is out of range/);
});

test('a TTY exec: prompt, resize read back by stty size, Ctrl-C reaches sleep, exit 3', async () => {
  const c = await d.client();
  const s = await ExecStream.open(d.socket, { id, cmd: ['sh'], tty: true, interactive: true, rows: 30, cols: 100 });
  s.write('stty size\n');
  await s.expect(/30 100/);
  await c.request('exec.resize', { execId: s.execId, rows: 50, cols: 132 });
  s.write('stty size\n');
  await s.expect(/50 132/);
  s.write('tty\n');
  await s.expect(/\/dev\/pts\/\d+/);
  s.write('sleep 100\n');
  await new Promise((r) => setTimeout(r, 300));
  s.write('\x03');
  s.write('echo after=$?\n');
  await s.expect(/after=130/);
  s.write('exit 3\n');
  await s.ended;
  assert.equal((await c.request('exec.wait', { execId: s.execId })).exitCode, 3);
});

test('a client that disconnects leaves no process behind (SIGHUP)', async () => {
  const c = await d.client();
  const s = await ExecStream.open(d.socket, { id, cmd: ['sh'], tty: true, interactive: true });
  s.write('echo ready\n');
  await s.expect(/ready/);
  s.sock.destroy();
  const st = await c.request('exec.wait', { execId: s.execId });
  assert.equal(st.running, false);
  assert.equal((await c.request('container.top', { id })).length, 1);
});

test('errors: stopped container, missing program, unknown user', async () => {
  const c = await d.client();
  await assert.rejects(ExecStream.open(d.socket, { id, cmd: ['nosuchprog'] }), /executable file not found/);
  await assert.rejects(ExecStream.open(d.socket, { id, cmd: ['id'], user: 'ghost' }), /unable to find user ghost/);
  const { id: stopped } = await c.request('container.create', { image: 'host', cmd: ['true'] });
  await assert.rejects(ExecStream.open(d.socket, { id: stopped, cmd: ['true'] }), /is not running/);
  const r = await d.cli(['exec', id, 'nosuchprog']);
  assert.equal(r.code, 127);
  assert.equal(r.stderr.trim().split('\n').length, 1);
  await c.request('container.remove', { id: stopped, force: true });
});

test('shells: /etc/shells or /bin/sh; the user\'s login shell', async () => {
  const c = await d.client();
  const sh = await c.request('container.shells', { id, user: 'root' });
  assert.ok(sh.shells.includes('/bin/sh'));
  assert.equal(sh.loginShell, '/bin/sh');
  assert.equal(sh.users[0], 'root');
});

test('shells: the users who can log in, root first, system accounts left out', async () => {
  const c = await d.client();
  const script = "echo 'app:x:1000:1000::/home/app:/bin/sh' >> /etc/passwd; echo 'svc:x:2:2::/:/usr/sbin/nologin' >> /etc/passwd; echo ok; sleep 60";
  const { id: u } = await c.request('container.create', { image: 'host', cmd: ['sh', '-c', script] });
  await c.request('container.start', { id: u });
  await waitFor(async () => (await c.request('container.logs', { id: u })).some((l) => l.log.includes('ok')), 5000, 'the users written');
  const sh = await c.request('container.shells', { id: u, user: 'app' });
  assert.deepEqual(sh.users, ['root', 'app']);
  assert.equal(sh.loginShell, '/bin/sh');
  await c.request('container.remove', { id: u, force: true });
});

test('no process, fd or pty leaks after 200 exec calls', async () => {
  const c = await d.client();
  const fds = () => fs.readdirSync(`/proc/${d.proc!.pid}/fd`).length;
  const before = fds();
  for (let i = 0; i < 200; i++) {
    const s = await ExecStream.open(d.socket, { id, cmd: ['true'], tty: i % 2 === 0 });
    await s.ended;
    assert.equal((await c.request('exec.wait', { execId: s.execId })).exitCode, 0);
  }
  await new Promise((r) => setTimeout(r, 200));
  assert.ok(fds() <= before + 2, `helper fds ${before} -> ${fds()}`);
  assert.equal((await c.request('container.top', { id })).length, 1);
  const ptys = fs.readdirSync(`/proc/${pid}/root/dev/pts`).filter((x) => /^\d+$/.test(x));
  assert.deepEqual(ptys, []);
  // this test's daemon's exec shims only (spawnShim makes them its children): other runs on the host are not this test's
  const childOfDaemon = (p: string) => Number(/^PPid:\s+(\d+)/m.exec(fs.readFileSync(`/proc/${p}/status`, 'utf8'))?.[1]) === d.proc!.pid;
  const shims = fs.readdirSync('/proc').filter((x) => /^\d+$/.test(x)).filter((p) => { try { return fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').includes('nscope-shim\0exec') && childOfDaemon(p); } catch { return false; } });
  assert.deepEqual(shims, []);
});

test('namespaces: the listing has the container\'s six namespaces with readlink\'s inodes, and the host\'s', async () => {
  const c = await d.client();
  const all = await c.request('namespace.list', {});
  for (const t of ['mnt', 'pid', 'net', 'ipc', 'uts', 'cgroup'] as const) {
    const ino = Number(fs.readlinkSync(`/proc/${pid}/ns/${t}`).match(/\[(\d+)\]/)![1]);
    const ns = all.find((n) => n.type === t && n.inode === ino);
    assert.ok(ns, `${t}:${ino} listed`);
    assert.equal(ns!.container?.id, id);
    assert.ok(ns!.processes.some((p) => p.pid === pid));
    const hostIno = Number(fs.readlinkSync(`/proc/self/ns/${t}`).match(/\[(\d+)\]/)![1]);
    assert.ok(all.some((n) => n.type === t && n.inode === hostIno && n.host));
  }
  const mine = await c.request('container.namespaces', { id });
  assert.equal(mine.filter((n) => !n.sharedWithHost).length >= 6, true);
  const net = await c.request('namespace.list', { type: 'net' });
  assert.ok(net.every((n) => n.type === 'net'));
  await assert.rejects(c.request('namespace.list', { type: 'bogus' as never }), /--type/);
  const cli = await d.cli(['ns', '--type', 'uts']);
  assert.match(cli.stdout, /box/);
});

test('top shows each process with its pid on the host and inside', async () => {
  const c = await d.client();
  const top = await c.request('container.top', { id });
  assert.equal(top[0].pid, pid);
  assert.equal(top[0].nsPid, 1);
});

test('exec -d (CLI): returns at once, the process runs on without a client, its output discarded; -it refused with it', async () => {
  const c = await d.client();
  const { id } = await c.request('container.create', { image: 'host', cmd: ['sleep', '60'] });
  await c.request('container.start', { id });
  try {
    const t0 = Date.now();
    const r = await d.cli(['exec', '-d', '-e', 'X=1', id, 'sh', '-c', 'echo noise; echo noise >&2; sleep 1; echo "$X" > /detached-done']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '', 'nothing printed, as docker exec -d');
    assert.ok(Date.now() - t0 < 1000, 'back before the process ends');
    await waitFor(async () => (await c.request('file.read', { container: id, path: '/detached-done' }).then((f) => Buffer.from(f.data, 'base64').toString(), () => '')) === '1\n', 10000, 'the detached process to finish');
    const refused = await d.cli(['exec', '-d', '-t', id, 'true']);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /exec -d: -i and -t need a client attached/);
  } finally {
    await c.request('container.remove', { id, force: true });
  }
});
