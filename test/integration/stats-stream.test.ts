// stream.open kind "stats": a line a second for a running container, that
// follows its memory as it allocates, and ends when it exits.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { openStream } from '../../helper/protocol/client';
import type { StatsLine } from '../../helper/protocol';
import { waitFor } from '../helpers/containers';
import { startWithImage, type TestDaemon } from '../helpers/daemon';

let d: TestDaemon;
before(async () => { d = await startWithImage('stats'); });
after(async () => { assert.deepEqual(await d.cleanup(), []); });

const MB = 1024 * 1024;

test('stats stream: a line a second, memory growing with a tmpfs file, the end with the container', async () => {
  const c = await d.client();
  // 30 MB into /dev/shm (a 64 MB tmpfs, charged to the container) under a 64 MB limit, then exit
  const { id } = await c.request('container.create', { image: 'host', memory: '64m', pidsLimit: 20, cmd: ['sh', '-c', 'sleep 2; dd if=/dev/zero of=/dev/shm/x bs=1M count=30 2>/dev/null; sleep 3'] });
  await c.request('container.start', { id });
  const sock = await openStream(d.socket, { kind: 'stats', id });
  const lines: StatsLine[] = [];
  let buf = '';
  let ended = false;
  sock.on('data', (b: Buffer) => {
    buf += b.toString('utf8');
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) { lines.push(JSON.parse(buf.slice(0, nl))); buf = buf.slice(nl + 1); }
  });
  sock.on('end', () => { ended = true; });
  sock.resume();
  await waitFor(() => ended, 15000, `the stream to end with the container (${lines.length} lines)`);
  assert.ok(lines.length >= 4, `${lines.length} lines`);
  assert.equal(lines[0].cpuPercent, null);
  for (let i = 1; i < lines.length; i++) {
    const gap = lines[i].time - lines[i - 1].time;
    assert.ok(gap > 700 && gap < 1600, `line ${i} ${gap} ms after the one before`);
    assert.equal(typeof lines[i].cpuPercent, 'number');
  }
  assert.equal(lines[0].memoryLimit, 64 * MB);
  assert.equal(lines[0].pidsLimit, 20);
  assert.ok(lines[0].pids >= 1);
  const peak = Math.max(...lines.map((l) => l.memoryUsage));
  assert.ok(peak - lines[0].memoryUsage > 25 * MB, `memory from ${lines[0].memoryUsage} to ${peak}`);
  for (const k of ['netRx', 'netTx', 'blockRead', 'blockWrite'] as const) assert.equal(typeof lines[0][k], 'number');
  await c.request('container.remove', { id });
});

test('stats stream: a stopped container is refused in the handshake; closing the client ends it', async () => {
  const c = await d.client();
  const { id } = await c.request('container.create', { image: 'host', cmd: ['sleep', '60'] });
  await assert.rejects(openStream(d.socket, { kind: 'stats', id }), /not running/);
  await c.request('container.start', { id });
  const sock = await openStream(d.socket, { kind: 'stats', id });
  let got = 0;
  sock.on('data', () => { got++; });
  sock.resume();
  await waitFor(() => got >= 2, 5000, 'two lines');
  sock.destroy();
  // the container runs on: only the stream was closed
  assert.equal((await c.request('container.inspect', { id })).status, 'running');
  await c.request('container.kill', { id });
  await c.request('container.remove', { id, force: true });
});
