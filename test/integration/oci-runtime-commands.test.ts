// nscope-runtime's runc command line beyond the container lifecycle: exec
// (args, --process, env/cwd/user, --detach, --tty with --console-socket,
// --preserve-fds), pause/resume, update, events, features, spec, --log,
// --version, --systemd-cgroup and every command's --help. Where runc is
// installed, the same command runs against a runc container on the same
// rootfs and the two answers are compared.
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { type Hook, type Spec } from '../../helper/runtime/spec';
import { writeBundle } from '../helpers/oci-bundle';
import { waitFor } from '../helpers/containers';
import { cgroupDirs, REPO, startWithImage, type TestDaemon } from '../helpers/daemon';
import { CGROUP_PREFIX, cgroupName, ownProcesses } from '../helpers/run-scope';
import { PrivateTmux } from '../helpers/tmux';

let d: TestDaemon;
let dir: string;
let rootfs: string;
const root = () => path.join(dir, 'state');
const runcRoot = () => path.join(dir, 'runc-state');
const parent = cgroupName('rtc');
const HAVE_RUNC = spawnSync('runc', ['--version']).status === 0;

interface Result { code: number; stdout: string; stderr: string }

// Output goes to files, not pipes: a detached process keeps the caller's
// stdio, and waiting for a pipe's end would wait for it.
let seq = 0;
function run(cmd: string, args: string[], o: { stdin?: string; fds?: number[]; cwd?: string } = {}): Promise<Result> {
  const out = path.join(dir, `out-${++seq}`);
  const err = path.join(dir, `err-${seq}`);
  let stdin: 'ignore' | number = 'ignore';
  if (o.stdin !== undefined) {
    fs.writeFileSync(path.join(dir, `in-${seq}`), o.stdin);
    stdin = fs.openSync(path.join(dir, `in-${seq}`), 'r');
  }
  const outFd = fs.openSync(out, 'w');
  const errFd = fs.openSync(err, 'w');
  return new Promise((resolve) => {
    const p = spawn(cmd, args, { cwd: o.cwd ?? dir, stdio: [stdin, outFd, errFd, ...(o.fds ?? [])] });
    p.on('exit', (code, sig) => {
      for (const fd of [outFd, errFd, ...(typeof stdin === 'number' ? [stdin] : [])]) fs.closeSync(fd);
      resolve({ code: code ?? 128 + (os.constants.signals[sig!] ?? 0), stdout: fs.readFileSync(out, 'utf8'), stderr: fs.readFileSync(err, 'utf8') });
    });
  });
}
const NSR = () => [path.join(REPO, 'bin', 'nscope-runtime.cjs')];
const rt = (args: string[], o: Parameters<typeof run>[2] = {}) => run(process.execPath, [...NSR(), '--root', root(), ...args], o);
const runc = (args: string[], o: Parameters<typeof run>[2] = {}) => run('runc', ['--root', runcRoot(), ...args], o);

/** A bundle of its own (config.json) on the shared rootfs, in cgroup /<parent>/<name>. */
const bundle = (name: string, mut?: (s: Spec) => void): string => writeBundle({ dir, rootfs, parent }, name, mut);

async function state(id: string, runner = rt): Promise<{ status: string; pid: number }> {
  const r = await runner(['state', id]);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout);
}

/** Both runtimes answer; without runc only nscope-runtime's answer is checked. */
async function both(args: string[], o: Parameters<typeof run>[2] = {}, id = 'box'): Promise<{ ours: Result; theirs?: Result }> {
  const ours = await rt([...args.map((a) => (a === '@ID' ? id : a))], o);
  const theirs = HAVE_RUNC ? await runc(args.map((a) => (a === '@ID' ? 'runcbox' : a)), o) : undefined;
  return { ours, theirs };
}

function cgroupFile(name: string, controller: string, file: string): string {
  return fs.readFileSync(path.join('/sys/fs/cgroup', controller, parent, name, file), 'utf8').trim();
}

before(async () => {
  d = await startWithImage('ocicmd');
  const c = await d.client();
  const img = await c.request('image.inspect', { ref: 'host' });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nscope-rtc-'));
  rootfs = path.join(dir, 'rootfs');
  fs.cpSync((img.layers as unknown as { dir: string }[])[0].dir, rootfs, { recursive: true, verbatimSymlinks: true });
  // a long-running container for each runtime, created and started as an engine does
  const b = bundle('box');
  assert.equal((await rt(['create', '--bundle', b, 'box'])).code, 0);
  assert.equal((await rt(['start', 'box'])).code, 0);
  if (HAVE_RUNC) {
    const rb = bundle('runcbox');
    const cr = await runc(['create', '--bundle', rb, 'runcbox']);
    assert.equal(cr.code, 0, `runc create: ${cr.stderr}`);
    assert.equal((await runc(['start', 'runcbox'])).code, 0);
  }
});

