// Docker 28's flags on the container commands, as a script written for
// `docker` types them: stop/restart -s and --timeout, start -a/-i (again and
// again: each start's own output and exit code), exec --privileged, logs
// --details (the --log-opt attributes), inspect --size, update --blkio-weight,
// run -a, --annotation, --runtime, attach's signal proxy, version --format,
// context ls -q / rm -f, and the flags nscope has no use for,
// refused by name or discarded with Docker's warning.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { REPO, startWithImage, type TestDaemon } from '../helpers/daemon';
import { runCommand } from '../helpers/command';

let d: TestDaemon;
before(async () => { d = await startWithImage('cli-docker-flags'); });
after(async () => { assert.deepEqual(await d.cleanup(), []); });

const ok = async (...args: string[]) => {
  const r = await d.cli(args);
  assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
};

/** A shell loop that says which signal ended it (TERM and USR2 trapped). */
const TRAPS = 'trap "echo got TERM; exit 3" TERM; trap "echo got USR2; exit 4" USR2; echo up; while true; do sleep 0.1; done';

/** Until `name` has logged `line` `times` times. */
async function untilLogged(name: string, line: string, times = 1): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if ((await ok('logs', name)).split('\n').filter((l) => l === line).length >= times) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail(`${name} never logged "${line}" ${times} times`);
}

test('stop -s sends that signal instead of the stop signal; --timeout (and the old --time) take -1 and refuse what is not a number', async () => {
  await ok('run', '-d', '--name', 'sig', 'host', 'sh', '-c', TRAPS);
  await untilLogged('sig', 'up');
  assert.equal(await ok('stop', '-s', 'USR2', '--timeout', '5', 'sig'), 'sig\n');
  assert.equal(await ok('inspect', '-f', '{{.State.ExitCode}}', 'sig'), '4\n');
  assert.match(await ok('logs', 'sig'), /got USR2/);
  // restart: its stop takes -s too; the default stop signal (TERM) otherwise
  await ok('restart', '-t', '-1', 'sig');
  await untilLogged('sig', 'up', 2);
  assert.equal(await ok('stop', '--time', '5', 'sig'), 'sig\n');
  assert.equal(await ok('inspect', '-f', '{{.State.ExitCode}}', 'sig'), '3\n');
  const bad = await d.cli(['stop', '-t', 'soon', 'sig']);
  assert.equal(bad.code, 125);
  assert.match(bad.stderr, /invalid argument "soon" for "-t, --timeout" flag/);
  const below = await d.cli(['stop', '-t', '-2', 'sig']);
  assert.notEqual(below.code, 0);
  assert.match(below.stderr, /-1 \(wait however long\) is the least/);
  const unknown = await d.cli(['stop', '-s', 'NOPE', 'sig']);
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /unknown signal "NOPE"/);
  await ok('rm', 'sig');
});

test('start -a prints each start\'s own output and exits with that run\'s code; start -ai gives it stdin', async () => {
  await ok('create', '--name', 'again', 'host', 'sh', '-c', 'sleep 0.2; if [ -f /ran ]; then echo second; exit 5; fi; echo > /ran; echo first; exit 3');
  let r = await d.cli(['start', '-a', 'again']);
  assert.deepEqual([r.code, r.stdout], [3, 'first\n']);
  // exited now: the wait is for the run this start begins, not the last one
  r = await d.cli(['start', '-a', 'again']);
  assert.deepEqual([r.code, r.stdout], [5, 'second\n']);
  await ok('rm', 'again');
  await ok('create', '-i', '--name', 'cat', 'host', 'sh', '-c', 'read line; echo "read: $line"');
  r = await d.cli(['start', '-ai', 'cat'], { input: 'hello\n' });
  assert.deepEqual([r.code, r.stdout], [0, 'read: hello\n']);
  const two = await d.cli(['start', '-a', 'cat', 'again']);
  assert.notEqual(two.code, 0);
  assert.match(two.stderr, /cannot start and attach multiple containers/);
  await ok('rm', 'cat');
});

test('exec --privileged has every capability the container\'s own processes lack', async () => {
  await ok('run', '-d', '--name', 'priv', 'host', 'sleep', '60');
  const capEff = 'while read k v; do case $k in CapEff:) echo $v;; esac; done < /proc/self/status';
  const plain = BigInt(`0x${(await ok('exec', 'priv', 'sh', '-c', capEff)).trim()}`);
  const full = BigInt(`0x${(await ok('exec', '--privileged', 'priv', 'sh', '-c', capEff)).trim()}`);
  assert.ok((full & plain) === plain && full !== plain, `${full.toString(16)} is not a superset of ${plain.toString(16)}`);
  // CAP_SYS_ADMIN (21) only with --privileged
  assert.equal((plain >> 21n) & 1n, 0n);
  assert.equal((full >> 21n) & 1n, 1n);
  await ok('rm', '-f', 'priv');
});

