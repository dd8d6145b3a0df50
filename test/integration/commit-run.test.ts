// `nscope commit`: a container's rw layer becomes an image layer. Commit ->
// run from the new image -> the additions, content and metadata changes,
// owners, setuid bits, mtimes, symlinks, hardlinks, FIFOs and deletions
// (whiteouts, an opaque directory) are there, the init layer's files are
// not; history and --change edits are in the config; a running container is
// frozen while its rw layer is read; layer sizes add up over two commits.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { readTar, type TarEntry } from '../../helper/images/tar-reader';
import { native } from '../../helper/native';
import type { HelperClient } from '../../helper/protocol/client';
import { runToExit, waitFor } from '../helpers/containers';
import { cgroupFile, startWithImage, type TestDaemon } from '../helpers/daemon';

const TOOLS = ['sh', 'cat', 'ls', 'chmod', 'chown', 'ln', 'mkfifo', 'rm', 'mkdir', 'stat', 'touch', 'sleep', 'echo', 'readlink', 'pwd'];

let d: TestDaemon;
let c: HelperClient;
before(async () => {
  d = await startWithImage('commit');
  c = await d.client();
  await c.request('image.host', { name: 'tools', programs: TOOLS });
});
after(async () => { assert.deepEqual(await d.cleanup(), []); });

async function run(image: string, script: string, opts: { user?: string } = {}) {
  const r = await runToExit(c, { image, cmd: ['sh', '-c', script], ...opts });
  assert.equal(r.exitCode, 0, `${script}\n${r.stderr}`);
  return r;
}

/** The entries of an image's top layer tar, read from the store's blob. */
async function topLayerTar(ref: string): Promise<Array<Omit<TarEntry, 'body' | 'offset'>>> {
  const img = await c.request('image.inspect', { ref });
  const top = img.layers[img.layers.length - 1];
  const out = [];
  for await (const e of readTar(fs.createReadStream(path.join(d.root, 'images/blobs/sha256', top.digest.slice(7))))) {
    const { body: _b, offset: _o, ...rest } = e;
    out.push(rest);
  }
  return out;
}

const SCRIPT1 = [
  'set -e',
  'mkdir -p /data/sub', 'echo a > /data/a', 'echo b > /data/sub/b',
  'echo new > /added.txt', 'chown 1234:5678 /added.txt', 'chmod 4750 /added.txt', 'touch -d @1500000000 /added.txt',
  'ln /added.txt /added-hard', 'ln -s /added.txt /added-sym', 'mkfifo /fifo',
  'echo more >> /etc/group', 'chmod 600 /etc/passwd', 'rm /etc/shells',
  'echo 10.9.9.9 evil >> /etc/hosts', 'echo evil > /etc/hostname',
].join('; ');

let c1: string;

