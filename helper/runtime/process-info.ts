// A container's processes as `top` and the Processes node list them: each pid
// of its cgroup read from /proc (one gone meanwhile is left out), by pid.
import { procCmdline, procStatus } from '../lib/procinfo';
import type { ProcessInfo } from '../protocol/types';

export function processesOf(pids: number[]): ProcessInfo[] {
  const out: ProcessInfo[] = [];
  for (const pid of pids) {
    const st = procStatus(pid);
    if (!st) continue;
    // NSpid lists the pid in each nested namespace: the last is the container's view
    out.push({ pid, nsPid: st.nsPids.length > 1 ? st.nsPids[st.nsPids.length - 1] : st.nsPids[0] ?? null, ppid: st.ppid, uid: st.uid, state: st.state, command: procCmdline(pid) });
  }
  return out.sort((a, b) => a.pid - b.pid);
}
