// `nscope cp` (issue 14): both ways, into running and stopped containers, with
// Docker's placement rules; owners (-a), modes, symlinks and hardlinks kept;
// a symlink the container planted resolves inside the container, never on
// the host; the kernel's trees and read-only mounts refused; a --userns=auto
// container's files owned by its mapped ids on the host.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { REPO, startWithImage, type TestDaemon } from '../helpers/daemon';

/** Each entry below `dir`: "path type mode uid:gid [-> target] [size]", sorted; hardlinked files share an inode number mark. */
function listing(dir: string): string[] {
  const out: string[] = [];
  const inodes = new Map<number, string>();
  const walk = (rel: string) => {
    const p = path.join(dir, rel);
    const st = fs.lstatSync(p);
    const type = st.isDirectory() ? 'd' : st.isSymbolicLink() ? 'l' : st.isFile() ? 'f' : '?';
    let line = `${rel || '.'} ${type} ${(st.mode & 0o7777).toString(8)} ${st.uid}:${st.gid}`;
    if (type === 'l') line += ` -> ${fs.readlinkSync(p)}`;
    if (type === 'f') {
      line += ` ${fs.readFileSync(p, 'utf8')}`;
      if (st.nlink > 1) { line += ` link:${inodes.get(st.ino) ?? rel}`; if (!inodes.has(st.ino)) inodes.set(st.ino, rel); }
    }
    out.push(line);
    if (type === 'd') for (const c of fs.readdirSync(p).sort()) walk(rel ? `${rel}/${c}` : c);
  };
  walk('');
  return out;
}

