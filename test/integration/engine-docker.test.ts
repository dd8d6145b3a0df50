// nscope-runtime under Docker (dockerd --add-runtime, reached through its
// containerd and the runc shim v2), next to runc on the same private engine:
// every check that passes with runc must pass with nscope-runtime, and where
// a check returns what the engine made of the runtime's answer, the same one.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { DOCKER, dockerWithImage, haveDocker, type PrivateDocker } from '../helpers/dockerd';
import { type EngineFixture, engineFixture, engineTeardown, matrix } from '../helpers/engines';


const skip = haveDocker() ? false : 'docker.io is not installed (scripts/setup-engines.sh installs it)';
let f: EngineFixture;
let engine: PrivateDocker;
const IMAGE = 'nscope-test-base';
/** runc too where the engine has it: the reference every nscope result is held to */
let runtimes: string[] = ['nscope'];

before(async () => {
  if (skip) return;
  f = await engineFixture('dk');
  ({ engine, runtimes } = await dockerWithImage(f, IMAGE));
});

after(async () => {
  if (!skip) await engineTeardown(f, () => engine.stop());
});

const dk = (args: string[], timeoutMs?: number) => engine.docker(args, { timeoutMs });
const run = (rt: string, args: string[]) => dk(['run', '--runtime', rt, ...args]);


matrix('run --rm: output and exit code', skip, () => runtimes, async (rt) => {
  const r = await run(rt, ['--rm', IMAGE, 'sh', '-c', 'echo out; echo err >&2; exit 3']);
  assert.equal(r.code, 3, r.stderr);
  assert.equal(r.stdout, 'out\n');
  assert.match(r.stderr, /err/);
});

matrix('-d, ps, logs, top, stats --no-stream', skip, () => runtimes, async (rt) => {
  const name = `d-${rt}`;
  assert.equal((await run(rt, ['-d', '--name', name, IMAGE, 'sh', '-c', 'echo started; exec sleep 60'])).code, 0);
  const ps = await dk(['ps', '--filter', `name=${name}`, '--format', '{{.Status}}']);
  assert.match(ps.stdout, /^Up/);
  for (let i = 0; i < 50 && !(await dk(['logs', name])).stdout.includes('started'); i++) await new Promise((r) => setTimeout(r, 50));
  assert.equal((await dk(['logs', name])).stdout, 'started\n');
  assert.match((await dk(['top', name])).stdout, /sleep 60/);
  const stats = await dk(['stats', '--no-stream', '--format', '{{.Name}} {{.PIDs}}', name]);
  assert.equal(stats.stdout.trim(), `${name} 1`);
  assert.equal((await dk(['rm', '-f', name])).code, 0, 'rm -f of a running container');
  assert.equal((await dk(['ps', '-aq', '--filter', `name=${name}`])).stdout, '');
});

matrix('stop: TERM honoured (0), TERM ignored then KILL (137); kill (137); restart', skip, () => runtimes, async (rt) => {
  const trap = `s-${rt}`;
  await run(rt, ['-d', '--name', trap, IMAGE, 'sh', '-c', 'trap "exit 0" TERM; while :; do sleep 0.2; done']);
  assert.equal((await dk(['stop', trap])).code, 0);
  assert.equal((await dk(['inspect', '-f', '{{.State.ExitCode}}', trap])).stdout.trim(), '0');
  assert.equal((await dk(['restart', '-t', '1', trap])).code, 0);
  assert.equal((await dk(['inspect', '-f', '{{.State.Running}}', trap])).stdout.trim(), 'true');
  const deaf = `i-${rt}`;
  await run(rt, ['-d', '--name', deaf, IMAGE, 'sleep', '60']);
  assert.equal((await dk(['stop', '-t', '1', deaf])).code, 0);
  assert.equal((await dk(['inspect', '-f', '{{.State.ExitCode}}', deaf])).stdout.trim(), '137');
  const killed = `k-${rt}`;
  await run(rt, ['-d', '--name', killed, IMAGE, 'sleep', '60']);
  assert.equal((await dk(['kill', killed])).code, 0);
  await dk(['wait', killed]);
  assert.equal((await dk(['inspect', '-f', '{{.State.ExitCode}}', killed])).stdout.trim(), '137');
  await dk(['rm', '-f', trap, deaf, killed]);
});

