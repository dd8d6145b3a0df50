// A shim that ended is our child, started outside Node's child_process
// (posix_spawn in the addon, or the front door's): it is collected here, or
// it stays a zombie, and then the caller's subreaper (containerd's shim,
// conmon) gets a child it never knew.
import { native } from '../native';

/**
 * A shim whose status pipe closed: collected now or over the next second
 * (the pipe closes an instant before the process is gone). A helper
 * restarted after a crash is not its parent any more: then init collects it.
 */
export function collectShim(pid: number): void {
  if (!pid) return;
  if (native().reap(pid)) return;
  let tries = 0;
  const t = setInterval(() => { if (native().reap(pid) || ++tries > 50) clearInterval(t); }, 20);
  t.unref();
}

/**
 * A shim that has said it is exiting (a create without a monitor, a
 * standby shim let go), collected before we return: a one-shot
 * nscope-runtime exits before any timer could fire. One wait on its pidfd,
 * at most 200 ms.
 */
export function reapExiting(pid: number): void {
  try { native().waitExit(pid, 200); } catch { /* not ours, or collected already */ }
}
