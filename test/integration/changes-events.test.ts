// container.changed: a subscribed client hears that a running container's
// files changed (its rw layer, watched with inotify), also in directories made
// after the watch began, and only for that container; the watches exist only
// while someone is subscribed and go with the container. LayerWatch on its
// own: the directory cap, symlinks never followed, the debounce.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { NscopeEvent } from '../../helper/protocol';
import type { HelperClient } from '../../helper/protocol/client';
import { LayerWatch } from '../../helper/runtime/changes-watch';
import { waitFor } from '../helpers/containers';
import { startWithImage, type TestDaemon } from '../helpers/daemon';
import { ExecStream } from '../helpers/exec';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The inotify watches process `pid` holds, from its fds' fdinfo. */
function inotifyWatches(pid: number): number {
  let n = 0;
  for (const fd of fs.readdirSync(`/proc/${pid}/fd`)) {
    try {
      if (fs.readlinkSync(`/proc/${pid}/fd/${fd}`) !== 'anon_inode:inotify') continue;
      n += fs.readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8').split('\n').filter((l) => l.startsWith('inotify wd:')).length;
    } catch { /* closed meanwhile */ }
  }
  return n;
}

describe('container.changed events', () => {
  let d: TestDaemon;
  let c: HelperClient;
  let daemonPid: number;

  before(async () => {
    d = await startWithImage('changes-events');
    c = await d.client();
    daemonPid = (await c.request('system.info', {})).pid;
  });
  after(async () => { assert.deepEqual(await d.cleanup(), []); });

  const run = async (cmd: string[]) => {
    const { id } = await c.request('container.create', { image: 'host', cmd });
    await c.request('container.start', { id });
    return id;
  };
  const exec = async (id: string, script: string) => {
    const s = await ExecStream.open(d.socket, { id, cmd: ['sh', '-c', script] });
    await s.ended;
  };

  test('a write in a running container reaches a subscribed client; a new directory is watched; others stay quiet', async () => {
    const events: NscopeEvent[] = [];
    const sub = await d.client();
    await sub.onEvent((e) => events.push(e));
    const writer = await run(['sleep', '600']);
    const idle = await run(['sleep', '600']);
    const changed = (id: string) => events.filter((e) => e.type === 'container.changed' && e.id === id);
    // the watch starts a little after the start, off its path
    await waitFor(() => inotifyWatches(daemonPid) >= 2, 5000, 'both rw layers watched');

    const t0 = Date.now();
    await exec(writer, 'echo x > /new.txt');
    await waitFor(() => changed(writer).length > 0, 5000, 'container.changed for the writer');
    const ev = changed(writer)[0];
    assert.equal(ev.name, (await c.request('container.inspect', { id: writer })).name);
    assert.ok(!Number.isNaN(Date.parse(ev.time)));
    assert.ok(Date.now() - t0 < 3000, `the event came ${Date.now() - t0} ms after the write`);

    // a directory made after the watch began: a later write inside it is seen
    await exec(writer, 'mkdir -p /d1/d2');
    await waitFor(() => changed(writer).length > 1, 5000, 'container.changed for the mkdir');
    await sleep(1500); // past the debounce: whatever comes next is the nested write's
    const before = changed(writer).length;
    await exec(writer, 'echo y > /d1/d2/f');
    await waitFor(() => changed(writer).length > before, 5000, 'container.changed for a write two new directories down');

    // a copy-up of an image file deep in the tree (its directories appear in the rw layer then)
    const before2 = changed(writer).length;
    await exec(writer, 'echo z >> /etc/passwd');
    await waitFor(() => changed(writer).length > before2, 5000, 'container.changed for a copy-up');

    assert.deepEqual(changed(idle), [], 'no event for a container that wrote nothing');
    for (const id of [writer, idle]) await c.request('container.remove', { id, force: true });
    sub.close();
  });

  test('layers are watched only while a client is subscribed, and no watch outlives its container', async () => {
    await waitFor(() => inotifyWatches(daemonPid) === 0, 5000, 'no watches left from the previous test');
    const baseline = inotifyWatches(daemonPid);
    const id = await run(['sh', '-c', 'mkdir -p /a/b/c; sleep 600']);
    await sleep(500);
    assert.equal(inotifyWatches(daemonPid), baseline, 'nothing watched with no subscriber');

    const sub = await d.client();
    const events: NscopeEvent[] = [];
    await sub.onEvent((e) => events.push(e));
    await waitFor(() => inotifyWatches(daemonPid) >= baseline + 4, 5000, 'the rw layer\'s directories watched (/, /a, /a/b, /a/b/c)');
    sub.close();
    await waitFor(() => inotifyWatches(daemonPid) === baseline, 5000, 'the watches gone with the last subscriber');

    const sub2 = await d.client();
    await sub2.onEvent((e) => events.push(e));
    await waitFor(() => inotifyWatches(daemonPid) > baseline, 5000, 'watched again');
    await c.request('container.stop', { id, timeout: 0 });
    await waitFor(() => inotifyWatches(daemonPid) === baseline, 5000, 'the watches gone with the exit');
    await c.request('container.remove', { id });
    // a container that ran and went (--rm): nothing left either
    const rm = await c.request('container.create', { image: 'host', rm: true, cmd: ['sh', '-c', 'sleep 0.5; echo x > /f; sleep 0.5'] });
    const waited = c.request('container.wait', { id: rm.id });
    await c.request('container.start', { id: rm.id });
    await waited;
    await waitFor(() => events.some((e) => e.type === 'container.removed' && e.id === rm.id), 5000, 'the --rm container removed');
    assert.equal(inotifyWatches(daemonPid), baseline);
    sub2.close();
  });
});

