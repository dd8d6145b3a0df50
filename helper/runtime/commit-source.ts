// What `commit` reads of a container (rootfs/commit.ts's CommitSource): its
// record, its layers on disk, the cgroup frozen while its rw layer is read,
// and the marker that lets a restarted helper thaw it. Gathered here, so the
// RPC handler makes one call into the runtime.
import type { CommitSource } from '../rootfs/commit';
import type { ContainerManager } from './manager';

export function commitSourceOf(containers: ContainerManager, ref: string): CommitSource {
  const r = containers.find(ref);
  const { lower, upper } = containers.layers(r.id);
  return {
    id: r.id, name: r.name, status: r.status, imageId: r.imageId, command: r.command,
    upper, lower, cgroup: containers.cgroupOf(r.id), freezeMarker: containers.freezeMarker(r.id), idMap: r.idMap,
  };
}