test('commit a stopped container; a container from the new image sees every change, deletions included', async () => {
  c1 = (await run('tools', SCRIPT1)).id;
  // an xattr set on the rw layer travels with the file; overlayfs' own trusted.overlay.* do not
  const upper = (await c.request('container.inspect', { id: c1 })).rootfs.upper;
  native().lsetxattr(path.join(upper, 'added.txt'), 'user.nscope', Buffer.from('kept'));

  const res = await c.request('container.commit', {
    id: c1, name: 'step1', message: 'first commit', author: 'Tess <t@example.com>',
    changes: ['CMD ["cat", "/added.txt"]', 'ENV GREETING="hello world" OTHER=$GREETING', 'WORKDIR /data', 'WORKDIR sub', 'LABEL stage=one "two words"="x y"', 'USER 0:0'],
  });
  assert.equal(res.name, 'step1:latest');
  assert.match(res.id, /^sha256:[0-9a-f]{64}$/);
  assert.equal(res.paused, false, 'a stopped container needs no freezing');
  assert.deepEqual(res.warnings, []);
  assert.ok(res.layer.entries > 10);

  // the layer tar, as OCI says
  const tar = await topLayerTar('step1');
  const byName = new Map(tar.map((e) => [e.name.replace(/\/$/, ''), e]));
  assert.ok(byName.has('etc/.wh.shells'), 'a deletion is a .wh. file');
  for (const f of ['etc/hosts', 'etc/hostname', 'etc/resolv.conf', 'etc/mtab']) assert.ok(!byName.has(f), `${f} (init layer) is not committed`);
  // names sort by bytes: "added-hard" comes first, so it carries the inode and "added.txt" links to it
  const added = byName.get('added-hard')!;
  assert.deepEqual([added.type, added.mode, added.uid, added.gid, added.mtime], ['file', 0o4750, 1234, 5678, 1500000000]);
  assert.equal(added.xattrs['user.nscope']?.toString(), 'kept');
  assert.deepEqual([byName.get('added.txt')!.type, byName.get('added.txt')!.linkname], ['hardlink', 'added-hard']);
  assert.deepEqual([byName.get('added-sym')!.type, byName.get('added-sym')!.linkname], ['symlink', '/added.txt']);
  assert.equal(byName.get('fifo')!.type, 'fifo');
  for (const e of tar) assert.ok(!Object.keys(e.xattrs).some((k) => k.startsWith('trusted.overlay.')), `${e.name} carries no overlay xattr`);

  // a container from it
  const r = await run('step1', [
    'cat /added.txt', 'stat -c "%a %u %g %Y %h" /added.txt', 'stat -c %i /added.txt', 'stat -c %i /added-hard', 'readlink /added-sym',
    'stat -c %F /fifo', 'cat /etc/group', 'stat -c %a /etc/passwd', 'ls /etc', 'cat /data/a /data/sub/b', 'cat /etc/hosts', 'cat /etc/hostname',
    'pwd', 'echo "$GREETING|$OTHER"',
  ].join('; echo ---; '));
  const parts = r.stdout.split('---\n');
  assert.equal(parts[0], 'new\n');
  assert.equal(parts[1], '4750 1234 5678 1500000000 2\n', 'mode with setuid, owner, mtime, both hardlinks');
  assert.equal(parts[2], parts[3], 'the hardlink is the same inode');
  assert.equal(parts[4], '/added.txt\n');
  assert.equal(parts[5], 'fifo\n');
  assert.match(parts[6], /more\n$/);
  assert.equal(parts[7], '600\n');
  assert.doesNotMatch(parts[8], /shells/, 'the deleted file stays deleted');
  assert.match(parts[8], /group/);
  assert.equal(parts[9], 'a\nb\n');
  assert.doesNotMatch(parts[10], /evil/, 'the new container has its own /etc/hosts');
  assert.doesNotMatch(parts[11], /evil/);
  assert.equal(parts[12], '/data/sub\n', 'WORKDIR, relative to the previous one');
  assert.equal(parts[13], 'hello world|\n', 'ENV: the pairs of one instruction see the environment before it');

  // the default command is the --change CMD
  assert.equal((await runToExit(c, { image: 'step1' })).stdout, 'new\n');

  // config and history
  const img = await c.request('image.inspect', { ref: 'step1' });
  const cfg = img.config as { author?: string; config: Record<string, unknown>; history: Array<Record<string, unknown>> };
  assert.deepEqual(cfg.config.Cmd, ['cat', '/added.txt']);
  assert.deepEqual(cfg.config.Labels, { stage: 'one', 'two words': 'x y' });
  assert.equal(cfg.config.User, '0:0');
  assert.equal(cfg.config.WorkingDir, '/data/sub');
  assert.ok((cfg.config.Env as string[]).includes('GREETING=hello world'));
  assert.ok((cfg.config.Env as string[]).some((e) => e.startsWith('PATH=')), 'the image\'s Env is kept');
  assert.equal(cfg.author, 'Tess <t@example.com>');
  const last = cfg.history[cfg.history.length - 1];
  assert.equal(last.created_by, `sh -c ${SCRIPT1}`);
  assert.equal(last.comment, 'first commit');
  assert.equal(img.layers.length, 2);
  assert.equal(img.layers[1].createdBy, `sh -c ${SCRIPT1}`);
  const tools = await c.request('image.inspect', { ref: 'tools' });
  assert.equal(img.layers[0].digest, tools.layers[0].digest, 'on top of the image\'s own layers');
});

