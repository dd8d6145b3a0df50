// kernel.read: the allowlist and the checks are in ../kernel-read.ts.
import type { KernelMethods } from '../../protocol';
import { readKernelSource } from '../kernel-read';
import { obj, type AreaHandlers, type HelperServices } from './types';

export function kernelHandlers(s: HelperServices): AreaHandlers<keyof KernelMethods> {
  const cgroupOf = (id: string): string | undefined => {
    try {
      const d = s.containers.inspect(id);
      // inspect also takes names and prefixes: only the exact id of a container that has a cgroup counts
      return d.id === id && d.status !== 'exited' ? d.cgroup.path.replace(/^\/+/, '') : undefined;
    } catch {
      return undefined;
    }
  };
  return {
    'kernel.read': (p) => readKernelSource(obj(p).path, { cgroupVersion: s.cgroups.version, cgroupOf }),
  };
}
