// Volumes with real mounts: copyData from an image's merged layers (owners,
// modes, links, whiteouts, opaque directories), sharing between containers,
// nocopy, volume rm refused while used, rm -v, --read-only, --tmpfs, and
// hostile flags. The image is made here: two commits over `host`, the second
// deleting a file and replacing a directory of the first (a whiteout and an
// opaque directory in /data), with VOLUME /data.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { runToExit } from '../helpers/containers';
import { TEST_PROGRAMS, TestDaemon } from '../helpers/daemon';

let d: TestDaemon;
const sh = (script: string) => ['sh', '-c', script];

async function cli(args: string[], expectOk = true) {
  const r = await d.cli(args);
  if (expectOk) assert.equal(r.code, 0, `nscope ${args.join(' ')}: ${r.stderr}`);
  return r;
}

before(async () => {
  d = new TestDaemon('volumes');
  await d.start();
  const c = await d.client();
  await c.request('image.host', { name: 'host', programs: [...TEST_PROGRAMS, 'stat', 'df', 'sync'] });
  await cli(['run', '--name', 'mk1', 'host', ...sh([
    'mkdir -p /data/sub /data/keep && echo hi > /data/a && chown 1000:1001 /data/a && chmod 640 /data/a',
    'ln -s a /data/link && ln -s /etc/passwd /data/abs && ln /data/a /data/hard',
    'echo gone > /data/gone && echo old > /data/sub/old && echo k > /data/keep/k && chmod 711 /data/keep',
  ].join(' && '))]);
  await cli(['commit', 'mk1', 'data1']);
  await cli(['run', '--name', 'mk2', 'data1', ...sh('rm /data/gone && rm -rf /data/sub && mkdir /data/sub && echo new > /data/sub/new')]);
  await cli(['commit', '--change', 'VOLUME /data', 'mk2', 'data']);
  await cli(['rm', 'mk1', 'mk2']);
});
after(async () => { assert.deepEqual(await d.cleanup(), []); });

