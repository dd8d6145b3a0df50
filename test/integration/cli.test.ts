// The nscope command line against a real helper: Docker-like behaviour.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { waitFor } from '../helpers/containers';
import { REPO, startWithImage, type TestDaemon } from '../helpers/daemon';

let d: TestDaemon;
before(async () => { d = await startWithImage('cli'); });
after(async () => { assert.deepEqual(await d.cleanup(), []); });

test('run streams the output and exits with the container\'s exit code', async () => {
  const r = await d.cli(['run', '--rm', 'host', 'sh', '-c', 'echo out; echo err >&2; exit 3']);
  assert.equal(r.code, 3);
  assert.equal(r.stdout, 'out\n');
  assert.equal(r.stderr, 'err\n');
  const ps = await d.cli(['ps', '-a', '--format', 'json']);
  assert.deepEqual(JSON.parse(ps.stdout), [], '--rm removed it');
});

test('run -d, ps, logs, stop, wait, rm', async () => {
  const r = await d.cli(['run', '-d', '--name', 'web', '-e', 'GREETING=hi', 'host', 'sh', '-c', 'echo $GREETING; sleep 60']);
  assert.equal(r.code, 0, r.stderr);
  const id = r.stdout.trim();
  assert.match(id, /^[0-9a-f]{64}$/);
  const ps = await d.cli(['ps']);
  assert.match(ps.stdout, /CONTAINER ID\s+IMAGE\s+COMMAND/);
  assert.match(ps.stdout, /web/);
  assert.match(ps.stdout, /Up /);
  const logs = await d.cli(['logs', 'web']);
  assert.equal(logs.stdout, 'hi\n');
  const dup = await d.cli(['run', '-d', '--name', 'web', 'host', 'true']);
  assert.notEqual(dup.code, 0);
  assert.match(dup.stderr, /already in use/);
  const rmRunning = await d.cli(['rm', 'web']);
  assert.notEqual(rmRunning.code, 0);
  assert.match(rmRunning.stderr, /You cannot remove a running container [0-9a-f]{64}\. Stop the container before attempting removal or force remove/);
  const stop = await d.cli(['stop', '-t', '1', 'web']);
  assert.equal(stop.code, 0);
  const wait = await d.cli(['wait', 'web']);
  assert.equal(wait.stdout.trim(), '137');
  const ps2 = await d.cli(['ps', '-a']);
  assert.match(ps2.stdout, /Exited \(137\)/);
  assert.equal((await d.cli(['rm', 'web'])).code, 0);
});

test('logs -f follows until the container exits; entries are json-file lines', async () => {
  const r = await d.cli(['run', '-d', 'host', 'sh', '-c', 'for i in 1 2 3; do echo line $i; sleep 0.2; done']);
  const id = r.stdout.trim();
  const f = await d.cli(['logs', '-f', id]);
  assert.equal(f.stdout, 'line 1\nline 2\nline 3\n');
  const c = await d.client();
  const entries = await c.request('container.logs', { id });
  assert.equal(entries.length, 3);
  for (const e of entries) { assert.equal(e.stream, 'stdout'); assert.ok(!Number.isNaN(Date.parse(e.time))); }
  const tail = await d.cli(['logs', '--tail', '1', id]);
  assert.equal(tail.stdout, 'line 3\n');
  await d.cli(['rm', id]);
});

