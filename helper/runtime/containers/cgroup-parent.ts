// `run --cgroup-parent PATH`: the cgroup a container's own is made under,
// instead of the helper's (--cgroup-parent of `nscope daemon`, "nscope").
// The path is from the hierarchies' root, "/a/b" or "a/b" alike (runc's
// reading of a cgroupsPath); the parents creating it makes are recorded and
// removed again once empty (./context.ts dropCgroup), those that were there
// are left alone. A parent inside another container's cgroup is refused: on
// v2 a cgroup with processes cannot have children, and on v1 the other
// container's stats, limits and kill would take this one in.
import { normalizeRel } from '../../cgroups/paths';
import { invalid } from '../../errors';
import type { ContainerContext } from './context';

export interface CgroupParent {
  /** the parent's path from the root, normalized */
  rel: string;
  /** --cgroup-parent as given; absent for the helper's own */
  given?: string;
  /** the parents (rel paths, top first) that do not exist yet: the container's to remove */
  made: string[];
}

export function cgroupParentOf(ctx: ContainerContext, given: string | undefined): CgroupParent {
  if (given === undefined || given === '') return { rel: ctx.cgroupParent, made: [] };
  const rel = normalizeRel(given, '--cgroup-parent');
  if (rel.split('/').length > 16) throw invalid(`--cgroup-parent: "${given.slice(0, 80)}" is more than 16 levels deep`);
  // the kernel's paths end at 4096 bytes with the hierarchy's mount point and the container's id on them
  if (rel.length > 1024) throw invalid(`--cgroup-parent: "${given.slice(0, 80)}…" is longer than 1024 characters`);
  for (const r of ctx.records.values()) {
    if (rel === r.cgroupRel || rel.startsWith(`${r.cgroupRel}/`)) throw invalid(`--cgroup-parent: "${given.slice(0, 80)}" is inside container ${r.name}'s cgroup`);
  }
  const parts = rel.split('/');
  const made = parts.map((_, i) => parts.slice(0, i + 1).join('/')).filter((p) => !ctx.cgroups.open(p).exists());
  return { rel, given, made };
}
