// Runs a command to its end and collects what it printed: the one way the
// tests call the CLI, the engines' clients (ctr, docker, podman) and such.
import { spawn } from 'node:child_process';

export interface CommandResult { code: number; stdout: string; stderr: string }

/** `timeoutMs` (60 s) then SIGKILL: a hung command fails its test instead of the run. */
export function runCommand(cmd: string, args: string[], opts: { input?: Buffer | string; timeoutMs?: number; env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<CommandResult> {
  return new Promise((resolve) => {
    const p = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'], env: opts.env ?? process.env, cwd: opts.cwd });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => { stdout += d; });
    p.stderr.on('data', (d) => { stderr += d; });
    const t = setTimeout(() => p.kill('SIGKILL'), opts.timeoutMs ?? 60000);
    p.on('close', (code) => { clearTimeout(t); resolve({ code: code ?? -1, stdout, stderr }); });
    p.stdin.on('error', () => { /* it did not read its input */ });
    p.stdin.end(opts.input ?? '');
  });
}