test('logs --details: the --log-opt labels, env and tag before each line, as Docker writes them', async () => {
  await ok('run', '--name', 'det', '--log-opt', 'labels=app,absent', '--log-opt', 'env=FOO', '--log-opt', 'tag={{.Name}}/{{.ID}}',
    '-l', 'app=my app', '-e', 'FOO=bar', 'host', 'sh', '-c', 'echo one; echo two');
  const id = (await ok('inspect', '-f', '{{.Id}}', 'det')).trim();
  const attrs = `FOO=bar,app=my+app,tag=det%2F${id.slice(0, 12)}`;
  assert.equal(await ok('logs', '--details', 'det'), `${attrs} one\n${attrs} two\n`);
  assert.match(await ok('logs', '--details', '-t', 'det'), new RegExp(`^\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z ${attrs.replace(/[+.]/g, '\\$&')} one\n`));
  assert.equal(await ok('logs', 'det'), 'one\ntwo\n');
  await ok('rm', 'det');
  // without attributes each line gets Docker's lone space
  await ok('run', '--name', 'plain', 'host', 'sh', '-c', 'echo x');
  assert.equal(await ok('logs', '--details', 'plain'), ' x\n');
  await ok('rm', 'plain');
  const bad = await d.cli(['create', '--log-opt', 'labels-regex=(', 'host', 'sh']);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /--log-opt labels-regex: Invalid regular expression/);
  const tag = await d.cli(['create', '--log-opt', 'tag={{.Name', 'host', 'sh']);
  assert.notEqual(tag.code, 0);
  assert.match(tag.stderr, /--log-opt tag:/);
});

test('inspect --size: SizeRw is the rw layer, SizeRootFs it with the image', async () => {
  // 50,000 bytes into the rw layer: 5,000 lines of ten (the host image's sh has no head or dd)
  await ok('run', '--name', 'sz', 'host', 'sh', '-c', 'i=0; while [ $i -lt 5000 ]; do echo 123456789; i=$((i+1)); done > /blob');
  const [rw, root] = (await ok('inspect', '--size', '-f', '{{.SizeRw}} {{.SizeRootFs}}', 'sz')).trim().split(' ').map(Number);
  assert.ok(rw >= 50000 && rw < 200000, `SizeRw ${rw}`);
  const image = Number((await ok('image', 'inspect', '-f', '{{.Size}}', 'host')).trim());
  assert.equal(root, rw + image);
  assert.doesNotMatch(await ok('inspect', 'sz'), /SizeRw/);
  assert.match(await ok('container', 'inspect', '-s', 'sz'), /"SizeRw": \d+/);
  await ok('rm', 'sz');
});

test('update --blkio-weight: checked, kept where the host has weights, else discarded with Docker\'s warning', async () => {
  await ok('run', '-d', '--name', 'bw', 'host', 'sleep', '60');
  const r = await d.cli(['update', '--blkio-weight', '300', 'bw']);
  assert.equal(r.code, 0, r.stderr);
  const weights = ['/sys/fs/cgroup/blkio/blkio.weight', '/sys/fs/cgroup/blkio/blkio.bfq.weight', '/sys/fs/cgroup/io.bfq.weight', '/sys/fs/cgroup/io.weight'].some((f) => fs.existsSync(f));
  if (!weights) assert.match(r.stderr, /WARNING: Your kernel does not support Block I\/O weight or the cgroup is not mounted\. Weight discarded\./);
  else assert.match(await ok('inspect', '-f', '{{.HostConfig.BlkioWeight}}', 'bw'), /^300\n$/);
  const low = await d.cli(['update', '--blkio-weight', '5', 'bw']);
  assert.equal(low.code, 1);
  assert.match(low.stderr, /the range of blkio weight is from 10 to 1000/);
  await ok('rm', '-f', 'bw');
});

test('run -a passes only the streams named; -a with -d conflicts; a bad stream is named', async () => {
  let r = await d.cli(['run', '--rm', '-a', 'stdout', 'host', 'sh', '-c', 'echo out; echo err >&2']);
  assert.deepEqual([r.code, r.stdout, r.stderr], [0, 'out\n', '']);
  r = await d.cli(['run', '--rm', '-a', 'STDERR', 'host', 'sh', '-c', 'echo out; echo err >&2; exit 2']);
  assert.deepEqual([r.code, r.stdout, r.stderr], [2, '', 'err\n']);
  r = await d.cli(['run', '-d', '-a', 'stdout', 'host', 'sh']);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /Conflicting options: -a and -d/);
  r = await d.cli(['run', '-a', 'stdio', 'host', 'sh']);
  assert.equal(r.code, 125);
  assert.match(r.stderr, /valid streams are STDIN, STDOUT and STDERR/);
});

