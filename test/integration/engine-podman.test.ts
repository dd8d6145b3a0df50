// nscope-runtime under Podman + conmon (`podman --runtime`), on stores of the
// test's own. runc and crun are the reference where they run on this host
// (on this project's machines both refuse to start: they cannot raise
// RLIMIT_NOFILE without CAP_SYS_RESOURCE; nscope clamps, see FINDINGS).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before } from 'node:test';
import { RUNTIME } from '../helpers/containerd';
import { havePodman, PrivatePodman } from '../helpers/podman';
import { type EngineFixture, engineFixture, engineTeardown, layerTar, matrix } from '../helpers/engines';


const skip = havePodman() ? false : 'podman is not installed (scripts/setup-engines.sh installs it)';
let f: EngineFixture;
let engine: PrivatePodman;
const IMAGE = 'nscope-test-base';
let runtimes: string[] = [RUNTIME];

before(async () => {
  if (skip) return;
  f = await engineFixture('pm');
  engine = new PrivatePodman(f.dir, f.parent);
  const imported = await engine.podman(RUNTIME, ['import', '-', IMAGE], { input: layerTar(f) });
  assert.equal(imported.code, 0, imported.stderr);
  // the peers join as the reference only where they can run at all here
  for (const peer of ['runc', 'crun']) {
    const probe = await engine.podman(peer, ['run', '--rm', '--network', 'none', '--cgroup-parent', `/${f.parent}`, IMAGE, 'true']);
    if (probe.code === 0) runtimes = [peer, ...runtimes];
  }
});

after(async () => {
  if (!skip) await engineTeardown(f, () => engine.stop(RUNTIME));
});

const name = (rt: string, what: string) => `${what}-${path.basename(rt)}`;
const pm = (rt: string, args: string[], timeoutMs?: number) => engine.podman(rt, args, { timeoutMs });
const run = (rt: string, args: string[]) => pm(rt, ['run', '--network', 'none', '--cgroup-parent', `/${f.parent}`, ...args]);


// Podman 4.3's attached `run` now and then misses the output of a container that exits right
// after writing it: the output is in conmon's log (`podman logs` shows it) but not on podman's
// stdout — 3 in 1500 runs of the 20-container check below, still 1 in 1000 with a 10 ms delay
// added to `start`, none in 1000 with a pause between the output and the exit: the attach
// stream's end races the exit, after the runtime has delivered the output. The checks leave
// that pause.
const SETTLE = 'sleep 0.2';

matrix('run --rm: output and exit code (conmon records it)', skip, () => runtimes, async (rt) => {
  const r = await run(rt, ['--rm', IMAGE, 'sh', '-c', `echo out; ${SETTLE}; exit 3`]);
  assert.equal(r.code, 3, r.stderr);
  assert.equal(r.stdout, 'out\n');
});

matrix('-d, ps, logs; stop honoured (0) and ignored (137); kill; restart; rm -f', skip, () => runtimes, async (rt) => {
  const trap = name(rt, 'trap');
  assert.equal((await run(rt, ['-d', '--name', trap, IMAGE, 'sh', '-c', 'echo started; trap "exit 0" TERM; while :; do sleep 0.2; done'])).code, 0);
  assert.match((await pm(rt, ['ps', '--filter', `name=${trap}`, '--format', '{{.Status}}'])).stdout, /^Up/);
  for (let i = 0; i < 50 && !(await pm(rt, ['logs', trap])).stdout.includes('started'); i++) await new Promise((r) => setTimeout(r, 50));
  assert.equal((await pm(rt, ['logs', trap])).stdout, 'started\n');
  assert.equal((await pm(rt, ['stop', trap])).code, 0);
  assert.equal((await pm(rt, ['inspect', '-f', '{{.State.ExitCode}}', trap])).stdout.trim(), '0');
  assert.equal((await pm(rt, ['restart', '-t', '1', trap])).code, 0);
  assert.equal((await pm(rt, ['inspect', '-f', '{{.State.Running}}', trap])).stdout.trim(), 'true');
  assert.equal((await pm(rt, ['rm', '-f', '-t', '1', trap])).code, 0, 'rm -f of a running container');
  const deaf = name(rt, 'deaf');
  await run(rt, ['-d', '--name', deaf, IMAGE, 'sleep', '60']);
  await pm(rt, ['stop', '-t', '1', deaf]);
  assert.equal((await pm(rt, ['inspect', '-f', '{{.State.ExitCode}}', deaf])).stdout.trim(), '137');
  const killed = name(rt, 'killed');
  await run(rt, ['-d', '--name', killed, IMAGE, 'sleep', '60']);
  assert.equal((await pm(rt, ['kill', killed])).code, 0);
  await pm(rt, ['wait', killed]);
  assert.equal((await pm(rt, ['inspect', '-f', '{{.State.ExitCode}}', killed])).stdout.trim(), '137');
  await pm(rt, ['rm', '-f', deaf, killed]);
});

