// Docker's volume and prune flags, for real: a tmpfs volume (volume create
// -o type=tmpfs) is a tmpfs of its size in the container, mounted while a
// container holds it and gone (content too) when the last one stops; a bind
// volume shows the host directory and its removal leaves the directory alone;
// an ext4 volume on a loop device; hostile or malformed options refused with
// nothing made; volume ls --filter; the prune commands' --filter (until,
// label, label!); builder prune --filter until and --keep-storage; system df -v.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { TEST_PROGRAMS, TestDaemon } from '../helpers/daemon';

let d: TestDaemon;
const sh = (script: string) => ['sh', '-c', script];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** loop devices this file attached, detached in after() */
const loops: string[] = [];

async function cli(args: string[], expectOk = true) {
  const r = await d.cli(args);
  if (expectOk) assert.equal(r.code, 0, `nscope ${args.join(' ')}: ${r.stderr}`);
  return r;
}
const out = async (...args: string[]) => (await cli(args)).stdout;
const dataDir = (name: string) => path.join(d.root, 'volumes', name, '_data');
/** The mounts the host (this process's namespace: the helper's) has at `dir`. */
const mountsAt = (dir: string) => fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter((l) => l.split(' ')[4] === dir);
const volumeNames = async () => (await out('volume', 'ls', '-q')).split('\n').filter(Boolean).sort();

before(async () => {
  d = new TestDaemon('vf');
  await d.start();
  const c = await d.client();
  await c.request('image.host', { name: 'host', programs: [...TEST_PROGRAMS, 'df', 'cut'] });
});
after(async () => {
  const leaks = await d.cleanup();
  for (const l of loops) { try { execFileSync('losetup', ['-d', l]); } catch { /* gone */ } }
  assert.deepEqual(leaks, []);
});

test('a tmpfs volume: a tmpfs of its size while a container holds it, shared, unmounted with its content when the last user stops', async () => {
  assert.equal(await out('volume', 'create', '--driver', 'local', '--opt', 'type=tmpfs', '--opt', 'device=tmpfs', '--opt', 'o=size=1m,uid=1000', '--label', 'kind=mem', 'vf-tmp'), 'vf-tmp\n');
  const [v] = JSON.parse(await out('volume', 'inspect', 'vf-tmp'));
  assert.deepEqual([v.Options, v.Nscope.mounted, v.Labels, v.Driver, v.Scope], [{ type: 'tmpfs', device: 'tmpfs', o: 'size=1m,uid=1000' }, false, { kind: 'mem' }, 'local', 'local']);
  assert.equal(await out('volume', 'inspect', '-f', '{{.Options.type}} {{.Name}}', 'vf-tmp'), 'tmpfs vf-tmp\n');
  assert.deepEqual(mountsAt(dataDir('vf-tmp')), [], 'not mounted before a container uses it');

  await cli(['run', '-d', '--name', 'vf-t1', '-v', 'vf-tmp:/data', 'host', ...sh('echo kept > /data/f; exec sleep 60')]);
  const up = mountsAt(dataDir('vf-tmp'));
  assert.equal(up.length, 1, 'one mount while held');
  assert.match(up[0], / - tmpfs tmpfs rw,.*size=1024k/);
  assert.match(up[0].split(' ')[5], /nosuid/, 'nosuid unless asked');
  assert.match(up[0].split(' ')[5], /nodev/, 'nodev unless asked');
  assert.equal(JSON.parse(await out('volume', 'inspect', 'vf-tmp'))[0].Nscope.mounted, true);
  // a second user sees the first one's content; the size holds
  for (let i = 0; i < 100 && !fs.existsSync(path.join(dataDir('vf-tmp'), 'f')); i++) await sleep(50);
  const second = await out('run', '--rm', '-v', 'vf-tmp:/data', 'host', ...sh('cat /data/f; grep " /data " /proc/mounts | cut -d" " -f3; stat -c %u /data; df -k /data | tail -1 | tr -s " " | cut -d" " -f2; dd if=/dev/zero of=/data/big bs=64k count=32 2>/dev/null || echo full; rm -f /data/big'));
  assert.equal(second, 'kept\ntmpfs\n1000\n1024\nfull\n');
  assert.equal(mountsAt(dataDir('vf-tmp')).length, 1, 'still held by vf-t1');

  await cli(['stop', '-t', '0', 'vf-t1']);
  assert.deepEqual(mountsAt(dataDir('vf-tmp')), [], 'the last user stopped: unmounted');
  assert.deepEqual(fs.readdirSync(dataDir('vf-tmp')), [], 'nothing written under the mount is left in the directory');
  assert.equal(JSON.parse(await out('volume', 'inspect', 'vf-tmp'))[0].Nscope.mounted, false);
  // as Docker: the content went with the mount; a new user gets an empty tmpfs
  assert.equal(await out('run', '--rm', '-v', 'vf-tmp:/data', 'host', 'ls', '-A', '/data'), '');
  // a start of the stopped user mounts it again
  await cli(['start', 'vf-t1']);
  assert.equal(mountsAt(dataDir('vf-tmp')).length, 1);
  await cli(['rm', '-f', 'vf-t1']);
  assert.deepEqual(mountsAt(dataDir('vf-tmp')), []);
  await cli(['volume', 'rm', 'vf-tmp']);
  assert.ok(!fs.existsSync(path.join(d.root, 'volumes', 'vf-tmp')));
});

