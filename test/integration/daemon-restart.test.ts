// The helper killed -9 and restarted: containers keep running and are found
// again; one that exited meanwhile shows its real exit code.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { waitFor } from '../helpers/containers';
import { cgroupFile, startWithImage, type TestDaemon } from '../helpers/daemon';

let d: TestDaemon;
before(async () => { d = await startWithImage('restart'); });
after(async () => { assert.deepEqual(await d.cleanup(), []); });

test('kill -9 the helper, restart it: running stays running, exited shows its code', async () => {
  let c = await d.client();
  const { id: longId } = await c.request('container.create', { image: 'host', name: 'long', cmd: ['sleep', '60'] });
  await c.request('container.start', { id: longId });
  const { id: shortId } = await c.request('container.create', { image: 'host', name: 'short', cmd: ['sh', '-c', 'sleep 1; echo bye; exit 7'] });
  await c.request('container.start', { id: shortId });
  const { id: createdId } = await c.request('container.create', { image: 'host', name: 'notyet', cmd: ['echo', 'started late'] });
  const pidBefore = (await c.request('container.inspect', { id: longId })).pid!;

  d.kill9();
  await d.waitExit();
  // the short one exits while no helper runs
  await new Promise((r) => setTimeout(r, 1500));
  assert.doesNotThrow(() => process.kill(pidBefore, 0), 'the container survived its helper');

  await d.start();
  c = await d.client();
  const list = await c.request('container.list', { all: true });
  const by = (n: string) => list.find((x) => x.name === n)!;
  assert.equal(by('long').status, 'running');
  assert.equal(by('long').pid, pidBefore);
  assert.equal(by('notyet').status, 'created');
  await waitFor(async () => (await c.request('container.inspect', { id: shortId })).status === 'exited', 5000, 'short exited');
  const s = await c.request('container.inspect', { id: shortId });
  assert.equal(s.exitCode, 7);
  assert.deepEqual((await c.request('container.logs', { id: shortId })).map((l) => l.log), ['bye\n']);

  // the recovered containers are still fully managed
  await c.request('container.start', { id: createdId });
  assert.equal((await c.request('container.wait', { id: createdId })).exitCode, 0);
  const waited = c.request('container.wait', { id: longId });
  await c.request('container.stop', { id: longId, timeout: 1 });
  assert.equal((await waited).exitCode, 137);
});

test('a helper killed while a commit held a container frozen: the next one thaws it', async () => {
  let c = await d.client();
  const { id } = await c.request('container.create', { image: 'host', name: 'frozen', cmd: ['sleep', '60'] });
  await c.request('container.start', { id });
  const info = await c.request('container.inspect', { id });
  const freezer = cgroupFile(d.cgroupParent, id, 'freezer', 'freezer.state');
  const v2 = !fs.existsSync(freezer);
  const file = v2 ? cgroupFile(d.cgroupParent, id, '', 'cgroup.freeze') : freezer;
  // what the commit does before reading the rw layer (commit-freeze.ts): the marker, then the freeze
  fs.writeFileSync(path.join(path.dirname(info.rootfs.init), 'frozen-for-commit'), '');
  fs.writeFileSync(file, v2 ? '1' : 'FROZEN');
  d.kill9();
  await d.waitExit();
  await d.start();
  c = await d.client();
  await waitFor(() => /^(THAWED|0)$/.test(fs.readFileSync(file, 'utf8').trim()), 5000, 'the container thawed');
  assert.ok(!fs.existsSync(path.join(path.dirname(info.rootfs.init), 'frozen-for-commit')));
  await c.request('container.remove', { id, force: true });
});

test('a helper killed half-way through removing an --rm container (its run dir gone, its dir not yet): the next one starts and drops it', async () => {
  // what a SIGKILL between the two removals leaves: the state dir alone, no state.json, no run dir
  const id = 'f'.repeat(64);
  const half = path.join(d.root, 'containers', id);
  fs.mkdirSync(path.join(half, 'rw'), { recursive: true });
  // and one whose state.json is not JSON: reported, skipped, the others still recovered
  const broken = path.join(d.root, 'containers', 'e'.repeat(64));
  fs.mkdirSync(broken, { recursive: true });
  fs.writeFileSync(path.join(broken, 'state.json'), '{"id": ');
  const c0 = await d.client();
  const { id: keep } = await c0.request('container.create', { image: 'host', name: 'kept', cmd: ['sleep', '60'] });
  await c0.request('container.start', { id: keep });
  d.kill9();
  await d.waitExit();
  await d.start();
  const c = await d.client();
  await waitFor(() => !fs.existsSync(half), 5000, 'the half-removed container dropped');
  assert.equal((await c.request('container.inspect', { id: keep })).status, 'running');
  await c.request('container.remove', { id: keep, force: true });
  fs.rmSync(broken, { recursive: true, force: true });
});
