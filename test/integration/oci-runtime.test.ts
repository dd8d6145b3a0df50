// nscope-runtime, runc's command line, on an OCI bundle without the daemon.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { defaultSpec } from '../../helper/runtime/spec';
import { waitFor } from '../helpers/containers';
import { PrivateTmux } from '../helpers/tmux';
import { cgroupName } from '../helpers/run-scope';
import { cgroupDirs, REPO, startWithImage, type TestDaemon } from '../helpers/daemon';

let d: TestDaemon;
let bundle: string;
let root: string;
const parent = cgroupName('rt');

// Like runc, a created container keeps the caller's stdio: give it files, not
// this process's pipes, or waiting for their EOF would wait for the container.
let seq = 0;
function rt(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = path.join(bundle, `out-${++seq}`);
  const err = path.join(bundle, `err-${seq}`);
  return new Promise((resolve) => {
    const fds = [fs.openSync(out, 'w'), fs.openSync(err, 'w')];
    const p = spawn(process.execPath, [path.join(REPO, 'bin', 'nscope-runtime.cjs'), '--root', root, ...args], {
      cwd: bundle, stdio: ['ignore', ...fds],
    });
    for (const fd of fds) fs.closeSync(fd); // the child has its own copies
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
  assert.deepEqual(JSON.parse((await rt(['ps', '--format', 'json', 'c1'])).stdout), [st.pid], 'runc ps: the container\'s pids');
  const del = await rt(['delete', 'c1']);
  assert.notEqual(del.code, 0);
  assert.match(del.stderr, /not stopped/);
  assert.equal((await rt(['kill', 'c1', 'KILL'])).code, 0);
  for (let i = 0; i < 100 && JSON.parse((await rt(['state', 'c1'])).stdout).status !== 'stopped'; i++) await new Promise((r) => setTimeout(r, 20));
  assert.equal(JSON.parse((await rt(['state', 'c1'])).stdout).status, 'stopped');
  assert.equal((await rt(['delete', 'c1'])).code, 0);
  assert.notEqual((await rt(['state', 'c1'])).code, 0);
  // gone: `delete` is an error, `delete --force` is not (runc's; containerd's shim cleanup calls it after `delete`)
  assert.match((await rt(['delete', 'c1'])).stderr, /does not exist/);
  assert.equal((await rt(['delete', '--force', 'c1'])).code, 0);
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

test('rootfsPropagation rshared on a shared mount: the container runs, and none of its mounts reach the host', async () => {
  // the bundle on a shared mount of its own, as / is on a systemd host
  execFileSync('mount', ['--bind', bundle, bundle]);
  execFileSync('mount', ['--make-shared', bundle]);
  const before = fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter((l) => l.includes(bundle)).length;
  try {
    writeSpec((s) => {
      s.linux!.rootfsPropagation = 'rshared';
      s.process.args = ['cat', '/proc/self/mountinfo'];
    });
    const r = await rt(['run', 'shared1']);
    assert.equal(r.code, 0, r.stderr);
    const root = r.stdout.split('\n').find((l) => l.split(' ')[4] === '/');
    assert.match(root ?? '', /shared:\d+/, 'the container\'s / is shared, as asked');
    const after = fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter((l) => l.includes(bundle)).length;
    assert.equal(after, before, 'no rootfs, /proc, /dev or /sys mount propagated to the host');
  } finally {
    execFileSync('umount', [bundle]);
  }
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

test('a console: create --console-socket hands the pty master over SCM_RIGHTS, as runc does', async () => {
  writeSpec((s) => {
    s.process.terminal = true;
    s.process.consoleSize = { height: 33, width: 111 };
    s.process.args = ['sh', '-c', 'read line; echo "got $line"; ls -l /proc/self/fd/0; exit 4'];
    // runc spec's own device rules: deny everything; the runtime adds what a container needs
    s.linux!.resources = { devices: [{ allow: false, access: 'rwm' }] };
  });
  const sock = path.join(bundle, 'console.sock');
  // a console-socket receiver, as containerd's shim is one: it gets the master and talks to the container
  const receiver = spawn('python3', ['-c', `
import array, fcntl, os, socket, struct, sys, termios
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); s.bind(sys.argv[1]); s.listen(1); print("ready", flush=True)
c, _ = s.accept()
msg, fds, _, _ = socket.recv_fds(c, 64, 1)
m = fds[0]
rows, cols = struct.unpack("hh", fcntl.ioctl(m, termios.TIOCGWINSZ, b"\\0" * 4))
os.write(m, b"hello\\n")
out = b""
while b"pts" not in out or not out.endswith(b"\\n"):
    try: out += os.read(m, 1024)
    except OSError: break
print(msg.decode(), rows, cols, out.decode().replace("\\r", ""), flush=True)
`, sock], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  receiver.stdout!.on('data', (b) => { out += b; });
  const done = new Promise((r) => receiver.on('exit', r));
  while (!out.includes('ready')) await new Promise((r) => setTimeout(r, 20));
  const cr = await rt(['create', '--console-socket', sock, 'tty1']);
  assert.equal(cr.code, 0, cr.stderr);
  assert.equal((await rt(['start', 'tty1'])).code, 0);
  await done;
  assert.match(out, /\/dev\/ptmx 33 111/, 'the console socket message names the pty; the size is the spec\'s');
  assert.match(out, /got hello/);
  assert.match(out, /-> \/dev\/pts\/0/, 'the container\'s stdin is its console');
  for (let i = 0; i < 100 && JSON.parse((await rt(['state', 'tty1'])).stdout).status !== 'stopped'; i++) await new Promise((r) => setTimeout(r, 50));
  assert.equal((await rt(['delete', 'tty1'])).code, 0);
});

test('a console without a console socket: create refuses as runc does, run needs a terminal', async () => {
  writeSpec((s) => { s.process.terminal = true; });
  assert.match((await rt(['create', 'tty2'])).stderr, /cannot allocate tty .* without setting console socket/);
  assert.match((await rt(['run', 'tty2'])).stderr, /stdin is not a terminal/);
  writeSpec((s) => { s.process.terminal = false; });
  assert.match((await rt(['create', '--console-socket', path.join(bundle, 'x.sock'), 'tty2'])).stderr, /console socket .* will not allocate tty/);
  assert.deepEqual(fs.existsSync(root) ? fs.readdirSync(root) : [], []);
});

test('run in a real terminal (tmux): the container is on a console, its exit code comes back', async () => {
  writeSpec((s) => { s.process.terminal = true; s.process.args = ['sh']; s.hostname = 'rtty'; });
  const session = `nscope-rt-${process.pid}`;
  const exitFile = path.join(bundle, 'tty-exit');
  const server = new PrivateTmux(bundle);
  const tmux = (...a: string[]) => server.run(...a);
  tmux('new-session', '-d', '-s', session, '-x', '90', '-y', '25',
    `cd ${bundle} && node ${path.join(REPO, 'bin', 'nscope-runtime.cjs')} --root ${root} run tty3; echo $? > ${exitFile}; sleep 30`);
  try {
    const screen = () => tmux('capture-pane', '-p', '-t', session);
    await waitFor(() => /#\s*$/m.test(screen()), 30000, `a prompt in\n${screen()}`);
    tmux('send-keys', '-t', session, 'echo "$(hostname) pid $$"; ls -l /proc/self/fd/0', 'Enter');
    await waitFor(() => /rtty pid 1/.test(screen()) && /-> \/dev\/pts\/0/.test(screen()), 5000, `output in\n${screen()}`);
    tmux('send-keys', '-t', session, 'exit 6', 'Enter');
    await waitFor(() => fs.existsSync(exitFile) && fs.readFileSync(exitFile, 'utf8').trim() !== '', 10000, 'the exit');
    assert.equal(fs.readFileSync(exitFile, 'utf8').trim(), '6');
  } finally {
    server.close();
  }
  assert.deepEqual(fs.readdirSync(root), [], 'run removed the container');
});