matrix('--memory: an OOM kill is 137 and OOMKilled; --pids-limit; --cpus', skip, () => runtimes, async (rt) => {
  const oom = `o-${rt}`;
  const r = await run(rt, ['--name', oom, '-m', '16m', '--memory-swap', '16m', IMAGE, 'sh', '-c', 'x=a; while :; do x="$x$x"; done']);
  assert.equal(r.code, 137);
  assert.equal((await dk(['inspect', '-f', '{{.State.OOMKilled}}', oom])).stdout.trim(), 'true');
  await dk(['rm', oom]);
  const pids = await run(rt, ['--rm', '--pids-limit', '5', IMAGE, 'sh', '-c', 'for i in 1 2 3 4 5 6 7 8; do sleep 1 & done; wait']);
  assert.match(pids.stderr, /Cannot fork|Resource temporarily unavailable/);
  const cpus = `c-${rt}`;
  await run(rt, ['-d', '--name', cpus, '--cpus', '0.5', IMAGE, 'sleep', '60']);
  const id = (await dk(['inspect', '-f', '{{.Id}}', cpus])).stdout.trim();
  const quota = [path.join('/sys/fs/cgroup/cpu', f.parent, id, 'cpu.cfs_quota_us'), path.join('/sys/fs/cgroup', f.parent, id, 'cpu.max')].find((f) => fs.existsSync(f))!;
  assert.match(fs.readFileSync(quota, 'utf8'), /^50000\b/);
  await dk(['rm', '-f', cpus]);
});

matrix('--device-write-bps, --device-read-iops: the block I/O throttles on the container\'s cgroup', skip, () => runtimes, async (rt) => {
  const disk = fs.readdirSync('/sys/block').find((n) => !/^(loop|ram|zram|dm-|sr|nbd)/.test(n) && fs.existsSync(`/dev/${n}`));
  if (!disk) return;
  const num = fs.readFileSync(`/sys/block/${disk}/dev`, 'utf8').trim();
  const name = `b-${rt}`;
  const r = await run(rt, ['-d', '--name', name, '--device-write-bps', `/dev/${disk}:1mb`, '--device-read-iops', `/dev/${disk}:100`, IMAGE, 'sleep', '60']);
  assert.equal(r.code, 0, r.stderr);
  const id = (await dk(['inspect', '-f', '{{.Id}}', name])).stdout.trim();
  const v1 = path.join('/sys/fs/cgroup/blkio', f.parent, id);
  if (fs.existsSync(v1)) {
    assert.equal(fs.readFileSync(path.join(v1, 'blkio.throttle.write_bps_device'), 'utf8').trim(), `${num} 1048576`);
    assert.equal(fs.readFileSync(path.join(v1, 'blkio.throttle.read_iops_device'), 'utf8').trim(), `${num} 100`);
  } else {
    assert.match(fs.readFileSync(path.join('/sys/fs/cgroup', f.parent, id, 'io.max'), 'utf8'), new RegExp(`^${num} .*wbps=1048576`, 'm'));
  }
  await dk(['rm', '-f', name]);
});

matrix('--read-only, --user 1000, --cap-drop ALL', skip, () => runtimes, async (rt) => {
  const ro = await run(rt, ['--rm', '--read-only', IMAGE, 'sh', '-c', 'echo x > /x || echo refused']);
  assert.equal(ro.stdout, 'refused\n');
  assert.match(ro.stderr, /Read-only file system/);
  assert.equal((await run(rt, ['--rm', '--user', '1000', IMAGE, 'id', '-u'])).stdout, '1000\n');
  assert.match((await run(rt, ['--rm', '--cap-drop', 'ALL', IMAGE, 'grep', 'CapEff', '/proc/self/status'])).stdout, /CapEff:\s+0{16}/);
});

matrix('-v, --network none, --hostname, -e, -w', skip, () => runtimes, async (rt) => {
  const vol = path.join(f.dir, 'vol');
  fs.mkdirSync(vol, { recursive: true });
  fs.writeFileSync(path.join(vol, 'f'), 'from the host\n');
  const r = await run(rt, ['--rm', '-v', `${vol}:/v`, '--network', 'none', '--hostname', 'hh', '-e', 'FOO=bar', '-w', '/v', IMAGE,
    'sh', '-c', 'cat f; cat /proc/sys/kernel/hostname; echo $FOO; pwd; ls /sys/class/net']);
  assert.equal(r.stdout, 'from the host\nhh\nbar\n/v\nlo\n', r.stderr);
});

