// A private Docker engine for the engine tests: its own data root, exec root
// (and so its own managed containerd), socket and cgroup parent, no bridge
// and no iptables rules; nscope-runtime registered as the runtime "nscope".
// Never the host's /var/lib/docker or /run/docker.sock. No node:test in here:
// bench/engines.ts starts its engine with it too (with crun registered as well).
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { waitFor } from './containers';
import { RUNTIME } from './containerd';
import { layerTar, type EngineFixture } from './engines';
import { runCommand, type CommandResult } from './command';

/** Debian's client, which speaks dockerd 20.10's API (a newer `docker` on the PATH may be there too). */
export const DOCKER = fs.existsSync('/usr/bin/docker') ? '/usr/bin/docker' : 'docker';

export function haveDocker(): boolean {
  return fs.existsSync('/usr/sbin/dockerd') || fs.existsSync('/usr/bin/dockerd');
}

export class PrivateDocker {
  readonly socket: string;
  private proc?: ChildProcess;
  log = '';

  /** `runtimes`: daemon.json's runtimes, name -> binary (runc is built in) */
  constructor(readonly dir: string, readonly cgroupParent: string, readonly runtimes: Record<string, string> = { nscope: RUNTIME }) {
    this.socket = path.join(dir, 'docker.sock');
  }

  async start(): Promise<void> {
    const config = path.join(this.dir, 'daemon.json');
    fs.writeFileSync(config, JSON.stringify({ runtimes: Object.fromEntries(Object.entries(this.runtimes).map(([name, bin]) => [name, { path: bin }])) }));
    const p = spawn('dockerd', [
      '--config-file', config, '--data-root', path.join(this.dir, 'data'), '--exec-root', path.join(this.dir, 'exec'),
      '--pidfile', path.join(this.dir, 'docker.pid'), '-H', `unix://${this.socket}`, '--cgroup-parent', `/${this.cgroupParent}`,
      '--bridge', 'none', '--iptables=false', '--ip6tables=false', '--ip-forward=false', '--ip-masq=false', '--userland-proxy=false',
      '--storage-driver', 'overlay2',
    ], { stdio: ['ignore', 'ignore', 'pipe'] });
    p.stderr!.on('data', (d) => { this.log += d; });
    this.proc = p;
    await waitFor(() => this.log.includes('API listen on') || p.exitCode !== null, 60000, 'dockerd to listen');
    if (p.exitCode !== null) throw new Error(`dockerd exited: ${this.log.slice(-2000)}`);
  }

  async docker(args: string[], opts: { input?: Buffer | string; timeoutMs?: number } = {}): Promise<CommandResult> {
    const r = await runCommand(DOCKER, ['-H', `unix://${this.socket}`, ...args], opts);
    // the engine's warning about forwarding (we turned it off) is not the container's output
    return { ...r, stderr: r.stderr.replace(/^WARNING: IPv4 forwarding is disabled.*\n/m, '') };
  }

  async stop(): Promise<void> {
    const ids = (await this.docker(['ps', '-aq'])).stdout.split('\n').filter(Boolean);
    if (ids.length) await this.docker(['rm', '-f', ...ids], { timeoutMs: 120000 });
    if (this.proc && this.proc.exitCode === null) {
      const exited = new Promise((r) => this.proc!.once('exit', r));
      this.proc.kill('SIGTERM');
      await exited;
    }
    // its managed containerd and shims live under the exec root: whatever is left of them goes
    const execRoot = path.join(this.dir, 'exec');
    for (const pid of fs.readdirSync('/proc').filter((x) => /^\d+$/.test(x))) {
      try { if (fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(execRoot)) process.kill(Number(pid), 'SIGKILL'); } catch { /* gone */ }
    }
    // overlay2 mounts of the engine's own
    for (const line of fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n').reverse()) {
      const mp = line.split(' ')[4];
      if (mp && mp.startsWith(this.dir)) try { require('node:child_process').execFileSync('umount', ['-l', mp]); } catch { /* gone */ }
    }
  }
}

/** An engine test's private Docker with the host image imported as `image`, and the runtimes to hold to each other (runc first where the engine has it). */
export async function dockerWithImage(f: EngineFixture, image: string): Promise<{ engine: PrivateDocker; runtimes: string[] }> {
  const engine = new PrivateDocker(f.dir, f.parent);
  await engine.start();
  const imported = await engine.docker(['import', '-', image], { input: layerTar(f) });
  if (imported.code !== 0) throw new Error(`docker import: ${imported.stderr}`);
  const info = await engine.docker(['info', '--format', '{{json .Runtimes}}']);
  return { engine, runtimes: /"runc"/.test(info.stdout) ? ['runc', 'nscope'] : ['nscope'] };
}
