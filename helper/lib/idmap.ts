// ID mappings of a container's user namespace (OCI linux.uidMappings /
// gidMappings), written by the shim to /proc/PID/uid_map, and used to show host-side owners (the rw layer, the cgroup) as the container
// sees them, so diff, commit and export keep the image's owners.
import * as fs from 'fs';

/** One line of a user namespace's uid_map/gid_map (OCI's linux.uidMappings entry). */
export interface IdMapping { containerID: number; hostID: number; size: number }

/** A user namespace's two maps. */
export interface IdMap { uid: IdMapping[]; gid: IdMapping[] }

/** The text of /proc/PID/uid_map: "inside outside count" lines. */
export function mapText(maps: IdMapping[]): string {
  return maps.map((m) => `${m.containerID} ${m.hostID} ${m.size}`).join('\n') + '\n';
}

/** /proc/PID/uid_map's text back into mappings; null when it cannot be read. */
export function readIdMap(file: string): IdMapping[] | null {
  let text: string;
  try { text = fs.readFileSync(file, 'utf8'); } catch { return null; }
  return text.split('\n').map((l) => l.trim().split(/\s+/).map(Number)).filter((n) => n.length === 3 && n.every(Number.isInteger))
    .map(([containerID, hostID, size]) => ({ containerID, hostID, size }));
}

/** The overflow id the kernel shows for an id the namespace does not map. */
export const OVERFLOW_ID = 65534;

/** A host id as the container sees it (its owner in diff/commit), or the overflow id. */
export function toContainerId(maps: IdMapping[] | undefined, hostId: number): number {
  if (!maps?.length) return hostId;
  for (const m of maps) if (hostId >= m.hostID && hostId < m.hostID + m.size) return hostId - m.hostID + m.containerID;
  return OVERFLOW_ID;
}

/** A container id as the host stores it, or undefined when it is not mapped. */
export function toHostId(maps: IdMapping[] | undefined, id: number): number | undefined {
  if (!maps?.length) return id;
  for (const m of maps) if (id >= m.containerID && id < m.containerID + m.size) return id - m.containerID + m.hostID;
  return undefined;
}
