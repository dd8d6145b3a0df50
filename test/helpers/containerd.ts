// A private containerd for the engine tests: its own root, state, sockets
// and (through ctr's flags) its own runc root and cgroup parent; never the
// host's /run/containerd. Stopped, with its shims, by stop(). No node:test in
// here: bench/engines.ts starts its containerd with it too.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO } from './daemon';
import { waitFor } from './containers';
import { runCommand, type CommandResult } from './command';

export const RUNTIME = path.join(REPO, 'bin', 'nscope-runtime');

export function haveContainerd(): boolean {
  return ['/usr/bin/containerd', '/usr/bin/ctr', '/usr/bin/containerd-shim-runc-v2'].every((f) => fs.existsSync(f));
}

export class PrivateContainerd {
  readonly socket: string;
  readonly runcRoot: string;
  private proc?: ChildProcess;
  log = '';

  constructor(readonly dir: string) {
    this.socket = path.join(dir, 'containerd.sock');
    this.runcRoot = path.join(dir, 'runc');
  }

  /** The namespace `ctr` works in (the CRI plugin's is k8s.io). */
  protected namespace = 'nscope-test';

  /** config.toml: own root, state and sockets; the plugins in `disabled` off. */
  protected config(disabled = ['io.containerd.grpc.v1.cri']): string[] {
    // the snapshotters the tests do not use stay off: a fast start, nothing of the host touched
    const off = [...disabled, 'io.containerd.snapshotter.v1.btrfs', 'io.containerd.snapshotter.v1.zfs', 'io.containerd.snapshotter.v1.devmapper', 'io.containerd.snapshotter.v1.aufs'];
    return [
      'version = 2',
      `root = "${path.join(this.dir, 'root')}"`,
      `state = "${path.join(this.dir, 'state')}"`,
      `disabled_plugins = ${JSON.stringify(off)}`,
      '[grpc]', `  address = "${this.socket}"`,
      '[ttrpc]', `  address = "${this.socket}.ttrpc"`,
      '[debug]', `  address = "${path.join(this.dir, 'debug.sock')}"`,
    ];
  }

  async start(): Promise<void> {
    const config = path.join(this.dir, 'config.toml');
    fs.writeFileSync(config, this.config().join('\n') + '\n');
    const p = spawn('containerd', ['--config', config], { stdio: ['ignore', 'ignore', 'pipe'] });
    p.stderr!.on('data', (d) => { this.log += d; });
    this.proc = p;
    await waitFor(() => fs.existsSync(this.socket) || p.exitCode !== null, 20000, 'containerd to listen');
    if (p.exitCode !== null) throw new Error(`containerd exited: ${this.log.slice(-2000)}`);
  }

  /** `ctr` against this containerd, in its namespace (nscope-test). */
  ctr(args: string[], opts: { input?: string; timeoutMs?: number } = {}): Promise<CommandResult> {
    return runCommand('ctr', ['--address', this.socket, '--namespace', this.namespace, ...args], opts);
  }

  /** `ctr run` with nscope-runtime as the runc binary, on a rootfs directory, in the given cgroup. */
  run(id: string, rootfs: string, cgroup: string, flags: string[], cmd: string[], opts: { timeoutMs?: number } = {}) {
    return this.ctr(['run', '--rootfs', '--runc-binary', RUNTIME, '--runc-root', this.runcRoot, '--cgroup', cgroup, ...flags, rootfs, id, ...cmd], opts);
  }

  async stop(): Promise<void> {
    // the shims outlive containerd by design: end them with it
    for (const pid of fs.readdirSync('/proc').filter((x) => /^\d+$/.test(x))) {
      try { if (fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(this.socket)) process.kill(Number(pid), 'SIGKILL'); } catch { /* gone */ }
    }
    if (this.proc && this.proc.exitCode === null) {
      const exited = new Promise((r) => this.proc!.once('exit', r));
      this.proc.kill('SIGTERM');
      await exited;
    }
  }
}
