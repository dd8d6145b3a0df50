// A private nscope daemon for a benchmark: its own socket, state root and
// cgroup parent under a temp dir, cleaned up completely afterwards
// (the same shape as test/helpers/daemon.ts).
import { spawn, type ChildProcess } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { HelperClient } from '../../helper/protocol/client';
import { freeTestSubnet, removeBridge } from '../../test/helpers/daemon';

/** The checkout: the nearest directory above this (bundled) file with package.json and binding.gyp. */
export const REPO = ((): string => {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'binding.gyp'))) return dir;
    if (path.dirname(dir) === dir) return path.resolve(__dirname, '..', '..');
  }
})();

export class BenchDaemon {
  readonly dir: string;
  readonly root: string;
  readonly socket: string;
  readonly cgroupParent: string;
  proc?: ChildProcess;
  stderr = '';
  /** extra `nscope daemon` flags (bench/pull.ts: how to reach its registry) */
  extraArgs: string[] = [];
  /** node's own flags for the daemon (bench/pull.ts --daemon-node-arg, e.g. --cpu-prof) */
  nodeArgs: string[] = [];
  private clients: HelperClient[] = [];

  /** the default network's bridge and subnet, the bench's own (never the host's nscope0) */
  readonly bridge = `nsb${crypto.randomBytes(5).toString('hex')}`;
  readonly subnet = freeTestSubnet();

  constructor(readonly tag: string, parentDir = os.tmpdir()) {
    this.dir = fs.mkdtempSync(path.join(parentDir, `nscope-bench-`));
    this.root = path.join(this.dir, 'root');
    this.socket = path.join(this.dir, 'nscope.sock');
    this.cgroupParent = `nscope-bench-${tag}`;
  }

  async start(): Promise<void> {
    const bin = path.join(REPO, 'bin', 'nscope');
    const p = spawn(process.execPath, [...this.nodeArgs, bin, 'daemon', '--socket', this.socket, '--root', this.root, '--cgroup-parent', this.cgroupParent, '--default-network-bridge', this.bridge, '--default-subnet', this.subnet, ...this.extraArgs],
      // its own process group: a Ctrl-C meant for the benchmark must not kill it before the clean-up
      { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
    p.stderr!.on('data', (d) => { this.stderr += d; });
    this.proc = p;
    const deadline = Date.now() + 15000;
    for (;;) {
      if (p.exitCode !== null || p.signalCode !== null) throw new Error(`nscope daemon exited: ${this.stderr.trim()}`);
      if (this.stderr.includes('listening')) return;
      if (Date.now() > deadline) throw new Error(`nscope daemon did not start: ${this.stderr.trim()}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async client(): Promise<HelperClient> {
    const c = await HelperClient.connect(this.socket);
    this.clients.push(c);
    return c;
  }

  /** Removes every container, stops the daemon, removes the temp dir; returns what leaked. */
  async cleanup(): Promise<string[]> {
    const leaks: string[] = [];
    const alive = () => this.proc && this.proc.exitCode === null && this.proc.signalCode === null;
    try {
      if (alive()) {
        const c = await this.client();
        for (const ct of await c.request('container.list', { all: true })) {
          await c.request('container.remove', { id: ct.id, force: true }).catch(() => undefined);
        }
      }
    } catch { /* daemon gone */ }
    for (const c of this.clients) c.close();
    if (alive()) {
      const p = this.proc!;
      const gone = new Promise((r) => p.once('exit', r));
      p.kill('SIGTERM');
      const t = setTimeout(() => p.kill('SIGKILL'), 10000);
      await gone;
      clearTimeout(t);
    }
    for (const line of fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) if (line.includes(this.dir)) leaks.push(`mount: ${line}`);
    // the daemon keeps its bridge (as Docker keeps docker0): the bench's to remove
    leaks.push(...removeBridge(this.bridge));
    for (const pid of fs.readdirSync('/proc').filter((x) => /^\d+$/.test(x))) {
      try { if (fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(this.root)) leaks.push(`process ${pid}`); } catch { /* gone */ }
    }
    fs.rmSync(this.dir, { recursive: true, force: true });
    return leaks;
  }
}

export function randomTag(): string {
  return crypto.randomBytes(4).toString('hex');
}

/** The image's unpacked layer directories, bottom to top. */
export async function imageLayerDirs(c: HelperClient): Promise<string[]> {
  const img = await c.request('image.inspect', { ref: 'host' });
  const dirs = (img.layers as { dir?: string }[]).map((l) => l.dir).filter((d): d is string => typeof d === 'string');
  if (dirs.length === img.layers.length && dirs.every((d) => fs.existsSync(d))) return dirs;
  // older protocol without layers[].dir: ask a created (never started) container where its lower layers are
  return withCreated(c, {}, async (id) => (await c.request('container.inspect', { id })).rootfs.lower);
}

/** Runs `fn` on a container of the host image made with `opts` and never started; removed afterwards. */
async function withCreated<T>(c: HelperClient, opts: Record<string, unknown>, fn: (id: string) => Promise<T> | T): Promise<T> {
  const { id } = await c.request('container.create', { image: 'host', cmd: ['/bin/true'], ...opts });
  try {
    return await fn(id);
  } finally {
    await c.request('container.remove', { id, force: true });
  }
}

/**
 * The OCI `linux.seccomp` nscope gives a container made with `opts` (its
 * default: Docker's profile resolved against the default capabilities), as
 * the daemon wrote it into the container's config.json; undefined when none.
 */
export async function nscopeSeccomp(c: HelperClient, daemon: BenchDaemon, opts: Record<string, unknown> = {}): Promise<Record<string, unknown> | undefined> {
  return withCreated(c, opts, (id) => {
    const spec = JSON.parse(fs.readFileSync(path.join(daemon.root, 'containers', id, 'config.json'), 'utf8'));
    return spec.linux?.seccomp;
  });
}
