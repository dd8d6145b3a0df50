// kernel.read: the allowlist and the checks are in ../kernel-read.ts.
import type { KernelMethods } from '../../protocol';
import { liveCgroupOf } from '../../runtime/live-cgroup';
import { readKernelSource } from '../kernel-read';
import { obj, type AreaHandlers, type HelperServices } from './types';

export function kernelHandlers(s: HelperServices): AreaHandlers<keyof KernelMethods> {
  const cgroupOf = (id: string) => liveCgroupOf(s.containers, id);
  return {
    'kernel.read': (p) => readKernelSource(obj(p).path, { cgroupVersion: s.cgroups.version, cgroupOf }),
  };
}
