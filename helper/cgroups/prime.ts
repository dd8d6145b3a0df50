// On cgroup v1, the first write to any cgroup.procs after a quiet spell waits
// for an RCU grace period (5-25 ms: cgroup_threadgroup_rwsem switching to its
// slow mode), and every container's init pays it when it joins its cgroups.
// Writing our own pid to our own cgroup (a no-op move) starts that wait at
// once, in the background, so it overlaps the rest of a container's set-up
// instead of following it (bench/results/phases.md: -5 ms on a cold create).
// It must come after the container's cgroup directories exist: the write holds
// the cgroup lock while it waits.
import * as fs from 'fs';
import * as path from 'path';
import { detect } from './detect';

let target: string | null | undefined;

function ownProcsFile(): string | null {
  if (target !== undefined) return target;
  target = null;
  try {
    const d = detect();
    if (d.version !== 1) return target; // v2 has no such wait for CLONE_INTO_CGROUP-less joins worth priming here
    const m = d.v1Mounts.find((x) => x.controllers.includes('memory')) ?? d.v1Mounts[0];
    if (m) target = path.join(m.mountPoint, d.own, 'cgroup.procs');
  } catch { /* no cgroups: nothing to prime */ }
  return target;
}

export function primeCgroupJoin(): void {
  const file = ownProcsFile();
  if (!file) return;
  fs.writeFile(file, String(process.pid), () => undefined);
}
