// A container with its own user namespace owns its cgroup, the way systemd
// delegates a subtree: the directory and the files that move processes and
// enable controllers belong to the container's root, so it can make and
// fill sub-cgroups of its own (and only there: the limits stay the host's).
import * as fs from 'fs';
import * as path from 'path';
import type { Cgroup } from './types';

const DELEGATED = ['cgroup.procs', 'tasks', 'cgroup.threads', 'cgroup.subtree_control'];

export function delegateCgroup(cg: Cgroup, uid: number, gid: number): void {
  for (const procs of cg.procsFiles()) {
    const dir = path.dirname(procs);
    fs.chownSync(dir, uid, gid);
    for (const f of DELEGATED) {
      try { fs.chownSync(path.join(dir, f), uid, gid); } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e; // v1 has no cgroup.threads, v2 no tasks
      }
    }
  }
}
