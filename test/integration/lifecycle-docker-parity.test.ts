// The container lifecycle from the CLI as `docker` gives it, where a QA pass
// side by side with Docker 28's CLI (on dockerd 20.10) found nscope apart:
// a program that cannot be executed fails `start`, not `create`, and leaves a
// created container; a restarting container's state; names with Docker's
// leading "/"; a limit of the wrong form refused as a flag (125); ps's STATUS
// after an OOM kill; exec -d's and logs --tail's edges.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { waitFor } from '../helpers/containers';
import { startWithImage, type TestDaemon } from '../helpers/daemon';

let d: TestDaemon;
before(async () => { d = await startWithImage('life-parity'); });
after(async () => { assert.deepEqual(await d.cleanup(), []); });

const ok = async (...args: string[]) => {
  const r = await d.cli(args);
  assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
};
const names = async () => (await ok('ps', '-a', '--format', '{{.Names}}')).split('\n').filter(Boolean).sort();

test('a program not found: run exits 127 and leaves the container created, with ExitCode 127 and the error', async () => {
  const r = await d.cli(['run', '--name', 'nf', 'host', 'nosuchcmd']);
  assert.equal(r.code, 127);
  assert.equal(r.stderr, 'nscope: exec: "nosuchcmd": executable file not found in $PATH\n');
  assert.equal(await ok('ps', '-a', '--filter', 'name=^nf$', '--format', '{{.Status}}|{{.State}}'), 'Created|created\n');
  const state = JSON.parse(await ok('inspect', '-f', '{{json .State}}', 'nf'));
  assert.deepEqual(
    { Status: state.Status, Running: state.Running, ExitCode: state.ExitCode, Error: state.Error, StartedAt: state.StartedAt, FinishedAt: state.FinishedAt },
    { Status: 'created', Running: false, ExitCode: 127, Error: 'exec: "nosuchcmd": executable file not found in $PATH', StartedAt: '0001-01-01T00:00:00Z', FinishedAt: '0001-01-01T00:00:00Z' },
  );
  // Docker's start of it: its plain error, exit 1, and the container as it was
  const start = await d.cli(['start', 'nf']);
  assert.equal(start.code, 1);
  assert.match(start.stderr, /executable file not found/);
  assert.equal(await ok('inspect', '-f', '{{.State.Status}} {{.State.ExitCode}}', 'nf'), 'created 127\n');
  assert.equal((await d.cli(['start', '-a', 'nf'])).code, 1);
  assert.equal(await ok('rm', 'nf'), 'nf\n');
});

test('create of a program not found succeeds; the program copied in afterwards runs at start', async () => {
  const id = (await ok('create', '--name', 'later', 'host', '/bin/later')).trim();
  assert.match(id, /^[0-9a-f]{64}$/);
  assert.equal(await ok('inspect', '-f', '{{.State.Status}} {{.State.ExitCode}}', 'later'), 'created 127\n');
  const prog = path.join(d.dir, 'later');
  fs.writeFileSync(prog, '#!/bin/sh\necho later ran\n', { mode: 0o755 });
  await ok('cp', prog, 'later:/bin/later');
  const r = await d.cli(['start', '-a', 'later']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'later ran\n');
  assert.equal(await ok('inspect', '-f', '{{.State.Status}} {{.State.ExitCode}} {{.State.Error}}', 'later'), 'exited 0 \n');
  await ok('rm', 'later');
});

test('a directory or a file without x as the command: 126, the container created; run -d prints its ID first', async () => {
  const dir = await d.cli(['run', '-d', '--name', 'isdir', 'host', '/etc']);
  assert.equal(dir.code, 126);
  assert.match(dir.stdout, /^[0-9a-f]{64}\n$/);
  assert.equal(dir.stderr, 'nscope: exec: /etc: Permission denied\n');
  assert.equal(await ok('inspect', '-f', '{{.State.Status}} {{.State.ExitCode}}', 'isdir'), 'created 126\n');
  const noX = await d.cli(['run', '--name', 'nox', 'host', '/etc/hostname']);
  assert.equal(noX.code, 126);
  assert.equal(await ok('inspect', '-f', '{{.State.Status}} {{.State.ExitCode}}', 'nox'), 'created 126\n');
  await ok('rm', 'isdir', 'nox');
});

test('--rm with a program not found: exit 127 and nothing left, attached or -d; create --rm keeps it until its start fails', async () => {
  assert.equal((await d.cli(['run', '--rm', '--name', 'gone', 'host', 'nosuch'])).code, 127);
  assert.equal((await d.cli(['run', '-d', '--rm', '--name', 'gone2', 'host', 'nosuch'])).code, 127);
  assert.deepEqual(await names(), []);
  await ok('create', '--rm', '--name', 'rmc', 'host', 'nosuch');
  assert.equal(await ok('ps', '-a', '--format', '{{.Names}} {{.Status}}'), 'rmc Created\n');
  assert.equal((await d.cli(['start', 'rmc'])).code, 1);
  assert.deepEqual(await names(), []);
});

