// The host's cgroup hierarchies as a container mounts them at /sys/fs/cgroup.
import * as path from 'path';
import { detect } from '../cgroups/detect';
import type { ContainerCgroupMount } from './plan';

export function containerCgroupMounts(): ContainerCgroupMount[] {
  const d = detect();
  if (d.version === 2) return [{ version: 2, name: '', controllers: [] }];
  return d.v1Mounts.map((m) => ({ version: 1 as const, name: path.basename(m.mountPoint), controllers: m.controllers }));
}
