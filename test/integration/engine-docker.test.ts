// nscope-runtime under Docker (dockerd --add-runtime, reached through its
// containerd and the runc shim v2), next to runc on the same private engine:
// every check that passes with runc must pass with nscope-runtime.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { after, before, test } from 'node:test';
import { haveDocker, PrivateDocker } from '../helpers/dockerd';
import { removeCgroupTree, startWithImage, type TestDaemon } from '../helpers/daemon';
import { cgroupName } from '../helpers/run-scope';
import { assertNothingLeft, matrix } from '../helpers/engines';

const skip = haveDocker() ? false : 'docker.io is not installed (scripts/setup-engines.sh installs it)';
let d: TestDaemon;
let engine: PrivateDocker;
let dir: string;
const parent = cgroupName('dk');
const IMAGE = 'nscope-test-base';
/** runc too where the engine has it: the reference every nscope result is held to */
let runtimes: string[] = ['nscope'];

before(async () => {
  if (skip) return;
  d = await startWithImage('dk');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nscope-dk-'));
  fs.chmodSync(dir, 0o755);
  engine = new PrivateDocker(dir, parent);
  await engine.start();
  const img = await (await d.client()).request('image.inspect', { ref: 'host' });
  const tar = execFileSync('tar', ['-C', (img.layers as unknown as { dir: string }[])[0].dir, '-c', '.'], { maxBuffer: 1 << 30 });
  const imported = await engine.docker(['import', '-', IMAGE], { input: tar });
  assert.equal(imported.code, 0, imported.stderr);
  const info = await engine.docker(['info', '--format', '{{json .Runtimes}}']);
  if (/"runc"/.test(info.stdout)) runtimes = ['runc', 'nscope'];
});

after(async () => {
  if (skip) return;
  try {
    await engine.stop();
    assertNothingLeft(dir);
    // the engine leaves the cgroup parent (and, Podman, its conmon cgroups), as with runc
    await removeCgroupTree(parent);
  } finally {
    assert.deepEqual(await d.cleanup(), []);
    fs.rmSync(dir, { recursive: true, force: true });
  }
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
  const quota = [path.join('/sys/fs/cgroup/cpu', parent, id, 'cpu.cfs_quota_us'), path.join('/sys/fs/cgroup', parent, id, 'cpu.max')].find((f) => fs.existsSync(f))!;
  assert.match(fs.readFileSync(quota, 'utf8'), /^50000\b/);
  await dk(['rm', '-f', cpus]);
});

matrix('--read-only, --user 1000, --cap-drop ALL', skip, () => runtimes, async (rt) => {
  const ro = await run(rt, ['--rm', '--read-only', IMAGE, 'sh', '-c', 'echo x > /x || echo refused']);
  assert.equal(ro.stdout, 'refused\n');
  assert.match(ro.stderr, /Read-only file system/);
  assert.equal((await run(rt, ['--rm', '--user', '1000', IMAGE, 'id', '-u'])).stdout, '1000\n');
  assert.match((await run(rt, ['--rm', '--cap-drop', 'ALL', IMAGE, 'grep', 'CapEff', '/proc/self/status'])).stdout, /CapEff:\s+0{16}/);
});

matrix('-v, --network none, --hostname, -e, -w', skip, () => runtimes, async (rt) => {
  const vol = path.join(dir, 'vol');
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
