// Default confinement like runc's default spec; --privileged lifts it.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { runToExit } from '../helpers/containers';
import { startWithImage, type TestDaemon } from '../helpers/daemon';

let d: TestDaemon;
before(async () => { d = await startWithImage('sec'); });
after(async () => { assert.deepEqual(await d.cleanup(), []); });

const status = (text: string, key: string) => text.match(new RegExp(`^${key}:\\s*(\\S+)`, 'm'))?.[1];

test('default: Docker\'s 14 capabilities and no_new_privs', async () => {
  const r = await runToExit(await d.client(), { image: 'host', cmd: ['cat', '/proc/self/status'] });
  assert.equal(status(r.stdout, 'CapBnd'), '00000000a80425fb');
  assert.equal(status(r.stdout, 'CapEff'), '00000000a80425fb');
  assert.equal(status(r.stdout, 'NoNewPrivs'), '1');
});

test('default: masked and read-only paths', async () => {
  const r = await runToExit(await d.client(), { image: 'host', cmd: ['sh', '-c', 'cat /proc/kcore | wc -c; ls /sys/firmware | wc -l; echo 1 > /proc/sys/kernel/ns_last_pid && echo WROTE; echo x > /proc/sysrq-trigger && echo WROTE2; echo done'] });
  assert.doesNotMatch(r.stdout, /WROTE/);
  assert.match(r.stdout, /done/);
  assert.match(r.stderr, /Read-only file system/);
});

test('--privileged: all capabilities, no masks', async () => {
  const r = await runToExit(await d.client(), { image: 'host', privileged: true, cmd: ['cat', '/proc/self/status'] });
  assert.notEqual(status(r.stdout, 'CapEff'), '00000000a80425fb');
  assert.equal(status(r.stdout, 'NoNewPrivs'), '0');
});

test('--user: uid/gid from the image\'s passwd, numeric ids too', async () => {
  const c = await d.client();
  const r = await runToExit(c, { image: 'host', user: 'nobody', cmd: ['id'] });
  assert.match(r.stdout, /uid=65534/);
  const r2 = await runToExit(c, { image: 'host', user: '1234:4321', cmd: ['id', '-u'] });
  assert.equal(r2.stdout.trim(), '1234');
  await assert.rejects(c.request('container.create', { image: 'host', user: 'nosuchuser', cmd: ['id'] }), /unable to find user nosuchuser/);
});

test('rlimits that cannot be raised do not make a container fail', async () => {
  const r = await runToExit(await d.client(), { image: 'host', cmd: ['sh', '-c', 'ulimit -n'] });
  assert.equal(r.exitCode, 0, r.stderr);
  assert.equal(r.stdout.trim(), '1024');
});

test('a missing program is a clear error at start, like Docker; the container stays created with exit code 127', async () => {
  const c = await d.client();
  const { id } = await c.request('container.create', { image: 'host', cmd: ['nosuchprog'] });
  await assert.rejects(c.request('container.start', { id }), /exec: "nosuchprog": executable file not found in \$PATH/);
  const got = await c.request('container.inspect', { id });
  assert.equal(got.status, 'created');
  assert.equal(got.exitCode, 127);
  assert.match(got.error ?? '', /executable file not found/);
  await c.request('container.remove', { id });
});

test('devices cgroup: a node made with CAP_MKNOD cannot be opened', async () => {
  const r = await runToExit(await d.client(), { image: 'host', cmd: ['sh', '-c', 'mknod /tmp/disk b 8 0 && echo made; cat /tmp/disk > /dev/null && echo READ; echo ok > /dev/null && echo null-ok'] });
  assert.match(r.stdout, /made/);
  assert.doesNotMatch(r.stdout, /READ/);
  assert.match(r.stdout, /null-ok/);
  assert.match(r.stderr, /Operation not permitted/);
});
