// --restart against a real helper: the daemon starts a container again when
// its policy says so, not after the user stopped or killed it; `always`
// containers come back when the daemon starts again. States are waited for,
// never timed.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { after, before, test } from 'node:test';
import { waitFor } from '../helpers/containers';
import { startWithImage, type TestDaemon } from '../helpers/daemon';

let d: TestDaemon;
before(async () => { d = await startWithImage('restartpol'); });
after(async () => { assert.deepEqual(await d.cleanup(), []); });

interface Inspected { status: string; restartCount: number; restartPolicy: string; restarting?: boolean; pid?: number; exitCode?: number }
async function inspect(ref: string): Promise<Inspected> {
  const r = await d.cli(['inspect', ref]);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout)[0].Nscope;
}
async function runs(ref: string): Promise<number> {
  return ((await d.cli(['logs', ref])).stdout.match(/^run$/gm) ?? []).length;
}

test('on-failure:2: a container that exits 1 is started again exactly twice', async () => {
  const id = (await d.cli(['run', '-d', '--restart', 'on-failure:2', 'host', 'sh', '-c', 'echo run; exit 1'])).stdout.trim();
  assert.match(id, /^[0-9a-f]{64}$/);
  await waitFor(async () => { const i = await inspect(id); return i.restartCount === 2 && i.status === 'exited' && !i.restarting; }, 20000, 'two restarts');
  const i = await inspect(id);
  assert.equal(i.restartPolicy, 'on-failure:2');
  assert.equal(i.exitCode, 1);
  assert.equal(await runs(id), 3);
  // Docker's document says the same, for scripts written against docker inspect
  const docker = await d.cli(['inspect', '-f', '{{.HostConfig.RestartPolicy.Name}} {{.HostConfig.RestartPolicy.MaximumRetryCount}} {{.RestartCount}} {{.State.Restarting}}', id]);
  assert.equal(docker.stdout, 'on-failure 2 2 false\n', docker.stderr);
  // nothing more is coming: a removal without force would be refused while a restart waits
  assert.equal((await d.cli(['rm', id])).code, 0);
  // exit 0 is no failure
  const ok = (await d.cli(['run', '-d', '--restart', 'on-failure', 'host', 'sh', '-c', 'echo run; exit 0'])).stdout.trim();
  assert.equal((await d.cli(['wait', ok])).stdout.trim(), '0');
  await waitFor(async () => (await d.cli(['rm', ok])).code === 0, 10000, 'its removal');
});

test('always: an exit the user did not ask for is restarted; stop and kill are not; RestartCount in inspect', async () => {
  const id = (await d.cli(['run', '-d', '--restart', 'always', 'host', 'sh', '-c', 'echo run; exec sleep 600'])).stdout.trim();
  await waitFor(async () => (await runs(id)) === 1, 10000, 'the first run');
  // the program dies of something else than the user's stop: the policy starts it again
  process.kill((await inspect(id)).pid!, 'SIGKILL');
  await waitFor(async () => { const i = await inspect(id); return i.restartCount === 1 && i.status === 'running'; }, 20000, 'the restart');
  await waitFor(async () => (await runs(id)) === 2, 10000, 'the second run');
  assert.equal((await d.cli(['stop', '-t', '0', id])).code, 0);
  // a removal without force succeeds only if no restart waits (and refuses a running one)
  const ps = await d.cli(['ps', '-a', '--format', 'json']);
  assert.equal(JSON.parse(ps.stdout).find((c: { id: string }) => c.id === id).status, 'exited');
  // start by the user: RestartCount back to 0; then kill by the user is not restarted either
  assert.equal((await d.cli(['start', id])).code, 0);
  assert.equal((await inspect(id)).restartCount, 0);
  await waitFor(async () => (await runs(id)) === 3, 10000, 'the third run');
  assert.equal((await d.cli(['kill', id])).code, 0);
  assert.equal((await d.cli(['wait', id])).stdout.trim(), '137');
  await waitFor(async () => (await d.cli(['rm', id])).code === 0, 10000, 'its removal');
  assert.equal(await runs(id).catch(() => 0), 0);
});

