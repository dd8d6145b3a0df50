// kernel.read allows the control files of a live container's cgroup
// (helper/server/kernel-read.ts): which cgroup that is, for a container's id.
import type { ContainerManager } from './manager';

/** The cgroup (e.g. "nscope/ID", no leading slash) of the container with exactly this id while it has one, else undefined. */
export function liveCgroupOf(containers: ContainerManager, id: string): string | undefined {
  try {
    const r = containers.find(id);
    // find also takes names and prefixes: only the exact id of a container that has a cgroup counts
    return r.id === id && r.status !== 'exited' ? containers.cgroupOf(r.id).path.replace(/^\/+/, '') : undefined;
  } catch {
    return undefined;
  }
}