matrix('--memory (an OOM kill is 137 and reaches conmon), --pids-limit, --cpus', skip, () => runtimes, async (rt) => {
  engine.takeOomMarker();
  const r = await run(rt, ['--rm', '-m', '16m', '--memory-swap', '16m', IMAGE, 'sh', '-c', 'x=a; while :; do x="$x$x"; done']);
  assert.equal(r.code, 137);
  assert.ok(engine.takeOomMarker(), "conmon saw the OOM kill in the container's memory cgroup (its oom marker)");
  assert.equal((await run(rt, ['--rm', '-m', '16m', IMAGE, 'true'])).code, 0);
  assert.ok(!engine.takeOomMarker(), 'no oom marker without an OOM kill');
  const pids = await run(rt, ['--rm', '--pids-limit', '5', IMAGE, 'sh', '-c', 'for i in 1 2 3 4 5 6 7 8; do sleep 1 & done; wait']);
  assert.match(pids.stderr, /Cannot fork|Resource temporarily unavailable/);
  const cpus = name(rt, 'cpus');
  await run(rt, ['-d', '--name', cpus, '--cpus', '0.5', IMAGE, 'sleep', '60']);
  const id = (await pm(rt, ['inspect', '-f', '{{.Id}}', cpus])).stdout.trim();
  const quota = fs.readdirSync(path.join('/sys/fs/cgroup/cpu', f.parent)).find((x) => x.includes(id));
  assert.ok(quota, `a cgroup of ${id} under ${f.parent}`);
  assert.match(fs.readFileSync(path.join('/sys/fs/cgroup/cpu', f.parent, quota!, 'cpu.cfs_quota_us'), 'utf8'), /^50000\b/);
  await pm(rt, ['rm', '-f', '-t', '0', cpus]);
});

matrix('--read-only (tmpfs with the image\'s /run and /tmp copied up), --user 1000, --cap-drop ALL', skip, () => runtimes, async (rt) => {
  const ro = await run(rt, ['--rm', '--read-only', IMAGE, 'sh', '-c', 'echo x > /x || echo refused; echo y > /run/y && echo run-writable']);
  assert.equal(ro.stdout, 'refused\nrun-writable\n', ro.stderr);
  assert.equal((await run(rt, ['--rm', '--user', '1000', IMAGE, 'id', '-u'])).stdout, '1000\n');
  assert.match((await run(rt, ['--rm', '--cap-drop', 'ALL', IMAGE, 'grep', 'CapEff', '/proc/self/status'])).stdout, /CapEff:\s+0{16}/);
});

matrix('-v, --hostname, -e, -w', skip, () => runtimes, async (rt) => {
  const vol = path.join(f.dir, 'vol');
  fs.mkdirSync(vol, { recursive: true });
  fs.writeFileSync(path.join(vol, 'f'), 'from the host\n');
  const r = await run(rt, ['--rm', '-v', `${vol}:/v`, '--hostname', 'hh', '-e', 'FOO=bar', '-w', '/v', IMAGE, 'sh', '-c', 'cat f; cat /proc/sys/kernel/hostname; echo $FOO; pwd']);
  assert.equal(r.stdout, 'from the host\nhh\nbar\n/v\n', r.stderr);
});

matrix('run -it: a console through conmon', skip, () => runtimes, async (rt) => {
  const cmd = ['podman', ...['--root', path.join(f.dir, 'root'), '--runroot', path.join(f.dir, 'runroot'), '--tmpdir', path.join(f.dir, 'tmp'),
    '--cgroup-manager', 'cgroupfs', '--events-backend', 'file', '--storage-driver', 'overlay', '--runtime', rt],
  'run', '-it', '--rm', '--network', 'none', '--cgroup-parent', `/${f.parent}`, IMAGE, 'sh', '-c', '"tty; exit 5"'].join(' ');
  const r = await new Promise<{ code: number; out: string; err: string }>((resolve) => {
    const p = spawn('script', ['-qec', cmd, '/dev/null'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (x) => { out += x; });
    p.stderr.on('data', (x) => { err += x; });
    p.on('close', (code) => resolve({ code: code ?? -1, out, err }));
  });
  // script's own complaints (no pty to be had) and the exit code, should the console show nothing
  assert.match(r.out, /\/dev\/pts\/0/, `exit ${r.code}; stderr: ${r.err.trim()}`);
  assert.equal(r.code, 5);
});

matrix('20 containers in parallel with run --rm', skip, () => runtimes, async (rt) => {
  const all = await Promise.all(Array.from({ length: 20 }, (_, i) => run(rt, ['--rm', IMAGE, 'sh', '-c', `echo ${i}; ${SETTLE}; exit ${i % 7}`])));
  all.forEach((r, i) => {
    assert.equal(r.stdout, `${i}\n`, r.stderr);
    assert.equal(r.code, i % 7);
  });
});

matrix('exec (output, exit code, env), pause/unpause', skip, () => runtimes, async (rt) => {
  const box = name(rt, 'exec');
  assert.equal((await run(rt, ['-d', '--name', box, IMAGE, 'sleep', '60'])).code, 0);
  const ex = await pm(rt, ['exec', '-e', 'X=42', box, 'sh', '-c', 'echo "in $X"; exit 4']);
  assert.equal(ex.code, 4, ex.stderr);
  assert.equal(ex.stdout, 'in 42\n');
  assert.equal((await pm(rt, ['pause', box])).code, 0);
  assert.equal((await pm(rt, ['inspect', '-f', '{{.State.Status}}', box])).stdout.trim(), 'paused');
  assert.equal((await pm(rt, ['unpause', box])).code, 0);
  assert.equal((await pm(rt, ['exec', box, 'true'])).code, 0);
  await pm(rt, ['rm', '-f', '-t', '0', box]);
});