after(async () => {
  await rt(['delete', '--force', 'box']);
  if (HAVE_RUNC) await runc(['delete', '--force', 'runcbox']);
  for (const id of fs.existsSync(root()) ? fs.readdirSync(root()).filter((x) => !x.startsWith('.')) : []) await rt(['delete', '--force', id]);
  assert.deepEqual(await d.cleanup(), []);
  // runc's inits had nobody but pid 1 to inherit them (no subreaper here): their zombies go when it reaps
  await waitFor(() => ownProcesses().length === 0, 20000, `pid 1 to reap ${ownProcesses().join(', ')}`);
  for (const cg of cgroupDirs(parent)) fs.rmdirSync(cg);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('exec with a command: its output and exit code, as runc', async () => {
  const { ours, theirs } = await both(['exec', '@ID', 'sh', '-c', 'echo "hi $(hostname)"; echo oops >&2; exit 7']);
  assert.equal(ours.code, 7, ours.stderr);
  assert.equal(ours.stdout, 'hi nscope\n');
  assert.equal(ours.stderr, 'oops\n');
  if (theirs) assert.deepEqual({ code: theirs.code, out: theirs.stdout, err: theirs.stderr }, { code: ours.code, out: ours.stdout, err: ours.stderr });
  // the caller's stdin reaches the process
  assert.equal((await rt(['exec', 'box', 'cat'], { stdin: 'from stdin\n' })).stdout, 'from stdin\n');
  // in the container's PID namespace: its pid 1 is the container's init
  assert.equal((await rt(['exec', 'box', 'cat', '/proc/1/cmdline'])).stdout, 'sleep\x001000\x00');
});

test('ps ID [ps OPTIONS]: the host\'s ps (-ef by default), its header and the container\'s lines, as runc prints them', async () => {
  const pid = (await state('box')).pid;
  const { ours, theirs } = await both(['ps', '@ID']);
  assert.equal(ours.code, 0, ours.stderr);
  const lines = ours.stdout.trimEnd().split('\n');
  assert.match(lines[0], /^UID +PID +PPID +C +STIME +TTY +TIME +CMD$/);
  assert.equal(lines.length, 2, ours.stdout);
  assert.match(lines[1], new RegExp(`^root +${pid} .* sleep 1000$`));
  if (theirs) assert.equal(theirs.stdout.split('\n')[0], lines[0], 'the same header as runc\'s');
  const o = await both(['ps', '@ID', '-o', 'pid,comm']);
  assert.deepEqual(o.ours.stdout.trimEnd().split('\n').map((l) => l.trim().split(/\s+/)), [['PID', 'COMMAND'], [String(pid), 'sleep']]);
  if (o.theirs) assert.equal(o.theirs.stdout.split('\n')[0], o.ours.stdout.split('\n')[0]);
  assert.deepEqual(JSON.parse((await rt(['ps', '--format', 'json', 'box'])).stdout), [pid]);
  const bad = await rt(['ps', 'box', '-o', 'comm']);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /couldn't find the PID field/);
});

test('exec gets the container\'s seccomp filter (linux.seccomp of its bundle), as runc\'s does', async () => {
  const deny = (s: Spec) => {
    s.linux!.seccomp = { defaultAction: 'SCMP_ACT_ALLOW', architectures: ['SCMP_ARCH_X86_64'], syscalls: [{ names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_ERRNO' }] };
  };
  const script = 'mkdir /tmp/sc-$$ 2>&1 || echo refused; grep "^Seccomp:" /proc/self/status';
  assert.equal((await rt(['run', '-d', '--bundle', bundle('sc', deny), 'sc'])).code, 0);
  const ours = await rt(['exec', 'sc', 'sh', '-c', script]);
  assert.match(ours.stdout, /Operation not permitted\nrefused\nSeccomp:\s+2\n$/, ours.stderr);
  if (HAVE_RUNC) {
    assert.equal((await runc(['run', '-d', '--bundle', bundle('runcsc', deny), 'runcsc'])).code, 0);
    const theirs = await runc(['exec', 'runcsc', 'sh', '-c', script]);
    assert.equal(theirs.stdout.replace(/sc-\d+/, 'sc-N'), ours.stdout.replace(/sc-\d+/, 'sc-N'));
    assert.equal((await runc(['delete', '--force', 'runcsc'])).code, 0);
  }
  assert.equal((await rt(['delete', '--force', 'sc'])).code, 0);
});

test('exec into a created (not yet started) container works, as with runc', async () => {
  assert.equal((await rt(['create', '--bundle', bundle('created'), 'created'])).code, 0);
  const r = await rt(['exec', 'created', 'sh', '-c', 'echo in-created; cat /proc/1/cmdline']);
  assert.equal(r.stdout.split('\n')[0], 'in-created', r.stderr);
  assert.equal((await state('created')).status, 'created');
  assert.equal((await rt(['delete', '--force', 'created'])).code, 0);
});

test('exec --user/--additional-gids/--cwd/--env/--cap/--no-new-privs: the process as runc makes it', async () => {
  const script = 'id -u; id -g; id -G; pwd; echo "$FOO $HOME"; grep -E "^(CapBnd|NoNewPrivs)" /proc/self/status';
  const { ours, theirs } = await both(['exec', '--user', '1000:1001', '-g', '5', '--cwd', '/tmp', '-e', 'FOO=bar', '--cap', 'CAP_SYS_ADMIN', '--no-new-privs=false', '@ID', 'sh', '-c', script]);
  assert.equal(ours.code, 0, ours.stderr);
  const [uid, gid, groups, cwd, env] = ours.stdout.split('\n');
  assert.deepEqual([uid, gid, groups.split(' ').sort().join(' '), cwd, env], ['1000', '1001', '1001 5', '/tmp', 'bar /']);
  assert.match(ours.stdout, /NoNewPrivs:\s+0/);
  const bnd = BigInt('0x' + /CapBnd:\s+(\w+)/.exec(ours.stdout)![1]);
  assert.equal(bnd & (1n << 21n), 1n << 21n, 'CAP_SYS_ADMIN added to the bounding set');
  if (theirs) assert.equal(ours.stdout, theirs.stdout);
  // env given twice: the later one wins, once
  const e = await rt(['exec', '-e', 'A=1', '-e', 'A=2', 'box', 'sh', '-c', 'tr "\\0" "\\n" < /proc/$$/environ | grep -c "^A="; echo $A']);
  assert.equal(e.stdout, '1\n2\n', e.stderr);
  assert.match((await rt(['exec', '--user', 'nobody', 'box', 'true'])).stderr, /--user: "nobody" is not UID\[:GID\]/);
});

test('exec --process FILE: the whole process from the file (what containerd and conmon pass)', async () => {
  const proc = { terminal: false, user: { uid: 2000, gid: 2000 }, args: ['sh', '-c', 'echo "$X $(id -u) $(pwd)"; exit 3'], env: ['PATH=/bin:/usr/bin', 'X=from-file'], cwd: '/etc' };
  fs.writeFileSync(path.join(dir, 'process.json'), JSON.stringify(proc));
  const { ours, theirs } = await both(['exec', '--process', path.join(dir, 'process.json'), '@ID']);
  assert.equal(ours.code, 3, ours.stderr);
  assert.equal(ours.stdout, 'from-file 2000 /etc\n');
  if (theirs) assert.deepEqual([theirs.code, theirs.stdout], [ours.code, ours.stdout]);
  fs.writeFileSync(path.join(dir, 'bad.json'), JSON.stringify({ ...proc, cwd: 'etc' }));
  assert.match((await rt(['exec', '-p', path.join(dir, 'bad.json'), 'box'])).stderr, /cwd "etc" must be an absolute path/);
  fs.writeFileSync(path.join(dir, 'bad.json'), JSON.stringify({ ...proc, args: [] }));
  assert.match((await rt(['exec', '-p', path.join(dir, 'bad.json'), 'box'])).stderr, /args must not be empty/);
});

test('exec errors: a missing program, a missing container, no command', async () => {
  const r = await rt(['exec', 'box', 'nosuchprog']);
  assert.equal(r.code, 255, 'exec\'s own failures exit 255 (runc\'s), never a code the process could have exited with');
  assert.match(r.stderr, /exec: "nosuchprog": executable file not found in \$PATH/);
  const gone = await rt(['exec', 'nosuch', 'true']);
  assert.match(gone.stderr, /container "nosuch" does not exist/);
  assert.equal(gone.code, 255);
  assert.match((await rt(['exec', 'box'])).stderr, /a command is required/);
  assert.match((await rt(['exec', '-d', '-t', 'box', 'sh'])).stderr, /cannot allocate tty if nscope-runtime will detach without setting console socket/);
});

// A subreaper as containerd's shim and conmon are: it runs the runtime, then
// waits for the process the pid file names, which must have become its child.
const SUBREAPER = `
import ctypes, os, subprocess, sys
assert ctypes.CDLL(None).prctl(36, 1, 0, 0, 0) == 0  # PR_SET_CHILD_SUBREAPER
r = subprocess.run(sys.argv[2:], stdin=subprocess.DEVNULL)
pid = int(open(sys.argv[1]).read())
ppid = int(open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[1])
_, st = os.waitpid(pid, 0)
print(r.returncode, ppid == os.getpid(), os.waitstatus_to_exitcode(st))
`;

test('exec --detach --pid-file: returns once the process runs; the caller\'s subreaper inherits it, nothing of nscope stays', async () => {
  const pidFile = path.join(dir, 'exec.pid');
  const started = Date.now();
  const r = await run('python3', ['-c', SUBREAPER, pidFile, process.execPath, ...NSR(), '--root', root(), 'exec', '--detach', '--pid-file', pidFile, 'box', 'sh', '-c', 'sleep 1; exit 9']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.trim(), '0 True 9', 'runtime exit 0, the process a child of the subreaper, its exit code 9');
  assert.ok(Date.now() - started >= 1000);
  if (HAVE_RUNC) {
    const theirs = await run('python3', ['-c', SUBREAPER, pidFile, 'runc', '--root', runcRoot(), 'exec', '--detach', '--pid-file', pidFile, 'runcbox', 'sh', '-c', 'exit 9']);
    assert.equal(theirs.stdout.trim(), '0 True 9');
  }
  // a detached exec does not wait: the runtime is back before the process ends
  const t0 = Date.now();
  assert.equal((await rt(['exec', '-d', '--pid-file', pidFile, 'box', 'sleep', '3'])).code, 0);
  assert.ok(Date.now() - t0 < 2500);
  const pid = Number(fs.readFileSync(pidFile, 'utf8'));
  assert.equal(fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8'), 'sleep\x003\x00');
  assert.match(fs.readFileSync(`/proc/${pid}/cgroup`, 'utf8'), new RegExp(`:memory:/${parent}/box\n`), 'in the container\'s cgroup');
  const init = (await state('box')).pid;
  for (const ns of ['pid', 'mnt', 'uts', 'ipc', 'net', 'cgroup']) assert.equal(fs.readlinkSync(`/proc/${pid}/ns/${ns}`), fs.readlinkSync(`/proc/${init}/ns/${ns}`), ns);
  const shims = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' }).split('\n').filter((l) => l.startsWith(`${path.join(REPO, 'build', 'Release', 'nscope-shim')} exec`));
  assert.deepEqual(shims, [], 'no exec shim left behind');
});

// A console-socket receiver, as containerd's shim is one: it gets the master,
// types a command and reads what comes back until the process closes the pty.
const RECEIVER = `
import fcntl, os, socket, struct, sys, termios
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); s.bind(sys.argv[1]); s.listen(1); print("ready", flush=True)
c, _ = s.accept()
msg, fds, _, _ = socket.recv_fds(c, 64, 1)
m = fds[0]
rows, cols = struct.unpack("hh", fcntl.ioctl(m, termios.TIOCGWINSZ, b"\\0" * 4))
os.write(m, b"echo got-$((6*7)); tty; exit 5\\n")
out = b""
while True:
    try: d = os.read(m, 1024)
    except OSError: break
    if not d: break
    out += d
print(msg.decode(), f"{rows}x{cols}", out.decode().replace("\\r", ""), flush=True)
`;

async function withReceiver(sock: string, fn: () => Promise<Result>): Promise<{ r: Result; got: string }> {
  const rec = spawn('python3', ['-c', RECEIVER, sock], { stdio: ['ignore', 'pipe', 'inherit'] });
  let got = '';
  rec.stdout!.on('data', (b) => { got += b; });
  const done = new Promise((res) => rec.on('exit', res));
  await waitFor(() => got.includes('ready'), 5000, 'the receiver');
  const r = await fn();
  await done;
  return { r, got };
}

test('exec --tty --console-socket: the pty master goes to the socket; foreground exits with the code, --detach returns at once', async () => {
  const sock = path.join(dir, 'console.sock');
  fs.rmSync(sock, { force: true });
  const fg = await withReceiver(sock, () => rt(['exec', '--tty', '--console-socket', sock, 'box', 'sh']));
  assert.equal(fg.r.code, 5, fg.r.stderr);
  assert.match(fg.got, /^\/dev\/ptmx /m, 'the message names the pty, as runc\'s');
  assert.match(fg.got, /got-42\n\/dev\/pts\/\d+\n/);
  fs.rmSync(sock, { force: true });
  const pidFile = path.join(dir, 'tty.pid');
  const bg = await withReceiver(sock, () => rt(['exec', '-d', '-t', '--console-socket', sock, '--pid-file', pidFile, 'box', 'sh']));
  assert.equal(bg.r.code, 0, bg.r.stderr);
  assert.match(bg.got, /got-42/);
  assert.ok(Number(fs.readFileSync(pidFile, 'utf8')) > 0);
  fs.rmSync(sock, { force: true });
  // containerd's `exec -t`: --process with terminal and consoleSize, --detach, --console-socket
  const proc = { terminal: true, consoleSize: { height: 33, width: 111 }, user: { uid: 0, gid: 0 }, args: ['sh'], env: ['PATH=/bin:/usr/bin'], cwd: '/' };
  fs.writeFileSync(path.join(dir, 'tty-process.json'), JSON.stringify(proc));
  const cd = await withReceiver(sock, () => rt(['exec', '--process', path.join(dir, 'tty-process.json'), '--detach', '--pid-file', pidFile, '--console-socket', sock, 'box']));
  assert.equal(cd.r.code, 0, cd.r.stderr);
  assert.match(cd.got, /^\/dev\/ptmx 33x111 /m, 'the console has the process\'s consoleSize');
  assert.match(cd.got, /got-42/);
  fs.rmSync(sock, { force: true });
});

test('exec -t in a real terminal (tmux): this terminal relayed raw, its size and resizes passed on, the exit code back', async () => {
  const session = `nscope-rtc-${process.pid}`;
  const exitFile = path.join(dir, 'exec-tty-exit');
  const server = new PrivateTmux(dir);
  const tmux = (...a: string[]) => server.run(...a);
  tmux('new-session', '-d', '-s', session, '-x', '100', '-y', '30',
    `${process.execPath} ${NSR()[0]} --root ${root()} exec -t box sh; echo $? > ${exitFile}; sleep 30`);
  try {
    const screen = () => tmux('capture-pane', '-p', '-t', session);
    await waitFor(() => /#\s*$/m.test(screen()), 10000, `a prompt in\n${screen()}`);
    tmux('send-keys', '-t', session, 'echo "size $(stty size) on $(tty)"', 'Enter');
    await waitFor(() => /size 30 100 on \/dev\/pts\/\d+/.test(screen()), 5000, `the size in\n${screen()}`);
    tmux('resize-window', '-t', session, '-x', '120', '-y', '40');
    await new Promise((r) => setTimeout(r, 300));
    tmux('send-keys', '-t', session, 'echo "now $(stty size)"', 'Enter');
    await waitFor(() => /now 40 120/.test(screen()), 5000, `the new size in\n${screen()}`);
    tmux('send-keys', '-t', session, 'exit 3', 'Enter');
    await waitFor(() => fs.existsSync(exitFile) && fs.readFileSync(exitFile, 'utf8').trim() !== '', 10000, 'the exit');
    assert.equal(fs.readFileSync(exitFile, 'utf8').trim(), '3');
  } finally {
    server.close();
  }
});

test('exec --preserve-fds N: the caller\'s fds 3..3+N-1 reach the process', async () => {
  fs.writeFileSync(path.join(dir, 'fd3'), 'three\n');
  fs.writeFileSync(path.join(dir, 'fd4'), 'four\n');
  const open = () => [fs.openSync(path.join(dir, 'fd3'), 'r'), fs.openSync(path.join(dir, 'fd4'), 'r')];
  const script = 'cat <&3; cat <&4; [ -e /proc/self/fd/5 ] && echo "fd 5 leaked"; true';
  let fds = open();
  const ours = await rt(['exec', '--preserve-fds', '2', 'box', 'sh', '-c', script], { fds });
  fds.forEach((fd) => fs.closeSync(fd));
  assert.equal(ours.stdout, 'three\nfour\n', ours.stderr);
  if (HAVE_RUNC) {
    fds = open();
    const theirs = await runc(['exec', '--preserve-fds', '2', 'runcbox', 'sh', '-c', script], { fds });
    fds.forEach((fd) => fs.closeSync(fd));
    assert.equal(theirs.stdout, ours.stdout);
  }
  // without the flag nothing of the caller's beyond stdio is there
  fds = open();
  const none = await rt(['exec', 'box', 'sh', '-c', '[ -e /proc/self/fd/3 ] && echo leaked; true'], { fds });
  fds.forEach((fd) => fs.closeSync(fd));
  assert.equal(none.stdout, '');
});

test('pause / state paused / resume, with runc\'s messages; KILL ends a paused container', async () => {
  const first = await both(['pause', '@ID']);
  assert.equal(first.ours.code, 0, first.ours.stderr);
  assert.equal((await state('box')).status, 'paused');
  assert.equal(cgroupFile('box', 'freezer', 'freezer.state'), 'FROZEN');
  const again = await both(['pause', '@ID']);
  assert.match(again.ours.stderr, /container not running/);
  assert.match((await rt(['exec', 'box', 'true'])).stderr, /cannot exec in a paused container/);
  assert.match((await rt(['delete', 'box'])).stderr, /not stopped: paused/);
  const list = JSON.parse((await rt(['list', '--format', 'json'])).stdout);
  assert.equal(list.find((c: { id: string }) => c.id === 'box').status, 'paused');
  if (HAVE_RUNC) {
    assert.equal(first.theirs!.code, 0, first.theirs!.stderr);
    assert.match(again.theirs!.stderr, /container not running/);
    assert.equal((await state('runcbox', runc)).status, 'paused');
    assert.match((await runc(['exec', 'runcbox', 'true'])).stderr, /cannot exec in a paused container/);
  }
  const resumed = await both(['resume', '@ID']);
  assert.equal(resumed.ours.code, 0, resumed.ours.stderr);
  assert.equal((await state('box')).status, 'running');
  assert.equal(cgroupFile('box', 'freezer', 'freezer.state'), 'THAWED');
  const twice = await both(['resume', '@ID']);
  assert.match(twice.ours.stderr, /container not paused/);
  if (HAVE_RUNC) assert.match(twice.theirs!.stderr, /container not paused/);
  assert.equal((await rt(['exec', 'box', 'true'])).code, 0);

  // a paused container killed: the KILL must not wait for a resume that never comes
  const b = bundle('pk');
  assert.equal((await rt(['run', '-d', '--bundle', b, 'pk'])).code, 0);
  assert.equal((await rt(['pause', 'pk'])).code, 0);
  assert.equal((await rt(['kill', 'pk', 'KILL'])).code, 0);
  await waitFor(async () => (await state('pk')).status === 'stopped', 5000, 'the paused container to die');
  assert.equal((await rt(['delete', 'pk'])).code, 0);
  // and delete --force of a paused one
  assert.equal((await rt(['run', '-d', '--bundle', b, 'pk2'])).code, 0);
  assert.equal((await rt(['pause', 'pk2'])).code, 0);
  assert.equal((await rt(['delete', '--force', 'pk2'])).code, 0);
  assert.equal(cgroupDirs(`${parent}/pk`).length, 0);
});

test('update --resources - (LinuxResources JSON on stdin, zeros unchanged) and runc\'s flags, live in the cgroup files', async () => {
  const json = JSON.stringify({ memory: { limit: 96 << 20, reservation: 0 }, cpu: { shares: 512, quota: 50000, period: 100000, cpus: '', mems: '' }, pids: { limit: 64 }, blockIO: { weight: 0 } });
  const { ours, theirs } = await both(['update', '--resources', '-', '@ID'], { stdin: json });
  assert.equal(ours.code, 0, ours.stderr);
  const files = (name: string) => [
    cgroupFile(name, 'memory', 'memory.limit_in_bytes'), cgroupFile(name, 'cpu', 'cpu.shares'), cgroupFile(name, 'cpu', 'cpu.cfs_quota_us'),
    cgroupFile(name, 'cpu', 'cpu.cfs_period_us'), cgroupFile(name, 'pids', 'pids.max'),
  ];
  assert.deepEqual(files('box'), [String(96 << 20), '512', '50000', '100000', '64']);
  if (theirs) {
    assert.equal(theirs.code, 0, theirs.stderr);
    assert.deepEqual(files('runcbox'), files('box'), 'runc wrote the same values');
  }
  // runc's flags, with a unit and -1 for unlimited
  assert.equal((await rt(['update', '--memory', '128m', '--pids-limit', '-1', '--cpu-share', '256', 'box'])).code, 0);
  assert.deepEqual(files('box').slice(0, 2).concat(files('box')[4]), [String(128 << 20), '256', 'max']);
  // a file works as stdin does
  fs.writeFileSync(path.join(dir, 'res.json'), JSON.stringify({ pids: { limit: 99 } }));
  assert.equal((await rt(['update', '-r', path.join(dir, 'res.json'), 'box'])).code, 0);
  assert.equal(cgroupFile('box', 'pids', 'pids.max'), '99');
  // block I/O throttles are set (a real disk's numbers); a weight where the host's schedulers keep none is refused by name, and then nothing is written
  const disk = realDisk();
  if (disk) {
    const thr = await rt(['update', '-r', '-', 'box'], { stdin: JSON.stringify({ blockIO: { throttleReadBpsDevice: [{ ...disk, rate: 1048576 }] } }) });
    assert.equal(thr.code, 0, thr.stderr);
    assert.match(cgroupFile('box', 'blkio', 'blkio.throttle.read_bps_device'), new RegExp(`^${disk.major}:${disk.minor} 1048576$`, 'm'));
  }
  if (!fs.existsSync('/sys/fs/cgroup/blkio/blkio.weight') && !fs.existsSync('/sys/fs/cgroup/blkio/blkio.bfq.weight') && fs.existsSync('/sys/fs/cgroup/blkio')) {
    const blk = await rt(['update', '-r', '-', 'box'], { stdin: JSON.stringify({ pids: { limit: 5 }, blockIO: { weight: 300 } }) });
    assert.notEqual(blk.code, 0);
    assert.match(blk.stderr, /blockIO\.weight: this host's block I\/O schedulers keep no weights/);
    assert.equal(cgroupFile('box', 'pids', 'pids.max'), '99');
  }
  assert.match((await rt(['update', '-r', '-', 'box'], { stdin: '{"memory":' })).stderr, /not JSON/);
  assert.match((await rt(['update', '-r', '-', 'box'], { stdin: '{"cpu":{"shares":1}}' })).stderr, /cpu\.shares: 1 is not an integer in 2\.\.262144/);
});

test('events --stats: one stats event as runc prints it', async () => {
  const { ours, theirs } = await both(['events', '--stats', '@ID']);
  assert.equal(ours.code, 0, ours.stderr);
  const e = JSON.parse(ours.stdout);
  assert.equal(e.type, 'stats');
  assert.equal(e.id, 'box');
  assert.ok(e.data.memory.usage.usage > 0);
  assert.equal(e.data.memory.usage.limit, 128 << 20, 'the limit set by the update test');
  assert.ok(e.data.pids.current >= 1);
  assert.ok(e.data.cpu.usage.total > 0);
  if (theirs) {
    const r = JSON.parse(theirs.stdout);
    for (const k of ['cpu', 'memory', 'pids']) assert.ok(k in r.data && k in e.data, k);
    // nothing of ours that runc does not name the same way
    for (const k of Object.keys(e.data.memory.usage)) assert.ok(k in r.data.memory.usage, `memory.usage.${k}`);
    for (const k of Object.keys(e.data.cpu.usage)) assert.ok(k in r.data.cpu.usage, `cpu.usage.${k}`);
  }
  // the streaming form: a stats line per interval, an oom event when the OOM killer strikes
  const oom = bundle('oom', (s) => { s.linux!.resources = { memory: { limit: 32 << 20, swap: 32 << 20 } }; });
  assert.equal((await rt(['run', '-d', '--bundle', oom, 'oom'])).code, 0);
  const watch = spawn(process.execPath, [...NSR(), '--root', root(), 'events', '--interval', '1h', 'oom'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let seen = '';
  watch.stdout!.on('data', (b) => { seen += b; });
  await waitFor(() => seen.includes('"stats"'), 5000, 'the first stats line');
  const hog = await rt(['exec', 'oom', 'sh', '-c', 'dd if=/dev/zero of=/dev/null bs=64M count=1']);
  assert.equal(hog.code, 137, hog.stderr);
  await waitFor(() => seen.includes('{"type":"oom","id":"oom"}'), 5000, `an oom event in ${seen}`);
  watch.kill('SIGTERM');
  await new Promise((r) => watch.on('exit', r));
  assert.equal((await rt(['delete', '--force', 'oom'])).code, 0);

  const ev = spawn(process.execPath, [...NSR(), '--root', root(), 'events', '--interval', '200ms', 'box'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let lines = '';
  ev.stdout!.on('data', (b) => { lines += b; });
  await waitFor(() => lines.split('\n').filter(Boolean).length >= 2, 5000, 'two stats lines');
  ev.kill('SIGTERM');
  await new Promise((r) => ev.on('exit', r));
  assert.equal(JSON.parse(lines.split('\n')[0]).type, 'stats');
});

test('features: the OCI features document, naming only what nscope does', async () => {
  const { ours, theirs } = await both(['features']);
  assert.equal(ours.code, 0, ours.stderr);
  const f = JSON.parse(ours.stdout);
  assert.equal(f.ociVersionMin, '1.0.0');
  assert.equal(f.ociVersionMax, '1.0.2');
  assert.ok(f.hooks.includes('prestart') && f.hooks.includes('poststop'));
  assert.ok(f.hooks.includes('startContainer'), 'run by the init itself');
  assert.deepEqual(f.linux.namespaces, ['cgroup', 'ipc', 'mount', 'network', 'pid', 'user', 'uts']);
  assert.ok(f.mountOptions.includes('rbind') && f.mountOptions.includes('nosymfollow'));
  assert.ok(f.linux.capabilities.includes('CAP_CHECKPOINT_RESTORE'));
  assert.ok(f.linux.seccomp.enabled && f.linux.seccomp.actions.includes('SCMP_ACT_ERRNO') && !f.linux.seccomp.actions.includes('SCMP_ACT_NOTIFY'));
  assert.ok(f.linux.seccomp.archs.includes('SCMP_ARCH_X86_64'));
  assert.deepEqual(f.linux.cgroup, { v1: true, v2: true, systemd: false, systemdUser: false });
  if (theirs) {
    const r = JSON.parse(theirs.stdout);
    assert.deepEqual(Object.keys(f).sort(), Object.keys(r).sort(), 'the same top-level fields as runc\'s');
    assert.deepEqual(Object.keys(f.linux).sort(), Object.keys(r.linux).sort());
    for (const o of f.linux.seccomp.operators) assert.ok(r.linux.seccomp.operators.includes(o), o);
  }
});

test('spec writes runc\'s starter config.json (not over an existing one); nscope-runtime run runs it', async () => {
  const b = path.join(dir, 'spec-bundle');
  fs.mkdirSync(b);
  const r = await rt(['spec', '--bundle', b]);
  assert.equal(r.code, 0, r.stderr);
  const s = JSON.parse(fs.readFileSync(path.join(b, 'config.json'), 'utf8'));
  assert.equal(s.process.terminal, true);
  assert.deepEqual(s.process.args, ['sh']);
  assert.equal(s.root.readonly, true);
  const again = await rt(['spec', '--bundle', b]);
  assert.notEqual(again.code, 0);
  assert.match(again.stderr, /config\.json exists\. Remove it first/);
  if (HAVE_RUNC) {
    const rb = path.join(dir, 'runc-spec-bundle');
    fs.mkdirSync(rb);
    assert.equal((await runc(['spec', '--bundle', rb])).code, 0);
    const theirs = JSON.parse(fs.readFileSync(path.join(rb, 'config.json'), 'utf8'));
    assert.deepEqual(Object.keys(s).sort(), Object.keys(theirs).sort());
    assert.deepEqual(s.mounts.map((m: { destination: string }) => m.destination), theirs.mounts.map((m: { destination: string }) => m.destination));
    assert.deepEqual(s.process.capabilities, theirs.process.capabilities);
    assert.deepEqual(s.linux.namespaces, theirs.linux.namespaces);
  }
  // edited as its DESCRIPTION says: no console, another command; and a cgroup of this run
  s.process.terminal = false;
  s.process.args = ['sh', '-c', 'echo "spec ran as $(id -u) on $(hostname)"; touch /x 2>/dev/null || echo read-only; exit 4'];
  s.root.path = rootfs;
  s.linux.cgroupsPath = `/${parent}/spec`;
  fs.writeFileSync(path.join(b, 'config.json'), JSON.stringify(s));
  const ran = await rt(['run', '--bundle', b, 'specrun']);
  assert.equal(ran.code, 4, ran.stderr);
  assert.equal(ran.stdout, 'spec ran as 0 on nscope\nread-only\n');
  // --rootless: a user namespace mapping root to the caller, no network namespace
  const rl = path.join(dir, 'rootless-bundle');
  fs.mkdirSync(rl);
  assert.equal((await rt(['spec', '--rootless', '-b', rl])).code, 0);
  const rs = JSON.parse(fs.readFileSync(path.join(rl, 'config.json'), 'utf8'));
  assert.deepEqual(rs.linux.uidMappings, [{ containerID: 0, hostID: 0, size: 1 }]);
  assert.ok(rs.linux.namespaces.some((n: { type: string }) => n.type === 'user') && !rs.linux.namespaces.some((n: { type: string }) => n.type === 'network'));
  assert.equal(rs.linux.resources, undefined);
});

test('--log FILE --log-format json|text: the reason of a failed create, as runc\'s logrus line', async () => {
  const b = bundle('logged', (s) => { s.process.args = ['no-such-program']; });
  const log = path.join(dir, 'log.json');
  const r = await rt(['--log', log, '--log-format', 'json', 'create', '--bundle', b, 'logged']);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /executable file not found/, 'stderr has it too');
  const lines = fs.readFileSync(log, 'utf8').trim().split('\n');
  assert.equal(lines.length, 1);
  const line = JSON.parse(lines[0]);
  assert.deepEqual(Object.keys(line), ['level', 'msg', 'time']);
  assert.equal(line.level, 'error');
  assert.match(line.msg, /exec: "no-such-program": executable file not found in \$PATH/);
  assert.match(line.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.ok(Math.abs(Date.parse(line.time) - Date.now()) < 60000);
  // the log exists as soon as the runtime ran (an engine reads it after a failure)
  const quiet = path.join(dir, 'quiet.json');
  assert.equal((await rt(['--log', quiet, '--log-format=json', 'list'])).code, 0);
  assert.equal(fs.readFileSync(quiet, 'utf8'), '');
  const text = path.join(dir, 'log.txt');
  await rt(['--log', text, 'state', 'nosuch']);
  assert.match(fs.readFileSync(text, 'utf8'), /^time="[^"]+" level=error msg="container \\"nosuch\\" does not exist"\n$/);
  if (HAVE_RUNC) {
    const theirs = path.join(dir, 'runc-log.json');
    await runc(['--log', theirs, '--log-format', 'json', 'state', 'nosuch']);
    assert.deepEqual(Object.keys(JSON.parse(fs.readFileSync(theirs, 'utf8'))), Object.keys(line));
  }
  assert.match((await rt(['--log-format', 'xml', 'list'])).stderr, /unknown log format "xml"/);
});

test('--version in runc\'s three lines; --help for every command; help CMD', async () => {
  const v = await rt(['--version']);
  assert.equal(v.code, 0);
  assert.match(v.stdout, /^nscope-runtime version \d+\.\d+\.\d+\ncommit: \S+\nspec: 1\.0\.2\n$/);
  if (HAVE_RUNC) {
    const r = (await run('runc', ['--version'])).stdout.split('\n');
    // go-runc takes "X version V", "commit: C", "spec: S" from the first three lines
    assert.match(r[0], /^runc version /);
    assert.deepEqual(v.stdout.split('\n').slice(1, 3).map((l) => l.split(': ')[0]), r.slice(1, 3).map((l) => l.split(': ')[0]));
  }
  const main = await rt(['--help']);
  const commands = ['create', 'delete', 'events', 'exec', 'kill', 'list', 'pause', 'ps', 'resume', 'run', 'spec', 'start', 'state', 'update', 'features'];
  for (const c of commands) assert.match(main.stdout, new RegExp(`^   ${c} `, 'm'), c);
  if (HAVE_RUNC) {
    const theirs = (await run('runc', ['--help'])).stdout;
    const listed = [...theirs.matchAll(/^ {3}(\w+) {2,}/gm)].map((m) => m[1]).filter((c) => !['checkpoint', 'restore', 'help'].includes(c));
    assert.deepEqual(listed.filter((c) => !commands.includes(c)), [], 'every runc command but checkpoint/restore');
  }
  for (const c of commands) {
    const h = await rt([c, '--help']);
    assert.equal(h.code, 0, `${c} --help: ${h.stderr}`);
    assert.match(h.stdout, new RegExp(`^NAME:\\n   nscope-runtime ${c} - `), c);
    assert.match(h.stdout, /\nUSAGE:\n/);
    assert.match(h.stdout, /\nOPTIONS:\n(.*\n)*   --help, -h +show help\n/);
    assert.equal((await rt(['help', c])).stdout, h.stdout);
  }
  assert.match((await rt(['exec', '--help'])).stdout, /--preserve-fds value/);
  // after the container id, --help is the command's own
  assert.equal((await rt(['exec', 'box', 'sh', '-c', 'echo "$1"', 'sh', '--help'])).stdout, '--help\n');
  assert.notEqual((await rt(['nosuch'])).code, 0);
});

test('--systemd-cgroup: "slice:prefix:name" becomes the cgroup systemd would make; other forms are refused clearly', async () => {
  const scope = `${CGROUP_PREFIX}sd`;
  const b = bundle('sd', (s) => { s.linux!.cgroupsPath = `-.slice:${scope}:c1`; });
  const r = await rt(['--systemd-cgroup', 'run', '-d', '--bundle', b, 'sd']);
  assert.equal(r.code, 0, r.stderr);
  const st = await state('sd');
  const dirName = `${scope}-c1.scope`;
  assert.ok(fs.readFileSync(`/proc/${st.pid}/cgroup`, 'utf8').includes(`/${dirName}`), 'the init is in /<prefix>-<name>.scope');
  assert.equal((await rt(['delete', '--force', 'sd'])).code, 0);
  assert.deepEqual(cgroupDirs(dirName), []);
  const bad = bundle('sd2', (s) => { s.linux!.cgroupsPath = `/${parent}/sd2`; });
  const e = await rt(['--systemd-cgroup', 'create', '--bundle', bad, 'sd2']);
  assert.notEqual(e.code, 0);
  assert.match(e.stderr, /expected "slice:prefix:name" with --systemd-cgroup/);
  assert.match((await rt(['--rootless=true', 'list'])).stderr, /does not run rootless/);
  assert.equal((await rt(['--rootless', 'auto', '--debug', '--criu', 'criu', 'list'])).code, 0);
});

// bin/nscope-runtime run as a program goes through the native front door
// (native/runtime-front/front.c) for start/state/kill/delete: its answers must
// be the Node runtime's, byte for byte where engines parse them.
const FRONT = path.join(REPO, 'bin', 'nscope-runtime');
const front = (args: string[]) => run(FRONT, ['--root', root(), ...args]);

test('the native front door: state, start, kill and delete answer as the Node runtime does', async () => {
  const b = bundle('front');
  assert.equal((await rt(['create', '--bundle', b, 'front'])).code, 0);
  assert.ok(fs.existsSync(path.join(root(), 'front', 'fast')), 'create leaves the front door its files');
  const viaNode = await rt(['state', 'front']);
  const viaFront = await front(['state', 'front']);
  assert.equal(viaFront.code, 0, viaFront.stderr);
  assert.equal(viaFront.stdout, viaNode.stdout, 'the same JSON, the same layout');
  assert.equal(JSON.parse(viaFront.stdout).status, 'created');
  assert.equal((await front(['start', 'front'])).code, 0);
  assert.equal(JSON.parse((await front(['state', 'front'])).stdout).status, 'running');
  assert.equal(JSON.parse((await rt(['state', 'front'])).stdout).status, 'running');
  const early = await front(['delete', 'front']);
  assert.notEqual(early.code, 0, 'a running container is not deleted without --force');
  assert.match(early.stderr, /cannot delete container "front" that is not stopped: running/);
  assert.equal((await front(['kill', 'front', 'SIGKILL'])).code, 0);
  await waitFor(async () => JSON.parse((await front(['state', 'front'])).stdout).status === 'stopped', 5000, 'the kill');
  const st = JSON.parse((await front(['state', 'front'])).stdout);
  assert.equal(st.pid, 0);
  const log = path.join(dir, 'front-log.json');
  const again = await run(FRONT, ['--root', root(), '--log', log, '--log-format', 'json', 'kill', 'front', 'TERM']);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /^nscope-runtime: front: container not running\n$/);
  const line = JSON.parse(fs.readFileSync(log, 'utf8').trim().split('\n').pop()!);
  assert.equal(line.level, 'error');
  assert.equal(line.msg, 'front: container not running');
  assert.match(line.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.equal((await front(['delete', 'front'])).code, 0);
  assert.ok(!fs.existsSync(path.join(root(), 'front')));
  assert.deepEqual(cgroupDirs(`${parent}/front`), [], 'its cgroup is gone');
  const gone = await front(['delete', 'front']);
  assert.equal(gone.code, 1);
  assert.match(gone.stderr, /container "front" does not exist/);
  assert.equal((await front(['delete', '--force', 'front'])).code, 0, 'delete --force of a container that is not there succeeds');
});

// As SUBREAPER, then the processes it was left with once it has reaped those
// that ended: "EXIT COMM:STATE ..." — what an engine's shim finds after a create.
const LEFT_WITH = `
import ctypes, os, subprocess, sys, time
assert ctypes.CDLL(None).prctl(36, 1, 0, 0, 0) == 0  # PR_SET_CHILD_SUBREAPER
r = subprocess.run(sys.argv[1:], stdin=subprocess.DEVNULL)
time.sleep(0.2)
try:
    while os.waitpid(-1, os.WNOHANG)[0] > 0: pass  # as containerd's shim and conmon reap whatever ends
except ChildProcessError: pass
kids = []
for p in filter(str.isdigit, os.listdir("/proc")):
    try: st = open(f"/proc/{p}/stat").read()
    except OSError: continue
    comm, rest = st[st.index("(") + 1:st.rindex(")")], st[st.rindex(")") + 2:].split()
    if int(rest[1]) == os.getpid(): kids.append(f"{comm}:{rest[0]}")
print(r.returncode, *sorted(kids))
`;

test('the front door starts create\'s shim while node starts; the caller\'s subreaper is left with the init alone, or nothing when create fails', async () => {
  const b = bundle('front-standby');
  const made = await run('python3', ['-c', LEFT_WITH, FRONT, '--root', root(), 'create', '--bundle', b, 'front-standby']);
  assert.equal(made.stdout.trim(), '0 nscope-shim:S', `${made.stdout} ${made.stderr}`);
  // the init is a clone of the shim until start: its argv says which shim set it up
  const pid = (await state('front-standby', front)).pid;
  assert.equal(fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[1], '--standby', 'the front door\'s shim, handed the plan by node');
  assert.equal((await front(['delete', '--force', 'front-standby'])).code, 0);
  // node alone spawns its own
  assert.equal((await rt(['create', '--bundle', b, 'node-shim'])).code, 0);
  const own = (await state('node-shim')).pid;
  assert.equal(fs.readFileSync(`/proc/${own}/cmdline`, 'utf8').split('\0')[1], path.join(root(), 'node-shim', 'plan'));
  assert.equal((await rt(['delete', '--force', 'node-shim'])).code, 0);
  // a create that fails lets its waiting shim go, collected: nothing for the subreaper
  const bad = await run('python3', ['-c', LEFT_WITH, FRONT, '--root', root(), 'create', '--bundle', path.join(dir, 'no-such-bundle'), 'front-bad']);
  assert.equal(bad.stdout.trim(), '1', bad.stderr);
  // a variable of that name from the caller is not taken for a shim
  const forged = await run('python3', ['-c', LEFT_WITH, 'env', `NSCOPE_RUNTIME_STANDBY=${process.pid} 0 1`, FRONT, '--root', root(), 'create', '--bundle', b, 'front-forged']);
  assert.equal(forged.stdout.trim(), '0 nscope-shim:S', forged.stderr);
  assert.equal((await front(['delete', '--force', 'front-forged'])).code, 0);
});

test('create --preserve-fds N: the caller\'s fds 3..3+N-1 reach the container\'s process (front door and Node alike, as runc)', async () => {
  fs.writeFileSync(path.join(dir, 'fd3'), 'three\n');
  fs.writeFileSync(path.join(dir, 'fd4'), 'four\n');
  const open = () => [fs.openSync(path.join(dir, 'fd3'), 'r'), fs.openSync(path.join(dir, 'fd4'), 'r')];
  const script = (out: string) => `(cat <&3; cat <&4; [ -e /proc/self/fd/5 ] && echo "fd 5 leaked") > /tmp/${out}; true`;
  const runners: [string, (a: string[], o?: Parameters<typeof run>[2]) => Promise<Result>, string][] = [['front', (a, o) => run(FRONT, ['--root', root(), ...a], o), root()], ['node', rt, root()]];
  if (HAVE_RUNC) runners.push(['runc', runc, runcRoot()]);
  const got: string[] = [];
  for (const [name, runner] of runners) {
    const id = `pfd-${name}`;
    const b = bundle(id, (s) => { s.process.args = ['sh', '-c', script(id)]; });
    const fds = open();
    const c = await runner(['create', '--preserve-fds', '2', '--bundle', b, id], { fds });
    fds.forEach((fd) => fs.closeSync(fd));
    assert.equal(c.code, 0, `${name}: ${c.stderr}`);
    assert.equal((await runner(['start', id])).code, 0);
    await waitFor(() => fs.existsSync(path.join(rootfs, 'tmp', id)) && fs.readFileSync(path.join(rootfs, 'tmp', id), 'utf8').length >= 11, 5000, `${name}'s output`);
    await waitFor(async () => JSON.parse((await runner(['state', id])).stdout).status === 'stopped', 5000, `${name}'s exit`);
    got.push(fs.readFileSync(path.join(rootfs, 'tmp', id), 'utf8'));
    assert.equal((await runner(['delete', id])).code, 0);
  }
  assert.deepEqual(got, got.map(() => 'three\nfour\n'));
  assert.match((await rt(['create', '--preserve-fds', 'x', '--bundle', dir, 'pfd-bad'])).stderr, /--preserve-fds: "x" is not a number/);
});

test('hooks: state on stdin, their own env and argv[0]; a failing or timed-out createRuntime hook fails create, naming it, and leaves nothing', async () => {
  const seen = path.join(dir, 'hook-seen');
  const b = bundle('hooks-ok', (s) => {
    s.hooks = { createRuntime: [{ path: '/bin/sh', args: ['hook-sh', '-c', `{ cat; echo; echo "$0 A=$A"; env | wc -l; } > ${seen}`], env: ['A=1'] }] };
  });
  assert.equal((await front(['create', '--bundle', b, 'hooks-ok'])).code, 0);
  const [stateLine, who, envCount] = fs.readFileSync(seen, 'utf8').trim().split('\n');
  const st = JSON.parse(stateLine);
  assert.deepEqual([st.id, st.status, st.pid > 0], ['hooks-ok', 'creating', true], 'the create hooks see "creating", as runc\'s');
  assert.equal(who, 'hook-sh A=1');
  assert.ok(Number(envCount) <= 3, 'the hook\'s env only (and what sh adds)');
  assert.equal((await front(['delete', '--force', 'hooks-ok'])).code, 0);
  const cases: [string, Hook, RegExp][] = [
    ['hooks-fail', { path: '/bin/sh', args: ['sh', '-c', 'echo it went wrong >&2; exit 3'] }, /createRuntime hook \/bin\/sh failed: exit status 3: it went wrong/],
    ['hooks-slow', { path: '/bin/sleep', args: ['sleep', '30'], timeout: 1 }, /createRuntime hook \/bin\/sleep failed: killed by SIGKILL \(timeout\)/],
    ['hooks-missing', { path: path.join(dir, 'no-such-hook') }, /createRuntime hook \S+no-such-hook: .*No such file or directory/],
  ];
  for (const [id, hook, message] of cases) {
    const r = await front(['create', '--bundle', bundle(id, (s) => { s.hooks = { createRuntime: [hook] }; }), id]);
    assert.equal(r.code, 1, id);
    assert.match(r.stderr, message);
    assert.ok(!fs.existsSync(path.join(root(), id)), `${id}: no state left`);
    assert.deepEqual(fs.readdirSync(root()).filter((f) => f.startsWith('.hook-')), [], 'no hook files left');
  }
});

test('create hooks where runc runs them: prestart and createRuntime in the runtime\'s namespaces, then createContainer in the container\'s, all before pivot_root; a failing createContainer hook fails create', async () => {
  const log = path.join(dir, 'create-hooks-log');
  fs.rmSync(log, { force: true });
  // each hook says its kind, its mount namespace, and where its root is: the host's until pivot_root
  const hook = (kind: string): Hook => ({ path: '/bin/sh', args: ['sh', '-c', `read -r st; echo "${kind} $(readlink /proc/self/ns/mnt) $(stat -c %i /) $(echo "$st" | grep -c '"status":"creating"')" >> ${log}`] });
  const b = bundle('create-hooks', (s) => {
    s.hooks = { prestart: [hook('prestart')], createRuntime: [hook('createRuntime')], createContainer: [hook('createContainer')] };
  });
  assert.equal((await front(['create', '--bundle', b, 'create-hooks'])).code, 0);
  const pid = JSON.parse((await front(['state', 'create-hooks'])).stdout).pid as number;
  const lines = fs.readFileSync(log, 'utf8').trim().split('\n').map((l) => l.split(' '));
  assert.deepEqual(lines.map((l) => l[0]), ['prestart', 'createRuntime', 'createContainer'], 'in the spec\'s order');
  const hostMnt = fs.readlinkSync('/proc/self/ns/mnt');
  const containerMnt = fs.readlinkSync(`/proc/${pid}/ns/mnt`);
  assert.notEqual(hostMnt, containerMnt);
  assert.deepEqual(lines.map((l) => l[1]), [hostMnt, hostMnt, containerMnt], 'prestart and createRuntime in the runtime\'s, createContainer in the container\'s');
  const hostRoot = String(fs.statSync('/').ino);
  assert.deepEqual(lines.map((l) => l[2]), [hostRoot, hostRoot, hostRoot], 'all before pivot_root: the host\'s root is still /');
  assert.deepEqual(lines.map((l) => l[3]), ['1', '1', '1'], 'each got the state, "creating"');
  assert.equal((await front(['delete', '--force', 'create-hooks'])).code, 0);
  const r = await front(['create', '--bundle', bundle('cc-fail', (s) => { s.hooks = { createRuntime: [hook('createRuntime')], createContainer: [{ path: '/bin/sh', args: ['sh', '-c', 'exit 4'] }] }; }), 'cc-fail']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /createContainer hook \/bin\/sh failed: exit status 4/);
  assert.ok(!fs.existsSync(path.join(root(), 'cc-fail')), 'no state left');
  fs.rmSync(log, { force: true });
});

test('startContainer hooks: run in the container at start, before its program, with the state; a failing or timed-out one ends it before its program; bad hooks refused at create', async () => {
  // the hook's path and its file are the container's (its root is `rootfs`), not the host's
  const seen = path.join(rootfs, 'start-hook-seen');
  const ran = path.join(rootfs, 'start-prog-ran');
  try {
    const b = bundle('start-hooks', (s) => {
      s.process.args = ['sh', '-c', 'test -s /start-hook-seen && echo yes > /start-prog-ran; exec sleep 1000'];
      s.hooks = { startContainer: [{ path: '/bin/sh', args: ['hook-sh', '-c', '{ cat; echo; echo "$0 A=$A"; } > /start-hook-seen'], env: ['A=1'] }] };
    });
    assert.equal((await front(['create', '--bundle', b, 'start-hooks'])).code, 0);
    assert.ok(!fs.existsSync(seen), 'not run at create');
    assert.equal((await front(['start', 'start-hooks'])).code, 0);
    await waitFor(async () => fs.existsSync(ran), 5000, 'the program, after the hook');
    assert.equal(fs.readFileSync(ran, 'utf8'), 'yes\n', 'the hook ran before the program');
    const [stateLine, who] = fs.readFileSync(seen, 'utf8').trim().split('\n');
    const st = JSON.parse(stateLine);
    assert.deepEqual([st.id, st.status, st.bundle, typeof st.pid], ['start-hooks', 'created', b, 'number'], 'the state, as runc gives it');
    assert.equal(who, 'hook-sh A=1');
    assert.ok(!fs.existsSync('/start-hook-seen'), 'not on the host');
    assert.equal((await front(['delete', '--force', 'start-hooks'])).code, 0);
    // run in the foreground: a failing hook is named, and the program never runs
    fs.rmSync(ran, { force: true });
    const cases: [string, Hook, RegExp][] = [
      ['start-fail', { path: '/bin/sh', args: ['sh', '-c', 'exit 3'] }, /startContainer hook \/bin\/sh failed: exit status 3/],
      ['start-slow', { path: '/bin/sleep', args: ['sleep', '30'], timeout: 1 }, /startContainer hook \/bin\/sleep failed: killed by SIGKILL \(timeout\)/],
      ['start-missing', { path: '/no-such-hook' }, /startContainer hook \/no-such-hook: No such file or directory/],
    ];
    for (const [id, hook, message] of cases) {
      const r = await rt(['run', '--bundle', bundle(id, (s) => { s.process.args = ['sh', '-c', 'echo yes > /start-prog-ran']; s.hooks = { startContainer: [hook] }; }), id]);
      assert.notEqual(r.code, 0, id);
      assert.match(r.stderr, message, id);
      assert.ok(!fs.existsSync(ran), `${id}: the program did not run`);
      assert.ok(!fs.existsSync(path.join(root(), id)), `${id}: no state left`);
    }
    // the spec's rules, before anything is made
    const bad: [string, Hook, RegExp][] = [
      ['hook-relative', { path: 'bin/true' }, /hooks\.startContainer\[0\]\.path: must be an absolute path/],
      ['hook-timeout', { path: '/bin/true', timeout: 0 }, /hooks\.startContainer\[0\]\.timeout: 0 must be a whole number of seconds/],
      ['hook-env', { path: '/bin/true', env: ['A=1', 2 as unknown as string] }, /hooks\.startContainer\[0\]\.env: must be an array of strings/],
    ];
    for (const [id, hook, message] of bad) {
      const r = await rt(['create', '--bundle', bundle(id, (s) => { s.hooks = { startContainer: [hook] }; }), id]);
      assert.equal(r.code, 1, id);
      assert.match(r.stderr, message, id);
      assert.ok(!fs.existsSync(path.join(root(), id)), `${id}: no state left`);
    }
  } finally {
    fs.rmSync(seen, { force: true });
    fs.rmSync(ran, { force: true });
  }
});

test('the native front door hands over what it does not answer: hooks, --all, unknown flags', async () => {
  const marker = path.join(dir, 'poststart-ran');
  const b = bundle('front-hooks', (s) => { s.hooks = { poststart: [{ path: '/bin/sh', args: ['sh', '-c', `echo ran > ${marker}`] }] }; });
  assert.equal((await rt(['create', '--bundle', b, 'front-hooks'])).code, 0);
  assert.equal((await front(['start', 'front-hooks'])).code, 0);
  assert.equal(fs.readFileSync(marker, 'utf8').trim(), 'ran', 'the poststart hook ran (Node did the start)');
  assert.equal((await front(['kill', '--all', 'front-hooks', 'KILL'])).code, 0);
  await waitFor(async () => JSON.parse((await front(['state', 'front-hooks'])).stdout).status === 'stopped', 5000, 'the kill');
  assert.equal((await front(['delete', 'front-hooks'])).code, 0);
  const v = await front(['--version']);
  assert.equal(v.code, 0);
  assert.match(v.stdout, /nscope-runtime version/);
});

/** A whole disk of this host (no partition, loop or ram device) as major:minor, for a block I/O throttle; undefined where there is none. */
function realDisk(): { major: number; minor: number } | undefined {
  for (const name of fs.existsSync('/sys/block') ? fs.readdirSync('/sys/block') : []) {
    if (/^(loop|ram|zram|dm-|sr|nbd)/.test(name)) continue;
    const [major, minor] = fs.readFileSync(`/sys/block/${name}/dev`, 'utf8').trim().split(':').map(Number);
    if (Number.isInteger(major) && Number.isInteger(minor)) return { major, minor };
  }
  return undefined;
}
