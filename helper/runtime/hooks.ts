// OCI lifecycle hooks: each runs with the container's state JSON on stdin,
// with its own args/env and timeout; a failure names the hook.
import { spawn } from 'child_process';
import { NscopeError } from '../errors';
import type { Hook } from './spec';

export async function runHooks(kind: string, hooks: Hook[] | undefined, state: unknown): Promise<void> {
  for (const h of hooks ?? []) {
    await new Promise<void>((resolve, reject) => {
      const [argv0, ...args] = h.args?.length ? h.args : [h.path];
      const child = spawn(h.path, args, { argv0, env: Object.fromEntries((h.env ?? []).map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)])), stdio: ['pipe', 'ignore', 'pipe'] });
      let err = '';
      child.stderr!.on('data', (d) => { if (err.length < 4096) err += d; });
      const timer = h.timeout ? setTimeout(() => child.kill('SIGKILL'), h.timeout * 1000) : undefined;
      child.on('error', (e) => { clearTimeout(timer); reject(new NscopeError('failed', `${kind} hook ${h.path}: ${e.message}`)); });
      child.on('close', (code, sig) => {
        clearTimeout(timer);
        if (code === 0) resolve();
        else reject(new NscopeError('failed', `${kind} hook ${h.path} failed: ${sig ? `killed by ${sig}${h.timeout ? ' (timeout)' : ''}` : `exit status ${code}`}${err ? `: ${err.trim()}` : ''}`));
      });
      child.stdin!.on('error', () => undefined);
      child.stdin!.end(JSON.stringify(state));
    });
  }
}
