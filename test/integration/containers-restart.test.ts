// An exited container starts again, as in Docker: the same rw layer, config
// and log, a new init in a cgroup made again with the current limits.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { after, before, test } from 'node:test';
import { runToExit, waitFor } from '../helpers/containers';
import { cgroupDirs, cgroupFile, startWithImage, type TestDaemon } from '../helpers/daemon';

let d: TestDaemon;
before(async () => { d = await startWithImage('restart'); });
after(async () => { assert.deepEqual(await d.cleanup(), []); });

test('start on an exited container runs it again on the same rw layer, log appended', async () => {
  const c = await d.client();
  const r = await runToExit(c, { image: 'host', memory: '64m', cmd: ['sh', '-c', 'echo run >> /runs; wc -l < /runs; exit 3'] });
  assert.equal(r.exitCode, 3);
  assert.equal(r.stdout.trim(), '1');
  await c.request('container.update', { id: r.id, memory: '48m' });
  const waited = c.request('container.wait', { id: r.id });
  // wait on an exited container answers at once with the old status: wait for the new run's
  await waited;
  await c.request('container.start', { id: r.id });
  const running = await c.request('container.inspect', { id: r.id });
  assert.ok(['running', 'exited'].includes(running.status));
  const exit = await c.request('container.wait', { id: r.id });
  assert.equal(exit.exitCode, 3);
  const logs = (await c.request('container.logs', { id: r.id })).map((l) => l.log.trim());
  assert.deepEqual(logs, ['1', '2'], 'the second run saw the first run\'s file, its output appended to the log');
  await c.request('container.remove', { id: r.id });
});

test('a restarted container gets its cgroup back with the limits it has now', async () => {
  const c = await d.client();
  const { id } = await c.request('container.create', { image: 'host', memory: '64m', cmd: ['sleep', '60'] });
  await c.request('container.start', { id });
  await c.request('container.update', { id, memory: '48m' });
  await c.request('container.stop', { id, timeout: 0 });
  await waitFor(() => !fs.existsSync(cgroupFile(d.cgroupParent, id, 'memory', 'memory.limit_in_bytes')), 5000, 'the cgroup to go at the exit');
  await c.request('container.start', { id });
  const info = await c.request('container.inspect', { id });
  assert.equal(info.status, 'running');
  assert.equal(fs.readFileSync(cgroupFile(d.cgroupParent, id, 'memory', 'memory.limit_in_bytes'), 'utf8').trim(), String(48 << 20));
  const top = await c.request('container.top', { id });
  assert.ok(top.some((p) => p.command.startsWith('sleep')), 'the new init runs');
  // the CLI's restart: stop + start, a new init pid
  const res = await d.cli(['restart', '-t', '0', id]);
  assert.equal(res.code, 0, res.stderr);
  const after = await c.request('container.inspect', { id });
  assert.equal(after.status, 'running');
  assert.notEqual(after.pid, info.pid);
  await c.request('container.remove', { id, force: true });
  assert.deepEqual(cgroupDirs(d.cgroupParent).filter((x) => x.includes(id)), []);
});

test('after the helper stops with no container running, its tmpfs goes; a new helper rebuilds what a stopped container needs', async () => {
  let c = await d.client();
  const r = await runToExit(c, { image: 'host', hostname: 'kept', cmd: ['sh', '-c', 'echo data > /data; hostname'] });
  assert.equal(r.stdout.trim(), 'kept');
  const run = `${d.root}/run`;
  assert.ok(fs.readFileSync('/proc/self/mountinfo', 'utf8').includes(` ${run} `), 'the runtime tmpfs is mounted');
  d.proc!.kill('SIGTERM');
  await d.waitExit();
  assert.ok(!fs.readFileSync('/proc/self/mountinfo', 'utf8').includes(` ${run} `), 'unmounted with no container running');
  await d.start();
  c = await d.client();
  const info = await c.request('container.inspect', { id: r.id });
  assert.equal(fs.readFileSync(`${info.rootfs.init}/etc/hostname`, 'utf8'), 'kept\n');
  const diff = await c.request('container.diff', { id: r.id });
  assert.ok(diff.changes.some((ch) => ch.path === '/data'));
  await c.request('container.start', { id: r.id });
  assert.equal((await c.request('container.wait', { id: r.id })).exitCode, 0);
  const logs = (await c.request('container.logs', { id: r.id })).map((l) => l.log.trim());
  assert.deepEqual(logs, ['kept', 'kept']);
  await c.request('container.remove', { id: r.id });
});