matrix('20 containers in parallel with run --rm', skip, () => runtimes, async (rt) => {
  const all = await Promise.all(Array.from({ length: 20 }, (_, i) => dk(['run', '--rm', '--runtime', rt, IMAGE, 'sh', '-c', `echo ${i}; exit ${i % 7}`], 120000)));
  all.forEach((r, i) => {
    assert.equal(r.stdout, `${i}\n`, r.stderr);
    assert.equal(r.code, i % 7);
  });
});

// exec, update and pause/resume as Docker drives them (through its containerd and
// the runc shim v2: exec --detach --process --pid-file [--console-socket],
// update --resources -, pause, resume)

/**
 * The same check for each runtime on a running container of its own, runc
 * first; what a check returns (what the engine made of the runtime's
 * answer) must be the same for both.
 */
function onContainer(name: string, check: (rt: string, ctr: string) => Promise<unknown>) {
  test(name, { skip }, async () => {
    const seen = new Map<string, unknown>();
    for (const rt of runtimes) {
      const ctr = `${name.split(/\W/)[0] || 'c'}-${rt}-${Math.random().toString(36).slice(2, 8)}`;
      const r = await dk(['run', '-d', '--runtime', rt, '--name', ctr, IMAGE, 'sleep', '600']);
      assert.equal(r.code, 0, `[${rt}] ${r.stderr}`);
      try { seen.set(rt, await check(rt, ctr)); } catch (e) {
        (e as Error).message = `[${rt}] ${(e as Error).message}`;
        throw e;
      } finally {
        await dk(['rm', '-f', ctr]);
      }
    }
    if (seen.has('runc')) assert.deepEqual(seen.get('nscope'), seen.get('runc'), 'as with runc');
  });
}

onContainer('exec: output, exit code, -e, -w, -u, and the container\'s namespaces', async (_rt, ctr) => {
  const r = await dk(['exec', '-e', 'FOO=bar', '-w', '/tmp', '-u', '1000:1000', ctr, 'sh', '-c', 'echo "$FOO $(pwd) $(id -u):$(id -g)"; cat /proc/1/cmdline | tr "\\0" " "; exit 4']);
  assert.equal(r.code, 4, r.stderr);
  assert.equal(r.stdout, 'bar /tmp 1000:1000\nsleep 600 ');
  // Docker makes an exit code of the runtime's reason (126/127): the same reason, the same code
  const missing = await dk(['exec', ctr, 'no-such-program']);
  assert.ok([126, 127].includes(missing.code), `${missing.code} ${missing.stderr}`);
  assert.match(missing.stdout + missing.stderr, /executable file not found/, JSON.stringify(missing));
  // stdin through the engine's pipes
  const piped = await engine.docker(['exec', '-i', ctr, 'cat'], { input: 'through stdin\n' });
  assert.equal(piped.stdout, 'through stdin\n');
  return { missing: missing.code };
});

onContainer('exec -d: the process runs on, under the engine\'s shim', async (_rt, ctr) => {
  assert.equal((await dk(['exec', '-d', ctr, 'sh', '-c', 'echo detached > /tmp/d; sleep 30'])).code, 0);
  for (let i = 0; i < 50 && (await dk(['exec', ctr, 'cat', '/tmp/d'])).stdout !== 'detached\n'; i++) await new Promise((r) => setTimeout(r, 50));
  assert.equal((await dk(['exec', ctr, 'cat', '/tmp/d'])).stdout, 'detached\n');
  assert.match((await dk(['top', ctr])).stdout, /sleep 30/);
});

onContainer('exec -it: a console through the console socket (under script(1) for a terminal)', async (_rt, ctr) => {
  const out = execFileSync('script', ['-qec', `${DOCKER} -H unix://${engine.socket} exec -it ${ctr} sh -c 'tty; stty size; exit 6'; echo "rc=$?"`, '/dev/null'], { encoding: 'utf8', input: '', timeout: 60000 });
  assert.match(out, /\/dev\/pts\/\d+/);
  assert.match(out, /rc=6/);
});