test('a bind volume (type=none, o=bind) shows the host directory; ro holds; removing the volume leaves the directory', async () => {
  const host = path.join(d.dir, 'vf-bind');
  fs.mkdirSync(host);
  fs.writeFileSync(path.join(host, 'h'), 'from the host\n');
  await cli(['volume', 'create', '-o', 'type=none', '-o', 'o=bind', '-o', `device=${host}`, 'vf-bind']);
  assert.equal(await out('run', '--rm', '-v', 'vf-bind:/b', 'host', ...sh('cat /b/h; echo back > /b/w')), 'from the host\n');
  assert.equal(fs.readFileSync(path.join(host, 'w'), 'utf8'), 'back\n');
  assert.deepEqual(mountsAt(dataDir('vf-bind')), []);
  await cli(['volume', 'create', '-o', 'type=none', '-o', 'o=bind,ro', '-o', `device=${host}`, 'vf-bind-ro']);
  assert.equal(await out('run', '--rm', '-v', 'vf-bind-ro:/b', 'host', ...sh('cat /b/w; echo x > /b/x 2>/dev/null || echo read-only')), 'back\nread-only\n');
  await cli(['volume', 'rm', 'vf-bind', 'vf-bind-ro']);
  assert.deepEqual(fs.readdirSync(host).sort(), ['h', 'w'], 'the host directory is untouched by the removal');
  // asked again with other options, a volume of that name is a conflict; with the same ones it is the same volume
  await cli(['volume', 'create', '-o', 'type=none', '-o', 'o=bind', '-o', `device=${host}`, 'vf-bind']);
  await cli(['volume', 'create', '-o', 'type=none', '-o', 'o=bind', '-o', `device=${host}`, 'vf-bind']);
  const other = await cli(['volume', 'create', '-o', 'type=tmpfs', '-o', 'device=tmpfs', 'vf-bind'], false);
  assert.match(other.stderr, /exists with other driver options/);
  await cli(['volume', 'rm', 'vf-bind']);
});

test('--mount volume-opt makes a volume with options on first use', async () => {
  const r = await out('run', '--rm', '--mount', 'type=volume,src=vf-mo,dst=/m,volume-opt=type=tmpfs,volume-opt=device=tmpfs,"volume-opt=o=size=2m,mode=700"', 'host', ...sh('grep " /m " /proc/mounts | cut -d" " -f3; stat -c %a /m'));
  assert.equal(r, 'tmpfs\n700\n');
  assert.deepEqual(JSON.parse(await out('volume', 'inspect', 'vf-mo'))[0].Options, { type: 'tmpfs', device: 'tmpfs', o: 'size=2m,mode=700' });
  assert.deepEqual(mountsAt(dataDir('vf-mo')), []);
  await cli(['volume', 'rm', 'vf-mo']);
  const bad = await cli(['create', '--mount', 'type=volume,src=vf-mo2,dst=/m,volume-opt=type=proc,volume-opt=device=proc', 'host', 'true'], false);
  assert.match(bad.stderr, /type "proc"/);
  assert.ok(!(await volumeNames()).includes('vf-mo2'));
});

