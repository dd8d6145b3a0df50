// The host's cgroup hierarchies as a container mounts them at /sys/fs/cgroup.
import * as path from 'path';
import { detect, type Detection } from '../cgroups/detect';
import type { ContainerCgroupMount } from './plan';

/** `d`: the host's cgroups as the caller has already found them (else read again). */
export function containerCgroupMounts(d: Detection = detect()): ContainerCgroupMount[] {
  if (d.version === 2) return [{ version: 2, name: '', controllers: [] }];
  return d.v1Mounts.map((m) => ({ version: 1 as const, name: path.basename(m.mountPoint), controllers: m.controllers }));
}
