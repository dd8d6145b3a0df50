// nscope-runtime held to runc where a second side-by-side pass found them
// apart: a relative --root, `delete` of a created container without --force,
// `kill ID 0`, capability names the runtime does not know, config.json fields
// of the wrong JSON type, runc's `list` table and owner, usage errors' exit
// status, `update` of a stopped container. The bundles run busybox (static)
// on a rootfs of its own; where runc is installed the same check runs under
// it on a twin bundle and the answers are compared.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { defaultSpec, type Spec } from '../../helper/runtime/spec';
import { waitFor } from '../helpers/containers';
import { cgroupDirs, REPO } from '../helpers/daemon';
import { cgroupName } from '../helpers/run-scope';
import { writeBundle } from '../helpers/oci-bundle';

let dir: string;
let rootfs: string;
const parent = cgroupName('rtp2');
const HAVE_RUNC = spawnSync('runc', ['--version']).status === 0;
const BUSYBOX = ['/bin/busybox', '/usr/bin/busybox'].find((p) => fs.existsSync(p));
// the native front door as engines start it (it answers start/state/kill/delete itself)
const FRONT = path.join(REPO, 'bin', 'nscope-runtime');

interface Result { code: number; stdout: string; stderr: string }

// files, not pipes: a created container keeps the caller's stdio
let seq = 0;
function run(cmd: string, args: string[], cwd = dir): Promise<Result> {
  const out = path.join(dir, `out-${++seq}`);
  const err = path.join(dir, `err-${seq}`);
  const fds = [fs.openSync(out, 'w'), fs.openSync(err, 'w')];
  return new Promise((resolve) => {
    const p = spawn(cmd, args, { cwd, stdio: ['ignore', ...fds] });
    for (const fd of fds) fs.closeSync(fd);
    p.on('exit', (code) => resolve({ code: code ?? 1, stdout: fs.readFileSync(out, 'utf8'), stderr: fs.readFileSync(err, 'utf8') }));
  });
}
const nsRoot = () => path.join(dir, 'state');
const rcRoot = () => path.join(dir, 'runc-state');
const rt = (args: string[], cwd?: string) => run(FRONT, ['--root', nsRoot(), ...args], cwd);
const runc = (args: string[], cwd?: string) => run('runc', ['--root', rcRoot(), ...args], cwd);
type Runner = typeof rt;
const RUNTIMES: [string, Runner][] = HAVE_RUNC ? [['nscope-runtime', rt], ['runc', runc]] : [['nscope-runtime', rt]];
const tag = (r: Runner) => (r === rt ? 'n' : 'r');

/** A bundle of its own for `name`, in cgroup /<parent>/<name>, running `sleep 1000` unless changed. */
const bundle = (name: string, mut?: (s: Spec) => void): string => writeBundle({ dir, rootfs, parent }, name, mut);

async function status(r: Runner, id: string): Promise<string> {
  const s = await r(['state', id]);
  assert.equal(s.code, 0, s.stderr);
  return JSON.parse(s.stdout).status;
}

before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nscope-rtp2-'));
  rootfs = path.join(dir, 'rootfs');
  for (const d of ['bin', 'proc', 'sys', 'dev', 'tmp', 'etc']) fs.mkdirSync(path.join(rootfs, d), { recursive: true });
  fs.copyFileSync(BUSYBOX!, path.join(rootfs, 'bin', 'busybox'));
  fs.chmodSync(path.join(rootfs, 'bin', 'busybox'), 0o755);
  for (const a of ['sh', 'sleep', 'grep', 'cat', 'true']) fs.symlinkSync('busybox', path.join(rootfs, 'bin', a));
  fs.writeFileSync(path.join(rootfs, 'etc', 'passwd'), 'root:x:0:0:root:/:/bin/sh\n');
});

after(async () => {
  for (const [, r] of RUNTIMES) {
    const root = r === rt ? nsRoot() : rcRoot();
    for (const id of fs.existsSync(root) ? fs.readdirSync(root).filter((x) => !x.startsWith('.')) : []) await r(['delete', '--force', id]);
  }
  await waitFor(() => cgroupDirs(parent).every((cg) => { try { fs.rmdirSync(cg); return true; } catch { return false; } }), 10000, 'the test\'s cgroups to empty');
  fs.rmSync(dir, { recursive: true, force: true });
});