test('a second commit: a replaced directory (opaque) and deletions of committed files; layer sizes add up', async () => {
  const r = await run('step1', 'rm -rf /data && mkdir /data && echo c > /data/c && rm /added-hard /fifo');
  // (WORKDIR back to /: the runtime would create step1's /data/sub in a new container otherwise)
  const res = await c.request('container.commit', { id: r.id, name: 'step2:v2', changes: ['WORKDIR /'] });
  assert.equal(res.name, 'step2:v2');
  const tar = await topLayerTar('step2:v2');
  const names = tar.map((e) => e.name);
  assert.ok(names.indexOf('data/.wh..wh..opq') === names.indexOf('data/') + 1, 'the opaque marker right after its directory');
  assert.ok(names.includes('.wh.added-hard') && names.includes('.wh.fifo'));

  const out = await run('step2:v2', 'ls -A /data; echo ---; ls /; echo ---; cat /added.txt');
  const [data, root, kept] = out.stdout.split('---\n');
  assert.equal(data, 'c\n', 'the old content of the replaced directory is gone');
  assert.doesNotMatch(root, /added-hard|fifo/);
  assert.match(root, /added\.txt/);
  assert.equal(kept, 'new\n', 'deleting one hardlink leaves the other');
  // ENTRYPOINT without CMD drops the inherited CMD (as a Dockerfile does)
  await c.request('container.commit', { id: r.id, name: 'entry', changes: ['ENTRYPOINT ["cat"]'] });
  const cfg = (await c.request('image.inspect', { ref: 'entry' })).config as { config: Record<string, unknown> };
  assert.deepEqual(cfg.config.Entrypoint, ['cat']);
  assert.equal(cfg.config.Cmd, undefined);
  assert.equal((await runToExit(c, { image: 'entry', cmd: ['/data/c'] })).stdout, 'c\n');

  // the layer's own changes, as the explorer shows them
  const ch = await c.request('image.layerChanges', { ref: 'step2:v2', layer: -1 });
  assert.deepEqual(ch.changes.map((x) => `${x.kind} ${x.path}${x.opaque ? ' opaque' : ''}`),
    ['D /added-hard', 'C /data opaque', 'D /data/a', 'A /data/c', 'D /data/sub', 'D /fifo']);

  // sizes: three layers, the top's cumulative size = sum of own sizes - sum of hidden bytes
  const layers = await c.request('image.layers', { ref: 'step2:v2' });
  assert.equal(layers.layers.length, 3);
  const own = layers.layers.reduce((n, l) => n + l.size, 0);
  const hidden = layers.layers.reduce((n, l) => n + l.hiddenSize, 0);
  assert.equal(layers.layers[2].cumulativeSize, own - hidden);
  assert.equal(layers.size, own - hidden);
  // what the layers hide: the first commit replaced /etc/group and /etc/passwd (copied up) and deleted /etc/shells
  const base = (await c.request('image.inspect', { ref: 'tools' })).layers[0] as unknown as { dir: string };
  const sizeIn = (f: string) => fs.statSync(path.join(base.dir, f)).size;
  assert.equal(layers.layers[1].hiddenSize, sizeIn('etc/group') + sizeIn('etc/passwd') + sizeIn('etc/shells'));
  // the second hid /data/a and /data/sub/b (2 bytes each); /added-hard's inode is still /added.txt
  assert.equal(layers.layers[2].hiddenSize, 4);
  assert.deepEqual(layers.layers.map((l) => l.createdBy?.slice(0, 20)), [
    (await c.request('image.inspect', { ref: 'tools' })).layers[0].createdBy?.slice(0, 20), `sh -c ${SCRIPT1}`.slice(0, 20), 'sh -c rm -rf /data &',
  ]);
  // and it is what the kernel shows: a read-only overlay of the three layers
  const dirs = ((await c.request('image.inspect', { ref: 'step2:v2' })).layers as unknown as Array<{ dir: string }>).map((l) => l.dir);
  const mnt = fs.mkdtempSync(path.join(d.dir, 'mnt-'));
  execFileSync('mount', ['-t', 'overlay', 'overlay', '-o', `ro,lowerdir=${[...dirs].reverse().join(':')}`, mnt]);
  try {
    let bytes = 0;
    const seen = new Set<number>();
    const walk = (dir: string) => {
      for (const n of fs.readdirSync(dir)) {
        const st = fs.lstatSync(path.join(dir, n));
        if (st.isDirectory()) walk(path.join(dir, n));
        else if (st.isFile() && !seen.has(st.ino)) { seen.add(st.ino); bytes += st.size; }
      }
    };
    walk(mnt);
    assert.equal(layers.size, bytes);
  } finally {
    execFileSync('umount', [mnt]);
  }

  // the CLI's table
  const cli = await d.cli(['image', 'layers', 'step2:v2']);
  assert.equal(cli.code, 0, cli.stderr);
  assert.match(cli.stdout, /^step2:v2 \([0-9a-f]{12}\): 3 layers, /);
  assert.equal(cli.stdout.trim().split('\n').length, 5);
  const asJson = JSON.parse((await d.cli(['image', 'layers', 'step2:v2', '--format', 'json'])).stdout);
  assert.equal(asJson.size, layers.size);
  const diff = await d.cli(['image', 'layers', 'step2:v2', '--changes', '2']);
  assert.equal(diff.stdout, 'D /added-hard\nC /data  (opaque)\nD /data/a\nA /data/c\nD /data/sub\nD /fifo\n');
});

