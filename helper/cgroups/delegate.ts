// A container with its own user namespace owns its cgroup, the way systemd
// delegates a subtree: the directory and the files that move processes and
// enable controllers belong to the container's root, so it can make and
// fill sub-cgroups of its own (and only there: the limits stay the host's).
import * as fs from 'fs';
import * as path from 'path';
import type { Cgroup } from './types';

/** per hierarchy version: only files it has, so no chown is tried and refused (one per hierarchy counts on v1) */
const DELEGATED: Record<1 | 2, string[]> = {
  1: ['cgroup.procs', 'tasks'],
  2: ['cgroup.procs', 'cgroup.threads', 'cgroup.subtree_control'],
};

export function delegateCgroup(cg: Cgroup, version: 1 | 2, uid: number, gid: number): void {
  for (const procs of cg.procsFiles()) {
    const dir = path.dirname(procs);
    fs.chownSync(dir, uid, gid);
    for (const f of DELEGATED[version]) fs.chownSync(path.join(dir, f), uid, gid);
  }
}
