// Namespaces, host-wide (like lsns) and per container.
import type { UserNsMaps } from './security';
export type NsType = 'mnt' | 'pid' | 'net' | 'ipc' | 'uts' | 'cgroup' | 'user' | 'time';

export interface NsProcess { pid: number; command: string; uid: number }

export interface NamespaceInfo {
  type: NsType;
  inode: number;
  /** processes in it (the first is the lowest pid, lsns's "PID") */
  processes: NsProcess[];
  /** the inode of the user namespace that owns it */
  owner?: number;
  /** the nscope container it belongs to, when it does */
  container?: { id: string; name: string };
  /** true for the host's namespaces (those the helper itself runs in) */
  host: boolean;
  /** a user namespace that is not the host's: its uid_map and gid_map */
  maps?: UserNsMaps;
}

export interface ContainerNamespace {
  type: NsType;
  inode: number;
  path: string;
  /** the host (where the helper runs) is in the same namespace */
  sharedWithHost: boolean;
  /** a user namespace of its own: its uid_map and gid_map */
  maps?: UserNsMaps;
}