test('hostile and malformed driver options are refused by name and leave nothing', async () => {
  const before = await volumeNames();
  const cases: [string[], RegExp][] = [
    [['-d', 'nfs-plugin'], /driver "nfs-plugin": nscope has only the local driver/],
    [['-o', 'size=10m'], /option "size".*xfs project quotas/],
    [['-o', 'color=red'], /invalid option: "color"/],
    [['-o', 'type=tmpfs'], /missing required option: "device"/],
    [['-o', 'device=/tmp'], /missing required option: "type"/],
    [['-o', 'o=size=1m'], /missing required option: "device"/],
    [['-o', 'type=proc', '-o', 'device=proc'], /type "proc": not storage a volume may be/],
    [['-o', 'type=debugfs', '-o', 'device=debugfs'], /type "debugfs"/],
    [['-o', 'type=nosuchfs', '-o', 'device=x'], /type "nosuchfs": not a file system this kernel has/],
    [['-o', 'type=nfs', '-o', 'device=:/export', '-o', 'o=addr=10.0.0.1'], /type "nfs": network file systems are not supported/],
    [['-o', 'type=none', '-o', `device=${d.dir}`], /type=none mounts nothing without o=bind/],
    [['-o', 'type=tmpfs', '-o', 'o=bind', '-o', `device=${d.dir}`], /o=bind: a bind volume takes type=none/],
    [['-o', 'type=none', '-o', 'o=bind', '-o', 'device=/no/such/dir'], /no such directory/],
    [['-o', 'type=none', '-o', 'o=bind', '-o', 'device=relative/dir'], /must be an absolute path/],
    [['-o', 'type=none', '-o', 'o=bind', '-o', 'device=/etc/hostname'], /not a directory/],
    [['-o', 'type=none', '-o', 'o=bind,shared', '-o', `device=${d.dir}`], /"shared" is not an option nscope passes to a bind mount/],
    [['-o', 'type=ext4', '-o', 'device=/etc/passwd'], /not a block device/],
    [['-o', 'type=ext4', '-o', 'device=/dev/null'], /not a block device/],
    [['-o', 'type=ext4', '-o', 'device=/dev/loop0', '-o', 'o=journal_path=/dev/loop1'], /"journal_path=\/dev\/loop1" is not an option/],
    [['-o', 'type=ext4', '-o', 'device=/dev/loop0', '-o', 'o=errors=panic'], /"errors=panic" is not an option/],
    [['-o', 'type=tmpfs', '-o', 'device=tmpfs', '-o', 'o=size=1m,X-mount.mkdir'], /unknown tmpfs option 'X-mount.mkdir'/],
    [['-o', 'type=tmpfs', '-o', 'device=tmpfs', '-o', 'o=size=99999g'], /size 99999g out of range/],
    [['-o', 'type=tmpfs', '-o', 'device=LABEL=x'], /a tmpfs has no device, only a name/],
    [['-o', 'type=tmpfs', '-o', 'device=tmpfs', '-o', 'o=size=1m loop'], /has characters no mount option has/],
    [['--scope', 'multi'], /--scope: cluster volumes need a swarm; nscope has none/],
    [['--type', 'mount'], /--type: cluster volumes need a swarm/],
    [['--secret', 'a=b'], /--secret: cluster volumes need a swarm/],
  ];
  for (const [flags, why] of cases) {
    const r = await d.cli(['volume', 'create', ...flags, 'vf-bad']);
    assert.notEqual(r.code, 0, `${flags.join(' ')} was accepted`);
    assert.match(r.stderr, why, flags.join(' '));
    assert.equal(r.stderr.trim().split('\n').length, 1, `one line: ${r.stderr}`);
  }
  assert.deepEqual(await volumeNames(), before);
  assert.ok(!fs.existsSync(path.join(d.root, 'volumes', 'vf-bad')), 'no directory for a refused volume');
  assert.equal(fs.readdirSync(path.join(d.root, 'volumes')).filter((n) => n.includes('vf-bad')).length, 0);
  // the cluster listing too
  const cl = await d.cli(['volume', 'ls', '--cluster']);
  assert.notEqual(cl.code, 0);
  assert.match(cl.stderr, /cluster volumes need a swarm/);
});

