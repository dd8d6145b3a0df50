// The kernel files behind the views' nodes: what their tooltips name and
// "Reveal Kernel Source" opens (read through the helper's kernel.read, which
// allows exactly these). A node with one carries it in `kernelSource`; the
// menu finds such nodes by a contextValue ending in `+kernel`, except running
// and created containers and editable limits: menus match their contextValues
// with `==`, and their state already implies a kernel source.
import type { ContainerDetail } from '../../helper/protocol/types';
import type { Node } from './tree';

export const KERNEL_TAG = '+kernel';

/** Sets the node's contextValue, tagged when it has a kernel source. */
export function setKernelSource(n: Node, contextValue: string, source: string | undefined): void {
  n.kernelSource = source;
  n.contextValue = source ? `${contextValue}${KERNEL_TAG}` : contextValue;
}

export const procStatus = (pid: number) => `/proc/${pid}/status`;
/** the mount table of the process's mount namespace: a container's first line is its root overlay */
export const procMountinfo = (pid: number) => `/proc/${pid}/mountinfo`;
/** the process's cgroup in each hierarchy */
export const procCgroup = (pid: number) => `/proc/${pid}/cgroup`;
/** the user namespace's id maps: container id, host id, count per line */
export const procUidMap = (pid: number) => `/proc/${pid}/uid_map`;
export const procGidMap = (pid: number) => `/proc/${pid}/gid_map`;
export const nsDir = (pid: number) => `/proc/${pid}/ns`;
export const nsLink = (pid: number, type: string) => `/proc/${pid}/ns/${type}`;
/** the interfaces of the process's network namespace, with their counters */
export const procNetDev = (pid: number) => `/proc/${pid}/net/dev`;
/** a host network interface (a veth's host side, a bridge) as the kernel's sysfs shows it */
export const sysClassNet = (ifname: string) => `/sys/class/net/${ifname}`;

/** A control file of a container's cgroup: in the `controller` hierarchy on v1, the one hierarchy on v2. */
export function cgroupFile(d: Pick<ContainerDetail, 'cgroup'>, controller: string, file: string): string {
  return d.cgroup.version === 2 ? `/sys/fs/cgroup${d.cgroup.path}/${file}` : `/sys/fs/cgroup/${controller}${d.cgroup.path}/${file}`;
}

/** The container's cgroup directories, as a tooltip names them. */
export function cgroupDirs(d: Pick<ContainerDetail, 'cgroup'>, controllers: string[]): string {
  return d.cgroup.version === 2 ? `/sys/fs/cgroup${d.cgroup.path}` : `/sys/fs/cgroup/{${controllers.join(',')}}${d.cgroup.path}`;
}