test('--restart with --rm is refused as Docker does; bad policies name the problem; update --restart', async () => {
  for (const [args, msg] of [
    [['--restart', 'always', '--rm'], /conflicting options: cannot specify both --restart and --rm/],
    [['--restart', 'sometimes'], /invalid restart policy: unknown policy 'sometimes'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'/],
    [['--restart', 'on-failure:-1'], /maximum retry count cannot be negative/],
    [['--restart', 'always:3'], /maximum retry count can only be used with 'on-failure'/],
    [['--restart', 'on-failure:many'], /maximum retry count must be an integer/],
  ] as [string[], RegExp][]) {
    const r = await d.cli(['run', '-d', ...args, 'host', 'true']);
    assert.notEqual(r.code, 0, args.join(' '));
    assert.match(r.stderr, msg);
  }
  assert.deepEqual(JSON.parse((await d.cli(['ps', '-a', '--format', 'json'])).stdout), [], 'a refused --restart left no container');
  // --rm with --restart no is fine
  assert.equal((await d.cli(['run', '--rm', '--restart', 'no', 'host', 'true'])).code, 0);
  const id = (await d.cli(['create', 'host', 'sh', '-c', 'echo run; exit 2'])).stdout.trim();
  assert.equal((await inspect(id)).restartPolicy, 'no');
  assert.equal((await d.cli(['update', '--restart', 'on-failure:1', id])).code, 0);
  assert.equal((await inspect(id)).restartPolicy, 'on-failure:1');
  assert.equal((await d.cli(['start', id])).code, 0);
  await waitFor(async () => { const i = await inspect(id); return i.restartCount === 1 && i.status === 'exited' && !i.restarting; }, 20000, 'one restart');
  assert.equal(await runs(id), 2);
  const bad = await d.cli(['update', '--restart', 'never', id]);
  assert.match(bad.stderr, /invalid restart policy: unknown policy 'never'/);
  assert.equal((await d.cli(['rm', id])).code, 0);
  const rm = (await d.cli(['create', '--rm', 'host', 'true'])).stdout.trim();
  const u = await d.cli(['update', '--restart', 'always', rm]);
  assert.match(u.stderr, /Restart policy cannot be updated because AutoRemove is enabled for the container/);
  assert.equal((await d.cli(['rm', '-f', rm])).code, 0);
});

test('the daemon starts again: always containers come back (even stopped by the user), unless-stopped ones the user stopped do not', async () => {
  const always = (await d.cli(['run', '-d', '--name', 'alw', '--restart', 'always', 'host', 'sh', '-c', 'echo run; exec sleep 600'])).stdout.trim();
  const unless = (await d.cli(['run', '-d', '--name', 'uls', '--restart', 'unless-stopped', 'host', 'sh', '-c', 'echo run; exec sleep 600'])).stdout.trim();
  await waitFor(async () => (await runs(always)) === 1 && (await runs(unless)) === 1, 10000, 'the first runs');
  assert.equal((await d.cli(['stop', '-t', '0', always, unless])).code, 0);
  // and one that dies while the daemon is away is restarted when it comes back
  const died = (await d.cli(['run', '-d', '--name', 'died', '--restart', 'unless-stopped', 'host', 'sh', '-c', 'echo run; exec sleep 600'])).stdout.trim();
  await waitFor(async () => (await runs(died)) === 1, 10000, 'its first run');
  const diedPid = (await inspect(died)).pid!;
  d.proc!.kill('SIGTERM');
  await d.waitExit();
  process.kill(diedPid, 'SIGKILL');
  await waitFor(() => !fs.existsSync(`/proc/${diedPid}`), 10000, 'its end');
  await d.start();
  await waitFor(async () => (await inspect(always)).status === 'running', 20000, 'the always container back');
  await waitFor(async () => (await inspect(died)).status === 'running', 20000, 'the container that died meanwhile back');
  await waitFor(async () => (await runs(always)) === 2 && (await runs(died)) === 2, 10000, 'their second runs');
  const u = await inspect(unless);
  assert.equal(u.status, 'exited');
  assert.ok(!u.restarting);
  for (const id of [always, unless, died]) assert.equal((await d.cli(['rm', '-f', id])).code, 0);
});
