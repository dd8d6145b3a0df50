// The embedded default image needs no set-up: `run host ...` builds it on first use.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { TestDaemon } from '../helpers/daemon';

let d: TestDaemon;
before(async () => { d = new TestDaemon('default'); await d.start(); });
after(async () => { assert.deepEqual(await d.cleanup(), []); });

test('run host builds the host image when it is missing', async () => {
  const r = await d.cli(['run', '--rm', 'host', 'sh', '-c', 'ls /bin/ls && echo ok']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /ok/);
  const imgs = JSON.parse((await d.cli(['images', '--format', 'json'])).stdout);
  assert.deepEqual(imgs.map((i: { name: string }) => i.name), ['host:latest']);
  const other = await d.cli(['run', '--rm', 'nothere', 'true']);
  assert.notEqual(other.code, 0);
  assert.match(other.stderr, /nothere/);
});
