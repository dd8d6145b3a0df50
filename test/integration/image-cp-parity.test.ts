// `nscope cp` and the image commands where they differed from Docker (checked
// side by side with dockerd 28): a SRC ending in "/" or "/." names a directory
// (a file there is refused, a symlink there followed); a running container's
// "/" copied out with its /proc, /sys and /dev empty, as docker cp gives them;
// an archive cut short by a failure in the container is an error, not exit 0;
// `rmi` says "Untagged: NAME" for each name it takes off and "Deleted: ID"
// once the image is gone.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startWithImage, type TestDaemon } from '../helpers/daemon';

describe('nscope cp and images as Docker has them', () => {
  let d: TestDaemon;
  let work: string;
  const ok = async (args: string[]) => { const r = await d.cli(args); assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`); return r; };

  before(async () => {
    d = await startWithImage('imgcp');
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'nscope-imgcp-'));
    await ok(['run', '-d', '--name', 'box', '--network', 'none', 'host', 'sleep', '600']);
    await ok(['exec', 'box', 'sh', '-c', 'mkdir -p /d/sub && echo hi > /d/f && echo g > /d/sub/g && ln -s /d/sub /d/link && ln -s f /d/flink']);
  });

  after(async () => {
    fs.rmSync(work, { recursive: true, force: true });
    assert.deepEqual(d ? await d.cleanup() : [], []);
  });

  test('a SRC ending in "/" or "/." must be a directory: a file there is refused, nothing written', async () => {
    for (const src of ['box:/d/f/', 'box:/d/f/.', 'box:/d/flink/']) {
      const dest = path.join(work, 'notdir');
      const r = await d.cli(['cp', src, dest]);
      assert.equal(r.code, 1, `${src}: ${r.stdout}${r.stderr}`);
      assert.match(r.stderr, /not a directory/, src);
      assert.equal(fs.existsSync(dest), false, src);
    }
  });

  test('a local SRC ending in "/" must be a directory too', async () => {
    fs.writeFileSync(path.join(work, 'lf'), 'x');
    const r = await d.cli(['cp', path.join(work, 'lf') + '/', 'box:/tmp/lf']);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /lf\/: not a directory/);
    assert.equal((await d.cli(['exec', 'box', 'ls', '/tmp/lf'])).code, 2);
  });

  test('a symlink to a directory with "/" or "/." after it is followed, as a shell path is', async () => {
    const asNew = path.join(work, 'followed');
    await ok(['cp', 'box:/d/link/', asNew]);
    assert.ok(fs.lstatSync(asNew).isDirectory(), 'a directory, not the symlink');
    assert.equal(fs.readFileSync(path.join(asNew, 'g'), 'utf8'), 'g\n');
    // into an existing directory: under the link's name; with "/.": the contents only
    const into = path.join(work, 'into');
    fs.mkdirSync(into);
    await ok(['cp', 'box:/d/link/', into]);
    assert.equal(fs.readFileSync(path.join(into, 'link', 'g'), 'utf8'), 'g\n');
    const contents = path.join(work, 'contents');
    fs.mkdirSync(contents);
    await ok(['cp', 'box:/d/link/.', contents]);
    assert.deepEqual(fs.readdirSync(contents), ['g']);
    // without a slash the symlink itself is copied
    await ok(['cp', 'box:/d/link', path.join(work, 'asis')]);
    assert.equal(fs.readlinkSync(path.join(work, 'asis')), '/d/sub');
  });

  test("a running container's / comes out whole, its /proc, /sys and /dev empty", async () => {
    const dest = path.join(work, 'rootfs');
    await ok(['cp', 'box:/', dest]);
    assert.equal(fs.readFileSync(path.join(dest, 'd', 'sub', 'g'), 'utf8'), 'g\n');
    for (const k of ['proc', 'sys', 'dev']) {
      assert.ok(fs.lstatSync(path.join(dest, k)).isDirectory(), k);
      assert.deepEqual(fs.readdirSync(path.join(dest, k)), [], k);
    }
  });

  test('an archive cut short by a failure in the container is an error, to stdout or a directory', async () => {
    // /proc named itself is walked: /proc/self cannot be read from outside the container's pid namespace
    const out = await d.cli(['cp', 'box:/proc', '-'], { timeoutMs: 60_000 });
    assert.equal(out.code, 1, out.stderr);
    assert.match(out.stderr, /copy from box:\/proc: the archive was cut short/);
    const dir = await d.cli(['cp', 'box:/proc', path.join(work, 'proc')], { timeoutMs: 60_000 });
    assert.equal(dir.code, 1, dir.stderr);
    assert.match(dir.stderr, /cut short/);
    assert.match(d.stderr, /copy out of box:\/proc stopped: /);
  });

  test('a stopped --read-only container takes no copy into it, in Docker\'s words; one without --read-only does', async () => {
    fs.writeFileSync(path.join(work, 'ro-in'), 'x\n');
    // created (its init waits, its root mounted read-only): the kernel says so
    await ok(['create', '--name', 'ro', '--read-only', '--network', 'none', 'host', 'true']);
    const created = await d.cli(['cp', path.join(work, 'ro-in'), 'ro:/tmp/ro-in']);
    assert.equal(created.code, 1, created.stderr);
    assert.match(created.stderr, /\/tmp is on a read-only mount in the container: nothing copied/);
    // exited (its layers assembled for the copy alone): refused before, as Docker's daemon does
    await ok(['start', '-a', 'ro']);
    await ok(['run', '--name', 'rw', '--network', 'none', 'host', 'true']);
    const r = await d.cli(['cp', path.join(work, 'ro-in'), 'ro:/tmp/ro-in']);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /container ro: container rootfs is marked read-only/);
    await ok(['cp', path.join(work, 'ro-in'), 'rw:/tmp/ro-in']);
    // reading out of it is fine
    assert.equal((await ok(['cp', 'ro:/etc/hostname', '-'])).code, 0);
    await ok(['rm', 'ro', 'rw']);
  });

  test('rmi: "Untagged:" per name taken off, "Deleted:" with the ID once the image is gone', async () => {
    await ok(['tag', 'host', 'two:1']);
    await ok(['tag', 'host', 'two:2']);
    assert.equal((await ok(['rmi', 'two:1', 'two:2'])).stdout, 'Untagged: two:1\nUntagged: two:2\n');
    const id = (await ok(['commit', 'box', 'mine:1'])).stdout.trim();
    assert.match(id, /^sha256:[0-9a-f]{64}$/);
    await ok(['tag', 'mine:1', 'mine:2']);
    assert.equal((await ok(['rmi', 'mine:1'])).stdout, 'Untagged: mine:1\n');
    assert.equal((await ok(['rmi', 'mine:2'])).stdout, `Untagged: mine:2\nDeleted: ${id}\n`);
    // by ID with -f: every name, then the image
    const again = (await ok(['commit', 'box', 'mine:3'])).stdout.trim();
    await ok(['tag', 'mine:3', 'mine:4']);
    assert.equal((await ok(['rmi', '-f', again.slice(7, 19)])).stdout, `Untagged: mine:3\nUntagged: mine:4\nDeleted: ${again}\n`);
    // one name of an image a container uses, others left: only that name goes
    await ok(['tag', 'host', 'used:1']);
    await ok(['create', '--name', 'user', 'used:1', 'true']);
    await ok(['tag', 'host', 'keep:1']);
    assert.equal((await ok(['rmi', 'used:1'])).stdout, 'Untagged: used:1\n');
    await ok(['rm', 'user']);
    // by ID, -f cannot take an image from a running container (Docker's hard conflict); by name it is untagged
    const img = (await ok(['commit', 'box', 'busy:1'])).stdout.trim();
    const runner = (await ok(['run', '-d', 'busy:1', 'sleep', '60'])).stdout.trim();
    const refused = await d.cli(['rmi', '-f', img.slice(7, 19)]);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, new RegExp(`unable to delete ${img.slice(7, 19)} \\(cannot be forced\\) - image is being used by running container ${runner.slice(0, 12)}`));
    assert.equal((await ok(['rmi', '-f', 'busy:1'])).stdout, 'Untagged: busy:1\n');
    await ok(['rm', '-f', runner]);
    await ok(['rmi', 'keep:1']);
  });
});
