// A real helper daemon for a test: its own socket, state root and cgroup
// parent under a temp dir, started as a separate process (so it can be
// killed -9) and cleaned up completely afterwards.
import { execFileSync, spawn, type ChildProcess } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ruleWords } from './iptables';
import { HelperClient } from '../../helper/protocol/client';
import { cgroupName } from './run-scope';
import { runCommand, type CommandResult } from './command';

/**
 * The checkout: the nearest directory above this (bundled) file with package.json and
 * binding.gyp — dist/test/integration/ for the tests, dist/bench/ for a bench that
 * imports the engine starters (containerd.ts, dockerd.ts).
 */
export const REPO = ((): string => {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'binding.gyp'))) return dir;
    if (path.dirname(dir) === dir) return path.resolve(__dirname, '..', '..', '..');
  }
})();
export const CLI = path.join(REPO, 'dist', 'cli.js');

export class TestDaemon {
  readonly dir: string;
  readonly root: string;
  readonly socket: string;
  readonly cgroupParent: string;
  /**
   * The default network's bridge and subnet, this daemon's own: tests run
   * side by side and none may touch another's bridge (or the host's nscope0).
   */
  readonly bridge: string;
  readonly subnet: string;
  proc?: ChildProcess;
  private clients: HelperClient[] = [];
  stderr = '';
  /** extra `nscope daemon` flags, e.g. ['--group', 'g'] */
  extraArgs: string[] = [];
  /**
   * Whether it lists the containers engines run with nscope-runtime: off but
   * where a test asks (the registry is host-wide: another run's engine
   * containers would show up in this one's lists).
   */
  showEngines = false;