test('copyData: a new named volume gets the image\'s /data as the container would see it', async () => {
  const r = await cli(['run', '--rm', '-v', 'vol1:/data', 'data', ...sh('cd /data && ls -A; stat -c "%n %u:%g %a %h" a hard keep; cat sub/new keep/k; ls sub')]);
  assert.equal(r.stdout, 'a\nabs\nhard\nkeep\nlink\nsub\n./a 1000:1001 640 2\n./hard 1000:1001 640 2\n./keep 0:0 711 2\nnew\nk\nnew\n'.replace(/\.\//g, ''));
  // on the host: in Docker's layout, symlinks kept as links (never followed), hardlinks kept
  // Docker's document: Mountpoint
  const { Mountpoint: mountpoint } = JSON.parse((await cli(['volume', 'inspect', 'vol1'])).stdout)[0];
  assert.equal(mountpoint, path.join(d.root, 'volumes', 'vol1', '_data'));
  assert.equal(fs.readlinkSync(path.join(mountpoint, 'abs')), '/etc/passwd');
  assert.equal(fs.statSync(path.join(mountpoint, 'a')).ino, fs.statSync(path.join(mountpoint, 'hard')).ino);
  assert.ok(!fs.existsSync(path.join(mountpoint, 'gone')), 'a whiteout hides the lower layer\'s file');
  assert.ok(!fs.existsSync(path.join(mountpoint, 'sub', 'old')), 'an opaque directory hides the lower layer\'s content');
  assert.deepEqual(fs.readdirSync(mountpoint).filter((n) => n.startsWith('.wh.')), []);
});

test('a second container sees the first one\'s writes; the copy is not made again', async () => {
  await cli(['run', '--rm', '-v', 'shared:/data', 'data', ...sh('echo written > /data/w && rm /data/a')]);
  const r = await cli(['run', '--rm', '-v', 'shared:/data', 'data', ...sh('cat /data/w; ls /data/a 2>/dev/null || echo no-a')]);
  assert.equal(r.stdout, 'written\nno-a\n');
});

test('--volumes-from: another container\'s volumes (anonymous too) and binds at the same places, ro kept or asked; not its tmpfs; explicit -v wins', async () => {
  const hostDir = path.join(d.dir, 'vf-bind');
  fs.mkdirSync(hostDir, { recursive: true });
  fs.writeFileSync(path.join(hostDir, 'h'), 'from the host\n');
  await cli(['run', '--name', 'vf-src', '-v', 'vfdata:/data', '-v', '/anon', '-v', `${hostDir}:/hb:ro`, '--tmpfs', '/scratch', 'host', ...sh('echo shared > /data/s && echo anon > /anon/a')]);
  const r = await cli(['run', '--rm', '--volumes-from', 'vf-src', 'host', ...sh('cat /data/s /anon/a /hb/h; echo x > /hb/w 2>/dev/null || echo hb-ro; echo more > /data/more && echo data-rw; grep -c " /scratch " /proc/mounts || true')]);
  assert.equal(r.stdout, 'shared\nanon\nfrom the host\nhb-ro\ndata-rw\n0\n');
  const ro = await cli(['run', '--rm', '--volumes-from', 'vf-src:ro', 'host', ...sh('cat /data/more; echo y > /data/y 2>/dev/null || echo data-ro')]);
  assert.equal(ro.stdout, 'more\ndata-ro\n');
  // :rw is Docker's "the source's mode": a read-only bind stays read-only (RW = the source's AND the mode's)
  const rw = await cli(['run', '--rm', '--volumes-from', 'vf-src:rw,z', 'host', ...sh('echo x > /hb/w 2>/dev/null || echo hb-ro; echo y > /data/y && echo data-rw')]);
  assert.equal(rw.stdout, 'hb-ro\ndata-rw\n');
  // a mode Docker does not take is its "invalid mode", not a container named vf-src:…
  for (const mode of ['foo', 'rw:ro', 'ro,rw', 'nocopy', 'rshared']) {
    const r = await d.cli(['run', '--rm', '--volumes-from', `vf-src:${mode}`, 'host', 'true']);
    assert.equal(r.code, 125, r.stderr);
    assert.match(r.stderr, new RegExp(`invalid mode: ${mode}\\n`), r.stderr);
  }
  // an explicit -v for the same place wins over the inherited one
  const own = await cli(['run', '--rm', '--volumes-from', 'vf-src', '-v', 'vf-own:/data', 'host', ...sh('ls /data/s 2>/dev/null || echo own-volume')]);
  assert.equal(own.stdout, 'own-volume\n');
  const bad = await d.cli(['create', '--volumes-from', 'no-such-box', 'host', 'true']);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /no-such-box/);
  await cli(['rm', '-v', 'vf-src']);
  await cli(['volume', 'rm', 'vfdata', 'vf-own']);
});

test('nocopy (-v and --mount) sees an empty directory', async () => {
  const r1 = await cli(['run', '--rm', '-v', 'nc1:/data:nocopy', 'data', 'ls', '-A', '/data']);
  assert.equal(r1.stdout, '');
  const r2 = await cli(['run', '--rm', '--mount', 'type=volume,source=nc2,target=/data,volume-nocopy', 'data', 'ls', '-A', '/data']);
  assert.equal(r2.stdout, '');
  await cli(['volume', 'rm', 'nc1', 'nc2']);
});

test('volume rm is refused while a container (even a stopped one) uses it, and names it', async () => {
  await cli(['volume', 'create', '--label', 'team=a', 'busy']);
  await cli(['create', '--name', 'user1', '-v', 'busy:/data', 'data', 'true']);
  const r = await cli(['volume', 'rm', 'busy'], false);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /volume is in use - \[user1\]/);
  const ls = JSON.parse((await cli(['volume', 'ls', '--format', 'json'])).stdout);
  const busy = ls.find((v: { name: string }) => v.name === 'busy');
  assert.deepEqual([busy.users, busy.labels, busy.anonymous], [['user1'], { team: 'a' }, false]);
  const pruned = JSON.parse((await cli(['volume', 'prune', '-f', '-a', '--format', 'json'])).stdout);
  assert.ok(!pruned.removed.includes('busy'), 'prune keeps a used volume');
  await cli(['rm', 'user1']);
  assert.equal((await cli(['volume', 'rm', 'busy'])).stdout, 'busy\n');
  assert.match((await cli(['volume', 'rm', 'busy'], false)).stderr, /no such volume: busy/);
  assert.equal((await cli(['volume', 'rm', '-f', 'busy'])).code, 0);
});

