// The Docker commands a new user types beyond run/ps/rm: pause/unpause,
// rename, logs --since/--until/-t, attach, export, history, events, prune,
// system df, and the `container`/`image` management words.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { execFileSync } from 'node:child_process';
import { waitFor } from '../helpers/containers';
import { REPO, startWithImage, type TestDaemon } from '../helpers/daemon';

let d: TestDaemon;
before(async () => { d = await startWithImage('cli-life'); });
after(async () => { assert.deepEqual(await d.cleanup(), []); });

const ok = async (...args: string[]) => {
  const r = await d.cli(args);
  assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
};
const freezerState = (id: string) => {
  for (const f of [path.join('/sys/fs/cgroup/freezer', d.cgroupParent, id, 'freezer.state'), path.join('/sys/fs/cgroup', d.cgroupParent, id, 'cgroup.freeze')]) {
    if (fs.existsSync(f)) return fs.readFileSync(f, 'utf8').trim();
  }
  return 'none';
};

test('pause freezes the cgroup, unpause thaws it; ps, inspect and --filter status=paused say so', async () => {
  const id = (await ok('run', '-d', '--name', 'p', 'host', 'sleep', '60')).trim();
  assert.equal(await ok('pause', 'p'), 'p\n');
  assert.match(freezerState(id), /^(FROZEN|1)$/);
  assert.equal(await ok('inspect', '-f', '{{.State.Status}} {{.State.Paused}} {{.State.Running}}', 'p'), 'paused true true\n');
  assert.equal(await ok('ps', '--filter', 'status=paused', '--format', '{{.Names}} {{.State}}'), 'p paused\n');
  assert.match(await ok('ps', '--format', '{{.Status}}', '-f', 'name=^p$'), /^Up .* \(Paused\)\n$/);
  // an exec would join the frozen processes and hang: refused, as Docker does
  const exec = await d.cli(['exec', 'p', 'true']);
  assert.equal(exec.code, 1);
  assert.equal(exec.stderr, 'nscope: container p is paused, unpause the container before exec\n');
  const again = await d.cli(['pause', 'p']);
  assert.equal(again.code, 1);
  assert.equal(again.stderr, 'nscope: container p is already paused\n');
  assert.equal(await ok('unpause', 'p'), 'p\n');
  assert.match(freezerState(id), /^(THAWED|0)$/);
  assert.equal(await ok('inspect', '-f', '{{.State.Status}}', 'p'), 'running\n');
  const notPaused = await d.cli(['unpause', 'p']);
  assert.equal(notPaused.code, 1);
  assert.match(notPaused.stderr, /is not paused/);
  // a paused container still stops: the signal reaches it once thawed
  await ok('pause', 'p');
  await ok('stop', '-t', '1', 'p');
  assert.equal(await ok('inspect', '-f', '{{.State.Status}} {{.State.Paused}}', 'p'), 'exited false\n');
  const stopped = await d.cli(['pause', 'p']);
  assert.equal(stopped.code, 1);
  assert.match(stopped.stderr, /is not running/);
  await ok('start', 'p');
  await ok('pause', 'p');
  await ok('rm', '-f', 'p');
  const missing = await d.cli(['pause', 'nosuch']);
  assert.equal(missing.code, 1);
  assert.equal(missing.stderr, 'nscope: No such container: nosuch\n');
});

test('stats --format: a template per container, with headers under "table"', async () => {
  await ok('run', '-d', '--name', 'st', '--pids-limit', '20', 'host', 'sleep', '60');
  assert.match(await ok('stats', '--no-stream', '--format', '{{.Name}} {{.PIDs}} {{.ID}}', 'st'), /^st 1 [0-9a-f]{12}\n$/);
  const t = (await ok('stats', '--no-stream', '--format', 'table {{.Name}}\\t{{.MemUsage}}', 'st')).split('\n');
  assert.match(t[0], /^NAME +MEM USAGE \/ LIMIT$/);
  assert.match(t[1], /^st +\S+ \S+ \/ /);
  const bad = await d.cli(['stats', '--no-stream', '--format', '{{.Nope', 'st']);
  assert.equal(bad.code, 1);
  await ok('rm', '-f', 'st');
});

