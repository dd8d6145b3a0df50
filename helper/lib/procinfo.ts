// What /proc says about a process: its start time (to tell a live pid from a
// reused one), its status fields and command line.
import * as fs from 'fs';

/** Field 22 of /proc/PID/stat (clock ticks since boot), or null if gone. */
export function procStartTime(pid: number): number | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // comm may contain spaces and parentheses: fields start after the last ')'
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(rest[19]);
  } catch {
    return null;
  }
}

/** True when `pid` is alive and is the same process as when `startTime` was read. */
export function isSameProcess(pid: number | undefined, startTime: number | undefined): boolean {
  if (!pid || pid <= 0) return false;
  const now = procStartTime(pid);
  if (now === null) return false;
  // a zombie has exited already
  try {
    const state = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    if (state.slice(state.lastIndexOf(')') + 2, state.lastIndexOf(')') + 3) === 'Z') return false;
  } catch { return false; }
  return startTime === undefined || now === startTime;
}

export interface ProcStatus { pid: number; ppid: number; uid: number; state: string; nsPids: number[]; name: string }

export function procStatus(pid: number): ProcStatus | null {
  let text: string;
  try { text = fs.readFileSync(`/proc/${pid}/status`, 'utf8'); } catch { return null; }
  const field = (k: string) => (text.match(new RegExp(`^${k}:\\s*(.*)$`, 'm'))?.[1] ?? '').trim();
  return {
    pid,
    ppid: Number(field('PPid')),
    uid: Number(field('Uid').split(/\s+/)[0]),
    state: field('State'),
    nsPids: field('NSpid').split(/\s+/).filter(Boolean).map(Number),
    name: field('Name'),
  };
}

export function procCmdline(pid: number): string {
  try {
    const raw = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    const args = raw.split('\0').filter((s, i, a) => s !== '' || i < a.length - 1);
    if (args.length) return args.join(' ');
  } catch { /* gone */ }
  return `[${procStatus(pid)?.name ?? '?'}]`;
}
