// OCI lifecycle hooks: each runs with the container's state JSON on stdin,
// with its own args/env and timeout; a failure names the hook.
import { spawn } from 'child_process';
import { NscopeError } from '../errors';
import type { Hook } from './spec';

/**
 * Runs `hooks` in order. A failure stops the rest and rejects, except with
 * `warnOnly` (poststart, poststop: the OCI spec has the runtime log a warning
 * and go on with the remaining hooks and the lifecycle), where each failure
 * is written to stderr and the next hook runs.
 */
export async function runHooks(kind: string, hooks: Hook[] | undefined, state: unknown, opts: { warnOnly?: boolean } = {}): Promise<void> {
  for (const h of hooks ?? []) {
    const ran = runHook(kind, h, state);
    if (!opts.warnOnly) await ran;
    else await ran.catch((e: Error) => { process.stderr.write(`warning: ${e.message}\n`); });
  }
}

function runHook(kind: string, h: Hook, state: unknown): Promise<void> {
  return new Promise<void>((resolve, reject) => {
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