test('rename: the new name finds it, the old one does not; taken and bad names are refused', async () => {
  await ok('create', '--name', 'before', 'host', 'true');
  await ok('create', '--name', 'other', 'host', 'true');
  assert.equal(await ok('rename', 'before', 'after'), '');
  assert.equal(await ok('inspect', '-f', '{{.Name}}', 'after'), '/after\n');
  assert.equal((await d.cli(['inspect', 'before'])).code, 1);
  const taken = await d.cli(['rename', 'after', 'other']);
  assert.equal(taken.code, 1);
  assert.match(taken.stderr, /the container name "other" is already in use/);
  const bad = await d.cli(['rename', 'after', 'no spaces']);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /invalid container name/);
  const usage = await d.cli(['rename', 'after']);
  assert.equal(usage.code, 1);
  // container rm is rm
  assert.equal(await ok('container', 'rm', 'after', 'other'), 'after\nother\n');
});

test('logs -t, --since and --until: the entries logged from / up to a time', async () => {
  await ok('run', '--name', 'lg', 'host', 'sh', '-c', 'echo a; sleep 0.1; echo b; sleep 0.1; echo c');
  const stamped = (await ok('logs', '-t', 'lg')).trim().split('\n');
  assert.equal(stamped.length, 3);
  const times = stamped.map((l) => l.split(' ')[0]);
  assert.deepEqual(stamped.map((l) => l.split(' ')[1]), ['a', 'b', 'c']);
  for (const t of times) assert.ok(!Number.isNaN(Date.parse(t)), t);
  assert.equal(await ok('logs', '--since', times[1], 'lg'), 'b\nc\n');
  assert.equal(await ok('logs', '--until', times[1], 'lg'), 'a\nb\n');
  assert.equal(await ok('logs', '--since', times[1], '--until', times[1], 'lg'), 'b\n');
  assert.equal(await ok('logs', '--since', String(Date.parse(times[2]) / 1000), 'lg'), 'c\n', 'Unix seconds with a fraction');
  assert.equal(await ok('logs', '--since', '1h', 'lg'), 'a\nb\nc\n');
  assert.equal(await ok('logs', '--until', '1h', 'lg'), '');
  const bad = await d.cli(['logs', '--since', 'yesterday', 'lg']);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /--since: "yesterday" is not a time/);
  await ok('rm', 'lg');
});

