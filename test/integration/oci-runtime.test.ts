// nscope-runtime, runc's command line, on an OCI bundle without the daemon.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { defaultSpec } from '../../helper/runtime/spec';
import { cgroupDirs, REPO, startWithImage, type TestDaemon } from '../helpers/daemon';

let d: TestDaemon;
let bundle: string;
let root: string;
const parent = `nscope-rt-${process.pid}`;

// Like runc, a created container keeps the caller's stdio: give it files, not
// this process's pipes, or waiting for their EOF would wait for the container.
let seq = 0;
function rt(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = path.join(bundle, `out-${++seq}`);
  const err = path.join(bundle, `err-${seq}`);
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [path.join(REPO, 'bin', 'nscope-runtime'), '--root', root, ...args], {
      cwd: bundle, stdio: ['ignore', fs.openSync(out, 'w'), fs.openSync(err, 'w')],
    });
    p.on('exit', (code) => resolve({ code: code ?? 1, stdout: fs.readFileSync(out, 'utf8'), stderr: fs.readFileSync(err, 'utf8') }));
  });
}

function writeSpec(mut: (s: ReturnType<typeof defaultSpec>) => void) {
  const s = defaultSpec();
  s.linux!.cgroupsPath = `/${parent}/c`;
  mut(s);
  fs.writeFileSync(path.join(bundle, 'config.json'), JSON.stringify(s));
}

before(async () => {
  // a bundle whose rootfs is the host image's layer (copied: runtimes write to their rootfs)
  d = await startWithImage('ocirt');
  const c = await d.client();
  const img = await c.request('image.inspect', { ref: 'host' });
  bundle = fs.mkdtempSync(path.join(os.tmpdir(), 'nscope-bundle-'));
  root = path.join(bundle, 'state');
  fs.cpSync((img.layers as unknown as { dir: string }[])[0].dir, path.join(bundle, 'rootfs'), { recursive: true, verbatimSymlinks: true });
});

after(async () => {
  assert.deepEqual(await d.cleanup(), []);
  for (const dir of cgroupDirs(parent)) fs.rmdirSync(dir);
  fs.rmSync(bundle, { recursive: true, force: true });
});

test('create / state / start / state / kill / delete, like runc', async () => {
  writeSpec((s) => { s.process.args = ['sleep', '30']; s.hostname = 'ocibox'; });
  const pidFile = path.join(bundle, 'pid');
  const cr = await rt(['create', '--bundle', bundle, '--pid-file', pidFile, 'c1']);
  assert.equal(cr.code, 0, cr.stderr);
  const st = JSON.parse((await rt(['state', 'c1'])).stdout);
  assert.equal(st.status, 'created');
  assert.equal(st.id, 'c1');
  assert.equal(st.bundle, bundle);
  assert.equal(Number(fs.readFileSync(pidFile, 'utf8')), st.pid);
  assert.equal((await rt(['start', 'c1'])).code, 0);
  assert.equal(JSON.parse((await rt(['state', 'c1'])).stdout).status, 'running');
  assert.equal(fs.readFileSync(`/proc/${st.pid}/cmdline`, 'utf8'), 'sleep\x0030\x00');
  const del = await rt(['delete', 'c1']);
  assert.notEqual(del.code, 0);
  assert.match(del.stderr, /not stopped/);
  assert.equal((await rt(['kill', 'c1', 'KILL'])).code, 0);
  for (let i = 0; i < 100 && JSON.parse((await rt(['state', 'c1'])).stdout).status !== 'stopped'; i++) await new Promise((r) => setTimeout(r, 20));
  assert.equal(JSON.parse((await rt(['state', 'c1'])).stdout).status, 'stopped');
  assert.equal((await rt(['delete', 'c1'])).code, 0);
  assert.notEqual((await rt(['state', 'c1'])).code, 0);
});

test('run: foreground, exit code, resources and hooks honoured', async () => {
  const hookOut = path.join(bundle, 'hook.out');
  writeSpec((s) => {
    s.process.args = ['sh', '-c', 'hostname; cat /proc/self/status | head -1 >/dev/null; exit 5'];
    s.hostname = 'runbox';
    s.linux!.resources = { memory: { limit: 64 << 20 }, pids: { limit: 10 } };
    s.hooks = { poststop: [{ path: '/bin/sh', args: ['sh', '-c', `cat > ${hookOut}`] }] };
  });
  const r = await rt(['run', 'c2']);
  assert.equal(r.code, 5, r.stderr);
  assert.equal(r.stdout, 'runbox\n');
  const hook = JSON.parse(fs.readFileSync(hookOut, 'utf8'));
  assert.equal(hook.id, 'c2');
  assert.equal(hook.status, 'stopped');
});

test('bad specs are clear errors and leave nothing behind', async () => {
  writeSpec((s) => { s.process.args = ['nosuchprog']; });
  const r = await rt(['create', 'c3']);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /executable file not found/);
  assert.notEqual((await rt(['state', 'c3'])).code, 0);
  writeSpec((s) => { s.linux!.namespaces!.push({ type: 'pid' }); });
  assert.match((await rt(['create', 'c4'])).stderr, /listed twice/);
  writeSpec((s) => { s.linux!.cgroupsPath = '/../../etc'; });
  assert.match((await rt(['create', 'c5'])).stderr, /cgroupsPath/);
  assert.deepEqual(fs.existsSync(root) ? fs.readdirSync(root) : [], []);
});
