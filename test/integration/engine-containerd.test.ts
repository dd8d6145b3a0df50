// nscope-runtime under containerd (the runc shim v2, as Kubernetes' RuntimeClass
// and Docker reach a runtime): a private containerd driven by `ctr run
// --runc-binary`, the same checks as with runc on the same rootfs. The
// engine's shim is a subreaper: it must inherit the container's init and see
// its exit, so no nscope process may stay behind.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { haveContainerd, PrivateContainerd } from '../helpers/containerd';
import { type EngineFixture, engineFixture, engineTeardown } from '../helpers/engines';


const skip = haveContainerd() ? false : 'containerd is not installed (scripts/setup-engines.sh installs it)';
let f: EngineFixture;
let engine: PrivateContainerd;
let rootfs: string;
let seq = 0;
const cg = () => `/${f.parent}/c${++seq}`;

before(async () => {
  if (skip) return;
  f = await engineFixture('ctrd');
  rootfs = path.join(f.dir, 'rootfs');
  fs.cpSync(f.layer, rootfs, { recursive: true, verbatimSymlinks: true });
  engine = new PrivateContainerd(f.dir);
  await engine.start();
});

after(async () => {
  if (skip) return;
  await engineTeardown(f, async () => {
    // what a failed test left running goes first, through the engine
    const tasks = (await engine.ctr(['task', 'ls', '-q'])).stdout.split('\n').filter(Boolean);
    for (const t of tasks) await engine.ctr(['task', 'kill', '-s', 'KILL', t]);
    for (const t of tasks) {
      for (let i = 0; i < 100 && !(await engine.ctr(['task', 'rm', t])).stderr.includes('exit code'); i++) await new Promise((r) => setTimeout(r, 50));
    }
    for (const c of (await engine.ctr(['container', 'ls', '-q'])).stdout.split('\n').filter(Boolean)) await engine.ctr(['container', 'rm', c]);
    await engine.stop();
  });
});

test('ctr run --rm: output and exit code come back through containerd', { skip }, async () => {
  const r = await engine.run('rm1', rootfs, cg(), ['--rm'], ['sh', '-c', 'echo hello from nscope; exit 3']);
  assert.equal(r.stdout, 'hello from nscope\n');
  assert.equal(r.code, 3, r.stderr);
});

test('no nscope process stays behind: the init is the engine shim\'s child, and its exit is seen', { skip }, async () => {
  const r = await engine.run('d1', rootfs, cg(), ['-d'], ['sleep', '60']);
  assert.equal(r.code, 0, r.stderr);
  const tasks = await engine.ctr(['task', 'ls']);
  const pid = Number(/d1\s+(\d+)\s+RUNNING/.exec(tasks.stdout)?.[1]);
  assert.ok(pid > 0, tasks.stdout);
  const ppid = Number(/^PPid:\s+(\d+)/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
  assert.match(fs.readFileSync(`/proc/${ppid}/cmdline`, 'utf8'), /containerd-shim-runc-v2/, 'the init\'s f.parent is containerd\'s shim');
  const shims = fs.readdirSync('/proc').filter((x) => /^\d+$/.test(x)).filter((p) => {
    try { return fs.readFileSync(`/proc/${p}/comm`, 'utf8').trim() === 'nscope-shim' && fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(engine.runcRoot); } catch { return false; }
  });
  assert.deepEqual(shims, [], 'no nscope-shim per container');
  // sleep as PID 1 ignores TERM: the engine escalates to KILL, 137
  assert.equal((await engine.ctr(['task', 'kill', 'd1'])).code, 0);
  await new Promise((r) => setTimeout(r, 300));
  assert.match((await engine.ctr(['task', 'ls'])).stdout, /d1\s+\d+\s+RUNNING/, 'TERM is ignored by a PID 1 without a handler');
  assert.equal((await engine.ctr(['task', 'kill', '-s', 'KILL', 'd1'])).code, 0);
  for (let i = 0; i < 100 && !/d1\s+\d+\s+STOPPED/.test((await engine.ctr(['task', 'ls'])).stdout); i++) await new Promise((r) => setTimeout(r, 50));
  const del = await engine.ctr(['task', 'rm', 'd1']);
  assert.equal(del.code, 0, del.stderr);
  assert.match(del.stderr, /exit code 137/);
  assert.equal((await engine.ctr(['container', 'rm', 'd1'])).code, 0);
  assert.ok(!fs.existsSync(path.join(engine.runcRoot, 'nscope-test', 'd1')), 'the runtime state is gone');
});

test('ctr run -t: the console comes through the console socket', { skip }, async () => {
  // ctr needs a terminal of its own for -t: script(1) gives it one
  const r = await new Promise<{ code: number; out: string }>((resolve) => {
    const { spawn } = require('node:child_process') as typeof import('node:child_process');
    const cmd = ['ctr', '--address', engine.socket, '--namespace', 'nscope-test', 'run', '-t', '--rm', '--rootfs', '--runc-binary', path.join(__dirname, '..', '..', '..', 'bin', 'nscope-runtime'),
      '--runc-root', engine.runcRoot, '--cgroup', cg(), rootfs, 't1', 'sh', '-c', 'tty; exit 4'].join(' ');
    const p = spawn('script', ['-qec', cmd, '/dev/null'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (x) => { out += x; });
    p.on('close', (code) => resolve({ code: code ?? -1, out }));
  });
  assert.match(r.out, /\/dev\/pts\/0/);
  assert.equal(r.code, 4);
});

test('20 containers in parallel, each with its own exit code', { skip }, async () => {
  const runs = await Promise.all(Array.from({ length: 20 }, (_, i) => engine.run(`p${i}`, rootfs, cg(), ['--rm'], ['sh', '-c', `echo ${i}; exit ${i}`], { timeoutMs: 120000 })));
  runs.forEach((r, i) => {
    assert.equal(r.stdout, `${i}\n`, r.stderr);
    assert.equal(r.code, i);
  });
});
