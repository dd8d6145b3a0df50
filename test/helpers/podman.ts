// Podman on stores of the test's own (--root, --runroot, --tmpdir under its
// dir; cgroupfs, events to a file, no network): conmon drives the runtime
// given with --runtime, as `podman --runtime nscope-runtime` does for a user.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export function havePodman(): boolean {
  return fs.existsSync('/usr/bin/podman') && fs.existsSync('/usr/bin/conmon');
}

export class PrivatePodman {
  constructor(readonly dir: string, readonly cgroupParent: string) {}

  private globals(runtime: string): string[] {
    return ['--root', path.join(this.dir, 'root'), '--runroot', path.join(this.dir, 'runroot'), '--tmpdir', path.join(this.dir, 'tmp'),
      '--cgroup-manager', 'cgroupfs', '--events-backend', 'file', '--storage-driver', 'overlay', '--runtime', runtime];
  }

  podman(runtime: string, args: string[], opts: { input?: Buffer | string; timeoutMs?: number } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      const p = spawn('podman', [...this.globals(runtime), ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      p.stdout.on('data', (d) => { stdout += d; });
      p.stderr.on('data', (d) => { stderr += d; });
      const t = setTimeout(() => p.kill('SIGKILL'), opts.timeoutMs ?? 60000);
      p.on('close', (code) => { clearTimeout(t); resolve({ code: code ?? -1, stdout, stderr }); });
      p.stdin.end(opts.input ?? '');
    });
  }

  /** Every container gone, the store's mounts undone. */
  async stop(runtime: string): Promise<void> {
    await this.podman(runtime, ['rm', '-af', '-t', '0'], { timeoutMs: 120000 });
    await this.podman(runtime, ['system', 'reset', '-f'], { timeoutMs: 120000 });
  }
}