describe('nscope cp', () => {
  let d: TestDaemon;
  let work: string;
  const cli = (args: string[], input?: string) => d.cli(args, { input });
  const ok = async (args: string[]) => { const r = await cli(args); assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`); return r; };

  before(async () => {
    d = await startWithImage('cp');
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'nscope-cp-'));
    // a tree with owners, modes, a symlink, a hardlink and a nested directory
    const src = path.join(work, 'tree');
    fs.mkdirSync(path.join(src, 'sub', 'deep'), { recursive: true });
    fs.writeFileSync(path.join(src, 'a.txt'), 'alpha');
    fs.chmodSync(path.join(src, 'a.txt'), 0o640);
    fs.chownSync(path.join(src, 'a.txt'), 1234, 4321);
    fs.linkSync(path.join(src, 'a.txt'), path.join(src, 'hard'));
    fs.symlinkSync('a.txt', path.join(src, 'link'));
    fs.writeFileSync(path.join(src, 'sub', 'deep', 'x.sh'), '#!/bin/sh\n');
    fs.chmodSync(path.join(src, 'sub', 'deep', 'x.sh'), 0o4755);
    fs.chownSync(path.join(src, 'sub'), 7, 8);
    await ok(['run', '-d', '--name', 'box', '--network', 'none', 'host', 'sleep', '600']);
  });

  after(async () => {
    fs.rmSync(work, { recursive: true, force: true });
    assert.deepEqual(d ? await d.cleanup() : [], []);
  });

  test('a tree round-trips with -a: owners, modes (setuid too), symlinks, hardlinks', async () => {
    await ok(['cp', '-a', path.join(work, 'tree'), 'box:/tmp/']);
    const ls = await ok(['exec', 'box', 'ls', '-ln', '/tmp/tree']);
    assert.match(ls.stdout, /-rw-r-----\s+2 1234\s+4321 .* a\.txt/);
    await ok(['cp', '-a', 'box:/tmp/tree', path.join(work, 'back')]);
    assert.deepEqual(listing(path.join(work, 'back')), listing(path.join(work, 'tree')));
  });

  test('without -a: root owns what goes in, the caller what comes out; modes kept', async () => {
    await ok(['cp', path.join(work, 'tree'), 'box:/tmp/plain']);
    const st = await ok(['exec', 'box', 'stat', '-c', '%u:%g %a', '/tmp/plain/a.txt', '/tmp/plain/sub']);
    assert.deepEqual(st.stdout.trim().split('\n'), ['0:0 640', '0:0 755']);
    await ok(['cp', 'box:/tmp/tree/sub', path.join(work, 'sub-out')]);
    const x = fs.statSync(path.join(work, 'sub-out', 'deep', 'x.sh'));
    assert.equal(x.uid, process.getuid!());
    assert.equal(x.mode & 0o7777, 0o4755);
  });

  test('Docker\'s placement: into a directory, to a new name, a directory\'s contents with "/.", never a directory over a file', async () => {
    fs.writeFileSync(path.join(work, 'one.txt'), 'one');
    await ok(['cp', path.join(work, 'one.txt'), 'box:/tmp']);
    await ok(['cp', path.join(work, 'one.txt'), 'box:/tmp/renamed.txt']);
    assert.equal((await ok(['exec', 'box', 'cat', '/tmp/one.txt', '/tmp/renamed.txt'])).stdout, 'oneone');
    await ok(['exec', 'box', 'mkdir', '/tmp/into']);
    await ok(['cp', `${path.join(work, 'tree')}/.`, 'box:/tmp/into']);
    assert.match((await ok(['exec', 'box', 'ls', '/tmp/into'])).stdout, /a\.txt/);
    const dirOverFile = await cli(['cp', path.join(work, 'tree'), 'box:/tmp/one.txt']);
    assert.equal(dirOverFile.code, 1);
    assert.match(dirOverFile.stderr, /cannot copy a directory to a file/);
    const noDir = await cli(['cp', path.join(work, 'one.txt'), 'box:/tmp/missing/']);
    assert.match(noDir.stderr, /no such directory/);
    // a source that is not there: Docker's words
    const noSrc = await cli(['cp', 'box:/tmp/not-there', path.join(work, 'x')]);
    assert.equal(noSrc.code, 1);
    assert.equal(noSrc.stderr, 'nscope: Could not find the file /tmp/not-there in container box\n');
    fs.mkdirSync(path.join(work, 'outdir'));
    await ok(['cp', 'box:/tmp/one.txt', path.join(work, 'outdir')]);
    await ok(['cp', 'box:/tmp/into/.', path.join(work, 'outdir')]);
    assert.deepEqual(fs.readdirSync(path.join(work, 'outdir')).sort(), ['a.txt', 'hard', 'link', 'one.txt', 'sub']);
    // "-": a tar on stdout and on stdin
    const tar = execFileSync(process.execPath, [path.join(REPO, 'bin', 'nscope'), '--socket', d.socket, 'cp', 'box:/tmp/one.txt', '-']);
    assert.deepEqual(execFileSync('tar', ['-t'], { input: tar }).toString().trim(), 'one.txt');
    const tarIn = execFileSync('tar', ['-C', work, '-c', 'one.txt']);
    execFileSync(process.execPath, [path.join(REPO, 'bin', 'nscope'), '--socket', d.socket, 'cp', '-', 'box:/tmp/into'], { input: tarIn });
    assert.equal((await ok(['exec', 'box', 'cat', '/tmp/into/one.txt'])).stdout, 'one');
    const usage = await cli(['cp', 'a', 'b']);
    assert.equal(usage.code, 1);
    assert.match(usage.stderr, /at least one container/);
  });

  test('a symlink the container holds resolves inside the container, both ways', async () => {
    // /tmp/evil -> / in the container (a local symlink copied in as it is)
    fs.symlinkSync('/', path.join(work, 'evil'));
    await ok(['cp', path.join(work, 'evil'), 'box:/tmp/evil']);
    fs.writeFileSync(path.join(work, 'marker'), 'in the container');
    const hostMarker = `/nscope-cp-marker-${path.basename(work)}`;
    await ok(['cp', path.join(work, 'marker'), `box:/tmp/evil${hostMarker}`]);
    assert.ok(!fs.existsSync(hostMarker), 'nothing written to the host\'s root');
    assert.equal((await ok(['exec', 'box', 'cat', hostMarker])).stdout, 'in the container');
    // out: the container's /etc/hostname, not the host's
    await ok(['cp', 'box:/tmp/evil/etc/hostname', path.join(work, 'hn')]);
    const inside = (await ok(['exec', 'box', 'cat', '/etc/hostname'])).stdout;
    assert.equal(fs.readFileSync(path.join(work, 'hn'), 'utf8'), inside);
    assert.notEqual(inside, fs.readFileSync('/etc/hostname', 'utf8'));
    // a symlink comes out as a symlink, or followed with -L
    await ok(['cp', 'box:/tmp/evil', path.join(work, 'evil-out')]);
    assert.equal(fs.readlinkSync(path.join(work, 'evil-out')), '/');
  });

  test('refused: the kernel\'s trees and read-only mounts, with what was wrong', async () => {
    for (const dest of ['box:/proc/', 'box:/sys/kernel', 'box:/dev/']) {
      const r = await cli(['cp', path.join(work, 'one.txt'), dest]);
      assert.equal(r.code, 1, dest);
      assert.match(r.stderr, /kernel's files/, dest);
    }
    await ok(['run', '-d', '--name', 'ro', '--read-only', '--network', 'none', 'host', 'sleep', '600']);
    const r = await cli(['cp', path.join(work, 'one.txt'), 'ro:/etc/']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /read-only/);
    await ok(['rm', '-f', 'ro']);
  });

  test('a stopped container: copied into its rw layer and out of it; no mount left; it starts with the file', async () => {
    await ok(['run', '--name', 'stopped', '--network', 'none', 'host', 'true']);
    await ok(['cp', path.join(work, 'one.txt'), 'stopped:/root/']);
    assert.match((await ok(['diff', 'stopped'])).stdout, /A \/root\/one\.txt/);
    await ok(['cp', 'stopped:/root/one.txt', path.join(work, 'from-stopped.txt')]);
    assert.equal(fs.readFileSync(path.join(work, 'from-stopped.txt'), 'utf8'), 'one');
    assert.ok(!fs.readFileSync('/proc/self/mountinfo', 'utf8').includes('/copy-'), 'the copy\'s overlay is unmounted');
    await ok(['start', 'stopped']);
    await ok(['rm', '-f', 'stopped']);
  });

  test('--userns=auto: what goes in is owned by the container\'s root (its mapped id on the host)', async () => {
    await ok(['run', '-d', '--name', 'mapped', '--userns=auto', '--network', 'none', 'host', 'sleep', '600']);
    await ok(['cp', path.join(work, 'one.txt'), 'mapped:/root/']);
    assert.equal((await ok(['exec', 'mapped', 'stat', '-c', '%u:%g', '/root/one.txt'])).stdout.trim(), '0:0');
    const c = await d.client();
    const info = await c.request('container.inspect', { id: 'mapped' });
    const base = info.security!.userns!.uidMap[0].hostID;
    assert.equal(fs.statSync(path.join(info.rootfs.upper, 'root', 'one.txt')).uid, base);
    await ok(['cp', '-a', 'mapped:/root/one.txt', path.join(work, 'mapped.txt')]);
    assert.equal(fs.statSync(path.join(work, 'mapped.txt')).uid, 0, 'the container\'s ids in the archive');
    await ok(['rm', '-f', 'mapped']);
  });

  test('a hostile archive on stdin (cp -): refused in one line naming the entry, exit 1, nothing outside the destination', async () => {
    const { tarBuffer } = await import('../../helper/images/tar-writer');
    await ok(['exec', 'box', 'mkdir', '-p', '/tmp/hostile']);
    const cases: [Parameters<typeof tarBuffer>[0], RegExp][] = [
      [[{ name: '../../etc/evil', type: 'file', data: 'x' }], /entry "\.\.\/\.\.\/etc\/evil" escapes/],
      [[{ name: 'up', type: 'symlink', linkname: '../../..' }], /invalid symlink "up" -> "\.\.\/\.\.\/\.\."/],
      [[{ name: 'mem', type: 'char', devmajor: 1, devminor: 1 }], /device nodes \(char 1:1\) are not allowed/],
      [[{ name: 'pw', type: 'hardlink', linkname: '/etc/shadow-not-here' }], /hardlink target "\/etc\/shadow-not-here" does not exist/],
    ];
    for (const [entries, re] of cases) {
      const r = spawnSync(process.execPath, [path.join(REPO, 'bin', 'nscope'), '--socket', d.socket, 'cp', '-', 'box:/tmp/hostile'], { input: tarBuffer(entries), encoding: 'utf8' });
      assert.equal(r.status, 1, r.stderr);
      assert.match(r.stderr, re);
      assert.equal(r.stderr.trim().split('\n').length, 1, `one line: ${r.stderr}`);
    }
    assert.equal((await ok(['exec', 'box', 'sh', '-c', 'ls -A /tmp/hostile; test ! -e /etc/evil && echo clean'])).stdout, 'clean\n');
  });

  test('the files worker after a job: the next one waits booted (a standby) and takes the next job; none outlives the daemon, even a killed one', async () => {
    const workers = (): number[] => fs.readdirSync('/proc').filter((x) => /^\d+$/.test(x)).filter((pid) => {
      try {
        const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        return ppid === d.proc!.pid && fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('files-worker.js');
      } catch { return false; }
    }).map(Number);
    const standby = async (): Promise<number> => {
      for (let i = 0; i < 100; i++) { const w = workers(); if (w.length === 1) return w[0]; await new Promise((r) => setTimeout(r, 50)); }
      throw new Error(`expected one waiting files worker, found ${workers().length}`);
    };
    await ok(['cp', path.join(work, 'one.txt'), 'box:/tmp/s1.txt']);
    const first = await standby();
    await ok(['cp', path.join(work, 'one.txt'), 'box:/tmp/s2.txt']);
    const second = await standby();
    assert.notEqual(second, first, 'the standby ran the job and a new one waits');
    assert.ok(!fs.existsSync(`/proc/${first}`), 'the standby that took the job has ended');
    assert.equal((await ok(['exec', 'box', 'cat', '/tmp/s2.txt'])).stdout, 'one');
    d.kill9(); // even a daemon that dies takes its standby along: the job pipe closes
    await d.waitExit();
    for (let i = 0; i < 100 && fs.existsSync(`/proc/${second}`); i++) await new Promise((r) => setTimeout(r, 50));
    assert.ok(!fs.existsSync(`/proc/${second}`), 'the standby ends with the daemon');
    await d.start();
  });
});
