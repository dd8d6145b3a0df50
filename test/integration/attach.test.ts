// run -it: a container whose init has a console in its own /dev/pts,
// attached through the helper like `docker run -it`.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { HelperClient } from '../../helper/protocol/client';
import { openStream } from '../../helper/protocol/client';
import { deframe } from '../../helper/cli/exec';
import { waitFor } from '../helpers/containers';
import { startWithImage, type TestDaemon } from '../helpers/daemon';

let d: TestDaemon;
before(async () => { d = await startWithImage('attach'); });
after(async () => { assert.deepEqual(await d.cleanup(), []); });

/** A console container (`sh` on a tty) created with `size`, attached and started; `out()` is what it printed since the last `clear()`. */
async function consoleShell(c: HelperClient, size: { rows: number; cols: number }) {
  const { id } = await c.request('container.create', { image: 'host', tty: true, interactive: true, ...size, cmd: ['sh'] });
  const sock = await openStream(d.socket, { kind: 'attach', id });
  let text = '';
  sock.on('data', (b: Buffer) => { text += b.toString('utf8'); });
  sock.resume();
  const waited = c.request('container.wait', { id });
  await c.request('container.start', { id });
  return { id, sock, waited, out: () => text, clear: () => { text = ''; } };
}

test('a console: the shell is PID 1 on a pty, resize and exit code', async () => {
  const c = await d.client();
  const { id, sock, waited, out } = await consoleShell(c, { rows: 20, cols: 70 });
  sock.write('echo pid=$$; tty; stty size\n');
  await waitFor(() => /20 70/.test(out()), 10000, `stty size in ${JSON.stringify(out())}`);
  assert.match(out(), /pid=1/);
  assert.match(out(), /\/dev\/pts\/0/);
  await c.request('container.resize', { id, rows: 40, cols: 90 });
  sock.write('stty size\n');
  await waitFor(() => /40 90/.test(out()), 10000, 'resized');
  sock.write('exit 5\n');
  assert.equal((await waited).exitCode, 5);
  // the console's output is in the log too
  const logs = await c.request('container.logs', { id });
  assert.ok(logs.map((l) => l.log).join('').includes('pid=1'));
  await c.request('container.remove', { id });
});

test('a console asked with a 0x0 size gets the default 24x80; a 0x0 resize is ignored, a negative one refused', async () => {
  const c = await d.client();
  await assert.rejects(c.request('container.create', { image: 'host', tty: true, rows: -1, cols: 80, cmd: ['sh'] }), /create: rows -1 is out of range \(1-10000, or 0 for no size\)/);
  const { id, sock, waited, out, clear } = await consoleShell(c, { rows: 0, cols: 0 });
  sock.write('stty size\n');
  await waitFor(() => /24 80/.test(out()), 10000, `stty size in ${JSON.stringify(out())}`);
  await c.request('container.resize', { id, rows: 0, cols: 0 });
  await assert.rejects(c.request('container.resize', { id, rows: 30, cols: -80 }), /resize: cols -80 is out of range/);
  clear();
  sock.write('stty size\n');
  await waitFor(() => /24 80/.test(out()), 10000, `stty size after a 0x0 resize in ${JSON.stringify(out())}`);
  sock.write('exit 0\n');
  assert.equal((await waited).exitCode, 0);
  await c.request('container.remove', { id });
});

test('-i without a tty: stdin through the attach stream, framed output', async () => {
  const c = await d.client();
  const { id } = await c.request('container.create', { image: 'host', interactive: true, cmd: ['sh', '-c', 'cat; echo done >&2'] });
  const sock = await openStream(d.socket, { kind: 'attach', id });
  let stdout = '';
  let stderr = '';
  sock.on('data', deframe((s, b) => { if (s === 2) stderr += b; else stdout += b; }));
  sock.resume();
  const waited = c.request('container.wait', { id });
  await c.request('container.start', { id });
  sock.write('through stdin\n');
  sock.end();
  assert.equal((await waited).exitCode, 0);
  await waitFor(() => stderr === 'done\n', 5000, 'stderr');
  assert.equal(stdout, 'through stdin\n');
  await c.request('container.remove', { id });
  await assert.rejects(c.request('container.create', { image: 'host', cmd: ['true'] }).then(({ id: x }) => openStream(d.socket, { kind: 'attach', id: x })), /neither a tty nor an open stdin/);
});