  constructor(name = 'test') {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), `nscope-${name}-`));
    this.root = path.join(this.dir, 'root');
    this.socket = path.join(this.dir, 'nscope.sock');
    this.cgroupParent = cgroupName(name);
    this.bridge = `nst${crypto.randomBytes(5).toString('hex')}`;
    this.subnet = freeTestSubnet();
  }

  async start(): Promise<void> {
    this.stderr = '';
    const p = spawn(process.execPath, [path.join(REPO, 'bin', 'nscope'), 'daemon', '--socket', this.socket, '--root', this.root, '--cgroup-parent', this.cgroupParent, '--default-network-bridge', this.bridge, '--default-subnet', this.subnet, ...(this.showEngines ? [] : ['--runtime-roots', 'none']), ...this.extraArgs], { stdio: ['ignore', 'ignore', 'pipe'] });
    p.stderr!.on('data', (d) => { this.stderr += d; });
    this.proc = p;
    const deadline = Date.now() + 15000;
    for (;;) {
      if (p.exitCode !== null) throw new Error(`daemon exited: ${this.stderr}`);
      if (this.stderr.includes('listening')) return;
      if (Date.now() > deadline) throw new Error(`daemon did not start: ${this.stderr}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async client(): Promise<HelperClient> {
    const c = await HelperClient.connect(this.socket);
    this.clients.push(c);
    return c;
  }

  /** Runs the real CLI against this daemon. */
  cli(args: string[], opts: { input?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<CommandResult> {
    return runCommand(process.execPath, [path.join(REPO, 'bin', 'nscope'), '--socket', this.socket, ...args], opts);
  }

  /** The CLI's stdout, asserting it exited 0 (its stderr in the failure). */
  async ok(args: string[]): Promise<string> {
    const r = await this.cli(args);
    if (r.code !== 0) throw new Error(`nscope ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
    return r.stdout;
  }

  kill9(): void {
    this.proc?.kill('SIGKILL');
  }

  async waitExit(): Promise<void> {
    const p = this.proc;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    await new Promise((r) => p.once('exit', r));
  }

  /** Removes every container, stops the daemon, removes the state dir; asserts nothing leaked. */
  async cleanup(): Promise<string[]> {
    const leaks: string[] = [];
    const bridges = new Set([this.bridge]);
    const ids: string[] = [];
    try {
      if (this.proc && this.proc.exitCode === null && this.proc.signalCode === null) {
        const c = await this.client();
        for (const ct of await c.request('container.list', { all: true })) { ids.push(ct.id); await c.request('container.remove', { id: ct.id, force: true }).catch(() => undefined); }
        for (const n of await c.request('network.list', {})) {
          bridges.add(n.bridge);
          if (!n.isDefault) await c.request('network.remove', { name: n.name }).catch(() => undefined);
        }
      }
    } catch { /* daemon gone */ }
    for (const c of this.clients) c.close();
    this.proc?.kill('SIGTERM');
    await this.waitExit();
    for (const line of fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) if (line.includes(this.dir)) leaks.push(`mount: ${line}`);
    for (const d of cgroupDirs(this.cgroupParent)) leaks.push(`cgroup: ${d}`);
    for (const id of ids) if (fs.existsSync(`/run/netns/nscope-${id.slice(0, 12)}`)) leaks.push(`netns: nscope-${id.slice(0, 12)}`);
    // the bridges are the daemon's to keep (as Docker keeps docker0); the test's to remove
    for (const b of bridges) leaks.push(...removeBridge(b));
    for (const pid of fs.readdirSync('/proc').filter((x) => /^\d+$/.test(x))) {
      try { if (fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(this.root)) leaks.push(`process ${pid}`); } catch { /* gone */ }
    }
    fs.rmSync(this.dir, { recursive: true, force: true });
    return leaks;
  }
}

/**
 * A random /24 in 10.200.0.0-10.249.255.0 that no route or interface of the
 * host covers: each test daemon's default network, unlikely to meet another
 * one's (the daemon refuses a subnet the host routes).
 */
export function freeTestSubnet(): string {
  const used = fs.readFileSync('/proc/net/route', 'utf8').split('\n').slice(1).map((l) => l.trim().split(/\s+/)).filter((f) => f.length >= 8)
    .map((f) => [f[1], f[7]].map((h) => Number.parseInt(h.match(/../g)!.reverse().join(''), 16) >>> 0)).filter(([, m]) => m !== 0);
  for (;;) {
    const [a, b] = crypto.randomBytes(2);
    const base = ((10 << 24) >>> 0) + ((200 + (a % 50)) << 16) + (b << 8);
    if (!used.some(([net, m]) => ((base & m) >>> 0) === net || ((net & 0xffffff00) >>> 0) === base)) return `10.${200 + (a % 50)}.${b}.0/24`;
  }
}

/**
 * Removes a bridge a daemon kept and its network's masquerade rule (the
 * daemon's network keeps both, as Docker keeps docker0's); returns what could
 * not be removed.
 */
export function removeBridge(bridge: string): string[] {
  const leaks: string[] = [];
  let rules = '';
  try { rules = execFileSync('iptables', ['-w', '-t', 'nat', '-S', 'POSTROUTING'], { encoding: 'utf8' }); } catch { /* no iptables */ }
  for (const line of rules.split('\n')) {
    if (!line.startsWith('-A POSTROUTING ') || !line.includes(` ! -o ${bridge} `)) continue;
    try { execFileSync('iptables', ['-w', '-t', 'nat', '-D', ...ruleWords(line)]); } catch { leaks.push(`nat rule: ${line}`); }
  }
  // and its isolation rule (helper/network/isolation.ts), kept as the masquerade rule is
  let raw = '';
  try { raw = execFileSync('iptables', ['-w', '-t', 'raw', '-S', 'PREROUTING'], { encoding: 'utf8' }); } catch { /* no iptables */ }
  for (const line of raw.split('\n')) {
    if (!line.startsWith('-A PREROUTING ') || !line.includes(` ! -i ${bridge} `)) continue;
    try { execFileSync('iptables', ['-w', '-t', 'raw', '-D', ...ruleWords(line)]); } catch { leaks.push(`raw rule: ${line}`); }
  }
  if (fs.existsSync(`/sys/class/net/${bridge}`)) { try { execFileSync('ip', ['link', 'delete', bridge]); } catch { leaks.push(`bridge: ${bridge}`); } }
  return leaks;
}

export function cgroupDirs(name: string): string[] {
  const out: string[] = [];
  const base = '/sys/fs/cgroup';
  for (const h of fs.readdirSync(base)) {
    const d = path.join(base, h, name);
    if (fs.existsSync(d)) out.push(d);
  }
  if (fs.existsSync(path.join(base, name))) out.push(path.join(base, name));
  return out;
}

/**
 * Removes a cgroup parent an engine made (and the cgroups it left below it,
 * e.g. Podman's conmon cgroups), deepest first, in every hierarchy; waits a
 * little for processes that are still exiting (orphans reaped late).
 */
export async function removeCgroupTree(name: string, timeoutMs = 10000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const below = (dir: string): string[] => [
    ...fs.readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).flatMap((e) => below(path.join(dir, e.name))), dir,
  ];
  for (const top of cgroupDirs(name)) {
    for (const dir of below(top)) {
      for (;;) {
        try { fs.rmdirSync(dir); break; } catch (e) {
          const code = (e as NodeJS.ErrnoException).code;
          if (code === 'ENOENT') break;
          if (code !== 'EBUSY' || Date.now() > deadline) throw e;
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    }
  }
}

/** The path of a container's cgroup file in a v1 hierarchy (or v2). */
export function cgroupFile(parent: string, id: string, controller: string, file: string): string {
  const v1 = path.join('/sys/fs/cgroup', controller, parent, id, file);
  return fs.existsSync(v1) ? v1 : path.join('/sys/fs/cgroup', parent, id, file);
}

/** Programs the tests' image carries beyond the default ones. */
export const TEST_PROGRAMS = ['sh', 'ls', 'cat', 'echo', 'ps', 'mkdir', 'rm', 'hostname', 'sleep', 'id', 'mount', 'tail', 'chmod', 'touch', 'stat', 'ipcs', 'stty', 'true', 'false', 'wc', 'head', 'dd', 'tr', 'seq', 'mknod', 'grep', 'tty', 'ln', 'chown'];

/** A daemon with the `host` image built; for `before()`. */
/** A daemon of its own with an image of the host's programs: `image` (default "host") of `programs` (default TEST_PROGRAMS). */
export async function startWithImage(name: string, opts: { engines?: boolean; image?: string; programs?: string[] } = {}): Promise<TestDaemon> {
  const d = new TestDaemon(name);
  d.showEngines = !!opts.engines;
  await d.start();
  const c = await d.client();
  await c.request('image.host', { name: opts.image ?? 'host', programs: opts.programs ?? TEST_PROGRAMS });
  return d;
}