test('a relative --root is the same root from any directory: start from elsewhere finds the created container', { skip: !BUSYBOX && 'no busybox' }, async () => {
  for (const [name, r] of RUNTIMES) {
    const runner = r === rt ? FRONT : 'runc';
    const rel = `relroot-${tag(r)}`;
    const sub = path.join(dir, `elsewhere-${tag(r)}`);
    fs.mkdirSync(sub);
    const id = `rel${tag(r)}`;
    const cr = await run(runner, ['--root', rel, 'create', '--bundle', bundle(id), id]);
    assert.equal(cr.code, 0, `${name}: ${cr.stderr}`);
    const other = ['--root', path.join('..', rel)];
    const st = await run(runner, [...other, 'start', id], sub);
    assert.equal(st.code, 0, `${name}: start from another directory: ${st.stderr}`);
    const state = await run(runner, [...other, 'state', id], sub);
    assert.equal(JSON.parse(state.stdout).status, 'running', name);
    assert.equal((await run(runner, [...other, 'delete', '--force', id], sub)).code, 0, name);
    assert.deepEqual(fs.readdirSync(path.join(dir, rel)).filter((x) => !x.startsWith('.')), [], name);
  }
});

test('delete without --force: a created container is killed and deleted (as runc); a running or paused one is refused', { skip: !BUSYBOX && 'no busybox' }, async () => {
  for (const [name, r] of RUNTIMES) {
    const id = `del${tag(r)}`;
    const pidFile = path.join(dir, `${id}.pid`);
    assert.equal((await r(['create', '--bundle', bundle(id), '--pid-file', pidFile, id])).code, 0, name);
    const pid = Number(fs.readFileSync(pidFile, 'utf8'));
    const del = await r(['delete', id]);
    assert.equal(del.code, 0, `${name}: ${del.stderr}`);
    assert.equal((await r(['state', id])).code, 1, `${name}: gone`);
    await waitFor(() => { try { return /^\S+ \(.*\) [ZX]/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8')); } catch { return true; } }, 5000, `${name}'s init ${pid} to die`);
    assert.deepEqual(cgroupDirs(`${parent}/${id}`), [], `${name}: its cgroups removed`);

    const busy = `busy${tag(r)}`;
    assert.equal((await r(['run', '-d', '--bundle', bundle(busy), busy])).code, 0, name);
    const refused = await r(['delete', busy]);
    assert.equal(refused.code, 1, name);
    assert.match(refused.stderr, /cannot delete container "?\w+"? that is not stopped: running/, name);
    assert.equal((await r(['pause', busy])).code, 0, name);
    assert.match((await r(['delete', busy])).stderr, /that is not stopped: paused/, name);
    assert.equal(await status(r, busy), 'paused', name);
    assert.equal((await r(['delete', '--force', busy])).code, 0, name);
  }
});

test('kill ID 0 checks the init is there and sends nothing (runc passes 0 to kill(2)); a stopped container is "not running"', { skip: !BUSYBOX && 'no busybox' }, async () => {
  for (const [name, r] of RUNTIMES) {
    const id = `zero${tag(r)}`;
    assert.equal((await r(['run', '-d', '--bundle', bundle(id), id])).code, 0, name);
    const k = await r(['kill', id, '0']);
    assert.equal(k.code, 0, `${name}: ${k.stderr}`);
    assert.equal(await status(r, id), 'running', name);
    assert.equal((await r(['kill', id, 'KILL'])).code, 0, name);
    await waitFor(async () => (await status(r, id)) === 'stopped', 5000, `${name}: ${id} to stop`);
    const gone = await r(['kill', id, '0']);
    assert.equal(gone.code, 1, name);
    assert.match(gone.stderr, /container not running/, name);
    assert.equal((await r(['delete', id])).code, 0, name);
  }
});

test('unknown capability names are left out with runc\'s warning, in create and exec (process.json and --cap)', { skip: !BUSYBOX && 'no busybox' }, async () => {
  const addBogus = (s: Spec) => {
    for (const set of ['bounding', 'effective', 'permitted'] as const) s.process.capabilities![set] = [...s.process.capabilities![set] ?? [], 'CAP_NO_SUCH_THING'];
  };
  for (const [name, r] of RUNTIMES) {
    const id = `caps${tag(r)}`;
    const cr = await r(['create', '--bundle', bundle(id, addBogus), id]);
    assert.equal(cr.code, 0, `${name}: ${cr.stderr}`);
    assert.match(cr.stderr, /ignoring unknown or unavailable capabilities: \[CAP_NO_SUCH_THING\]/, name);
    assert.equal((await r(['start', id])).code, 0, name);
    const proc = { ...defaultSpec().process, args: ['grep', 'CapBnd', '/proc/self/status'] };
    proc.capabilities = { bounding: ['CAP_KILL', 'CAP_WHATEVER'], effective: ['CAP_KILL'], permitted: ['CAP_KILL'] };
    const file = path.join(dir, `proc-${id}.json`);
    fs.writeFileSync(file, JSON.stringify(proc));
    const ex = await r(['exec', '--process', file, id]);
    assert.equal(ex.code, 0, `${name}: ${ex.stderr}`);
    assert.match(ex.stdout, /CapBnd:\s+0000000000000020$/m, `${name}: CAP_KILL alone`);
    assert.match(ex.stderr, /ignoring unknown or unavailable capabilities: \[CAP_WHATEVER\]/, name);
    const flag = await r(['exec', '--cap', 'CAP_BOGUS', id, 'true']);
    assert.equal(flag.code, 0, `${name}: ${flag.stderr}`);
    // (runc names the container's own unknown ones again: it adds --cap to them)
    assert.match(flag.stderr, /ignoring unknown or unavailable capabilities: \[(.* )?CAP_BOGUS( .*)?\]/, name);
    assert.equal((await r(['delete', '--force', id])).code, 0, name);
  }
});

test('config.json fields of the wrong JSON type: refused naming the field, nothing left behind', { skip: !BUSYBOX && 'no busybox' }, async () => {
  const cases: [string, (s: Spec) => void, RegExp][] = [
    ['args', (s) => { (s.process as unknown as { args: string }).args = 'sleep 1000'; }, /process\.args must be an array of strings, not a string "sleep 1000"/],
    ['env', (s) => { (s.process as unknown as { env: number }).env = 5; }, /process\.env must be an array of strings, not a number 5/],
    ['uid', (s) => { (s.process.user as unknown as { uid: string }).uid = '0'; }, /process\.user\.uid must be an integer, not a string "0"/],
    ['mounts', (s) => { (s.mounts![0] as unknown as { options: string }).options = 'ro'; }, /mounts\[0\]\.options must be an array of strings/],
    ['terminal', (s) => { (s.process as unknown as { terminal: string }).terminal = 'false'; }, /process\.terminal must be a boolean/],
  ];
  for (const [what, mut, nscopeWords] of cases) {
    for (const [name, r] of RUNTIMES) {
      const id = `type-${what}-${tag(r)}`;
      const res = await r(['create', '--bundle', bundle(id, mut), id]);
      assert.equal(res.code, 1, `${name} ${what}: ${res.stderr}`);
      if (r === rt) assert.match(res.stderr, nscopeWords, what);
      else assert.match(res.stderr, /cannot unmarshal/, `runc ${what}`);
      assert.equal((await r(['state', id])).code, 1, `${name} ${what}: nothing created`);
      assert.deepEqual(cgroupDirs(`${parent}/${id}`), [], `${name} ${what}: no cgroup`);
    }
  }
});

test('list: runc\'s columns (CREATED, OWNER) and layout; --format json has the owner; a bad --format is refused', { skip: !BUSYBOX && 'no busybox' }, async () => {
  const lines: Record<string, string[]> = {};
  for (const [name, r] of RUNTIMES) {
    const id = `ls${tag(r)}`;
    assert.equal((await r(['create', '--bundle', bundle(id), id])).code, 0, name);
    const table = await r(['list']);
    assert.equal(table.code, 0, name);
    lines[name] = table.stdout.trimEnd().split('\n');
    const json = JSON.parse((await r(['list', '--format', 'json'])).stdout);
    assert.equal(json.length, 1, name);
    assert.equal(json[0].owner, 'root', name);
    assert.equal(json[0].id, id, name);
    const bad = await r(['list', '--format', 'yaml']);
    assert.equal(bad.code, 1, name);
    assert.match(bad.stderr, /invalid format option/, name);
    assert.equal((await r(['delete', id])).code, 0, name);
  }
  const [head, row] = lines['nscope-runtime'];
  assert.match(head, /^ID {10}PID {9}STATUS {6}BUNDLE {2,}CREATED {2,}OWNER$/);
  const cells = row.split(/\s+/);
  assert.deepEqual([cells[0], cells[2], cells[5]], ['lsn', 'created', 'root']);
  assert.ok(!Number.isNaN(Date.parse(cells[4])), cells[4]);
  // column for column where runc's line is: the same widths
  if (lines.runc) assert.equal(head.indexOf('CREATED'), lines.runc[0].indexOf('CREATED'), 'both tables have the same bundle path length, so CREATED starts at the same column');
});

test('usage errors exit 1, as runc\'s; update of a stopped container says "container not running"', { skip: !BUSYBOX && 'no busybox' }, async () => {
  for (const [name, r] of RUNTIMES) {
    for (const args of [['state', '--no-such-flag', 'x'], ['state']]) {
      const res = await r(args);
      assert.equal(res.code, 1, `${name} ${args.join(' ')}: ${res.stderr}`);
    }
    const id = `upd${tag(r)}`;
    assert.equal((await r(['run', '-d', '--bundle', bundle(id), id])).code, 0, name);
    assert.equal((await r(['kill', id, 'KILL'])).code, 0, name);
    await waitFor(async () => (await status(r, id)) === 'stopped', 5000, `${name}: ${id} to stop`);
    const up = await r(['update', '--pids-limit', '10', id]);
    assert.equal(up.code, 1, name);
    assert.match(up.stderr, /container not running/, name);
    assert.equal((await r(['delete', id])).code, 0, name);
  }
});
