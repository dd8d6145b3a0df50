// Spawns nscope-shim (native/shim) for one container and reads its status
// lines from fd 3: "ok PID METHOD" once the container is created, "error
// MSG" if set-up failed, "exit CODE SIGNAL" when the container's init ends.
// The shim runs in its own session, so it (and the container) outlive us.
import { spawn, type StdioOptions } from 'child_process';
import * as fs from 'fs';
import { NscopeError } from '../errors';
import { shimPath } from '../native';

export interface ShimHandle {
  pid: number;          // the container init's pid on the host
  shimPid: number;
  method: 'pivot_root' | 'chroot' | 'none';
  /** Resolves when the shim reports the exit (or its pipe closes: null). */
  exited: Promise<{ exitCode: number; signal: number } | null>;
}

export async function spawnShim(planFile: string, opts: { inheritStdio?: boolean } = {}): Promise<ShimHandle> {
  const stdio: StdioOptions = opts.inheritStdio ? ['inherit', 'inherit', 'inherit', 'pipe'] : ['ignore', 'ignore', 'ignore', 'pipe'];
  const child = spawn(shimPath(), [planFile], { stdio, detached: true });
  const status = child.stdio[3] as NodeJS.ReadableStream;

  let buf = '';
  const lines: string[] = [];
  let wake: (() => void) | undefined;
  let ended = false;
  status.setEncoding('utf8');
  status.on('data', (chunk: string) => {
    buf += chunk;
    let i;
    while ((i = buf.indexOf('\n')) >= 0) { lines.push(buf.slice(0, i)); buf = buf.slice(i + 1); }
    wake?.();
  });
  status.on('end', () => { ended = true; wake?.(); });
  status.on('error', () => { ended = true; wake?.(); });
  child.on('error', () => { ended = true; wake?.(); });

  const next = async (): Promise<string | null> => {
    for (;;) {
      if (lines.length) return lines.shift()!;
      if (ended) return null;
      await new Promise<void>((r) => { wake = r; });
      wake = undefined;
    }
  };

  const first = await next();
  if (!first || !first.startsWith('ok ')) {
    const msg = first?.startsWith('error ') ? first.slice(6) : 'nscope-shim exited without a status';
    throw new NscopeError('failed', msg);
  }
  // Created: from now on neither the shim nor its pipe may keep us alive.
  child.unref();
  (status as unknown as { unref?: () => void }).unref?.();
  const [, pid, method] = first.split(' ');
  const exited = (async () => {
    const line = await next();
    if (!line?.startsWith('exit ')) return null;
    const [, code, sig] = line.split(' ');
    return { exitCode: Number(code), signal: Number(sig) };
  })();
  return { pid: Number(pid), shimPid: child.pid ?? 0, method: method as ShimHandle['method'], exited };
}

/** Writes the plan next to the container's state, readable by root only. */
export function writePlan(file: string, buffer: Buffer): void {
  fs.writeFileSync(file, buffer, { mode: 0o600 });
}