test('create + start, kill -s, inspect, top', async () => {
  const cr = await d.cli(['create', '--name', 'k', 'host', 'sleep', '60']);
  assert.equal(cr.code, 0, cr.stderr);
  const ps = await d.cli(['ps', '-a', '--format', 'json']);
  assert.equal(JSON.parse(ps.stdout).find((x: { name: string }) => x.name === 'k').status, 'created');
  assert.equal((await d.cli(['start', 'k'])).code, 0);
  const top = await d.cli(['top', 'k', '--format', 'json']);
  const procs = JSON.parse(top.stdout);
  assert.equal(procs.length, 1);
  assert.equal(procs[0].nsPid, 1);
  assert.match(procs[0].command, /sleep 60/);
  // as docker top: the host's ps -ef, cut to the container's processes; ps options after the name
  const t = (await d.cli(['top', 'k'])).stdout.split('\n');
  assert.match(t[0], /^UID {17}PID {17}PPID {16}C {19}STIME {15}TTY {17}TIME {16}CMD$/);
  assert.equal(t.filter(Boolean).length, 2, t.join('\n'));
  assert.match(t[1], new RegExp(`^root +${procs[0].pid} +\\d+ .* sleep 60$`));
  const o = await d.cli(['top', 'k', '-o', 'pid,comm']);
  assert.deepEqual(o.stdout.split('\n').filter(Boolean).map((l) => l.trim().split(/\s+/)), [['PID', 'COMMAND'], [String(procs[0].pid), 'sleep']]);
  const bad = await d.cli(['top', 'k', '-o', 'comm']);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /couldn't find the PID field/);
  assert.match((await d.cli(['top', 'k', '-o', 'user=PID,pid'])).stderr, /specifying "user=PID,pid" is not allowed/);
  // Docker's document, with nscope's own under Nscope
  const ins = JSON.parse((await d.cli(['inspect', 'k'])).stdout)[0];
  assert.equal(ins.State.Status, 'running');
  assert.equal(ins.Nscope.rootSwitch, 'pivot_root');
  assert.ok(ins.Nscope.spec.process.capabilities.bounding.includes('CAP_CHOWN'));
  assert.equal((await d.cli(['kill', '-s', 'KILL', 'k'])).code, 0);
  assert.equal((await d.cli(['wait', 'k'])).stdout.trim(), '137');
  await d.cli(['rm', 'k']);
});

test('errors are one line and a non-zero exit', async () => {
  for (const args of [['start', 'nosuch'], ['run', '--pull', 'never', 'nosuchimage', 'true'], ['run', '--memory', '1x', 'host', 'true'], ['run', '--rm', 'host', 'nosuchprog'], ['image', 'rm', 'nosuch']]) {
    const r = await d.cli(args);
    assert.notEqual(r.code, 0, args.join(' '));
    assert.equal(r.stderr.trim().split('\n').length, 1, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, /^nscope: /);
  }
  // (--rm: without it the container stays, created, as Docker's does)
  const r = await d.cli(['run', '--rm', 'host', 'nosuchprog']);
  assert.equal(r.code, 127);
  // found but not runnable (a directory): 126, as Docker's, for run and exec alike
  const notProgram = await d.cli(['run', '--rm', '--network', 'none', 'host', '/etc']);
  assert.equal(notProgram.code, 126, notProgram.stderr);
  assert.match(notProgram.stderr, /exec: \/etc: Permission denied/);
  const bad = await d.cli(['frobnicate']);
  assert.equal(bad.code, 1);
});

test('images and image inspect', async () => {
  const r = await d.cli(['images']);
  assert.match(r.stdout, /REPOSITORY\s+TAG\s+IMAGE ID/);
  assert.match(r.stdout, /host\s+latest/);
  const j = JSON.parse((await d.cli(['images', '--format', 'json'])).stdout);
  assert.equal(j[0].name, 'host:latest');
  const ins = JSON.parse((await d.cli(['image', 'inspect', 'host'])).stdout)[0];
  assert.match(ins.Nscope.layers[0].digest, /^sha256:[0-9a-f]{64}$/);
  assert.deepEqual(ins.RepoTags, ['host:latest']);
});

test('rm of a created, never-started container needs no force, as in Docker; its init and cgroup go', async () => {
  const cr = await d.cli(['create', 'host', 'sleep', '60']);
  assert.equal(cr.code, 0, cr.stderr);
  const id = cr.stdout.trim();
  const c = await d.client();
  const pid = (await c.request('container.inspect', { id })).pid as number;
  const rm = await d.cli(['rm', id]);
  assert.equal(rm.code, 0, rm.stderr);
  assert.equal(rm.stdout.trim(), id);
  assert.deepEqual(JSON.parse((await d.cli(['ps', '-a', '--format', 'json'])).stdout).filter((x: { id: string }) => x.id === id), []);
  let alive = true;
  try { process.kill(pid, 0); } catch { alive = false; }
  assert.equal(alive, false, 'the waiting init was killed');
});