test('rm -v removes the anonymous volumes (the image\'s VOLUME, -v /path) and never a named one', async () => {
  const { stdout } = await cli(['create', '--name', 'anon', '-v', 'named1:/named', '-v', '/scratch', 'data', 'true']);
  const id = stdout.trim();
  const c = await d.client();
  const info = await c.request('container.inspect', { id });
  const vols = (info.mounts ?? []).filter((m) => m.type === 'volume');
  assert.deepEqual(vols.map((m) => m.destination).sort(), ['/data', '/named', '/scratch']);
  const anon = vols.filter((m) => m.name !== 'named1').map((m) => m.name!);
  for (const n of anon) assert.match(n, /^[0-9a-f]{64}$/);
  const all = await c.request('volume.list', {});
  for (const n of anon) assert.equal(all.find((v) => v.name === n)?.anonymous, true);
  // the image's /data was copied into its anonymous volume
  assert.ok(fs.existsSync(path.join(d.root, 'volumes', vols.find((m) => m.destination === '/data')!.name!, '_data', 'keep', 'k')));
  await cli(['rm', '-v', 'anon']);
  const left = (await c.request('volume.list', {})).map((v) => v.name);
  for (const n of anon) assert.ok(!left.includes(n), `anonymous volume ${n} removed`);
  assert.ok(left.includes('named1'), 'a named volume stays');
  // without -v the anonymous volume stays, for prune
  await cli(['create', '--name', 'anon2', 'data', 'true']);
  await cli(['rm', 'anon2']);
  const pruned = await c.request('volume.prune', {});
  assert.equal(pruned.removed.length, 1);
  assert.ok((await c.request('volume.list', {})).some((v) => v.name === 'named1'), 'prune without all keeps named volumes');
  await cli(['volume', 'rm', 'named1']);
});

test('--read-only: the rootfs refuses writes, volumes and tmpfs take them', async () => {
  const r = await cli(['run', '--rm', '--read-only', '-v', 'rov:/data', '--tmpfs', '/run/x', '--mount', 'type=tmpfs,target=/t2', 'data', ...sh(
    'echo v > /data/v && echo t > /run/x/t && echo t2 > /t2/t && cat /data/v /run/x/t /t2/t; touch /nope 2>/dev/null || echo root-ro')]);
  assert.equal(r.stdout, 'v\nt\nt2\nroot-ro\n');
  const ro = await cli(['run', '--rm', '-v', 'rov:/data:ro', 'data', ...sh('touch /data/x 2>/dev/null || echo vol-ro')]);
  assert.equal(ro.stdout, 'vol-ro\n');
  await cli(['volume', 'rm', 'rov']);
});

test('--tmpfs: size and mode honoured', async () => {
  const c = await d.client();
  const r = await runToExit(c, { image: 'host', tmpfs: ['/scratch:size=1m,mode=1777'], cmd: sh('stat -c %a /scratch; dd if=/dev/zero of=/scratch/f bs=64k count=32 2>/dev/null; echo rc=$?; stat -c %s /scratch/f') });
  assert.equal(r.stdout, '1777\nrc=1\n1048576\n');
  const info = await c.request('container.inspect', { id: r.id });
  assert.deepEqual(info.mounts, [{ type: 'tmpfs', destination: '/scratch', readOnly: false }]);
  await c.request('container.remove', { id: r.id });
});