test('--annotation goes on the spec and shows in HostConfig.Annotations; --runtime takes only nscope', async () => {
  await ok('create', '--name', 'ann', '--runtime', 'nscope', '--annotation', 'com.example.a=1', '--annotation', 'b=two=2', 'host', 'sh');
  assert.equal(await ok('inspect', '-f', '{{json .HostConfig.Annotations}} {{.HostConfig.Runtime}}', 'ann'), '{"b":"two=2","com.example.a":"1"} nscope\n');
  await ok('rm', 'ann');
  const runc = await d.cli(['create', '--runtime', 'runc', 'host', 'sh']);
  assert.notEqual(runc.code, 0);
  assert.match(runc.stderr, /unknown or invalid runtime name: runc/);
  const noValue = await d.cli(['create', '--annotation', 'novalue', 'host', 'sh']);
  assert.equal(noValue.code, 125);
  assert.match(noValue.stderr, /an annotation is KEY=VALUE/);
});

test('Docker flags nscope has no use for: refused by name (exit 125, nothing created), or discarded with Docker\'s warning', async () => {
  const before = await ok('ps', '-aq');
  for (const [flag, value, why] of [
    ['--gpus', 'all', /--gpus: nscope has no GPU device driver/],
    ['--storage-opt', 'size=1G', /--storage-opt: nscope's overlay layers have no size quota/],
    ['--cpu-rt-runtime', '950000', /realtime CPU limits are not supported/],
    ['--io-maxbandwidth', '10m', /linux does not support Maximum IO Bandwidth/],
    ['--ip6', 'fd00::5', /IPv4 only/],
    ['--isolation', 'hyperv', /linux only supports 'default'/],
    ['--volume-driver', 'nfs', /only driver/],
  ] as const) {
    const r = await d.cli(['run', '--rm', flag, value, 'host', 'sh', '-c', 'exit 0']);
    assert.equal(r.code, 125, `${flag}: ${r.stderr}`);
    assert.match(r.stderr, why);
  }
  assert.equal(await ok('ps', '-aq'), before);
  const r = await d.cli(['run', '--rm', '--kernel-memory', '10m', '--cpu-count', '2', '--cpu-percent', '50', '--isolation', 'default', '--disable-content-trust', 'host', 'sh', '-c', 'echo ran']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'ran\n');
  assert.match(r.stderr, /WARNING: .*Kernel memory limit discarded/);
  assert.match(r.stderr, /WARNING: linux does not support CPU count\. Count discarded\./);
  assert.match(r.stderr, /WARNING: linux does not support CPU percent\. Percent discarded\./);
});

test('attach passes Ctrl-C (SIGINT) to a container without a console, as docker attach does; --sig-proxy=false leaves it running', async () => {
  await ok('run', '-d', '--name', 'att', 'host', 'sh', '-c', 'trap "echo got INT; exit 9" INT; while true; do echo tick; sleep 0.2; done');
  const attach = (extra: string[]) => {
    const child = spawn(process.execPath, [path.join(REPO, 'bin', 'nscope'), '--socket', d.socket, 'attach', ...extra, 'att'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (b: Buffer) => { out += b; });
    const ticked = new Promise<void>((resolve) => child.stdout.on('data', () => { if (out.includes('tick')) resolve(); }));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    return { child, ticked, exited, out: () => out };
  };
  const loose = attach(['--sig-proxy=false']);
  await loose.ticked;
  loose.child.kill('SIGINT');
  await loose.exited;
  assert.equal(await ok('inspect', '-f', '{{.State.Running}}', 'att'), 'true\n', 'with --sig-proxy=false the signal ends nscope only');
  const a = attach([]);
  await a.ticked;
  a.child.kill('SIGINT');
  assert.equal(await a.exited, 9);
  assert.match(a.out(), /got INT/);
  assert.equal(await ok('inspect', '-f', '{{.State.ExitCode}}', 'att'), '9\n');
  await ok('rm', 'att');
});

test('version: the client\'s and the helper\'s parts, or a Go template / JSON over them; context ls -q, rm -f of the one in use', async () => {
  const text = await ok('version');
  assert.match(text, /^Client:\n Version: +\d+\.\d+\.\d+\n/);
  assert.match(text, /\nServer: nscope helper\n Version: +\d+\.\d+\.\d+\n/);
  const [server, client] = (await ok('version', '--format', '{{.Server.Version}} {{.Client.Version}}')).trim().split(' ');
  assert.equal(server, client);
  assert.equal(JSON.parse(await ok('version', '-f', 'json')).Server.Os, 'linux');
  const down = await runCommand(process.execPath, [path.join(REPO, 'bin', 'nscope'), '--socket', path.join(d.dir, 'nothing.sock'), 'version']);
  assert.equal(down.code, 1);
  assert.match(down.stdout, /^Client:\n/);
  assert.doesNotMatch(down.stdout, /Server:/);
  assert.match(down.stderr, /cannot connect to the nscope helper/);

  const env = { ...process.env, NSCOPE_CONFIG: fs.mkdtempSync(path.join(d.dir, 'config-')) };
  const ctxCli = async (...args: string[]) => d.cli(['context', ...args], { env });
  for (const n of ['one', 'two']) assert.equal((await ctxCli('create', n, '--host', `unix://${d.socket}`)).code, 0);
  assert.equal((await ctxCli('use', 'one')).code, 0);
  assert.equal((await ctxCli('ls', '-q')).stdout, 'default\none\ntwo\n');
  const inUse = await ctxCli('rm', 'two', 'one');
  assert.notEqual(inUse.code, 0);
  assert.match(inUse.stderr, /context "one" is in use, set -f flag to force remove/);
  assert.equal((await ctxCli('ls', '-q')).stdout, 'default\none\ntwo\n', 'a refused rm removes none');
  const forced = await ctxCli('rm', '-f', 'two', 'one');
  assert.deepEqual([forced.code, forced.stdout], [0, 'two\none\n']);
  assert.equal((await ctxCli('ls', '-q')).stdout, 'default\n');
});

test('info: Docker\'s sections, or a Go template / JSON over Docker\'s field names', async () => {
  await ok('run', '-d', '--name', 'inf', 'host', 'sleep', '60');
  await ok('pause', 'inf');
  const text = await ok('info');
  assert.match(text, /^Client:\n Version: +\d+\.\d+\.\d+\n/);
  assert.match(text, /\nServer:\n Containers: \d+\n  Running: \d+\n  Paused: 1\n  Stopped: \d+\n Images: \d+\n Server Version: /);
  assert.match(text, /\n Storage Driver: overlay2\n/);
  assert.match(text, /\n Security Options:\n  seccomp\n   Profile: builtin\n/);
  const [ncpu, cgroup, paused, root] = (await ok('info', '--format', '{{.NCPU}} {{.CgroupVersion}} {{.ContainersPaused}} {{.DockerRootDir}}')).trim().split(' ');
  assert.equal(Number(ncpu), os.cpus().length);
  assert.match(cgroup, /^[12]$/);
  assert.equal(paused, '1');
  assert.equal(root, d.root);
  const doc = JSON.parse(await ok('info', '-f', 'json'));
  assert.equal(doc.OSType, 'linux');
  assert.equal(doc.MemTotal, os.totalmem());
  await ok('rm', '-f', 'inf');
});

test('ps --filter network, volume, publish, expose (from each container\'s details), is-task and isolation', async () => {
  await ok('run', '-d', '--name', 'fa', '-v', 'fvol:/data', '-p', '127.0.0.1::80', '--expose', '9000', 'host', 'sleep', '60');
  await ok('run', '-d', '--name', 'fb', '--network', 'none', 'host', 'sleep', '60');
  const names = async (...filters: string[]) => (await ok('ps', '--format', '{{.Names}}', ...filters.flatMap((f) => ['--filter', f]))).split('\n').filter((n) => n === 'fa' || n === 'fb').sort().join(' ');
  assert.equal(await names('volume=fvol'), 'fa');
  assert.equal(await names('volume=/data'), 'fa');
  assert.equal(await names('publish=80'), 'fa');
  assert.equal(await names('publish=79-81/tcp'), 'fa');
  assert.equal(await names('publish=80/udp'), '');
  assert.equal(await names('expose=9000'), 'fa');
  assert.equal(await names('network=nscope'), 'fa');
  assert.equal(await names('is-task=true'), '');
  assert.equal(await names('is-task=false', 'isolation=default'), 'fa fb');
  assert.equal(await names('volume=fvol', 'expose=1234'), '', 'different keys must all match');
  const bad = await d.cli(['ps', '--filter', 'publish=http']);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /invalid filter 'publish=http'/);
  await ok('rm', '-f', 'fa', 'fb');
  await ok('volume', 'rm', 'fvol');
});
