// cgroup limits bite, and `update` changes them on a live container.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { after, before, test } from 'node:test';
import { runToExit, waitFor } from '../helpers/containers';
import { cgroupFile, startWithImage, type TestDaemon } from '../helpers/daemon';

let d: TestDaemon;
before(async () => { d = await startWithImage('limits'); });
after(async () => { assert.deepEqual(await d.cleanup(), []); });

test('--memory 32m: a process allocating beyond it is OOM-killed, exit 137, OOM recorded', async () => {
  const c = await d.client();
  const events: string[] = [];
  await c.onEvent((e) => events.push(e.type));
  // tail keeps the whole "line" of /dev/zero (no newline ever) in memory
  const r = await runToExit(c, { image: 'host', memory: '32m', cmd: ['tail', '/dev/zero'] });
  assert.equal(r.exitCode, 137);
  assert.equal(r.oomKilled, true);
  const info = await c.request('container.inspect', { id: r.id });
  assert.equal(info.oomKilled, true);
  await waitFor(() => events.includes('container.oom') && events.includes('container.exited'), 5000, 'oom + exited events');
});

test('--pids-limit 20 stops a fork loop', async () => {
  const c = await d.client();
  const r = await runToExit(c, { image: 'host', pidsLimit: 20, cmd: ['sh', '-c', 'i=0; while [ $i -lt 40 ]; do sleep 5 & i=$((i+1)); done; echo started'] });
  assert.match(r.stderr, /fork|Resource temporarily unavailable/i);
});

test('limits are in the cgroup files; update changes them live and emits an event', async () => {
  const c = await d.client();
  const events: { type: string; id: string }[] = [];
  await c.onEvent((e) => events.push(e));
  const { id } = await c.request('container.create', { image: 'host', memory: '64m', cpus: '0.5', pidsLimit: 50, cpusetCpus: '0', cmd: ['sleep', '60'] });
  await c.request('container.start', { id });
  const read = (ctl: string, f: string) => fs.readFileSync(cgroupFile(d.cgroupParent, id, ctl, f), 'utf8').trim();
  assert.equal(read('memory', 'memory.limit_in_bytes'), String(64 * 1024 * 1024));
  assert.equal(read('cpu', 'cpu.cfs_quota_us'), '50000');
  assert.equal(read('pids', 'pids.max'), '50');
  assert.equal(read('cpuset', 'cpuset.cpus'), '0');
  const r = await c.request('container.update', { id, memory: '128m', cpus: '1', pidsLimit: 30 });
  assert.equal(r.limits.memory, 128 * 1024 * 1024);
  assert.equal(read('memory', 'memory.limit_in_bytes'), String(128 * 1024 * 1024));
  assert.equal(read('cpu', 'cpu.cfs_quota_us'), '100000');
  assert.equal(read('pids', 'pids.max'), '30');
  await waitFor(() => events.some((e) => e.type === 'container.updated' && e.id === id), 5000, 'updated event');
  const stats = await c.request('container.stats', { id });
  assert.equal(stats.memoryLimit, 128 * 1024 * 1024);
  assert.ok(stats.pidsCurrent >= 1);
  assert.ok(stats.memoryUsage > 0);
  // bad input is refused, naming the flag, and changes nothing
  await assert.rejects(c.request('container.update', { id, memory: '12q' }), /--memory/);
  await assert.rejects(c.request('container.update', { id, cpus: '-3' }), /--cpus/);
  assert.equal(read('memory', 'memory.limit_in_bytes'), String(128 * 1024 * 1024));
  await c.request('container.remove', { id, force: true });
});

test('the CLI: nscope update --memory 64m --cpus 0.5 --pids-limit 50', async () => {
  const run = await d.cli(['run', '-d', 'host', 'sleep', '60']);
  assert.equal(run.code, 0, run.stderr);
  const id = run.stdout.trim();
  const up = await d.cli(['update', '--memory', '64m', '--cpus', '0.5', '--pids-limit', '50', id]);
  assert.equal(up.code, 0, up.stderr);
  assert.equal(fs.readFileSync(cgroupFile(d.cgroupParent, id, 'memory', 'memory.limit_in_bytes'), 'utf8').trim(), String(64 << 20));
  const bad = await d.cli(['update', '--memory', 'lots', id]);
  assert.notEqual(bad.code, 0);
  assert.equal(bad.stderr.trim().split('\n').length, 1);
  await d.cli(['rm', '-f', id]);
});

test('the CLI: run --cpu-period/--cpu-quota and update them: the kernel\'s quota over period, inspect\'s CpuPeriod/CpuQuota, Docker\'s refusals', async () => {
  /** "quota period" of the container's cgroup (v1's two files, or v2's cpu.max) */
  const cpuMax = (id: string): string => {
    const v2 = cgroupFile(d.cgroupParent, id, 'cpu', 'cpu.max');
    if (fs.existsSync(v2)) return fs.readFileSync(v2, 'utf8').trim();
    const q = fs.readFileSync(cgroupFile(d.cgroupParent, id, 'cpu', 'cpu.cfs_quota_us'), 'utf8').trim();
    return `${q === '-1' ? 'max' : q} ${fs.readFileSync(cgroupFile(d.cgroupParent, id, 'cpu', 'cpu.cfs_period_us'), 'utf8').trim()}`;
  };
  const run = await d.cli(['run', '-d', '--cpu-period', '50000', '--cpu-quota', '25000', 'host', 'sleep', '60']);
  assert.equal(run.code, 0, run.stderr);
  const id = run.stdout.trim();
  assert.equal(cpuMax(id), '25000 50000');
  const hc = JSON.parse((await d.cli(['inspect', id])).stdout)[0].HostConfig;
  assert.deepEqual([hc.CpuPeriod, hc.CpuQuota, hc.NanoCpus], [50000, 25000, 0]);
  assert.equal((await d.cli(['update', '--cpu-quota', '75000', id])).code, 0);
  assert.equal(cpuMax(id), '75000 50000', 'more than one CPU\'s worth of the period is a quota too');
  assert.equal((await d.cli(['update', '--cpus', '0.5', id])).code, 0);
  assert.equal(cpuMax(id), '50000 100000', '--cpus takes back its own period');
  for (const [args, re] of [
    [['--cpus', '1', '--cpu-quota', '50000'], /Conflicting options: --cpus and --cpu-period\/--cpu-quota/],
    [['--cpu-period', '500'], /--cpu-period: "500": CPU cfs period can not be less than 1ms/],
    [['--cpu-quota', '10'], /--cpu-quota: "10": CPU cfs quota can not be less than 1ms/],
  ] as [string[], RegExp][]) {
    const bad = await d.cli(['run', '--rm', ...args, 'host', 'true']);
    assert.notEqual(bad.code, 0, args.join(' '));
    assert.match(bad.stderr, re);
    assert.equal(bad.stderr.trim().split('\n').length, 1);
  }
  await d.cli(['rm', '-f', id]);
});