onContainer('update --memory/--cpus/--pids-limit: the container\'s cgroup files show it', async (_rt, ctr) => {
  const r = await dk(['update', '--memory', '96m', '--memory-swap', '128m', '--cpus', '0.5', '--pids-limit', '77', ctr]);
  assert.equal(r.code, 0, r.stderr);
  const id = (await dk(['inspect', '-f', '{{.Id}}', ctr])).stdout.trim();
  const file = (c: string, name: string) => fs.readFileSync(path.join('/sys/fs/cgroup', c, f.parent, id, name), 'utf8').trim();
  assert.equal(file('memory', 'memory.limit_in_bytes'), String(96 << 20));
  assert.equal(file('cpu', 'cpu.cfs_quota_us'), '50000');
  assert.equal(file('pids', 'pids.max'), '77');
  assert.equal((await dk(['inspect', '-f', '{{.HostConfig.Memory}}', ctr])).stdout.trim(), String(96 << 20));
});

onContainer('pause / unpause: docker ps says Paused, exec is refused, then all runs on', async (_rt, ctr) => {
  assert.equal((await dk(['pause', ctr])).code, 0);
  assert.match((await dk(['ps', '--filter', `name=${ctr}`, '--format', '{{.Status}}'])).stdout, /Paused/);
  assert.equal((await dk(['inspect', '-f', '{{.State.Paused}}', ctr])).stdout.trim(), 'true');
  assert.notEqual((await dk(['exec', ctr, 'true'])).code, 0);
  assert.equal((await dk(['unpause', ctr])).code, 0);
  assert.equal((await dk(['inspect', '-f', '{{.State.Paused}}', ctr])).stdout.trim(), 'false');
  assert.equal((await dk(['exec', ctr, 'echo', 'awake'])).stdout, 'awake\n');
  // rm -f of a paused container does not hang on the frozen init
  assert.equal((await dk(['pause', ctr])).code, 0);
  assert.equal((await dk(['rm', '-f', ctr], 30000)).code, 0);
});

test('images both ways: docker load of nscope save (the same image ID, it runs); nscope load of docker save, and import of docker export', { skip }, async () => {
  const dir = fs.mkdtempSync(path.join(f.dir, 'exchange-'));
  const ours = path.join(dir, 'ours.tar');
  assert.equal((await f.d.cli(['tag', 'host', 'exchanged:1'])).code, 0);
  const saved = await f.d.cli(['save', '-o', ours, 'exchanged:1']);
  assert.equal(saved.code, 0, saved.stderr);
  const loaded = await dk(['load', '-i', ours]);
  assert.equal(loaded.code, 0, loaded.stderr);
  assert.match(loaded.stdout, /Loaded image: exchanged:1/);
  const id = (await f.d.client()).request('image.inspect', { ref: 'exchanged:1' }).then((i) => i.id);
  assert.equal((await dk(['image', 'inspect', '-f', '{{.Id}}', 'exchanged:1'])).stdout.trim(), await id, 'the same image ID in Docker');
  const ran = await dk(['run', '--rm', '--network', 'none', 'exchanged:1', 'echo', 'ran in docker']);
  assert.equal(ran.stdout, 'ran in docker\n', ran.stderr);

  // back: docker save (Docker 20's own layout) and docker export are read by nscope
  const theirs = path.join(dir, 'theirs.tar');
  assert.equal((await dk(['save', '-o', theirs, IMAGE])).code, 0);
  const back = await f.d.cli(['load', '-i', theirs]);
  assert.equal(back.code, 0, back.stderr);
  assert.equal(back.stdout, `Loaded image: ${IMAGE}:latest\n`);
  assert.equal((await f.d.cli(['run', '--rm', '--network', 'none', IMAGE, 'echo', 'ran in nscope'])).stdout, 'ran in nscope\n');
  const ctr = `exp-${Math.random().toString(36).slice(2, 8)}`;
  assert.equal((await dk(['create', '--name', ctr, IMAGE, 'true'])).code, 0);
  const flat = path.join(dir, 'flat.tar');
  assert.equal((await dk(['export', '-o', flat, ctr])).code, 0);
  await dk(['rm', ctr]);
  const imp = await f.d.cli(['import', '-c', 'CMD ["echo", "flat"]', flat, 'flat:1']);
  assert.equal(imp.code, 0, imp.stderr);
  assert.equal((await f.d.cli(['run', '--rm', '--network', 'none', 'flat:1'])).stdout, 'flat\n');
  await dk(['rmi', 'exchanged:1']);
  fs.rmSync(dir, { recursive: true, force: true });
});