test('a bind volume whose directory went: the start fails by name, no mount or container is left', async () => {
  const host = path.join(d.dir, 'vf-gone');
  fs.mkdirSync(host);
  await cli(['volume', 'create', '-o', 'type=none', '-o', 'o=bind', '-o', `device=${host}`, 'vf-gone']);
  fs.rmdirSync(host);
  const r = await cli(['run', '--rm', '--name', 'vf-gone-user', '-v', 'vf-gone:/g', 'host', 'true'], false);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /no such directory/);
  assert.deepEqual(mountsAt(dataDir('vf-gone')), []);
  assert.equal(await out('ps', '-aq', '-f', 'name=vf-gone-user'), '');
  await cli(['volume', 'rm', 'vf-gone']);
});

test('an ext4 volume on a block device (a loop device); a device with no file system fails to mount and leaves no mount', async (t) => {
  const has = (p: string) => ['/usr/sbin', '/sbin', '/usr/bin', '/bin'].some((dir) => fs.existsSync(path.join(dir, p)));
  if (!has('losetup') || !has('mkfs.ext4') || !fs.existsSync('/dev/loop-control')) { t.skip('no loop devices or mkfs.ext4 here'); return; }
  const img = path.join(d.dir, 'vf-ext4.img');
  fs.writeFileSync(img, Buffer.alloc(8 << 20));
  execFileSync('mkfs.ext4', ['-q', '-F', img]);
  const dev = execFileSync('losetup', ['-f', '--show', img], { encoding: 'utf8' }).trim();
  loops.push(dev);
  await cli(['volume', 'create', '-o', 'type=ext4', '-o', `device=${dev}`, '-o', 'o=noatime', 'vf-ext4']);
  assert.equal(await out('run', '--rm', '-v', 'vf-ext4:/e', 'host', ...sh('grep " /e " /proc/mounts | cut -d" " -f3; echo on-disk > /e/f')), 'ext4\n');
  assert.deepEqual(mountsAt(dataDir('vf-ext4')), []);
  // the file system kept it: a block volume's content outlives its mount
  assert.equal(await out('run', '--rm', '-v', 'vf-ext4:/e', 'host', 'cat', '/e/f'), 'on-disk\n');
  await cli(['volume', 'rm', 'vf-ext4']);

  const blank = path.join(d.dir, 'vf-blank.img');
  fs.writeFileSync(blank, Buffer.alloc(4 << 20));
  const bdev = execFileSync('losetup', ['-f', '--show', blank], { encoding: 'utf8' }).trim();
  loops.push(bdev);
  await cli(['volume', 'create', '-o', 'type=ext4', '-o', `device=${bdev}`, 'vf-blank']);
  const r = await cli(['run', '--rm', '--name', 'vf-blank-user', '-v', 'vf-blank:/e', 'host', 'true'], false);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /volume vf-blank: mounting ext4 .* failed/);
  assert.deepEqual(mountsAt(dataDir('vf-blank')), []);
  assert.equal(await out('ps', '-aq', '-f', 'name=vf-blank-user'), '');
  await cli(['volume', 'rm', 'vf-blank']);
});

