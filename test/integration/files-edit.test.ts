// The editor's file operations on containers (VS Code's writable
// nscope-container: files), through the protocol as the extension sends
// them: a save replaces the file atomically with its owner and mode kept, a
// new file is the container root's, mkdir/rename/delete, a symlink the
// container holds never leads outside it, and the refusals say why.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { HelperError, openStream, type HelperClient } from '../../helper/protocol/client';
import type { CopyInDone } from '../../helper/protocol/types';
import { waitFor } from '../helpers/containers';
import { startWithImage, type TestDaemon } from '../helpers/daemon';
import { fileWrite } from '../helpers/file-write';

describe('file edits in a container', () => {
  let d: TestDaemon;
  let c: HelperClient;
  const sh = async (script: string) => {
    const r = await d.cli(['exec', 'ed', 'sh', '-c', script]);
    assert.equal(r.code, 0, r.stderr);
    return r.stdout;
  };
  const write = (path: string, content: string, o: { create?: boolean; overwrite?: boolean } = {}, id = 'ed'): Promise<CopyInDone> =>
    fileWrite(d.socket, { id, path, create: o.create ?? true, overwrite: o.overwrite ?? true }, content);

  before(async () => {
    d = await startWithImage('fedit');
    c = await d.client();
    const r = await d.cli(['run', '-d', '--name', 'ed', '--network', 'none', '--tmpfs', '/scratch', '-v', 'edvol:/vol:ro', 'host', 'sleep', '600']);
    assert.equal(r.code, 0, r.stderr);
    await sh('echo "Welcome" > /etc/motd && chown 12:34 /etc/motd && chmod 640 /etc/motd');
  });

  after(async () => {
    c?.close();
    assert.deepEqual(d ? await d.cleanup() : [], []);
  });

  test('a save replaces the file with its owner and mode kept; a new file is the container root\'s', async () => {
    assert.deepEqual(await write('/etc/motd', 'edited in VS Code\n'), { ok: true });
    assert.equal(await sh('cat /etc/motd; stat -c "%u:%g %a" /etc/motd'), 'edited in VS Code\n12:34 640\n');
    assert.deepEqual(await write('/root/new.txt', 'fresh'), { ok: true });
    assert.equal(await sh('stat -c "%u:%g %a" /root/new.txt'), '0:0 644\n');
    // no temp file left next to it
    assert.doesNotMatch(await sh('ls -a /etc /root'), /nscope-/);
    // the change is in the container's diff
    const { changes } = await c.request('container.diff', { id: 'ed' });
    assert.ok(changes.some((x) => x.path === '/etc/motd'));
    // into a tmpfs of the container's own mount namespace
    assert.deepEqual(await write('/scratch/t.txt', 'on tmpfs'), { ok: true });
    assert.equal(await sh('cat /scratch/t.txt'), 'on tmpfs');
    // and the file views read it there too: a tmpfs is in no layer
    const ls = await c.request('file.list', { container: 'ed', view: 'container', path: '/scratch' });
    assert.deepEqual(ls.entries.map((e) => [e.name, e.from.layer]), [['t.txt', 'mount']]);
    const read = await c.request('file.read', { container: 'ed', view: 'container', path: '/scratch/t.txt' });
    assert.equal(Buffer.from(read.data, 'base64').toString(), 'on tmpfs');
    assert.equal((await c.request('file.stat', { container: 'ed', view: 'container', path: '/scratch/t.txt' })).size, 8);
  });

  test('a named volume is read through the container\'s mount namespace: listed as a mount, read and written there', async () => {
    const r = await d.cli(['run', '-d', '--name', 'vols', '--network', 'none', '-v', 'edrw:/data', 'host', 'sh', '-c', 'echo in-volume > /data/v.txt; exec sleep 600']);
    assert.equal(r.code, 0, r.stderr);
    await waitFor(async () => (await d.cli(['exec', 'vols', 'cat', '/data/v.txt'])).stdout === 'in-volume\n', 10000, 'the volume\'s file');
    const ls = await c.request('file.list', { container: 'vols', view: 'container', path: '/data' });
    assert.deepEqual(ls.entries.map((e) => [e.name, e.from.layer]), [['v.txt', 'mount']]);
    const read = await c.request('file.read', { container: 'vols', view: 'container', path: '/data/v.txt' });
    assert.equal(Buffer.from(read.data, 'base64').toString(), 'in-volume\n');
    assert.deepEqual(await write('/data/v.txt', 'saved into the volume\n', {}, 'vols'), { ok: true });
    assert.equal((await d.cli(['exec', 'vols', 'cat', '/data/v.txt'])).stdout, 'saved into the volume\n');
    // in the volume, not in the container's rw layer: no change in its diff
    const { changes } = await c.request('container.diff', { id: 'vols' });
    assert.ok(!changes.some((x) => x.path.startsWith('/data/')), JSON.stringify(changes));
    assert.equal((await d.cli(['rm', '-f', 'vols'])).code, 0);
    assert.equal((await d.cli(['volume', 'rm', 'edrw'])).code, 0);
  });

  test('create/overwrite false refuse as an editor expects; mkdir, rename, delete', async () => {
    assert.equal((await write('/etc/motd', 'x', { create: true, overwrite: false }) as { kind?: string }).kind, 'conflict');
    assert.equal((await write('/etc/none', 'x', { create: false, overwrite: true }) as { kind?: string }).kind, 'not_found');
    await c.request('file.mkdir', { container: 'ed', path: '/root/site' });
    assert.equal(await sh('stat -c "%F %u" /root/site'), 'directory 0\n');
    await write('/root/site/index.html', '<h1>hi</h1>');
    await c.request('file.rename', { container: 'ed', path: '/root/site/index.html', to: '/root/site/home.html' });
    assert.equal(await sh('ls /root/site'), 'home.html\n');
    await assert.rejects(c.request('file.delete', { container: 'ed', path: '/root/site' }), /not empty/);
    await c.request('file.delete', { container: 'ed', path: '/root/site', recursive: true });
    assert.doesNotMatch(await sh('ls /root'), /site/);
    await assert.rejects(c.request('file.mkdir', { container: 'ed', path: '/root' }), (e: unknown) => e instanceof HelperError && /exists/.test(e.message));
  });

  test('mount points: /etc/hosts is saved in place and stays mounted; a volume\'s mount point, a bind-mounted file or a folder holding a mount is neither removed nor renamed', async () => {
    // on a network: /etc/hosts, /etc/hostname and /etc/resolv.conf are bind mounts (with none they are the init layer's)
    const r = await d.cli(['run', '-d', '--name', 'mp', '-v', 'mpvol:/data', 'host', 'sh', '-c', 'echo kept > /data/k; echo motd > /etc/motd; exec sleep 600']);
    assert.equal(r.code, 0, r.stderr);
    const inMp = async (script: string) => { const x = await d.cli(['exec', 'mp', 'sh', '-c', script]); assert.equal(x.code, 0, x.stderr); return x.stdout; };
    await waitFor(async () => (await d.cli(['exec', 'mp', 'cat', '/data/k'])).stdout === 'kept\n', 10000, 'the volume\'s file');
    const mounted = (at: string) => inMp(`grep -c " ${at} " /proc/mounts || true`);
    assert.equal(await mounted('/etc/hosts'), '1\n');
    assert.deepEqual(await write('/etc/hosts', '127.0.0.1 localhost\n10.9.9.9 edited\n', {}, 'mp'), { ok: true });
    assert.equal(await inMp('cat /etc/hosts'), '127.0.0.1 localhost\n10.9.9.9 edited\n');
    assert.equal(await mounted('/etc/hosts'), '1\n', 'still the bind mount, written through');
    const conflict = (re: RegExp) => (e: unknown) => e instanceof HelperError && e.kind === 'conflict' && re.test(e.message);
    await assert.rejects(c.request('file.delete', { container: 'mp', path: '/data', recursive: true }), conflict(/^\/data is a mount point in the container .*: not removed$/));
    await assert.rejects(c.request('file.rename', { container: 'mp', path: '/etc/hostname', to: '/tmp/hn' }), conflict(/\/etc\/hostname is a mount point/));
    await assert.rejects(c.request('file.rename', { container: 'mp', path: '/etc/motd', to: '/etc/resolv.conf', overwrite: true }), conflict(/\/etc\/resolv\.conf is a mount point .*: not replaced/));
    await assert.rejects(c.request('file.delete', { container: 'mp', path: '/etc', recursive: true }), conflict(/^\/etc holds \/etc\/\S+, which is a mount point/));
    assert.equal(await inMp('cat /etc/motd /data/k'), 'motd\nkept\n', 'nothing was removed');
    for (const m of ['/data', '/etc/hostname', '/etc/resolv.conf']) assert.equal(await mounted(m), '1\n', m);
    assert.equal((await d.cli(['rm', '-f', 'mp'])).code, 0);
    assert.equal((await d.cli(['volume', 'rm', 'mpvol'])).code, 0);
  });

  test('a symlink to / in the container is followed inside it; the kernel\'s trees, read-only mounts and images refused', async () => {
    await sh('ln -s / /tmp/root-link');
    const marker = `/nscope-edit-${process.pid}`;
    assert.deepEqual(await write(`/tmp/root-link${marker}`, 'inside'), { ok: true });
    assert.ok(!fs.existsSync(marker), 'nothing written on the host\'s /');
    assert.equal(await sh(`cat ${marker}`), 'inside');
    const proc = await write('/proc/sys/kernel/hostname', 'x');
    assert.match((proc as { error: string }).error, /kernel's files/);
    const ro = await write('/vol/x', 'x');
    assert.match((ro as { error: string }).error, /read-only/);
    await assert.rejects(openStream(d.socket, { kind: 'file-write', id: 'no-such-box', path: '/x' }), /No such container/);
  });

  test('a stopped container is written through its rw layer', async () => {
    // it prints its motd each time it starts (the image has none: the first run says so)
    const r = await d.cli(['run', '--name', 'off', '--network', 'none', 'host', 'sh', '-c', 'cat /etc/motd 2>/dev/null || echo no motd']);
    assert.equal(r.stdout, 'no motd\n', r.stderr);
    assert.deepEqual(await write('/etc/motd', 'while stopped\n', {}, 'off'), { ok: true });
    const { changes } = await c.request('container.diff', { id: 'off' });
    assert.ok(changes.some((x) => x.path === '/etc/motd'));
    const read = await c.request('file.read', { container: 'off', view: 'container', path: '/etc/motd' });
    assert.equal(Buffer.from(read.data, 'base64').toString(), 'while stopped\n');
    assert.ok(!fs.readFileSync('/proc/self/mountinfo', 'utf8').includes('/copy-'), 'no copy root left mounted');
    // started again, the container sees what was written
    // (its logs, not `start -a`'s output: that one loses a process this quick, a bug of its own)
    const started = await d.cli(['start', 'off']);
    assert.equal(started.code, 0, started.stderr);
    await waitFor(async () => (await d.cli(['logs', 'off'])).stdout === 'no motd\nwhile stopped\n', 10000, 'the second run\'s motd');
    const rm = await d.cli(['rm', '-f', 'off']);
    assert.equal(rm.code, 0, rm.stderr);
  });
});
