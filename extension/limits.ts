// The four live limits the tree shows and edits: how each is displayed,
// validated as the user types, turned into `container.update` params, and
// which cgroup file enforces it.
import type { ContainerDetail, ContainerStats, LimitArgs, Limits } from '../helper/protocol/types';
import { formatBytes } from './format';

export type LimitKind = 'memory' | 'cpus' | 'pids' | 'cpuset';
export const LIMIT_KINDS: LimitKind[] = ['memory', 'cpus', 'pids', 'cpuset'];

const SIZE = /^\s*(\d+(?:\.\d+)?)\s*(?:([kmgt])(?:i?b)?|b)?\s*$/i;
const UNITS: Record<string, number> = { b: 1, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40 };
const isMax = (s: string) => /^\s*(max|unlimited|none|-1)\s*$/i.test(s);

/** The value as the user would type it: "64m", "0.5", "100", "0-1", or "max". */
export function limitInputValue(kind: LimitKind, l: Limits): string {
  switch (kind) {
    case 'memory': {
      const b = l.memory;
      if (b === undefined || b < 0) return 'max';
      for (const [u, f] of [['g', 2 ** 30], ['m', 2 ** 20], ['k', 2 ** 10]] as const) if (b % f === 0) return `${b / f}${u}`;
      return String(b);
    }
    case 'cpus': return l.cpus === undefined || l.cpus <= 0 ? 'max' : String(l.cpus);
    case 'pids': return l.pidsLimit === undefined || l.pidsLimit <= 0 ? 'max' : String(l.pidsLimit);
    case 'cpuset': return l.cpusetCpus ?? '';
  }
}

/** undefined when valid, else the message VS Code shows under the input box. */
export function validateLimit(kind: LimitKind, s: string): string | undefined {
  switch (kind) {
    case 'memory': {
      if (isMax(s)) return undefined;
      const m = SIZE.exec(s);
      if (!m) return 'a size with an optional unit, e.g. 64m, 512k, 1g, or max';
      if (Number(m[1]) * UNITS[(m[2] ?? 'b').toLowerCase()] < 6 * 2 ** 20) return 'at least 6m';
      return undefined;
    }
    case 'cpus':
      if (isMax(s)) return undefined;
      return /^\s*\d*\.?\d+\s*$/.test(s) && Number(s) >= 0.01 ? undefined : 'a number of CPUs, e.g. 0.5 or 2, or max';
    case 'pids':
      if (isMax(s)) return undefined;
      return /^\s*\d+\s*$/.test(s) && Number(s) >= 1 ? undefined : 'a number of processes, e.g. 100, or max';
    case 'cpuset':
      return /^\s*\d+(-\d+)?(\s*,\s*\d+(-\d+)?)*\s*$/.test(s) ? undefined : 'CPUs as a list or range, e.g. 0 or 0-1 or 0,2';
  }
}

/** What `container.update` gets for a validated input. */
export function limitArgs(kind: LimitKind, s: string): LimitArgs {
  const v = s.trim();
  switch (kind) {
    case 'memory': return { memory: isMax(v) ? -1 : v };
    case 'cpus': return { cpus: isMax(v) ? 0 : v };
    case 'pids': return { pidsLimit: isMax(v) ? -1 : v };
    case 'cpuset': return { cpusetCpus: v.replace(/\s+/g, '') };
  }
}

/** "23.1 MiB / 64 MiB", "3 / 50", "0.5 CPUs", "0-1". */
export function limitDescription(kind: LimitKind, l: Limits, st?: ContainerStats): string {
  switch (kind) {
    case 'memory': {
      const lim = l.memory !== undefined && l.memory >= 0 ? formatBytes(l.memory) : 'unlimited';
      return st ? `${formatBytes(st.memoryUsage)} / ${lim}` : lim;
    }
    case 'cpus': {
      const lim = l.cpus !== undefined && l.cpus > 0 ? `${l.cpus} CPU${l.cpus === 1 ? '' : 's'}` : 'unlimited';
      return st ? `${lim} · ${(st.cpuUsageNs / 1e9).toFixed(2)}s used` : lim;
    }
    case 'pids': {
      const lim = l.pidsLimit !== undefined && l.pidsLimit > 0 ? String(l.pidsLimit) : 'unlimited';
      return st ? `${st.pidsCurrent} / ${lim}` : lim;
    }
    case 'cpuset': return l.cpusetCpus ?? 'all CPUs';
  }
}

/** The cgroup file on the host that enforces the limit. */
export function limitCgroupFile(kind: LimitKind, d: Pick<ContainerDetail, 'cgroup'>): string {
  const p = d.cgroup.path;
  if (d.cgroup.version === 2) {
    const f = { memory: 'memory.max', cpus: 'cpu.max', pids: 'pids.max', cpuset: 'cpuset.cpus' }[kind];
    return `/sys/fs/cgroup${p}/${f}`;
  }
  const f = { memory: 'memory/%/memory.limit_in_bytes', cpus: 'cpu/%/cpu.cfs_quota_us', pids: 'pids/%/pids.max', cpuset: 'cpuset/%/cpuset.cpus' }[kind];
  return `/sys/fs/cgroup/${f.replace('/%', p)}`;
}