test('attach: a running container\'s output until it exits, with its exit code', async () => {
  await ok('run', '-d', '--name', 'at', 'host', 'sh', '-c', 'while [ ! -e /stop ]; do echo tick; sleep 0.1; done; echo bye; exit 4');
  const p = spawn(process.execPath, [path.join(REPO, 'bin', 'nscope'), '--socket', d.socket, 'attach', 'at'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  p.stdout.on('data', (b) => { out += b; });
  p.stderr.on('data', (b) => { err += b; });
  const code = new Promise<number | null>((resolve) => p.on('close', resolve));
  await waitFor(() => out.includes('tick'), 20000, `attach output (${err})`);
  await ok('exec', 'at', 'touch', '/stop');
  assert.equal(await code, 4, err);
  assert.ok(out.endsWith('bye\n'), out);
  const stopped = await d.cli(['attach', 'at']);
  assert.equal(stopped.code, 1);
  assert.match(stopped.stderr, /You cannot attach to a stopped container/);
  await ok('rm', 'at');
});

test('export: a container\'s filesystem as a tar, to -o FILE or stdout; a running one\'s without what is mounted over it', async () => {
  await ok('run', '--name', 'ex', 'host', 'sh', '-c', 'echo hi > /marker');
  const file = path.join(d.dir, 'ex.tar');
  await ok('export', '-o', file, 'ex');
  const names = execFileSync('tar', ['-tf', file], { encoding: 'utf8' }).split('\n');
  assert.ok(names.some((n) => /^(\.\/)?marker$/.test(n)), names.slice(0, 20).join(' '));
  assert.ok(names.some((n) => /^(\.\/)?usr\/bin\/sh$/.test(n)), 'the image\'s files too');
  assert.equal(execFileSync('tar', ['-xOf', file, names.find((n) => /marker$/.test(n))!], { encoding: 'utf8' }), 'hi\n');
  const piped = execFileSync(process.execPath, [path.join(REPO, 'bin', 'nscope'), '--socket', d.socket, 'export', 'ex'], { maxBuffer: 256 << 20 });
  assert.equal(piped.length, fs.statSync(file).size);
  // running: its overlay alone (a read-only clone, gone afterwards), not /proc, the volume or /dev's tmpfs
  await ok('run', '-d', '--name', 'exr', '-v', 'exr-data:/data', 'host', 'sh', '-c', 'echo live > /live; echo vol > /data/v; sleep 60');
  for (let i = 0; i < 100 && (await d.cli(['exec', 'exr', 'cat', '/data/v'])).stdout !== 'vol\n'; i++) await new Promise((r) => setTimeout(r, 50));
  const mountsBefore = fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter((l) => l.includes(d.dir)).length;
  await ok('export', '-o', file, 'exr');
  const live = execFileSync('tar', ['-tf', file], { encoding: 'utf8' }).split('\n').map((n) => n.replace(/^\.\//, ''));
  assert.ok(live.includes('live'), 'what the running container wrote');
  assert.ok(live.includes('usr/bin/sh'), 'the image\'s files');
  assert.ok(live.includes('etc/hosts'), 'the init layer\'s files (the mounted copy is not exported)');
  assert.ok(live.includes('data/') || live.includes('data'), 'the volume\'s mount point');
  assert.ok(!live.includes('data/v'), 'not the volume\'s files');
  assert.ok(!live.some((n) => /^proc\/./.test(n)), 'not /proc\'s files');
  assert.equal(fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter((l) => l.includes(d.dir)).length, mountsBefore, 'the clone is unmounted');
  assert.equal(await ok('inspect', '-f', '{{.State.Running}}', 'exr'), 'true\n');
  await ok('rm', '-f', '-v', 'exr', 'ex');
  await ok('volume', 'rm', 'exr-data');
});

test('history: the image\'s steps, newest first', async () => {
  await ok('run', '--name', 'h', 'host', 'sh', '-c', 'echo x > /f');
  await ok('commit', '-m', 'a note', 'h', 'hist:1');
  const lines = (await ok('history', 'hist:1')).trim().split('\n');
  assert.match(lines[0], /^IMAGE +CREATED +CREATED BY +SIZE +COMMENT$/);
  assert.equal(lines.length, 3);
  const rows = (await ok('image', 'history', '--format', '{{.ID}}|{{.CreatedBy}}|{{.Comment}}', 'hist:1')).trim().split('\n');
  const id = (await ok('image', 'inspect', '-f', '{{.Id}}', 'hist:1')).trim();
  assert.equal(rows[0].split('|')[0], id.slice(7, 19));
  assert.match(rows[0], /\|a note$/);
  assert.equal(rows[1].split('|')[0], '<missing>');
  await ok('rm', 'h');
  await ok('image', 'rm', 'hist:1');
});

test('events: Docker\'s lines for what happens, filtered and formatted', async () => {
  const p = spawn(process.execPath, [path.join(REPO, 'bin', 'nscope'), '--socket', d.socket, 'events', '--filter', 'type=container',
    '--format', '{{.Type}} {{.Action}} {{.Actor.Attributes.name}} {{.Actor.Attributes.image}}'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  p.stdout.on('data', (b) => { out += b; });
  const code = new Promise<number | null>((resolve) => p.on('close', resolve));
  // subscribed once a probe's events come through
  await waitFor(async () => { await d.cli(['rm', (await d.cli(['create', 'host', 'true'])).stdout.trim()]); return out.includes('destroy'); }, 20000, 'events to flow');
  out = '';
  await ok('run', '-d', '--name', 'ev', 'host', 'sleep', '60');
  await ok('pause', 'ev');
  await ok('unpause', 'ev');
  await ok('rename', 'ev', 'ev2');
  await ok('kill', 'ev2');
  await ok('wait', 'ev2');
  await ok('rm', 'ev2');
  await waitFor(() => out.includes('destroy ev2'), 20000, `destroy in ${out}`);
  assert.deepEqual(out.trim().split('\n'), [
    'container create ev host', 'container start ev host', 'container pause ev host', 'container unpause ev host',
    'container rename ev2 host', 'container die ev2 host', 'container destroy ev2 host',
  ]);
  p.kill('SIGINT');
  assert.equal(await code, 0);
  // the default line: time, type, action, id, attributes
  const q = spawn(process.execPath, [path.join(REPO, 'bin', 'nscope'), '--socket', d.socket, 'system', 'events', '-f', 'event=die'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let line = '';
  q.stdout.on('data', (b) => { line += b; });
  const qcode = new Promise<number | null>((resolve) => q.on('close', resolve));
  await waitFor(async () => { await d.cli(['run', '--rm', '--name', 'die', 'host', 'sh', '-c', 'exit 2']); return line.includes('die'); }, 20000, 'a die event');
  assert.match(line.split('\n')[0], /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z container die [0-9a-f]{64} \(exitCode=2, image=host, name=die\)$/);
  q.kill('SIGTERM');
  assert.equal(await qcode, 0);
  // --until in the past: nothing to wait for
  const past = await d.cli(['events', '--until', '1s']);
  assert.equal(past.code, 0);
  assert.equal(past.stdout, '');
  const bad = await d.cli(['events', '-f', 'color=red']);
  assert.equal(bad.code, 1);
});

test('prune and system df: stopped containers, dangling images, what they held', async () => {
  await ok('run', '--name', 'keep', '-d', 'host', 'sleep', '60');
  await ok('run', '--name', 'gone1', 'host', 'sh', '-c', 'dd if=/dev/zero of=/big bs=1k count=64 2>/dev/null');
  await ok('create', '--name', 'gone2', 'host', 'true');
  // a dangling image: a name given to a second commit
  await ok('commit', 'gone1', 'dang:1');
  await ok('commit', 'gone1', 'dang:1');
  const df = await ok('system', 'df');
  assert.match(df, /^TYPE +TOTAL +ACTIVE +SIZE +RECLAIMABLE\n/);
  assert.match(df, /^Images +3 +1 /m);
  assert.match(df, /^Containers +3 +1 +6\d(\.\d)?kB/m);
  assert.match(df, /^Build Cache +0 +0 +0B +0B$/m);
  assert.equal(await ok('system', 'df', '--format', '{{.Type}}={{.TotalCount}}'), 'Images=3\nContainers=3\nLocal Volumes=0\nBuild Cache=0\n');
  const noTty = await d.cli(['container', 'prune']);
  assert.equal(noTty.code, 1, 'no terminal to ask at and no -f');
  const cp = await ok('container', 'prune', '-f');
  assert.match(cp, /^Deleted Containers:\n[0-9a-f]{64}\n[0-9a-f]{64}\n\nTotal reclaimed space: 6\d(\.\d)?kB\n$/);
  assert.equal(await ok('ps', '-a', '--format', '{{.Names}}'), 'keep\n');
  const ip = await ok('image', 'prune', '-f');
  assert.match(ip, /^Deleted Images:\ndeleted: sha256:[0-9a-f]{64}\n\nTotal reclaimed space: /);
  assert.equal(await ok('images', '--format', '{{.Repository}}', '-f', 'dangling=true'), '');
  // -a: every image no container uses (dang:1 here; host is keep's)
  const all = await ok('image', 'prune', '-a', '-f');
  assert.match(all, /untagged: dang:1\ndeleted: sha256:/);
  assert.equal(await ok('images', '--format', '{{.Repository}}'), 'host\n');
  await ok('network', 'create', 'lonely');
  await ok('stop', '-t', '0', 'keep');
  const sp = await ok('system', 'prune', '-f');
  assert.match(sp, /Deleted Containers:\n[0-9a-f]{64}\n\nDeleted Networks:\nlonely\n\nTotal reclaimed space: /);
  assert.equal(await ok('ps', '-a', '-q'), '');
});

test('the management words: container ls/inspect/rm, image ls/rm/inspect; unknown ones say so', async () => {
  await ok('container', 'create', '--name', 'mw', 'host', 'true');
  assert.equal(await ok('container', 'ls', '-a', '--format', '{{.Names}}'), 'mw\n');
  assert.equal((await ok('container', 'list', '-aq')).length, 13);
  assert.equal(await ok('image', 'ls', '--format', '{{.Repository}}:{{.Tag}}'), 'host:latest\n');
  await ok('image', 'tag', 'host', 'alias:1');
  assert.equal(await ok('image', 'rm', 'alias:1'), 'Untagged: alias:1\n');
  assert.equal(await ok('container', 'rm', 'mw'), 'mw\n');
  const unknown = await d.cli(['container', 'frob']);
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /unknown container command "frob"/);
  const help = await ok('container', 'ls', '--help');
  assert.match(help, /^Usage: {2}nscope container ls \[OPTIONS\]/);
  assert.match(help, /-f, --filter filter/);
  assert.match(await ok('image', 'rm', '--help'), /-f, --force/);
  assert.match(await ok('image', 'inspect', '--help'), /-f, --format string/);
});

test('run in the foreground passes its signals to the container (HUP, TERM…); --sig-proxy=false lets nscope end and the container run on', async () => {
  const attached = (args: string[]) => {
    const p = spawn(process.execPath, [path.join(REPO, 'bin', 'nscope'), '--socket', d.socket, 'run', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (b) => { out += b; });
    return { p, out: () => out, code: new Promise<number | null>((resolve) => p.on('close', (c, s) => resolve(c ?? (s ? -1 : null)))) };
  };
  // the shell is the container's PID 1: a signal it traps reaches it, one it does not is ignored (as under Docker)
  const a = attached(['--rm', '--name', 'sp1', 'host', 'sh', '-c', 'trap "echo got-hup" HUP; trap "exit 7" TERM; echo ready; while :; do sleep 0.1; done']);
  const settled = (p: Promise<number | null>) => Promise.race([p, new Promise<string>((r) => setTimeout(() => r('still running'), 15000))]);
  try {
    await waitFor(() => a.out().includes('ready'), 20000, `ready in ${a.out()}`);
    a.p.kill('SIGHUP');
    await waitFor(() => a.out().includes('got-hup'), 10000, `the HUP trapped in the container: ${a.out()}`);
    a.p.kill('SIGTERM');
    assert.equal(await settled(a.code), 7, 'TERM ended the container, and run exits with its code');
  } finally {
    a.p.kill('SIGKILL');
    await d.cli(['rm', '-f', 'sp1']);
  }
  const b = attached(['--sig-proxy=false', '--name', 'sp2', 'host', 'sh', '-c', 'echo ready; sleep 60']);
  await waitFor(() => b.out().includes('ready'), 20000, 'ready');
  b.p.kill('SIGTERM');
  assert.notEqual(await settled(b.code), 'still running', 'nscope ended at the TERM');
  assert.equal((await ok('inspect', '-f', '{{.State.Status}}', 'sp2')).trim(), 'running', 'the signal ended nscope, not the container');
  await ok('rm', '-f', 'sp2');
});
