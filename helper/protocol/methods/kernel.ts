// Kernel sources: the one method (the data and the size limit: ../types/kernel.ts).
import type { KernelReadResult } from '../types/kernel';

export interface KernelMethods {
  /**
   * One kernel source, read-only: `/proc/PID/{status,stat,statm,cgroup,mountinfo,cmdline,uid_map,gid_map}`, `/proc/PID/net/dev`,
   * `/proc/PID/ns` and `/proc/PID/ns/TYPE`, `/sys/class/net/NAME` (a host interface, as text), and the control files of an nscope
   * container's cgroup (`/sys/fs/cgroup/[HIERARCHY/]PARENT/ID/FILE`).
   */
  'kernel.read': { params: { path: string }; result: KernelReadResult };
}
