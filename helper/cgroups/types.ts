// The cgroup interface the runtime programs against. It speaks OCI
// runtime-spec terms (config.json `linux.resources`) so a spec can be passed
// through unchanged; the v1 and v2 drivers translate to their own files.
import type { BlockIO } from './block-io-limits';

/** The subset of OCI `linux.resources` nscope applies (runtime-spec config-linux.md). */
export interface LinuxResources {
  memory?: {
    /** Bytes; -1 = unlimited. */
    limit?: number;
    /** Memory + swap total in bytes (OCI/v1 semantics, not swap alone); -1 = unlimited. */
    swap?: number;
    /** Soft limit in bytes (v1 soft_limit_in_bytes, v2 memory.low); -1 = none. */
    reservation?: number;
    /** v1 memory.oom_control's oom_kill_disable (OCI disableOOMKiller); v2 has no such switch and ignores it, as runc does */
    disableOOMKiller?: boolean;
    /** v1 memory.swappiness, 0..100; v2 has none and ignores it, as runc does */
    swappiness?: number;
  };
  cpu?: {
    /** Relative weight, v1 range 2..262144 (v2 weight is derived from it). */
    shares?: number;
    /** Microseconds per period; -1 = unlimited. */
    quota?: number;
    /** Microseconds, 1000..1000000. */
    period?: number;
    /** cpuset list, e.g. "0-2,4". */
    cpus?: string;
    /** NUMA node list, e.g. "0". */
    mems?: string;
  };
  pids?: {
    /** 0 or -1 = unlimited. */
    limit?: number;
  };
  /** Block I/O weights and throttles (OCI linux.resources.blockIO): ./block-io-limits.ts */
  blockIO?: BlockIO;
  /** Device access rules, in order (OCI linux.resources.devices); v1 devices cgroup. */
  devices?: DeviceRule[];
  /** cgroup v2 interface files written as they are (OCI linux.resources.unified), e.g. {"memory.high": "64M"}; v2 only */
  unified?: Record<string, string>;
}

export interface DeviceRule {
  allow: boolean;
  /** 'a' (all), 'c' or 'b'; default 'a' */
  type?: string;
  /** omitted or -1 = any */
  major?: number;
  minor?: number;
  /** any of "rwm"; default "rwm" */
  access?: string;
}

/** What the cgroup's files say right now; null = unlimited / not set. */
export interface CgroupLimits {
  memoryLimit: number | null;
  /** Memory + swap total (OCI semantics) for both drivers; undefined when the host has no swap accounting. */
  memorySwap?: number | null;
  memoryReservation?: number | null;
  cpuQuota: number | null;
  cpuPeriod?: number;
  /** v1 cpu.shares, or on v2 the shares that map to cpu.weight (approximate inverse). */
  cpuShares?: number;
  /** v2 only: cpu.weight as the kernel has it. */
  cpuWeight?: number;
  /** cpuset.cpus ("" = inherit, on v2). */
  cpusetCpus?: string;
  cpusetMems?: string;
  pidsLimit: number | null;
}

export interface CgroupStats {
  /** Bytes charged to the cgroup, page cache included (memory.usage_in_bytes / memory.current). */
  memoryUsage: number;
  /** Bytes; null = unlimited. The cgroup's own limit, not an ancestor's. */
  memoryLimit: number | null;
  /** Peak usage (v1 max_usage_in_bytes, v2 memory.peak when the kernel has it). */
  memoryMaxUsage?: number;
  /** Inactive page cache; memoryUsage - this is what `docker stats` shows as usage. */
  memoryInactiveFile?: number;
  cpuUsageNs: number;
  /** CPU time per CPU in ns (v1 cpuacct.usage_percpu; v2 has no such file). */
  cpuPerCoreNs?: number[];
  /** Bytes read from / written to block devices (v1 blkio throttle counters, v2 io.stat); absent without the controller. */
  blockRead?: number;
  blockWrite?: number;
  pidsCurrent: number;
  pidsLimit: number | null;
  /** Processes the OOM killer killed in this cgroup (and, on v2, its descendants). */
  oomKills: number;
  /** v1 memory.oom_control under_oom: the cgroup is at its limit with OOM kill disabled. */
  underOom?: boolean;
  cpuQuota?: number | null;
  cpuPeriod?: number;
  limits: CgroupLimits;
}

export interface Cgroup {
  /** The path relative to each hierarchy's root (no leading slash), e.g. "nscope/abc". */
  readonly rel: string;
  /** Every cgroup.procs a new process must join, one per hierarchy. */
  procsFiles(): string[];
  /**
   * What a new, still single-threaded process writes "0" to, to join: on v1
   * each hierarchy's `tasks` (moving the one thread moves the process, and the
   * kernel skips the threadgroup lock whose RCU grace period costs a
   * `cgroup.procs` write 5-25 ms), on v2 `cgroup.procs`.
   */
  joinFiles(): string[];
  /** Set or change limits on a live cgroup; fields left undefined are not touched. */
  apply(res: LinuxResources): void;
  stats(): CgroupStats;
  /** stats().oomKills alone: one file read, for the exit path. */
  oomKills(): number;
  /** Read-back of the limits only (cheaper than stats()). */
  limits(): CgroupLimits;
  /** Every process in the cgroup and its descendants. */
  pids(): number[];
  /** Signal every process (default SIGKILL); processes already gone are ignored. */
  killAll(signal?: NodeJS.Signals): void;
  /**
   * Kill leftovers (frozen first where possible so a fork loop cannot
   * escape), wait for them, remove the cgroup in every hierarchy (retrying
   * EBUSY), then the empty parents it created. Never fails if already gone.
   */
  destroy(): Promise<void>;
  exists(): boolean;
}

export interface OpenOptions {
  /**
   * How many ancestors of the leaf destroy() may remove when empty, for a
   * cgroup opened after a restart (create() tracks the ones it made itself).
   * E.g. 1 for "nscope/<id>" removes "nscope" once the last container is gone.
   */
  ownedParents?: number;
}

export interface CgroupDriver {
  readonly version: 1 | 2;
  /** Creates the cgroup (and missing parents) and applies `res`. An existing cgroup is reused. */
  create(rel: string, res?: LinuxResources): Cgroup;
  /**
   * A handle on an existing cgroup, e.g. after a daemon restart. It does not
   * check that the cgroup is there (use exists()), so a cleanup path can call
   * open(rel).destroy() whether or not it still is.
   */
  open(rel: string, opts?: OpenOptions): Cgroup;
  /**
   * Removes the cgroup `rel` in every hierarchy where it is empty (no
   * processes, no children); never kills anything. For a parent such as
   * "nscope" that outlives its containers while the daemon runs.
   */
  pruneEmpty(rel: string): void;
  /**
   * This process's own cgroup, relative to the hierarchy root as this driver
   * sees it (v1: in the memory hierarchy, or the first one mounted).
   */
  ownCgroup(): string;
  /** Controllers this driver can use, e.g. ["cpu","cpuacct","memory","pids"]. */
  readonly controllers: readonly string[];
  /** Whether memory+swap limits can be set (v1 memory.memsw.*, v2 memory.swap.max). */
  readonly swapAccounting: boolean;
  /** Whether block I/O weights can be set (v1: a BFQ or CFQ weight file in blkio; v2: taken as yes, io.weight is the io controller's own). */
  readonly blockWeights: boolean;
}
