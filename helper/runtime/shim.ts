// Spawns nscope-shim (native/shim) for one container and reads its status
// lines from fd 3: "ok PID METHOD" once the container is created, "error
// MSG" if set-up failed, "exit CODE SIGNAL" when the container's init ends.
// The shim runs in its own session, so it (and the container) outlive us.
import * as fs from 'fs';
import * as net from 'net';
import { NscopeError } from '../errors';
import { native, shimPath } from '../native';
import type { ShimStandby } from './shim-standby';
import * as frontStandby from './front-standby';
import { collectShim, reapExiting } from './shim-reap';
import { lineQueue } from '../lib/line-queue';

export interface ShimHandle {
  pid: number;          // the container init's pid on the host
  shimPid: number;
  method: 'pivot_root' | 'chroot' | 'none';
  /** Resolves when the shim reports the exit (or its pipe closes: null). */
  exited: Promise<{ exitCode: number; signal: number } | null>;
}

/** `standby`: the daemon's shim spawned ahead of need, taken when the stdio is not inherited. */
export async function spawnShim(planFile: string, opts: { inheritStdio?: boolean; standby?: ShimStandby } = {}): Promise<ShimHandle> {
  const io = opts.inheritStdio ? 'inherit' : 'null';
  const { pid: spawned, fds } = opts.standby && !opts.inheritStdio ? opts.standby.take(planFile) : native().spawnShim(shimPath(), [planFile], [io, io, io, 'out']);
  const status = new net.Socket({ fd: fds[3], readable: true, writable: false });

  const { next } = lineQueue(status);

  const created = createdLine(await next(), spawned);
  // Created: from now on its pipe may not keep us alive.
  status.unref();
  const exited = (async () => {
    const line = await next();
    collectShim(spawned);
    if (!line?.startsWith('exit ')) return null;
    const [, code, sig] = line.split(' ');
    return { exitCode: Number(code), signal: Number(sig) };
  })();
  return { ...created, exited };
}

/**
 * The shim's first status line: "ok PID METHOD SHIMPID", else its error thrown
 * and the shim, which exits at once, collected by `collect`.
 */
function createdLine(first: string | null, spawned: number, collect: (pid: number) => void = collectShim): Omit<ShimHandle, 'exited'> {
  if (!first || !first.startsWith('ok ')) {
    collect(spawned);
    const msg = first?.startsWith('error ') ? first.slice(6) : 'nscope-shim exited without a status';
    throw new NscopeError('failed', msg);
  }
  const [, pid, method, shimPid] = first.split(' ');
  return { pid: Number(pid), shimPid: Number(shimPid) || 0, method: method as ShimHandle['method'] };
}

/**
 * nscope-runtime's way (a process that lives for one create): the shim is
 * started now and its first status line read by created(), with blocking
 * reads. In between, the caller does what the container does not need yet
 * while the shim sets it up (clone, mounts, pivot_root): that time is the
 * shim's either way. No event-loop turn, and no `net` to load (with its
 * streams, ~2 ms of every create). The pipe stays open until we exit, as
 * spawnShim's: a monitoring shim's "exit" line goes to a reader nobody asks.
 */
export function startShim(planFile: string, opts: { inheritStdio?: boolean; preserveFds?: number[] } = {}): { spawned: number; initPid(): number; created(onHooks?: (pid: number) => void): Omit<ShimHandle, 'exited'> } {
  const io = opts.inheritStdio ? 'inherit' : 'null';
  const extra = opts.preserveFds ?? [];
  // the front door's shim has the caller's stdio and nothing else: it fits when that is what we would give
  const { pid: spawned, fds } = (opts.inheritStdio && !extra.length && frontStandby.take(planFile))
    || native().spawnShim(shimPath(), [planFile], [io, io, io, 'out', ...(extra.length ? ['null' as const, ...extra] : [])]);
  let got = Buffer.alloc(0);
  const nextLine = (): string | null => {
    let nl = got.indexOf(10);
    while (nl < 0) {
      const chunk = Buffer.alloc(1024);
      const n = fs.readSync(fds[3], chunk, 0, chunk.length, null);
      if (n === 0) break;
      got = Buffer.concat([got, chunk.subarray(0, n)]);
      nl = got.indexOf(10);
    }
    if (!got.length) return null;
    const line = got.toString('utf8', 0, nl < 0 ? got.length : nl);
    got = got.subarray(nl < 0 ? got.length : nl + 1);
    return line;
  };
  let pending: string | null | undefined;
  return {
    spawned,
    /** With the plan's earlyPid: the init's pid as soon as it exists (0 if set-up failed first: created() says why). */
    initPid() {
      const line = nextLine();
      if (line?.startsWith('pid ')) return Number(line.slice(4)) || 0;
      pending = line;
      return 0;
    },
    /**
     * `onHooks`: called with the init's pid when it waits at its hook point (a plan with hookSync);
     * it lets the init go on, or, throwing, has made it end (its error is the one create reports).
     */
    created(onHooks?: (pid: number) => void) {
      let line = pending !== undefined ? pending : nextLine();
      pending = undefined;
      if (line?.startsWith('hooks ')) {
        let failed: { error: unknown } | undefined;
        try {
          if (!onHooks) throw new NscopeError('failed', 'nscope-shim stopped at a hook point nobody asked for');
          onHooks(Number(line.slice(6)));
        } catch (error) { failed = { error }; }
        line = nextLine();
        if (failed) {
          // the init has ended for want of our byte: its shim is collected, the hook's error is the reason
          try { createdLine(line, spawned, reapExiting); } catch { /* the init's "hooks failed" */ }
          throw failed.error;
        }
      }
      // a shim that failed is collected before we exit (no timer would fire)
      return createdLine(line, spawned, reapExiting);
    },
  };
}

/** Writes the plan next to the container's state, readable by root only. */
export function writePlan(file: string, buffer: Buffer): void {
  fs.writeFileSync(file, buffer, { mode: 0o600 });
}

