// `nscope build` with the flags it takes from `docker build` (helper/cli/build-flags.ts),
// against a real helper: --iidfile holds the image's ID as Docker writes it;
// --label lands in the image's config (over a Containerfile LABEL);
// --platform of this host is taken (and asked of FROM's pulls), another is
// refused with nothing left; every RUN step's container gets --memory,
// --cpu-*, --cpuset-cpus, --shm-size, --ulimit, --add-host and
// --cgroup-parent as `run` gives them (read inside the RUN); bad values are
// refused before the first step, or by the helper at the RUN naming its
// step, with no container left; --isolation, --squash and
// --disable-content-trust=false are refused, Docker's builder flags nscope
// has no use for are accepted.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { buildContainerfile } from '../../helper/build/build';
import { hostPlatform } from '../../helper/images/oci';
import { startWithImage, type TestDaemon } from '../helpers/daemon';

describe('nscope build: docker build\'s flags', () => {
  let d: TestDaemon;
  let work: string;
  let env: NodeJS.ProcessEnv;
  const build = (args: string[]) => d.cli(['build', ...args], { env });
  /** a context of its own holding `text` as its Containerfile */
  const context = (name: string, text: string) => {
    const dir = path.join(work, name);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'Containerfile'), text);
    return dir;
  };
  const inspect = async (ref: string) => JSON.parse((await d.cli(['inspect', ref])).stdout)[0];
  const layers = () => fs.readdirSync(path.join(d.root, 'layers')).sort();
  const allImages = async () => (await (await d.client()).request('image.list', { all: true })).map((i) => `${i.id} ${i.name}`).sort();
  const noContainers = async () => assert.equal((await d.cli(['ps', '-aq'])).stdout.trim(), '', 'no container left');

  before(async () => {
    d = await startWithImage('build-flags');
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'nscope-build-flags-'));
    env = { ...process.env, XDG_CACHE_HOME: path.join(work, 'cache') };
  });

  after(async () => {
    fs.rmSync(work, { recursive: true, force: true });
    assert.deepEqual(d ? await d.cleanup() : [], []);
  });

  test('--iidfile: the image ID as Docker writes it (sha256:…, no newline); a failed build removes an old one', async () => {
    const ctx = context('iid', 'FROM host\nRUN echo iid > /iid.txt\n');
    const iid = path.join(work, 'iid.txt');
    const r = await build(['-q', '--iidfile', iid, '-t', 'iid:1', ctx]);
    assert.equal(r.code, 0, r.stderr);
    const written = fs.readFileSync(iid, 'utf8');
    assert.match(written, /^sha256:[0-9a-f]{64}$/);
    assert.equal(written, (await inspect('iid:1')).Id);
    assert.equal(written, r.stdout.trim(), 'what -q prints');
    const bad = context('iid-bad', 'FROM host\nRUN exit 4\n');
    const failed = await build(['--iidfile', iid, bad]);
    assert.equal(failed.code, 1);
    assert.ok(!fs.existsSync(iid), 'no stale ID after a failed build');
  });

  test('--label: in the image\'s Labels (nscope inspect), over the Containerfile\'s, taken literally', async () => {
    const ctx = context('label', 'FROM host\nENV HOME=/root\nLABEL team=containerfile kept=yes\n');
    const odd = `it's "quoted" $HOME \\ and  spaces`;
    const r = await build(['-t', 'label:1', '--label', 'team=cli', '--label', `odd=${odd}`, '--label', 'empty', '--label', 'org.example.v=2', ctx]);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.deepEqual((await inspect('label:1')).Config.Labels, { team: 'cli', kept: 'yes', odd, empty: '', 'org.example.v': '2' });
    // a label alone makes no layer: the same layers as the image without it
    const plain = await build(['-t', 'label:0', ctx]);
    assert.equal(plain.code, 0, plain.stderr);
    assert.deepEqual((await inspect('label:1')).RootFS.Layers, (await inspect('label:0')).RootFS.Layers);
    assert.deepEqual((await inspect('label:0')).Config.Labels, { team: 'containerfile', kept: 'yes' });
    const noName = await build(['--label', '=x', ctx]);
    assert.notEqual(noName.code, 0);
    assert.match(noName.stderr, /invalid label '=x': empty name/);
  });

  test('--platform: this host\'s is taken (normalised); another is refused naming it, nothing left', async () => {
    const host = hostPlatform();
    const ctx = context('platform', 'FROM host\nRUN echo platform > /p.txt\n');
    for (const p of [`${host.os}/${host.architecture}`, ...(host.architecture === 'amd64' ? ['linux/x86_64', 'Linux/AMD64'] : [])]) {
      const r = await build(['--platform', p, '-t', 'plat:1', ctx]);
      assert.equal(r.code, 0, `${p}: ${r.stderr}`);
    }
    assert.equal((await inspect('plat:1')).Architecture, host.architecture);
    const before = await allImages();
    const had = layers();
    const other = host.architecture === 'arm64' ? 'linux/amd64' : 'linux/arm64';
    const r = await build(['--platform', other, '-t', 'plat:2', context('platform-other', 'FROM host\nRUN echo never > /never.txt\n')]);
    assert.equal(r.code, 1, r.stdout);
    assert.equal(r.stderr, `nscope: --platform ${other}: nscope build runs RUN steps natively (no emulation), so it builds only for this host's platform, ${host.os}/${host.architecture}\n`);
    assert.equal(r.stdout, '', 'not a step begun');
    const garbled = await build(['--platform', 'linux/amd64/v2/x', ctx]);
    assert.equal(garbled.code, 1);
    assert.match(garbled.stderr, /^nscope: --platform "linux\/amd64\/v2\/x": expected os/);
    assert.deepEqual(await allImages(), before, 'no image made');
    assert.deepEqual(layers(), had, 'no layer made');
    await noContainers();
  });

  test('RUN steps get --memory, --cpu-*, --cpuset-cpus, --shm-size, --ulimit and --add-host, as `run` gives them', async () => {
    // each read inside the RUN (cgroup v1 files, else v2's), printed in the build's output
    const script = [
      'echo "mem=$(cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max)"',
      'echo "quota=$(cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us 2>/dev/null || cut -d" " -f1 /sys/fs/cgroup/cpu.max)"',
      'echo "period=$(cat /sys/fs/cgroup/cpu/cpu.cfs_period_us 2>/dev/null || cut -d" " -f2 /sys/fs/cgroup/cpu.max)"',
      'echo "shares=$(cat /sys/fs/cgroup/cpu/cpu.shares 2>/dev/null || echo v2)"',
      'echo "cpuset=$(cat /sys/fs/cgroup/cpuset/cpuset.cpus 2>/dev/null || cat /sys/fs/cgroup/cpuset.cpus)"',
      'echo "nofile=$(ulimit -n):$(ulimit -Hn)"',
      'echo "hosts=$(grep db.example /etc/hosts)"',
      'echo "shm=$(grep " /dev/shm " /proc/mounts)"',
    ].join('; ');
    // (each RUN writes a file of its own: two layers of the same bytes are one directory, which overlayfs refuses to stack twice)
    const ctx = context('limits', `FROM host\nRUN ${script}; touch /step1\nRUN echo "second-mem=$(cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max)"; touch /step2\n`);
    const r = await build(['--no-cache', '-m', '64m', '--cpu-period', '50000', '--cpu-quota', '25000', '-c', '512', '--cpuset-cpus', '0', '--shm-size', '32m',
      '--ulimit', 'nofile=512:1024', '--add-host', 'db.example:10.1.2.3', '-t', 'limits:1', ctx]);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const seen = (k: string) => new RegExp(`^${k}=(.*)$`, 'm').exec(r.stdout)?.[1];
    assert.equal(seen('mem'), String(64 << 20));
    assert.equal(seen('second-mem'), String(64 << 20), 'every RUN step');
    assert.equal(seen('quota'), '25000');
    assert.equal(seen('period'), '50000');
    if (fs.existsSync('/sys/fs/cgroup/cpu/cpu.shares')) assert.equal(seen('shares'), '512');
    assert.equal(seen('cpuset'), '0');
    assert.equal(seen('nofile'), '512:1024');
    assert.match(seen('hosts') ?? '', /^10\.1\.2\.3\s+db\.example$/);
    assert.match(seen('shm') ?? '', /size=32768k/);
    // the image made keeps none of it: a container of it has the defaults
    const ran = await d.cli(['run', '--rm', '--network', 'none', 'limits:1', 'sh', '-c', 'grep -c db.example /etc/hosts; ulimit -n']);
    assert.equal(ran.code, 0, ran.stderr);
    const [hosts, nofile] = ran.stdout.split('\n');
    assert.equal(hosts, '0', 'no build-time host in the image');
    assert.notEqual(nofile, '512', 'nor its ulimit');
    await noContainers();
  });

  test('--cgroup-parent: the RUN step\'s cgroup is made under it, and the parent made for it goes with it', async () => {
    const parent = `${d.cgroupParent}/build-parent`;
    const dir = fs.existsSync('/sys/fs/cgroup/memory') ? path.join('/sys/fs/cgroup/memory', parent) : path.join('/sys/fs/cgroup', parent);
    const ctx = context('cgparent', 'FROM host\nRUN touch /tmp/started; sleep 3\n');
    const building = build(['--no-cache', '--cgroup-parent', parent, ctx]);
    let child: string | undefined;
    for (let i = 0; i < 100 && !child; i++) {
      await new Promise((r) => setTimeout(r, 50));
      child = fs.existsSync(dir) ? fs.readdirSync(dir, { withFileTypes: true }).find((e) => e.isDirectory())?.name : undefined;
    }
    const r = await building;
    assert.equal(r.code, 0, r.stderr);
    assert.match(child ?? '', /^[0-9a-f]{64}$/, `a container's cgroup under ${dir} during the RUN`);
    assert.ok(!fs.existsSync(dir), 'the parent the RUN\'s container made is removed with it');
  });

  test('bad values: refused before the first step, or by the helper at the RUN naming it; nothing left', async () => {
    const ctx = context('bad', 'FROM host\nRUN echo ran > /ran.txt\n');
    const before = await allImages();
    const had = layers();
    const early: [string[], RegExp][] = [
      [['-m', '1k'], /^nscope: --memory: 1 KiB is below the minimum of 6 MiB\n$/],
      // a value of the wrong form is the flag parser's, as Docker's: exit 125
      [['-m', 'lots'], /^nscope: invalid argument "lots" for "-m, --memory" flag: invalid size: 'lots'/],
      [['--memory-swap', '1g'], /--memory-swap: needs --memory too/],
      [['-m', '64m', '--memory-swap', '32m'], /--memory-swap: 32 MiB is below --memory 64 MiB/],
      [['--cpu-period', '5'], /--cpu-period: "5": CPU cfs period can not be less than 1ms/],
      [['--cpu-quota', '10'], /--cpu-quota: "10": CPU cfs quota can not be less than 1ms/],
      [['-c', '1'], /--cpu-shares: "1" is out of range; use 2\.\.262144/],
      [['--shm-size', 'big'], /--shm-size: "big" is not a size/],
      [['--add-host', 'nocolon'], /bad format for add-host: "nocolon"/],
      [['--add-host', 'db:999.1.1.1'], /invalid IP address in add-host: "999\.1\.1\.1"/],
    ];
    for (const [flags, why] of early) {
      const r = await build([...flags, ctx]);
      assert.equal(r.code, flags[1] === 'lots' ? 125 : 1, `${flags.join(' ')}: ${r.stdout}`);
      assert.match(r.stderr, why, flags.join(' '));
      assert.equal(r.stdout, '', `${flags.join(' ')}: refused before the first step`);
    }
    // what only the helper knows: its CPUs, the kernel's ceilings, its cgroups, the options it takes
    const atRun: [string[], RegExp][] = [
      [['--cpuset-cpus', '4096'], /--cpuset-cpus/],
      [['--ulimit', 'nofile=2048:1024'], /ulimit soft limit must be less than or equal to hard limit/],
      [['--ulimit', 'files=1'], /invalid ulimit type: files/],
      [['--cgroup-parent', '../../escape'], /cgroup-parent/i],
      [['--security-opt', 'no-new-privileges=maybe'], /--security-opt no-new-privileges: "maybe" is not true or false/],
    ];
    for (const [flags, why] of atRun) {
      const r = await build([...flags, ctx]);
      assert.equal(r.code, 1, `${flags.join(' ')}: ${r.stdout}`);
      assert.match(r.stderr, /^nscope: RUN \(Containerfile:2, step 2\): /, flags.join(' '));
      assert.match(r.stderr, why, flags.join(' '));
    }
    assert.deepEqual(await allImages(), before, 'no image made');
    assert.deepEqual(layers(), had, 'no layer made');
    await noContainers();
  });

  test('a caller of the build itself (as the extension is) cannot pass more than the RUN options, nor past the helper\'s checks', async () => {
    const ctx = context('caller', 'FROM host\nRUN grep CapEff /proc/self/status\n');
    const usual = (await d.cli(['run', '--rm', '--network', 'none', 'host', 'grep', 'CapEff', '/proc/self/status'])).stdout;
    assert.match(usual, /^CapEff:\s+[0-9a-f]{16}\n$/);
    const c = await d.client();
    let out = '';
    const io = { client: c, socket: d.socket, write: (t: string) => { out += t; }, pull: async () => false };
    // privileged is no RUN option of a build: left out, the RUN has the default capabilities
    const id = await buildContainerfile({ context: ctx, tags: [], buildArgs: [], noCache: true, run: { memory: '64m', privileged: true } as never }, io);
    assert.match(id, /^sha256:/);
    assert.ok(out.includes(usual), `the default capabilities, not every one: ${out}`);
    // numbers past what the CLI would send: the helper refuses them at the RUN
    await assert.rejects(buildContainerfile({ context: ctx, tags: [], buildArgs: [], noCache: true, run: { cpusetMems: '9999' } }, io), /RUN \(Containerfile:2, step 2\): .*--cpuset-mems/);
    await assert.rejects(buildContainerfile({ context: ctx, tags: [], buildArgs: [], noCache: true, run: { memory: -5 } }, io), /--memory/);
    await noContainers();
  });

  test('--platform is what a FROM that is not local is pulled for (normalised), and no platform when none is given', async () => {
    const ctx = context('pull-platform', 'FROM example.invalid/nothing/here:1\nRUN true\n');
    const asked: [string, string | undefined][] = [];
    const io = { client: await d.client(), socket: d.socket, write: () => undefined, pull: async (ref: string, platform?: string) => { asked.push([ref, platform]); return false; } };
    const host = hostPlatform();
    const spelled = host.architecture === 'amd64' ? 'linux/x86_64' : `${host.os}/${host.architecture}`;
    await assert.rejects(buildContainerfile({ context: ctx, tags: [], buildArgs: [], platform: spelled }, io), /not a local image and it could not be pulled/);
    await assert.rejects(buildContainerfile({ context: ctx, tags: [], buildArgs: [] }, io), /could not be pulled/);
    assert.deepEqual(asked, [['example.invalid/nothing/here:1', `${host.os}/${host.architecture}`], ['example.invalid/nothing/here:1', undefined]]);
    await noContainers();
  });

  test('docker build\'s builder flags: --rm, --force-rm, --compress, --cache-from, --isolation default accepted; --isolation X, --squash, --disable-content-trust=false refused', async () => {
    const ctx = context('builder', 'FROM host\nRUN echo builder > /b.txt\n');
    const ok = await build(['--rm=false', '--force-rm', '--compress', '--cache-from', 'host', '--cache-from', 'nope:1', '--isolation', 'default', '--disable-content-trust', '-t', 'builder:1', ctx]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /Successfully tagged builder:1/);
    await noContainers();
    const refused: [string[], string][] = [
      [['--isolation', 'hyperv'], `nscope: Invalid isolation: "hyperv" - linux only supports 'default'\n`],
      [['--squash'], 'nscope: --squash is not supported: nscope build keeps a layer per RUN, COPY and ADD (a multi-stage build that COPYs --from the result makes fewer)\n'],
      [['--disable-content-trust=false'], 'nscope: --disable-content-trust=false: content trust (verifying signed images) is not supported by nscope\n'],
    ];
    const before = await allImages();
    for (const [flags, err] of refused) {
      const r = await build([...flags, ctx]);
      assert.equal(r.code, 1, flags.join(' '));
      assert.equal(r.stderr, err);
      assert.equal(r.stdout, '');
    }
    assert.deepEqual(await allImages(), before);
  });
});