describe('LayerWatch', () => {
  let dir: string;
  before(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nscope-layerwatch-')); });
  after(() => { fs.rmSync(dir, { recursive: true, force: true }); });

  test('past the cap only the top levels are watched; symlinks are never followed', async () => {
    const root = path.join(dir, 'cap');
    fs.mkdirSync(path.join(root, 'a', 'deep', 'deeper'), { recursive: true });
    fs.mkdirSync(path.join(root, 'b'));
    fs.symlinkSync('/', path.join(root, 'host'));
    fs.symlinkSync('/etc', path.join(root, 'b', 'etc'));
    let signals = 0;
    const w = new LayerWatch(root, () => signals++, 3);
    try {
      await w.start();
      assert.equal(w.watchedDirs, 3, 'the root, a and b; not a/deep');
      // a symlink made later is not followed either
      fs.symlinkSync('/usr', path.join(root, 'usr'));
      await waitFor(() => signals === 1, 5000, 'a signal for the new symlink');
      assert.equal(w.watchedDirs, 3);
    } finally { w.close(); }
    assert.equal(w.watchedDirs, 0);

    const all = new LayerWatch(root, () => undefined);
    try {
      await all.start();
      assert.equal(all.watchedDirs, 5, '/, a, a/deep, a/deep/deeper, b: no symlinked directory');
      // a directory that goes takes its watches along; one replaced by a symlink is not followed
      fs.rmSync(path.join(root, 'a', 'deep'), { recursive: true });
      await waitFor(() => all.watchedDirs === 3, 5000, 'a/deep and below dropped');
      fs.rmSync(path.join(root, 'b'), { recursive: true });
      fs.symlinkSync('/', path.join(root, 'b'));
      await waitFor(() => all.watchedDirs === 2, 5000, 'b dropped');
      await sleep(300);
      assert.equal(all.watchedDirs, 2);
    } finally { all.close(); }
  });

  test('debounced: a burst is one signal, continuous writes about one a second', async () => {
    const root = path.join(dir, 'debounce');
    fs.mkdirSync(root);
    const times: number[] = [];
    const w = new LayerWatch(root, () => times.push(Date.now()));
    try {
      await w.start();
      const t0 = Date.now();
      for (let i = 0; i < 50; i++) fs.writeFileSync(path.join(root, `f${i}`), 'x');
      await sleep(800);
      assert.equal(times.length, 1, 'one signal for a burst');
      assert.ok(times[0] - t0 >= 200 && times[0] - t0 < 700, `the signal came ${times[0] - t0} ms after the burst`);
      times.length = 0;
      const start = Date.now();
      while (Date.now() - start < 3200) {
        fs.appendFileSync(path.join(root, 'log'), 'line\n');
        await sleep(50);
      }
      await sleep(1200);
      assert.ok(times.length >= 3 && times.length <= 5, `${times.length} signals for 3.2 s of writes`);
      for (let i = 1; i < times.length; i++) assert.ok(times[i] - times[i - 1] >= 990, `signals ${times[i] - times[i - 1]} ms apart`);
    } finally { w.close(); }
  });
});
