// The shim nscope-runtime's front door spawned for this `create` before it
// became node (native/runtime-front/create.c): `nscope-shim --standby`, our
// child, waiting for a plan's path on a pipe. Taking it keeps the shim's
// exec and loading off the create's path (they overlapped node's start-up).
// NSCOPE_RUNTIME_STANDBY says where it is ("PID STATUSFD PLANFD"); claim()
// reads it once, first thing, and removes it, so nothing we start sees it.
import * as fs from 'fs';
import { reapExiting } from './shim-reap';

export interface StandbyShim { pid: number; statusFd: number; planFd: number }

const ENV = 'NSCOPE_RUNTIME_STANDBY';
let standby: StandbyShim | undefined;

/** Takes note of the front door's shim, if there is one and it is ours. */
export function claim(): void {
  const v = process.env[ENV];
  delete process.env[ENV];
  const m = /^(\d+) (\d+) (\d+)$/.exec(v ?? '');
  if (!m) return;
  const [pid, statusFd, planFd] = [m[1], m[2], m[3]].map(Number);
  try {
    // a child of this very process (the front door became us) and two pipes: else not ours to touch
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) !== process.pid) return;
    if (!fs.fstatSync(statusFd).isFIFO() || !fs.fstatSync(planFd).isFIFO()) return;
  } catch { return; }
  standby = { pid, statusFd, planFd };
  // a create that failed before it took the shim (or another command): let it go
  process.once('exit', release);
}

/**
 * The standby shim, handed `planFile`: it sets the container up now and
 * reports on statusFd as a spawned one does. Undefined when there is none
 * (the Node runtime run alone, --preserve-fds) or it died meanwhile.
 */
export function take(planFile: string): { pid: number; fds: number[] } | undefined {
  const s = standby;
  standby = undefined;
  if (!s) return undefined;
  try {
    fs.writeSync(s.planFd, `${planFile}\n`);
    fs.closeSync(s.planFd);
  } catch {
    standby = s;
    release();
    return undefined;
  }
  return { pid: s.pid, fds: [-1, -1, -1, s.statusFd] };
}

/** EOF on its plan pipe: it exits without a word; collected, so no zombie is left to our subreaper. */
function release(): void {
  const s = standby;
  standby = undefined;
  if (!s) return;
  for (const fd of [s.planFd, s.statusFd]) try { fs.closeSync(fd); } catch { /* closed already */ }
  reapExiting(s.pid);
}
