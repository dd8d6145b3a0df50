// Podman on stores of the test's own (--root, --runroot, --tmpdir under its
// dir; cgroupfs, events to a file, no network): conmon drives the runtime
// given with --runtime, as `podman --runtime nscope-runtime` does for a user.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runCommand, type CommandResult } from './command';

export function havePodman(): boolean {
  return fs.existsSync('/usr/bin/podman') && fs.existsSync('/usr/bin/conmon');
}

export class PrivatePodman {
  constructor(readonly dir: string, readonly cgroupParent: string) {}

  private globals(runtime: string): string[] {
    return ['--root', path.join(this.dir, 'root'), '--runroot', path.join(this.dir, 'runroot'), '--tmpdir', path.join(this.dir, 'tmp'),
      '--cgroup-manager', 'cgroupfs', '--events-backend', 'file', '--storage-driver', 'overlay', '--runtime', runtime];
  }

  /**
   * Podman runs in a directory of the test's own: conmon 2.1.6 writes its OOM
   * marker (`oom`) into the working directory it inherits from podman, not into
   * the bundle where Podman 4.3 reads it (see oomMarker).
   */
  podman(runtime: string, args: string[], opts: { input?: Buffer | string; timeoutMs?: number } = {}): Promise<CommandResult> {
    fs.mkdirSync(this.cwd, { recursive: true });
    return runCommand('podman', [...this.globals(runtime), ...args], { ...opts, cwd: this.cwd });
  }

  private get cwd(): string { return path.join(this.dir, 'cwd'); }

  /**
   * Whether conmon has seen an OOM kill in a container's memory cgroup since
   * the last call: the marker it writes (and removes it). This Podman reads
   * `OOMKilled` from the bundle, where this conmon never writes, so it says
   * false under any runtime; the marker is what the runtime can be held to.
   */
  takeOomMarker(): boolean {
    const marker = path.join(this.cwd, 'oom');
    if (!fs.existsSync(marker)) return false;
    fs.rmSync(marker);
    return true;
  }

  /** Every container gone, the store's mounts undone. */
  async stop(runtime: string): Promise<void> {
    await this.podman(runtime, ['rm', '-af', '-t', '0'], { timeoutMs: 120000 });
    await this.podman(runtime, ['system', 'reset', '-f'], { timeoutMs: 120000 });
  }
}
