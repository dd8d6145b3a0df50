// An OCI spec's linux.uidMappings / gidMappings, checked before the shim
// writes them: numbers in range, at most the kernel's line limit, ranges
// disjoint on both sides (the kernel refuses overlaps with a bare EINVAL).
import { invalid } from '../errors';
import type { IdMapping } from '../lib/idmap';

const MAX_ID = 0xffffffff; // exclusive: (uid_t)-1 is never an id
/** The kernel takes at most 340 lines per map (Linux >= 4.15). */
const MAX_LINES = 340;

/** Each mapping's numbers in range, the ranges disjoint on both sides. */
export function checkIdMappings(what: string, maps: unknown): IdMapping[] {
  if (!Array.isArray(maps) || maps.length === 0) throw invalid(`linux.${what}: a user namespace needs at least one mapping`);
  if (maps.length > MAX_LINES) throw invalid(`linux.${what}: ${maps.length} mappings; the kernel takes at most ${MAX_LINES}`);
  const out: IdMapping[] = [];
  for (const [i, m] of maps.entries()) {
    const { containerID, hostID, size } = (m ?? {}) as IdMapping;
    for (const [k, v] of [['containerID', containerID], ['hostID', hostID], ['size', size]] as const) {
      if (!Number.isInteger(v) || v < 0 || v >= MAX_ID) throw invalid(`linux.${what}[${i}].${k}: ${String(v)} is not an id (0..${MAX_ID - 1})`);
    }
    if (size < 1 || containerID + size > MAX_ID || hostID + size > MAX_ID) throw invalid(`linux.${what}[${i}]: size ${size} runs past the last id`);
    out.push({ containerID, hostID, size });
  }
  for (const side of ['containerID', 'hostID'] as const) {
    const sorted = [...out].sort((a, b) => a[side] - b[side]);
    for (let i = 1; i < sorted.length; i++) {
      if (sorted[i - 1][side] + sorted[i - 1].size > sorted[i][side]) throw invalid(`linux.${what}: the ${side} ranges overlap`);
    }
  }
  return out;
}

