// A container's confinement as inspect reports it: what its spec asks for
// (capabilities, seccomp, no_new_privs, user namespace) and, while it runs,
// what the kernel says of its init process (/proc/PID/status, uid_map,
// gid_map, ns/user), so the two can be told apart when they differ.

/** One range of a user namespace's map (a line of /proc/PID/uid_map). */
export interface IdRange { containerID: number; hostID: number; size: number }

export interface UserNsMaps { uidMap: IdRange[]; gidMap: IdRange[] }

/** The `Seccomp:` field of /proc/PID/status: 0 disabled, 1 strict, 2 filter. */
export type SeccompMode = 0 | 1 | 2;

export interface ContainerSecurity {
  /** the effective capabilities the spec asks for, CAP_* names */
  capabilities: string[];
  /** the seccomp profile: default (nscope's, as Docker's), custom, or unconfined */
  seccomp: 'default' | 'custom' | 'unconfined';
  /** the spec's filter in brief (null when unconfined): its default action and how many syscalls its rules name */
  seccompRules: { defaultAction: string; syscalls: number } | null;
  noNewPrivileges: boolean;
  /** --privileged: every capability, no masked paths, every device (and no seccomp unless a profile was given) */
  privileged: boolean;
  /** null: the host's user namespace (--userns=host) */
  userns: UserNsMaps | null;
  /** what the kernel says of the init process while the container runs; absent otherwise */
  live?: LiveSecurity;
}

/** The init process's confinement as the kernel has it. */
export interface LiveSecurity {
  /** the process read (on the host) */
  pid: number;
  /** `CapEff:` of /proc/PID/status as the kernel prints it (hex) */
  capEff: string;
  /** CapEff decoded, by bit number; a bit nscope has no name for is its number ("41") */
  capabilities: string[];
  /** `Seccomp:` of /proc/PID/status */
  seccompMode: SeccompMode;
  /** `Seccomp_filters:` (Linux ≥ 5.9): how many filters are attached; absent on older kernels */
  seccompFilters?: number;
  /** `NoNewPrivs:` of /proc/PID/status */
  noNewPrivileges: boolean;
  /** readlink of /proc/PID/ns/user, e.g. "user:[4026531837]" */
  userNamespace: string;
  /** null: the host's user namespace (the helper's own); else /proc/PID/uid_map and gid_map */
  userns: UserNsMaps | null;
}
