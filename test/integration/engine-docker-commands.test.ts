// nscope-runtime's exec, update and pause/resume as Docker 20.10 drives them
// (through its containerd and the runc shim v2: exec --detach --process
// --pid-file [--console-socket], update --resources -, pause, resume), next
// to runc on the same private engine: every check that passes with runc must
// pass with nscope-runtime.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { cgroupDirs, startWithImage, type TestDaemon } from '../helpers/daemon';
import { DOCKER, haveDocker, PrivateDocker } from '../helpers/dockerd';
import { cgroupName } from '../helpers/run-scope';

const skip = haveDocker() ? false : 'docker.io is not installed (scripts/setup-engines.sh installs it)';
let d: TestDaemon;
let engine: PrivateDocker;
let dir: string;
const parent = cgroupName('dkc');
const IMAGE = 'nscope-test-base';
let runtimes: string[] = ['nscope'];

before(async () => {
  if (skip) return;
  d = await startWithImage('dkc');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nscope-dkc-'));
  fs.chmodSync(dir, 0o755);
  engine = new PrivateDocker(dir, parent);
  await engine.start();
  const img = await (await d.client()).request('image.inspect', { ref: 'host' });
  const tar = execFileSync('tar', ['-C', (img.layers as unknown as { dir: string }[])[0].dir, '-c', '.'], { maxBuffer: 1 << 30 });
  assert.equal((await engine.docker(['import', '-', IMAGE], { input: tar })).code, 0);
  if (/"runc"/.test((await engine.docker(['info', '--format', '{{json .Runtimes}}'])).stdout)) runtimes = ['runc', 'nscope'];
});

after(async () => {
  if (skip) return;
  await engine.stop();
  for (const c of cgroupDirs(parent).reverse()) fs.rmdirSync(c);
  assert.deepEqual(await d.cleanup(), []);
  fs.rmSync(dir, { recursive: true, force: true });
});

const dk = (args: string[], timeoutMs?: number) => engine.docker(args, { timeoutMs });

/**
 * The same check for each runtime on a running container of its own, runc
 * first; what a check returns (what the engine made of the runtime's
 * answer) must be the same for both.
 */
function matrix(name: string, check: (rt: string, ctr: string) => Promise<unknown>) {
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

matrix('exec: output, exit code, -e, -w, -u, and the container\'s namespaces', async (_rt, ctr) => {
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

matrix('exec -d: the process runs on, under the engine\'s shim', async (_rt, ctr) => {
  assert.equal((await dk(['exec', '-d', ctr, 'sh', '-c', 'echo detached > /tmp/d; sleep 30'])).code, 0);
  for (let i = 0; i < 50 && (await dk(['exec', ctr, 'cat', '/tmp/d'])).stdout !== 'detached\n'; i++) await new Promise((r) => setTimeout(r, 50));
  assert.equal((await dk(['exec', ctr, 'cat', '/tmp/d'])).stdout, 'detached\n');
  assert.match((await dk(['top', ctr])).stdout, /sleep 30/);
});

matrix('exec -it: a console through the console socket (under script(1) for a terminal)', async (_rt, ctr) => {
  const out = execFileSync('script', ['-qec', `${DOCKER} -H unix://${engine.socket} exec -it ${ctr} sh -c 'tty; stty size; exit 6'; echo "rc=$?"`, '/dev/null'], { encoding: 'utf8', input: '', timeout: 60000 });
  assert.match(out, /\/dev\/pts\/\d+/);
  assert.match(out, /rc=6/);
});

matrix('update --memory/--cpus/--pids-limit: the container\'s cgroup files show it', async (_rt, ctr) => {
  const r = await dk(['update', '--memory', '96m', '--memory-swap', '128m', '--cpus', '0.5', '--pids-limit', '77', ctr]);
  assert.equal(r.code, 0, r.stderr);
  const id = (await dk(['inspect', '-f', '{{.Id}}', ctr])).stdout.trim();
  const file = (c: string, f: string) => fs.readFileSync(path.join('/sys/fs/cgroup', c, parent, id, f), 'utf8').trim();
  assert.equal(file('memory', 'memory.limit_in_bytes'), String(96 << 20));
  assert.equal(file('cpu', 'cpu.cfs_quota_us'), '50000');
  assert.equal(file('pids', 'pids.max'), '77');
  assert.equal((await dk(['inspect', '-f', '{{.HostConfig.Memory}}', ctr])).stdout.trim(), String(96 << 20));
});

matrix('pause / unpause: docker ps says Paused, exec is refused, then all runs on', async (_rt, ctr) => {
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
