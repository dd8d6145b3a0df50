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

  podman(runtime: string, args: string[], opts: { input?: Buffer | string; timeoutMs?: number } = {}): Promise<CommandResult> {
    return runCommand('podman', [...this.globals(runtime), ...args], opts);
  }

  /** Every container gone, the store's mounts undone. */
  async stop(runtime: string): Promise<void> {
    await this.podman(runtime, ['rm', '-af', '-t', '0'], { timeoutMs: 120000 });
    await this.podman(runtime, ['system', 'reset', '-f'], { timeoutMs: 120000 });
  }
}