test('a restarting container: listed by ps without -a, status=restarting, inspect "restarting" and Running; prune leaves it', async () => {
  await ok('run', '-d', '--name', 'loop', '--restart', 'always', 'host', 'sh', '-c', 'exit 2');
  // its back-off doubles from 100 ms: after five restarts it waits 3.2 s, long enough to look at it restarting
  await waitFor(async () => {
    const [count, restarting] = (await ok('inspect', '-f', '{{.RestartCount}} {{.State.Restarting}}', 'loop')).trim().split(' ');
    return Number(count) >= 5 && restarting === 'true';
  }, 30000, 'a fifth restart pending');
  assert.equal(await ok('inspect', '-f', '{{.State.Status}} {{.State.Running}} {{.State.Pid}}', 'loop'), 'restarting true 0\n');
  assert.match(await ok('ps', '--format', '{{.Names}} {{.State}} {{.Status}}'), /^loop restarting Restarting \(2\) .* ago\n$/);
  assert.equal(await ok('ps', '-a', '--filter', 'status=restarting', '--format', '{{.Names}}'), 'loop\n');
  assert.equal(await ok('ps', '-a', '--filter', 'status=exited', '--format', '{{.Names}}'), '');
  const prune = await d.cli(['container', 'prune', '-f']);
  assert.equal(prune.code, 0);
  assert.equal(prune.stderr, '');
  assert.equal(prune.stdout, 'Total reclaimed space: 0B\n');
  await ok('rm', '-f', 'loop');
});

test('names with Docker\'s leading "/": --name /x, a reference /x, rename to /y', async () => {
  await ok('run', '-d', '--name', '/slashed', 'host', 'sleep', '60');
  assert.equal(await ok('inspect', '-f', '{{.Name}}', '/slashed'), '/slashed\n');
  await ok('rename', '/slashed', '/renamed');
  assert.deepEqual(await names(), ['renamed']);
  await ok('stop', '-t', '0', '/renamed');
  await ok('rm', '/renamed');
  const bad = await d.cli(['create', '--name', '/bad name', 'host', 'sh']);
  assert.equal(bad.code, 1);
  assert.deepEqual(await names(), []);
});

test('a limit of the wrong form is the flag parser\'s refusal: 125 from create and update, nothing made or changed', async () => {
  const c = await d.cli(['create', '--name', 'badmem', '--memory', 'abc', 'host', 'sh']);
  assert.equal(c.code, 125);
  assert.equal(c.stderr, 'nscope: invalid argument "abc" for "-m, --memory" flag: invalid size: \'abc\' (a number with an optional unit b, k, m, g or t, e.g. 64m)\n');
  assert.deepEqual(await names(), []);
  await ok('run', '-d', '--name', 'lim', '--memory', '64m', 'host', 'sleep', '60');
  for (const [flag, value] of [['--cpus', 'x'], ['--pids-limit', 'abc'], ['--memory', '12q'], ['--cpu-shares', '1.5'], ['--memory-swap', 'lots']]) {
    const r = await d.cli(['update', flag, value, 'lim']);
    assert.equal(r.code, 125, `${flag} ${value}: ${r.stderr}`);
    assert.match(r.stderr, new RegExp(`^nscope: invalid argument "${value}" for "(-\\w, )?${flag}" flag: `));
  }
  assert.equal(await ok('inspect', '-f', '{{.HostConfig.Memory}}', 'lim'), `${64 * 1024 * 1024}\n`);
  // a value of the right form out of range stays the helper's refusal (exit 1), as Docker's daemon's
  assert.equal((await d.cli(['update', '--memory', '1k', 'lim'])).code, 1);
  // memory-swap's -1 is a value, not a bad size
  await ok('update', '--memory', '64m', '--memory-swap', '-1', 'lim');
  await ok('rm', '-f', 'lim');
});

test('ps STATUS after an OOM kill is Docker\'s "Exited (137) … ago"; OOMKilled is inspect\'s', async () => {
  const r = await d.cli(['run', '--name', 'oom', '-m', '8m', '--memory-swap', '8m', 'host', 'sh', '-c', 'x=a; while :; do x="$x$x"; done']);
  assert.equal(r.code, 137);
  assert.equal(await ok('inspect', '-f', '{{.State.OOMKilled}} {{.State.ExitCode}}', 'oom'), 'true 137\n');
  assert.match(await ok('ps', '-a', '--filter', 'name=^oom$', '--format', '{{.Status}}'), /^Exited \(137\) (Less than a second|\d+ seconds?) ago\n$/);
  await ok('rm', 'oom');
});

test('exec -d whose program cannot start exits 1 (Docker\'s plain error); logs --tail -1 is every line', async () => {
  await ok('run', '-d', '--name', 'ex', 'host', 'sh', '-c', 'echo one; echo two; sleep 60');
  await waitFor(async () => (await ok('logs', 'ex')) === 'one\ntwo\n', 5000, 'its output');
  const r = await d.cli(['exec', '-d', 'ex', 'nosuch']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /executable file not found/);
  assert.equal(await ok('logs', '--tail', '-1', 'ex'), 'one\ntwo\n');
  assert.equal(await ok('logs', '--tail', '1', 'ex'), 'two\n');
  await ok('rm', '-f', 'ex');
});
