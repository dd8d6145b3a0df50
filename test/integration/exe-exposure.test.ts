// CVE-2019-5736's pattern: a process in the container that still runs the
// host's nscope-shim (a created container's init waiting for `start`, an exec
// child before its execve) must not let the container open /proc/PID/exe.
// Both are made non-dumpable until execve; here a created init is visible
// from a running container that shares its PID namespace.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { after, before, test } from 'node:test';
import { startWithImage, type TestDaemon } from '../helpers/daemon';

let d: TestDaemon;
before(async () => { d = await startWithImage('exe'); });
after(async () => { assert.deepEqual(await d.cleanup(), []); });

test('a created container\'s init (still nscope-shim) cannot be opened through /proc/PID/exe; the running program can', async () => {
  const c = await d.client();
  const a = await c.request('container.create', { image: 'host', cmd: ['sleep', '300'] });
  await c.request('container.start', { id: a.id });
  const b = await c.request('container.create', { image: 'host', cmd: ['true'], pid: `container:${a.id}` });
  const hostPid = (await c.request('container.inspect', { id: b.id })).pid!;
  // its pid as seen in a's PID namespace: the last NSpid field
  const nsPid = fs.readFileSync(`/proc/${hostPid}/status`, 'utf8').match(/^NSpid:\s+(.*)$/m)![1].trim().split(/\s+/).pop();
  assert.match(fs.readlinkSync(`/proc/${hostPid}/exe`), /nscope-shim/);
  const r = await d.cli(['exec', a.id, 'sh', '-c', `cat /proc/${nsPid}/exe >/dev/null && echo SHIM-OPENED; cat /proc/1/exe >/dev/null && echo SLEEP-OPENED; grep Dumpable /proc/${nsPid}/status; echo end`]);
  assert.doesNotMatch(r.stdout, /SHIM-OPENED/);
  assert.match(r.stderr, /Permission denied/);
  assert.match(r.stdout, /SLEEP-OPENED/); // the control: an ordinary process of the container is dumpable
  await c.request('container.remove', { id: b.id, force: true });
  await c.request('container.remove', { id: a.id, force: true });
});