test('a helper killed and started again: a running holder keeps its mount; one whose user died meanwhile is unmounted', async () => {
  for (const v of ['vf-r1', 'vf-r2']) await cli(['volume', 'create', '-o', 'type=tmpfs', '-o', 'device=tmpfs', '-o', 'o=size=1m', v]);
  await cli(['run', '-d', '--name', 'vf-h1', '-v', 'vf-r1:/d', 'host', 'sleep', '60']);
  await cli(['run', '-d', '--name', 'vf-h2', '-v', 'vf-r2:/d', 'host', 'sleep', '60']);
  const c = await d.client();
  const pid2 = (await c.request('container.inspect', { id: 'vf-h2' })).pid!;
  d.kill9();
  await d.waitExit();
  process.kill(pid2, 'SIGKILL');
  await d.start();
  assert.equal(mountsAt(dataDir('vf-r1')).length, 1, 'vf-h1 still runs: its volume stays mounted');
  for (let i = 0; i < 200 && mountsAt(dataDir('vf-r2')).length; i++) await sleep(25);
  assert.deepEqual(mountsAt(dataDir('vf-r2')), [], 'vf-h2 died while the helper was down: unmounted');
  const [r1] = JSON.parse(await out('volume', 'inspect', 'vf-r1'));
  assert.equal(r1.Nscope.mounted, true);
  await cli(['rm', '-f', 'vf-h1', 'vf-h2']);
  assert.deepEqual(mountsAt(dataDir('vf-r1')), [], 'the last holder removed after the restart: unmounted');
  await cli(['volume', 'rm', 'vf-r1', 'vf-r2']);
});

test('bind-propagation: refused in Docker\'s words on a source that is not shared (or slave); rslave/rshared on a shared one see what the host mounts there later', async () => {
  const src = path.join(d.dir, 'prop-src');
  fs.mkdirSync(src, { recursive: true });
  // the test's directory is on a private mount (as / is on a machine with no systemd): Docker refuses, so does nscope
  const priv = path.join(d.dir, 'prop-private');
  fs.mkdirSync(priv, { recursive: true });
  const privMount = fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n').map((l) => l.split(' ')).filter((f) => f.length > 6 && (priv === f[4] || priv.startsWith(f[4] === '/' ? '/' : `${f[4]}/`))).pop()!;
  if (!privMount.slice(6).some((x) => x.startsWith('shared:') || x.startsWith('master:'))) {
    const r = await cli(['run', '--rm', '--mount', `type=bind,src=${priv},dst=/data,bind-propagation=rshared`, 'host', 'true'], false);
    assert.equal(r.code, 125, r.stderr);
    assert.equal(r.stderr, `nscope: path ${priv} is mounted on ${privMount[4]} but it is not a shared mount\n`);
    const s = await cli(['run', '--rm', '-v', `${priv}:/data:rslave`, 'host', 'true'], false);
    assert.equal(s.stderr, `nscope: path ${priv} is mounted on ${privMount[4]} but it is not a shared or slave mount\n`);
  }
  execFileSync('mount', ['--bind', src, src]);
  try {
    execFileSync('mount', ['--make-shared', src]);
    const ids: string[] = [];
    for (const p of ['rslave', 'rshared']) ids.push((await out('run', '-d', '--mount', `type=bind,src=${src},dst=/data,bind-propagation=${p}`, 'host', 'sleep', '60')).trim());
    fs.mkdirSync(path.join(src, 'later'), { recursive: true });
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'nscope-prop-test', path.join(src, 'later')]);
    for (const id of ids) assert.match(await out('exec', id, 'cat', '/proc/self/mountinfo'), / \/data\/later .* nscope-prop-test /, 'the host\'s later mount reached the container');
    await cli(['rm', '-f', ...ids]);
  } finally {
    try { execFileSync('umount', ['-R', src]); } catch { /* gone */ }
  }
});