test('commit a running container: frozen while its rw layer is read, running afterwards', async () => {
  const { id } = await c.request('container.create', { image: 'tools', cmd: ['sh', '-c', 'echo live > /live.txt; while :; do echo tick >> /ticks; sleep 0.05; done'] });
  await c.request('container.start', { id });
  const upper = (await c.request('container.inspect', { id })).rootfs.upper;
  await waitFor(() => fs.existsSync(path.join(upper, 'ticks')), 10000, 'the container to write');
  const res = await c.request('container.commit', { id, name: 'live' });
  assert.equal(res.paused, true);
  assert.deepEqual(res.warnings, []);
  const state = cgroupFile(d.cgroupParent, id, 'freezer', 'freezer.state');
  if (fs.existsSync(state)) assert.equal(fs.readFileSync(state, 'utf8').trim(), 'THAWED');
  assert.equal((await c.request('container.inspect', { id })).status, 'running');
  const before = fs.statSync(path.join(upper, 'ticks')).size;
  await waitFor(() => fs.statSync(path.join(upper, 'ticks')).size > before, 5000, 'the container to go on after the commit');
  assert.match((await run('live', 'cat /live.txt')).stdout, /^live\n$/);

  // without pausing: read as it is
  const res2 = await c.request('container.commit', { id, name: 'live2', pause: false });
  assert.equal(res2.paused, false);
  assert.match((await run('live2', 'cat /live.txt')).stdout, /^live\n$/);
  await c.request('container.remove', { id, force: true });
});

test('symlinks climbing above the root are stored as the same target; sockets and devices are left out with a warning', async () => {
  const r = await run('tools', 'mkdir -p /a/b; ln -s ../../../../etc/group /a/b/up; ln -s ../x/../../../y /a/b/weird; ln -s /abs /a/abs; echo x >> /etc/hosts');
  // what a container cannot make with these tools, made in its rw layer from outside
  const upper = (await c.request('container.inspect', { id: r.id })).rootfs.upper;
  execFileSync('mknod', [path.join(upper, 'a/null'), 'c', '1', '3']);
  const res = await c.request('container.commit', { id: r.id, name: 'links' });
  assert.deepEqual(res.warnings, [
    '/a/b/up: target "../../../../etc/group" stored as "../../etc/group" (the same file: ".." stops at the root)',
    '/a/b/weird left out: its target "../x/../../../y" climbs out of the root after other names; layers cannot hold it',
    '/a/null left out: device nodes (char 1:3) are not stored in layers',
  ]);
  // /etc is in the rw layer only because of /etc/hosts (init layer): not in the commit either
  assert.deepEqual((await topLayerTar('links')).map((e) => e.name), ['a/', 'a/abs', 'a/b/', 'a/b/up']);
  const out = await run('links', 'readlink /a/b/up; cat /a/b/up; readlink /a/abs; ls /a /a/b');
  assert.match(out.stdout, /^\.\.\/\.\.\/etc\/group\nroot:/);
  assert.match(out.stdout, /\/abs\n/);
  assert.doesNotMatch(out.stdout, /weird|null/);
  const cli = await d.cli(['commit', r.id, 'links2']);
  assert.equal(cli.code, 0);
  assert.equal(cli.stderr.split('\n').filter((l) => l.startsWith('nscope: warning: ')).length, 3);
});

test('errors are one line naming what was wrong, and leave no image behind', async () => {
  const imagesBefore = (await c.request('image.list', {})).map((i) => i.name).sort();
  await assert.rejects(c.request('container.commit', { id: 'no-such', name: 'x' }), { message: 'No such container: no-such' });
  await assert.rejects(c.request('container.commit', { id: c1, name: 'Bad Name' }), /commit: image name "Bad Name": invalid reference format/);
  await assert.rejects(c.request('container.commit', { id: c1, name: 'x', changes: ['RUN rm -rf /'] }),
    { message: '--change "RUN rm -rf /": RUN cannot be used with commit (only CMD, ENTRYPOINT, ENV, EXPOSE, HEALTHCHECK, LABEL, ONBUILD, SHELL, STOPSIGNAL, USER, VOLUME, WORKDIR)' });
  await assert.rejects(c.request('container.commit', { id: c1, name: 'x', changes: ['ENV'] }), /--change "ENV": ENV needs an argument/);
  await assert.rejects(c.request('container.commit', { id: c1, name: 'x', changes: ['ENV A="unterminated'] }), /looking for matching double-quote/);
  assert.deepEqual((await c.request('image.list', {})).map((i) => i.name).sort(), imagesBefore);

  const cli = await d.cli(['commit', '-c', 'FROM scratch', c1, 'viacli']);
  assert.equal(cli.code, 1);
  assert.equal(cli.stderr, 'nscope: --change "FROM scratch": FROM cannot be used with commit (only CMD, ENTRYPOINT, ENV, EXPOSE, HEALTHCHECK, LABEL, ONBUILD, SHELL, STOPSIGNAL, USER, VOLUME, WORKDIR)\n');
  const ok = await d.cli(['commit', '-m', 'from the cli', c1, 'viacli']);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /^sha256:[0-9a-f]{64}\n$/);
  const usage = await d.cli(['commit', c1]);
  assert.equal(usage.code, 1);
  assert.match(usage.stderr, /requires at least 2 arguments/);
});
