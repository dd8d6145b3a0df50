// Container health checks (Docker's HEALTHCHECK and --health-*) against a
// real helper: the probe runs in the container, its state seen by ps,
// inspect and events; a hanging probe killed at its timeout; an image's
// check and --no-healthcheck over it; bad values refused; no probe once
// the container has stopped.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { after, before, test } from 'node:test';
import { waitFor } from '../helpers/containers';
import { assertRefused } from '../helpers/refused';
import { REPO, startWithImage, type TestDaemon } from '../helpers/daemon';

let d: TestDaemon;
before(async () => { d = await startWithImage('health'); });
after(async () => { assert.deepEqual(await d.cleanup(), []); });

interface Health { Status: string; FailingStreak: number; Log: { Start: string; End: string; ExitCode: number; Output: string }[] }

async function inspect(id: string) { return JSON.parse((await d.cli(['inspect', id])).stdout)[0]; }
async function health(id: string): Promise<Health | undefined> { return (await inspect(id)).State.Health; }
async function psStatus(id: string, filter?: string): Promise<string> {
  return (await d.cli(['ps', '--filter', `id=${id}`, ...(filter ? ['--filter', filter] : []), '--format', '{{.Status}}'])).stdout.trim();
}
async function run(...args: string[]): Promise<string> {
  const r = await d.cli(['run', '-d', ...args]);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.trim();
}
/** The helper's exec shims (probes run as execs) alive now. */
function execShims(): number[] {
  const out: number[] = [];
  for (const pid of fs.readdirSync('/proc').filter((x) => /^\d+$/.test(x))) {
    try {
      const st = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const ppid = Number(st.slice(st.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === d.proc!.pid && /\0exec\0/.test(fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8'))) out.push(Number(pid));
    } catch { /* gone */ }
  }
  return out;
}

test('--health-cmd: starting, then unhealthy (ps, inspect, events, the filter), healthy once the check passes; no probe after the stop', async () => {
  const events = spawn(process.execPath, [path.join(REPO, 'bin', 'nscope'), '--socket', d.socket, 'events', '--filter', 'type=container', '--format', '{{.Action}} {{.Actor.Attributes.name}}'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let seen = '';
  events.stdout.on('data', (b: Buffer) => { seen += b.toString(); });
  try {
    // subscribed once a container's events come through
    await waitFor(async () => { await d.cli(['rm', (await d.cli(['create', 'host', 'true'])).stdout.trim()]); return seen.includes('destroy'); }, 20000, 'events to flow');
    const id = await run('--name', 'hc1', '--health-cmd', 'test -f /tmp/ok', '--health-interval', '300ms', '--health-retries', '2', 'host', 'sleep', '60');
    assert.match(await psStatus(id), /^Up .* \(health: starting\)$/);
    assert.equal(await psStatus(id, 'health=starting') !== '', true);
    const cfg = (await inspect(id)).Config.Healthcheck;
    assert.deepEqual(cfg, { Test: ['CMD-SHELL', 'test -f /tmp/ok'], Interval: 300e6, Retries: 2 });
    await waitFor(async () => (await health(id))?.Status === 'unhealthy', 10000, 'unhealthy');
    const h = (await health(id))!;
    assert.ok(h.FailingStreak >= 2, JSON.stringify(h));
    assert.ok(h.Log.length >= 2 && h.Log.every((x) => x.ExitCode === 1 && Date.parse(x.End) >= Date.parse(x.Start)), JSON.stringify(h.Log));
    assert.match(await psStatus(id), /^Up .* \(unhealthy\)$/);
    assert.notEqual(await psStatus(id, 'health=unhealthy'), '');
    assert.equal(await psStatus(id, 'health=healthy'), '');
    assert.equal((await d.cli(['exec', id, 'touch', '/tmp/ok'])).code, 0);
    await waitFor(async () => (await health(id))?.Status === 'healthy', 10000, 'healthy');
    const ok = (await health(id))!;
    assert.equal(ok.FailingStreak, 0);
    assert.equal(ok.Log[ok.Log.length - 1].ExitCode, 0);
    assert.ok(ok.Log.length <= 5);
    assert.match(await psStatus(id), /^Up .* \(healthy\)$/);
    await waitFor(() => /health_status: unhealthy hc1\n[\s\S]*health_status: healthy hc1\n/.test(seen), 5000, `events (${seen})`);
    // the summary carries it (the extension's row shows it)
    const row = JSON.parse((await d.cli(['ps', '--format', 'json'])).stdout).find((x: { id: string }) => x.id === id);
    assert.equal(row.health, 'healthy');
    // stopped: its monitor is gone, no probe runs any more
    assert.equal((await d.cli(['stop', '-t', '0', id])).code, 0);
    const n = (await health(id))!.Log.length;
    const last = (await health(id))!.Log.at(-1)!.Start;
    await new Promise((res) => setTimeout(res, 1200));
    assert.deepEqual(execShims(), []);
    const after = (await health(id))!;
    assert.equal(after.Log.length, n);
    assert.equal(after.Log.at(-1)!.Start, last);
    assert.match(await psStatus(id, 'status=exited'), /^Exited \(/);
    assert.ok((await d.cli(['ps', '-a', '-q', '--no-trunc', '--filter', 'health=none'])).stdout.split('\n').includes(id));
    assert.equal((await d.cli(['rm', id])).code, 0);
  } finally {
    events.kill();
  }
});

test('a probe that hangs is killed at its timeout and counts as a failure', async () => {
  const id = await run('--health-cmd', 'sleep 30', '--health-interval', '200ms', '--health-timeout', '300ms', '--health-retries', '1', 'host', 'sleep', '60');
  await waitFor(async () => (await health(id))?.Status === 'unhealthy', 10000, 'unhealthy');
  const p = (await health(id))!.Log[0];
  assert.equal(p.ExitCode, -1);
  assert.equal(p.Output, 'Health check exceeded timeout (300ms)');
  const took = Date.parse(p.End) - Date.parse(p.Start);
  assert.ok(took >= 250 && took < 3000, `took ${took}ms`);
  // its probes are the helper's exec shims (what the check after rm looks for)
  await waitFor(() => execShims().length > 0, 5000, 'a probe running');
  assert.equal((await d.cli(['rm', '-f', id])).code, 0);
  await waitFor(() => execShims().length === 0, 5000, 'the probes\' shims to go');
});

test('the image\'s HEALTHCHECK runs unless --no-healthcheck; --health-* goes over it field by field', async () => {
  const base = await run('host', 'sleep', '60');
  const c = await d.cli(['commit', '--change', 'HEALTHCHECK --interval=200ms --retries=1 CMD ["sh", "-c", "echo probed; exit 3"]', base, 'hc:1']);
  assert.equal(c.code, 0, c.stderr);
  assert.equal((await d.cli(['rm', '-f', base])).code, 0);
  const id = await run('hc:1', 'sleep', '60');
  assert.deepEqual((await inspect(id)).Config.Healthcheck, { Test: ['CMD', 'sh', '-c', 'echo probed; exit 3'], Interval: 200e6, Retries: 1 });
  await waitFor(async () => (await health(id))?.Status === 'unhealthy', 10000, 'the image\'s check');
  assert.deepEqual((({ ExitCode, Output }) => ({ ExitCode, Output }))((await health(id))!.Log[0]), { ExitCode: 3, Output: 'probed\n' });
  const off = await run('--no-healthcheck', 'hc:1', 'sleep', '60');
  assert.deepEqual((await inspect(off)).Config.Healthcheck, { Test: ['NONE'], Interval: 200e6, Retries: 1 });
  const over = await run('--health-cmd', 'exit 0', 'hc:1', 'sleep', '60');
  await waitFor(async () => (await health(over))?.Status === 'healthy', 10000, 'the user\'s check');
  // none ran in the one without: no state, and ps shows no health
  assert.equal(await health(off), undefined);
  assert.match(await psStatus(off), /^Up [^(]*$/);
  assert.notEqual(await psStatus(off, 'health=none'), '');
  for (const x of [id, off, over]) assert.equal((await d.cli(['rm', '-f', x])).code, 0);
  assert.equal((await d.cli(['rmi', 'hc:1'])).code, 0);
});

test('a CMD-SHELL check runs in the image\'s SHELL, as Docker\'s does', async () => {
  const base = await run('host', 'sleep', '60');
  // a SHELL that says where it ran and fails: the check's own command (true) never runs
  const c = await d.cli(['commit', '--change', 'SHELL ["/bin/sh", "-c", "echo in-the-image-shell; exit 4; #"]', '--change', 'HEALTHCHECK --interval=200ms --retries=1 CMD true', base, 'hcsh:1']);
  assert.equal(c.code, 0, c.stderr);
  assert.equal((await d.cli(['rm', '-f', base])).code, 0);
  const id = await run('hcsh:1', 'sleep', '60');
  assert.deepEqual((await inspect(id)).Config.Healthcheck.Test, ['CMD-SHELL', 'true']);
  await waitFor(async () => (await health(id))?.Status === 'unhealthy', 10000, 'the check in the image\'s shell');
  assert.deepEqual((({ ExitCode, Output }) => ({ ExitCode, Output }))((await health(id))!.Log[0]), { ExitCode: 4, Output: 'in-the-image-shell\n' });
  assert.equal((await d.cli(['rm', '-f', id])).code, 0);
  assert.equal((await d.cli(['rmi', 'hcsh:1'])).code, 0);
});

test('bad --health-* values are refused with Docker\'s words and leave nothing', async () => {
  await assertRefused(d, ['run', '-d', '--health-cmd', 'true', '--health-interval', '-1s', 'host', 'sleep', '5'], /--health-interval cannot be negative/);
  await assertRefused(d, ['run', '-d', '--health-timeout', 'soon', 'host', 'sleep', '5'], /invalid argument "soon" for "--health-timeout" flag: time: invalid duration "soon"/);
  await assertRefused(d, ['create', '--health-retries', '-2', 'host', 'sleep', '5'], /--health-retries cannot be negative/);
  await assertRefused(d, ['create', '--health-start-period', '-5m', 'host', 'sleep', '5'], /--health-start-period cannot be negative/);
  await assertRefused(d, ['run', '-d', '--health-cmd', 'true', '--health-interval', '500us', 'host', 'sleep', '5'], /Interval in Healthcheck cannot be less than 1ms/);
  await assertRefused(d, ['run', '-d', '--health-timeout', '10ns', 'host', 'sleep', '5'], /Timeout in Healthcheck cannot be less than 1ms/);
  await assertRefused(d, ['run', '-d', '--no-healthcheck', '--health-cmd', 'true', 'host', 'sleep', '5'], /--no-healthcheck conflicts with --health-\* options/);
  // a caller that is not the CLI: the helper's own checks
  const c = await d.client();
  await assert.rejects(c.request('container.create', { image: 'host', cmd: ['true'], healthcheck: { test: ['CMD'], interval: -5 } as never }), /CMD needs a command|cannot be negative/);
  await assert.rejects(c.request('container.create', { image: 'host', cmd: ['true'], healthcheck: { retries: 'many' } as never }), /retries/);
});

test('a restarted helper checks the containers it finds running again', async () => {
  const id = await run('--health-cmd', 'test -f /tmp/ok', '--health-interval', '200ms', '--health-retries', '1', 'host', 'sleep', '60');
  await waitFor(async () => (await health(id))?.Status === 'unhealthy', 10000, 'unhealthy');
  d.kill9();
  await d.waitExit();
  await d.start();
  assert.equal((await d.cli(['exec', id, 'touch', '/tmp/ok'])).code, 0);
  await waitFor(async () => (await health(id))?.Status === 'healthy', 10000, 'healthy after the restart');
  assert.equal((await d.cli(['rm', '-f', id])).code, 0);
});

test('--health-start-interval: probes that often while starting within the start period, the interval once healthy', async () => {
  const id = await run('--health-cmd', 'test -e /ok', '--health-interval', '1h', '--health-start-period', '60s', '--health-start-interval', '200ms', 'host', 'sleep', '60');
  // failing while starting: more probes than the hour-long interval would give, the status still starting
  await waitFor(async () => ((await health(id))?.Log.length ?? 0) >= 3, 15000, 'probes at the start interval');
  assert.equal((await health(id))?.Status, 'starting');
  assert.equal((await d.cli(['exec', id, 'sh', '-c', ': > /ok'])).code, 0);
  await waitFor(async () => (await health(id))?.Status === 'healthy', 15000, 'healthy at the next start-interval probe');
  const probes = (await health(id))!.Log.length;
  await new Promise((r) => setTimeout(r, 1000));
  assert.equal((await health(id))!.Log.length, probes, 'healthy: the next probe is an interval (1h) away');
  assert.equal((await inspect(id)).Config.Healthcheck.StartInterval, 200e6);
  assert.equal((await d.cli(['rm', '-f', id])).code, 0);
  await assertRefused(d, ['create', '--health-start-interval', '-1s', 'host', 'sleep', '5'], /--health-start-interval cannot be negative/);
});