test('volume ls --filter: dangling, driver, label, name; a template; unknown filters refused', async () => {
  await cli(['volume', 'create', '--label', 'team=a', 'vf-la']);
  await cli(['volume', 'create', '--label', 'team=b', '--label', 'tier', 'vf-lb']);
  await cli(['volume', 'create', 'vf-lc']);
  await cli(['create', '--name', 'vf-user', '-v', 'vf-lb:/x', 'host', 'true']);
  const ls = async (...f: string[]) => (await out('volume', 'ls', '-q', ...f)).split('\n').filter((n) => n.startsWith('vf-l')).sort();
  assert.deepEqual(await ls(), ['vf-la', 'vf-lb', 'vf-lc']);
  assert.deepEqual(await ls('-f', 'dangling=true'), ['vf-la', 'vf-lc']);
  assert.deepEqual(await ls('--filter', 'dangling=false'), ['vf-lb']);
  assert.deepEqual(await ls('-f', 'label=team'), ['vf-la', 'vf-lb']);
  assert.deepEqual(await ls('-f', 'label=team=b'), ['vf-lb']);
  assert.deepEqual(await ls('-f', 'label=team', '-f', 'label=tier'), ['vf-lb'], 'every label filter must match');
  assert.deepEqual(await ls('-f', 'name=vf-l[ac]'), ['vf-la', 'vf-lc']);
  assert.deepEqual(await ls('-f', 'name=vf-la', '-f', 'name=vf-lc'), ['vf-la', 'vf-lc'], 'values of one key are alternatives');
  assert.deepEqual(await ls('-f', 'driver=local'), ['vf-la', 'vf-lb', 'vf-lc']);
  assert.deepEqual(await ls('-f', 'driver=nfs'), []);
  assert.equal(await out('volume', 'ls', '-f', 'name=vf-lb', '--format', '{{.Name}} {{.Driver}} {{.Links}} {{.Label "team"}}'), 'vf-lb local 1 b\n');
  const bad = await d.cli(['volume', 'ls', '-f', 'color=red']);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /invalid filter 'color'/);
  assert.equal((await d.cli(['volume', 'ls', '-f', 'dangling=maybe'])).code, 1);
  await cli(['rm', 'vf-user']);
});

test('volume prune --filter label / label!: only the matching unused volumes go', async () => {
  await cli(['volume', 'create', '--label', 'keep', 'vf-lk']);
  // vf-la (team=a), vf-lb (team=b, tier), vf-lc (no labels) from the test above, none used now
  const pruned = await out('volume', 'prune', '-f', '-a', '--filter', 'label=team=a');
  assert.equal(pruned, 'Deleted Volumes:\nvf-la\n\nTotal reclaimed space: 0B\n');
  const json = JSON.parse(await out('volume', 'prune', '-f', '-a', '--filter', 'label!=keep', '--filter', 'label!=tier', '--format', 'json'));
  assert.ok(json.removed.includes('vf-lc'), 'no keep, no tier: pruned');
  assert.ok(!json.removed.includes('vf-lb') && !json.removed.includes('vf-lk'));
  const bad = await d.cli(['volume', 'prune', '-f', '--filter', 'until=1h']);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /invalid filter 'until'/);
  await cli(['volume', 'rm', 'vf-lb', 'vf-lk']);
});