test('run -h NAME is --hostname, as in Docker; --help is usage and runs nothing', async () => {
  const r = await d.cli(['run', '--rm', '-h', 'short-h', 'host', 'hostname']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'short-h\n');
  const before = JSON.parse((await d.cli(['ps', '-a', '--format', 'json'])).stdout).length;
  const help = await d.cli(['run', '--name', 'nothelp', '--help', 'host', 'true']);
  assert.equal(help.code, 0, help.stderr);
  assert.match(help.stdout, /^Usage: {2}nscope run \[OPTIONS\] IMAGE/);
  assert.equal(JSON.parse((await d.cli(['ps', '-a', '--format', 'json'])).stdout).length, before, 'no container made');
  // after the image, --help is the container command's
  const inner = await d.cli(['run', '--rm', 'host', 'echo', '--help', '-h']);
  assert.equal(inner.stdout, '--help -h\n');
});

test('--security-opt from the command line: seccomp=unconfined, seccomp=PROFILE.json read by the CLI, a missing file named', async () => {
  const off = await d.cli(['run', '--rm', '--security-opt', 'seccomp=unconfined', 'host', 'grep', '^Seccomp:', '/proc/self/status']);
  assert.match(off.stdout, /Seccomp:\s+0/);
  const profile = path.join(d.dir, 'no-mkdir.json');
  fs.writeFileSync(profile, JSON.stringify({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_ERRNO', errnoRet: 13 }] }));
  const custom = await d.cli(['run', '--rm', '--security-opt', `seccomp=${profile}`, 'host', 'sh', '-c', 'mkdir /x']);
  assert.notEqual(custom.code, 0);
  assert.match(custom.stderr, /Permission denied/);
  const missing = await d.cli(['run', '--rm', '--security-opt', `seccomp=${profile}.nope`, 'host', 'true']);
  // Docker's run: 125 for whatever is wrong before the container runs
  assert.equal(missing.code, 125);
  assert.match(missing.stderr, /--security-opt seccomp: cannot read the profile .*no-mkdir\.json\.nope: no such file/);
});

/** A streaming CLI: its output so far, SIGINT, and its exit. */
function streamCli(args: string[]) {
  const p = spawn(process.execPath, [path.join(REPO, 'bin', 'nscope'), '--socket', d.socket, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const out = { stdout: '', stderr: '' };
  p.stdout.on('data', (b) => { out.stdout += b; });
  p.stderr.on('data', (b) => { out.stderr += b; });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => p.on('close', (code, signal) => resolve({ code, signal })));
  const killer = setTimeout(() => p.kill('SIGKILL'), 60000);
  void exited.then(() => clearTimeout(killer));
  return { p, out, exited };
}

const blocks = (s: string) => s.split(/^(?=CONTAINER ID)/m).filter(Boolean);

test('stats --no-stream prints one table and exits; --format json one array on one line', async () => {
  const r = await d.cli(['run', '-d', '--name', 'st1', '--memory', '64m', 'host', 'sleep', '600']);
  assert.equal(r.code, 0, r.stderr);
  const once = await d.cli(['stats', '--no-stream', 'st1']);
  assert.equal(once.code, 0, once.stderr);
  assert.equal(blocks(once.stdout).length, 1, once.stdout);
  assert.match(once.stdout, /^CONTAINER ID\s+NAME\s+CPU %\s+MEM USAGE \/ LIMIT\s+MEM %\s+NET I\/O\s+BLOCK I\/O\s+PIDS/);
  // NET I/O and BLOCK I/O as docker stats shows them: "in / out"
  assert.match(once.stdout, /st1\s+\d+\.\d\d%\s+[\d.]+ \w?i?B \/ 64 MiB\s+[\d.]+%\s+[\d.]+ \w?i?B \/ [\d.]+ \w?i?B\s+[\d.]+ \w?i?B \/ [\d.]+ \w?i?B\s+\d+/);
  // no names: the running containers
  assert.match((await d.cli(['stats', '--no-stream'])).stdout, /st1/);
  const j = await d.cli(['stats', '--no-stream', '--format', 'json', 'st1']);
  assert.equal(j.stdout.trim().split('\n').length, 1);
  const [e] = JSON.parse(j.stdout);
  assert.equal(e.id, r.stdout.trim());
  assert.equal(e.name, 'st1');
  assert.equal(e.memoryLimit, 64 * 1024 * 1024);
  assert.equal(typeof e.cpuPercent, 'number');
  assert.equal(typeof e.netRx, 'number');
  assert.equal(typeof e.blockWrite, 'number');
  const missing = await d.cli(['stats', '--no-stream', 'st1', 'nosuch']);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /nosuch/);
  assert.equal(missing.stdout, '');
  await d.cli(['rm', '-f', 'st1']);
});

test('stats streams a table a second (stdout not a terminal); a container that exits stays as --; SIGINT exits 0', async () => {
  for (const n of ['sa', 'sb']) assert.equal((await d.cli(['run', '-d', '--name', n, 'host', 'sleep', '600'])).code, 0);
  const s = streamCli(['stats', 'sa', 'sb']);
  await waitFor(() => blocks(s.out.stdout).length >= 1, 10000, `a first refresh in ${s.out.stdout}${s.out.stderr}`);
  assert.equal((await d.cli(['stop', '-t', '0', 'sb'])).code, 0);
  await waitFor(() => /^\w{12}\s+sb\s+--/m.test(s.out.stdout), 10000, `sb shown as -- in ${s.out.stdout}`);
  assert.equal((await d.cli(['rm', 'sb'])).code, 0);
  const n = blocks(s.out.stdout).length;
  await waitFor(() => blocks(s.out.stdout).length >= n + 1, 5000, 'a refresh after sb was removed');
  assert.ok(blocks(s.out.stdout).length >= 2);
  const last = blocks(s.out.stdout).at(-1)!;
  assert.match(last, /sa\s+\d+\.\d\d%/);
  assert.match(last, /sb\s+--/);
  s.p.kill('SIGINT');
  assert.deepEqual(await s.exited, { code: 0, signal: null }, s.out.stderr);
  assert.equal(s.out.stderr, '');
  assert.doesNotMatch(s.out.stdout, /\x1b\[/, 'no terminal escapes into a pipe');
  await d.cli(['rm', '-f', 'sa']);
});

test('stats --format json streams one JSON array per refresh; without names it follows containers as they start and stop', async () => {
  const s = streamCli(['stats', '--format', 'json']);
  const docs = () => s.out.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { name: string }[]);
  await waitFor(() => docs().length >= 1, 10000, `a first refresh in ${s.out.stdout}${s.out.stderr}`);
  assert.equal((await d.cli(['run', '-d', '--name', 'late', 'host', 'sleep', '600'])).code, 0);
  await waitFor(() => docs().some((a) => a.some((x) => x.name === 'late')), 10000, `late in ${s.out.stdout}`);
  assert.equal((await d.cli(['stop', '-t', '0', 'late'])).code, 0);
  await waitFor(() => !docs().at(-1)!.some((x) => x.name === 'late'), 10000, 'late dropped once stopped (no -a)');
  s.p.kill('SIGINT');
  assert.equal((await s.exited).code, 0, s.out.stderr);
  assert.ok(docs().length >= 2);
  await d.cli(['rm', '-f', 'late']);
});

test('a reader that goes away (`| head -1`) ends the command quietly: no EPIPE stack, exit 0, --rm still removes', async () => {
  const p = spawn(process.execPath, [path.join(REPO, 'bin', 'nscope'), '--socket', d.socket, 'run', '--rm', '--network', 'none', 'host', 'sh', '-c',
    'i=0; while [ $i -lt 50000 ]; do echo line $i; i=$((i+1)); done'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  p.stderr.on('data', (b) => { stderr += b; });
  // the first chunk read, the pipe's reading end is closed, as head does
  await new Promise<void>((resolve) => p.stdout.once('data', () => { p.stdout.destroy(); resolve(); }));
  const code = await new Promise<number | null>((resolve) => p.on('close', (c) => resolve(c)));
  assert.equal(stderr, '');
  assert.equal(code, 0);
  await waitFor(async () => JSON.parse((await d.cli(['ps', '-a', '--format', 'json'])).stdout).length === 0, 20000);
});
