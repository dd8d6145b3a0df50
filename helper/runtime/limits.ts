// The user's limits (protocol `Limits`, numbers) <-> OCI resources, with all
// parsing and range checks done by cgroups/units so `run` and `update`
// report the same errors.
import { DEFAULT_CFS_PERIOD, limitsToResources, parseCfsPeriod, parseCfsQuota, quotaToCpus } from '../cgroups/units';
import type { LinuxResources } from '../cgroups/types';
import { invalid } from '../errors';
import type { LimitArgs, Limits } from '../protocol/types';

/** Parses what the user typed into numbers; only the given fields are present. `base`: the limits an update changes (a quota alone keeps their period). */
export function limitsFromArgs(argsIn: LimitArgs, base: Limits = {}): Limits {
  // Docker's 0 for these is "not set" (the default; for update, unchanged), not a limit of 0
  const a: LimitArgs = { ...argsIn };
  for (const k of ['memory', 'memorySwap', 'memoryReservation', 'cpuShares'] as const) {
    if (a[k] !== undefined && /^\s*0+\s*$/.test(String(a[k]))) delete a[k];
  }
  // Docker's --cpus 0 means "no limit"; a negative count is out of range there
  // (not "no limit", as -1 was here: `--cpus -1` passed silently)
  const noCpuLimit = a.cpus !== undefined && /^\s*(0+(\.0*)?|\.0+)\s*$/.test(String(a.cpus));
  const res = limitsToResources(noCpuLimit ? { ...a, cpus: undefined } : a);
  if (noCpuLimit) res.cpu = { ...res.cpu, quota: -1 };
  const out: Limits = {};
  if (res.memory?.limit !== undefined) out.memory = res.memory.limit;
  if (res.memory?.swap !== undefined) out.memorySwap = res.memory.swap;
  if (res.memory?.reservation !== undefined) out.memoryReservation = res.memory.reservation;
  if (res.cpu?.quota !== undefined) out.cpus = quotaToCpus(res.cpu.quota, res.cpu.period) ?? -1;
  if (res.cpu?.shares !== undefined) out.cpuShares = res.cpu.shares;
  if (res.cpu?.cpus !== undefined) out.cpusetCpus = res.cpu.cpus;
  if (res.cpu?.mems !== undefined) out.cpusetMems = res.cpu.mems;
  if (res.pids?.limit !== undefined) out.pidsLimit = res.pids.limit;
  // --cpu-period/--cpu-quota: the same limit in the kernel's terms (a quota over a period), as Docker takes them
  const period = a.cpuPeriod === undefined || a.cpuPeriod === '' ? undefined : parseCfsPeriod(a.cpuPeriod);
  const quota = a.cpuQuota === undefined || a.cpuQuota === '' ? undefined : parseCfsQuota(a.cpuQuota);
  if (period !== undefined || quota !== undefined) {
    if (a.cpus !== undefined && a.cpus !== '') throw invalid('Conflicting options: --cpus and --cpu-period/--cpu-quota cannot both be set (--cpus is a quota over a period of 100000 µs)');
    out.cpuPeriod = period ?? base.cpuPeriod ?? DEFAULT_CFS_PERIOD;
    if (quota !== undefined) out.cpus = quota < 0 ? -1 : quota / out.cpuPeriod;
  }
  return out;
}

export function mergeLimits(base: Limits, change: Limits): Limits {
  const out = { ...base, ...change };
  // --cpus again: its own period, not the one --cpu-period gave
  if (change.cpus !== undefined && change.cpuPeriod === undefined) delete out.cpuPeriod;
  // a new memory limit without a swap total keeps the old total only while it still fits
  if (change.memory !== undefined && change.memorySwap === undefined && out.memorySwap !== undefined && out.memorySwap !== -1 && (change.memory === -1 || out.memorySwap < change.memory)) {
    delete out.memorySwap;
  }
  return out;
}

export function resourcesFromLimits(l: Limits): LinuxResources {
  const byPeriod = l.cpuPeriod !== undefined;
  const res = limitsToResources({
    memory: l.memory, memorySwap: l.memorySwap, memoryReservation: l.memoryReservation, cpus: byPeriod || l.cpus === undefined || l.cpus <= 0 ? undefined : l.cpus,
    cpuShares: l.cpuShares, pidsLimit: l.pidsLimit, cpusetCpus: l.cpusetCpus, cpusetMems: l.cpusetMems,
  });
  // a quota Docker takes as given (more than the host's CPUs too): no --cpus range applies
  if (byPeriod) res.cpu = { ...res.cpu, period: l.cpuPeriod, quota: l.cpus !== undefined && l.cpus > 0 ? Math.round(l.cpus * l.cpuPeriod!) : -1 };
  else if (l.cpus !== undefined && l.cpus <= 0) res.cpu = { ...res.cpu, quota: -1, period: DEFAULT_CFS_PERIOD };
  if (l.oomKillDisable) res.memory = { ...res.memory, disableOOMKiller: true };
  return res;
}

/**
 * A container's cgroup resources: its record's limits (which update changes)
 * with what only its spec holds, set once at create: the device rules, the
 * block I/O limits and the swappiness. Create and every start make the
 * cgroup from this one function.
 */
export function containerResources(l: Limits, fromSpec: LinuxResources | undefined): LinuxResources {
  const res = resourcesFromLimits(l);
  const swappiness = fromSpec?.memory?.swappiness;
  if (swappiness !== undefined) res.memory = { ...res.memory, swappiness };
  return { ...res, devices: fromSpec?.devices, ...(fromSpec?.blockIO ? { blockIO: fromSpec.blockIO } : {}) };
}

/**
 * --memory-swappiness: 0..100, -1 the kernel's own; on v2, which has none, discarded with
 * Docker's warning (pushed onto `warnings`).
 */
export function swappinessFromOptions(v: number | undefined, version: 1 | 2, warnings: string[]): number | undefined {
  if (v === undefined || v === -1) return undefined;
  if (!Number.isInteger(v) || v < 0 || v > 100) throw invalid(`invalid value: ${v}. Valid memory swappiness range is 0-100`);
  if (version === 2) {
    warnings.push('Your kernel does not support memory swappiness capabilities or the cgroup is not mounted. Memory swappiness discarded.');
    return undefined;
  }
  return v;
}