test('container prune --filter: until (RFC 3339, Unix seconds, a duration), label, label!', async () => {
  await cli(['create', '--name', 'vf-old', '--label', 'age=old', 'host', 'true']);
  await sleep(1100);
  const mid = new Date().toISOString();
  const midUnix = String(Date.now() / 1000);
  await sleep(1100);
  await cli(['create', '--name', 'vf-new', '--label', 'age=new', '--label', 'keep', 'host', 'true']);
  const names = async () => (await out('ps', '-a', '--format', '{{.Names}}')).split('\n').filter((n) => n.startsWith('vf-')).sort();
  // an hour back: both are newer, both stay
  assert.equal(await out('container', 'prune', '-f', '--filter', 'until=1h'), 'Total reclaimed space: 0B\n');
  assert.deepEqual(await names(), ['vf-new', 'vf-old']);
  assert.equal(await out('container', 'prune', '-f', '--filter', `until=${midUnix}`, '--filter', 'label=age=new'), 'Total reclaimed space: 0B\n', 'both filters must pass');
  const r = await out('container', 'prune', '-f', '--filter', `until=${mid}`);
  assert.match(r, /^Deleted Containers:\n[0-9a-f]{64}\n\nTotal reclaimed space: /);
  assert.deepEqual(await names(), ['vf-new'], 'the one made before the time went');
  await cli(['create', '--name', 'vf-other', 'host', 'true']);
  await out('container', 'prune', '-f', '--filter', 'label!=keep');
  assert.deepEqual(await names(), ['vf-new'], 'label!= spares the labelled one');
  await out('container', 'prune', '-f', '--filter', 'label=keep');
  assert.deepEqual(await names(), []);
  // a filter without `=` is one the flag itself refuses (Docker's 125), the others are refused after (1)
  for (const [f, why, code] of [['until=yesterday', /is not a time/, 1], ['status=exited', /invalid filter 'status'/, 1], ['until', /bad format of filter/, 125]] as const) {
    const bad = await d.cli(['container', 'prune', '-f', '--filter', f]);
    assert.equal(bad.code, code, f);
    assert.match(bad.stderr, why);
  }
  const two = await d.cli(['container', 'prune', '-f', '--filter', 'until=1h', '--filter', 'until=2h']);
  assert.match(two.stderr, /more than one until filter/);
});

test('image prune and system prune --filter: label and until', async () => {
  await cli(['create', '--name', 'vf-src', 'host', 'true']);
  await cli(['commit', '--change', 'LABEL tier=x', 'vf-src', 'vf-img-x:1']);
  await cli(['commit', '--change', 'LABEL tier=y', 'vf-src', 'vf-img-y:1']);
  const images = async () => (await out('images', '--format', '{{.Repository}}')).split('\n').filter(Boolean).sort();
  assert.deepEqual(await images(), ['host', 'vf-img-x', 'vf-img-y']);
  // -a with a label: only that image (host is vf-src's, and has no such label)
  const x = await out('image', 'prune', '-a', '-f', '--filter', 'label=tier=x');
  assert.match(x, /^Deleted Images:\nuntagged: vf-img-x:1\ndeleted: sha256:[0-9a-f]{64}\n\nTotal reclaimed space: /);
  // made just now: not before an hour ago
  assert.equal(await out('image', 'prune', '-a', '-f', '--filter', 'until=1h', '--filter', 'label=tier'), 'Total reclaimed space: 0B\n');
  assert.deepEqual(await images(), ['host', 'vf-img-y']);
  // system prune with a label: the container and image without it stay
  await cli(['create', '--name', 'vf-lab', '--label', 'tier=y', 'host', 'true']);
  const sp = await out('system', 'prune', '-a', '-f', '--filter', 'label=tier=y');
  assert.match(sp, /^Deleted Containers:\n[0-9a-f]{64}\n\nDeleted Images:\nuntagged: vf-img-y:1\n/);
  assert.deepEqual((await out('ps', '-a', '--format', '{{.Names}}')).trim(), 'vf-src');
  assert.deepEqual(await images(), ['host']);
  const bad = await d.cli(['system', 'prune', '-f', '--volumes', '--filter', 'until=1h']);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /"until" filter is not supported with "--volumes"/);
  await cli(['rm', 'vf-src']);
});