test('hostile and malformed mounts get one-line errors and leave nothing', async () => {
  const before = fs.readdirSync(path.join(d.root, 'volumes')).sort();
  const cases: [string[], RegExp][] = [
    [['-v', '../x:/y'], /"\.\.\/x" includes invalid characters for a local volume name/],
    [['-v', 'a/b:/y'], /"a\/b" includes invalid characters/],
    // Docker's own words for a name of one character
    [['-v', 'a:/y'], /volume name is too short, names should be at least two alphanumeric characters/],
    [['--mount', 'type=volume,foo=bar,target=/x'], /unexpected key 'foo' in 'foo=bar'/],
    [['--mount', 'type=bind,source=/nonexistent-nscope,target=/x'], /bind source path does not exist/],
    [['--tmpfs', '/t:size=99999g'], /size 99999g out of range/],
    [['-v', 'okname:/y', '--tmpfs', '/y'], /Duplicate mount point: \/y/],
  ];
  for (const [flags, re] of cases) {
    const r = await cli(['run', '--rm', ...flags, 'host', 'true'], false);
    assert.equal(r.code, 125, `${flags.join(' ')}: ${r.stdout}${r.stderr}`);
    assert.match(r.stderr, re);
    assert.equal(r.stderr.trim().split('\n').length, 1);
  }
  const c = await d.client();
  await assert.rejects(c.request('volume.create', { name: '../../etc' }), /invalid characters/);
  await assert.rejects(c.request('volume.create', { name: 'x'.repeat(1000) }), /too long/);
  await assert.rejects(c.request('volume.remove', { name: '../volumes' }), /invalid characters/);
  await assert.rejects(c.request('volume.create', { name: 'lab', labels: { k: 5 } as unknown as Record<string, string> }), /label/);
  assert.deepEqual(fs.readdirSync(path.join(d.root, 'volumes')).sort(), before);
});

test('-v with a host path that is not there makes it (0755, as Docker\'s -v); --mount refuses it; a file bind, :ro kept', async () => {
  const base = path.join(d.dir, 'bind-src');
  const src = path.join(base, 'a', 'b');
  await cli(['run', '--rm', '-v', `${src}:/mnt`, 'host', ...sh('echo x > /mnt/f')]);
  assert.equal(fs.statSync(src).mode & 0o7777, 0o755);
  assert.equal(fs.readFileSync(path.join(src, 'f'), 'utf8'), 'x\n');
  const refused = await cli(['run', '--rm', '--mount', `type=bind,source=${base}-not,target=/mnt`, 'host', 'true'], false);
  assert.equal(refused.code, 125);
  assert.match(refused.stderr, /bind source path does not exist/);
  assert.ok(!fs.existsSync(`${base}-not`), '--mount makes nothing');
  const file = path.join(base, 'motd');
  fs.writeFileSync(file, 'hello\n');
  const ro = await cli(['run', '--rm', '-v', `${file}:/etc/motd:ro`, 'host', ...sh('cat /etc/motd; echo bye >> /etc/motd; echo rc=$?')]);
  assert.match(ro.stdout, /^hello\nrc=[1-9]/);
  await cli(['run', '--rm', '-v', `${file}:/etc/motd`, 'host', ...sh('echo bye >> /etc/motd')]);
  assert.equal(fs.readFileSync(file, 'utf8'), 'hello\nbye\n');
  fs.rmSync(base, { recursive: true, force: true });
});

test('volume events and a volume created on first use', async () => {
  const c = await d.client();
  const seen: string[] = [];
  const stop = await c.onEvent((e) => { if (e.type.startsWith('volume.')) seen.push(`${e.type} ${e.id}`); });
  await cli(['run', '--rm', '-v', 'evv:/data:nocopy', 'host', 'true']);
  await cli(['volume', 'rm', 'evv']);
  await new Promise((r) => setTimeout(r, 200));
  stop();
  assert.deepEqual(seen, ['volume.created evv', 'volume.removed evv']);
});

test('--userns=auto: a fresh volume is owned so the container\'s root owns it, its copy shifted like the layers', async () => {
  const r = await cli(['run', '--rm', '--userns', 'auto', '-v', 'uvol:/data', 'data', 'sh', '-c', 'stat -c "%u:%g" /data /data/a; echo w > /data/new && stat -c "%u:%g" /data/new']);
  assert.equal(r.stdout, '0:0\n1000:1001\n0:0\n');
  const data = path.join(d.root, 'volumes', 'uvol', '_data');
  const top = fs.statSync(data);
  assert.ok(top.uid > 65535 && fs.statSync(path.join(data, 'a')).uid === top.uid + 1000, 'host ids are the mapped ones');
  const nc = await cli(['run', '--rm', '--userns', 'auto', '-v', 'uvol2:/data:nocopy', 'data', 'sh', '-c', 'touch /data/x && stat -c "%u:%g" /data/x']);
  assert.equal(nc.stdout, '0:0\n');
  await cli(['volume', 'rm', 'uvol', 'uvol2']);
});
