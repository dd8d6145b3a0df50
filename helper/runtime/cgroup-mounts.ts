// The host's cgroup hierarchies as a container mounts them at /sys/fs/cgroup.
import * as fs from 'fs';
import * as path from 'path';
import { detect, type Detection } from '../cgroups/detect';
import { parseProcCgroup, relToMount } from '../cgroups/mountinfo';
import type { ContainerCgroupMount } from './plan';

/** `d`: the host's cgroups as the caller has already found them (else read again). */
export function containerCgroupMounts(d: Detection = detect(), procCgroup?: string): ContainerCgroupMount[] {
  if (d.version === 2) return [{ version: 2, name: '', controllers: [] }];
  // this process's cgroup in each hierarchy: a container inherits it in those nscope does not join
  let self: ReturnType<typeof parseProcCgroup> = [];
  try { self = parseProcCgroup(procCgroup ?? fs.readFileSync('/proc/self/cgroup', 'utf8')); } catch { /* no /proc: none known */ }
  return d.v1Mounts.map((m) => {
    const line = self.find((l) => l.controllers.length > 0 && l.controllers.some((c) => m.controllers.includes(c)));
    const rel = line ? relToMount(line.path, m.root) : null;
    return {
      version: 1 as const, name: path.basename(m.mountPoint), controllers: m.controllers, mountPoint: m.mountPoint,
      ownDir: rel === null ? undefined : path.join(m.mountPoint, rel),
    };
  });
}