test('builder prune --filter until and --keep-storage; system df -v: its four tables', async () => {
  const work = path.join(d.dir, 'vf-build');
  fs.mkdirSync(work);
  fs.writeFileSync(path.join(work, 'Containerfile'), 'FROM host\nRUN dd if=/dev/zero of=/a bs=1k count=1024 2>/dev/null\nRUN dd if=/dev/zero of=/b bs=1k count=1024 2>/dev/null\nRUN echo done > /c\n');
  const env = { ...process.env, XDG_CACHE_HOME: path.join(work, 'cache') };
  const b = await d.cli(['build', '-q', '-t', 'vf-built:1', work], { env });
  assert.equal(b.code, 0, b.stderr);
  const cacheIds = async () => new Set((await (await d.client()).request('image.list', { all: true })).filter((i) => i.name.startsWith('nscope-build-cache:')).map((i) => i.id));
  const before = await cacheIds();
  assert.ok(before.size >= 2, 'the two dd steps are cache entries');

  // df -v: the tables and their columns
  await cli(['volume', 'create', 'vf-dfv']);
  await cli(['create', '--name', 'vf-df', '-v', 'vf-dfv:/v', 'vf-built:1', 'true']);
  const df = await out('system', 'df', '-v');
  const sections = df.split('\n\n');
  assert.equal(sections[0], 'Images space usage:');
  assert.match(sections[1], /^REPOSITORY +TAG +IMAGE ID +CREATED +SIZE +SHARED SIZE +UNIQUE SIZE +CONTAINERS\n/);
  assert.match(sections[1], /^vf-built +1 +[0-9a-f]{12} +.+ ago +\S+ +\S+ +\S+ +1$/m);
  assert.match(sections[1], /^host +latest +[0-9a-f]{12} /m);
  assert.equal(sections[1].split('\n').filter((l) => l.startsWith('nscope-build-cache')).length, 0, 'the cache is not among the images');
  assert.equal(sections[2], 'Containers space usage:');
  assert.match(sections[3], /^CONTAINER ID +IMAGE +COMMAND +LOCAL VOLUMES +SIZE +CREATED +STATUS +NAMES\n[0-9a-f]{12} +vf-built:1 +"true" +1 +\S+ +.+ ago +Created +vf-df$/m);
  assert.equal(sections[4], 'Local Volumes space usage:');
  assert.match(sections[5], /^VOLUME NAME +LINKS +SIZE\n(.*\n)*vf-dfv +1 +0B$/m);
  assert.match(sections[6], /^Build cache usage: \S+$/);
  assert.match(sections[7], /^CACHE ID +CACHE TYPE +SIZE +CREATED +LAST USED +USAGE +SHARED\n/);
  // the two dd steps made 1 MiB each (kB as Docker's units: 1.05MB)
  assert.equal(sections[7].split('\n').filter((l) => / regular +1\.05MB /.test(l)).length, 2, sections[7]);
  const doc = JSON.parse(await out('system', 'df', '-v', '--format', 'json'));
  assert.deepEqual(Object.keys(doc), ['Images', 'Containers', 'Volumes', 'BuildCache']);
  assert.deepEqual(doc.Volumes.find((v: { Name: string }) => v.Name === 'vf-dfv'), { Name: 'vf-dfv', Links: '1', Size: '0B' });
  assert.equal(await out('system', 'df', '-v', '--format', '{{range .Volumes}}{{.Name}}={{.Links}};{{end}}'), (doc.Volumes as { Name: string; Links: string }[]).map((v) => `${v.Name}=${v.Links};`).join(''));
  await cli(['rm', 'vf-df']);
  await cli(['volume', 'rm', 'vf-dfv']);

  // made just now: not before an hour ago
  assert.equal(await out('builder', 'prune', '-f', '--filter', 'until=1h'), 'Total reclaimed space: 0B\n');
  assert.deepEqual(await cacheIds(), before);
  assert.equal((await d.cli(['builder', 'prune', '-f', '--filter', 'label=x'])).code, 1, 'builder prune takes until only');
  assert.equal((await d.cli(['builder', 'prune', '-f', '--keep-storage', 'lots'])).code, 125);
  // room for the newest step's layer, not for both: the older entry goes
  const kept = await out('builder', 'prune', '-f', '--keep-storage', '1.5m');
  assert.match(kept, /^Deleted build cache objects:\nsha256:[0-9a-f]{64}\n\nTotal reclaimed space: /);
  const left = await cacheIds();
  assert.equal(left.size, before.size - 1);
  // a duration of nothing: everything made before now goes
  assert.match(await out('builder', 'prune', '-f', '--filter', 'until=0s'), /^Deleted build cache objects:\n/);
  assert.equal((await cacheIds()).size, 0);
  assert.equal(await out('run', '--rm', 'vf-built:1', 'cat', '/c'), 'done\n', 'the built image stays');
  await cli(['rmi', 'vf-built:1']);
});
