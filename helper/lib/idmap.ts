// ID mappings of a user namespace (OCI linux.uidMappings / gidMappings):
// written by the shim to /proc/PID/uid_map, read back from there, and used to
// show host-side owners (the rw layer, the cgroup) as the container sees
// them, so diff, commit and export keep the image's owners.

/** One line of a user namespace's uid_map/gid_map (OCI's linux.uidMappings entry). */
export interface IdMapping { containerID: number; hostID: number; size: number }

/** A user namespace's two maps. */
export interface IdMap { uid: IdMapping[]; gid: IdMapping[] }

/** The text of /proc/PID/uid_map: "inside outside count" lines. */
export function mapText(maps: IdMapping[]): string {
  return maps.map((m) => `${m.containerID} ${m.hostID} ${m.size}`).join('\n') + '\n';
}

/** /proc/PID/uid_map's text back into mappings (one "ID HOST-ID LENGTH" line each); a line of another shape throws, naming it. */
export function parseIdMap(text: string): IdMapping[] {
  return text.split('\n').filter((l) => l.trim()).map((l) => {
    const n = l.trim().split(/\s+/).map(Number);
    if (n.length !== 3 || n.some((x) => !Number.isInteger(x) || x < 0)) throw new Error(`"${l.trim()}" is not "ID HOST-ID LENGTH"`);
    return { containerID: n[0], hostID: n[1], size: n[2] };
  });
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
