// The user's limits (protocol `Limits`, numbers) <-> OCI resources, with all
// parsing and range checks done by cgroups/units so `run` and `update`
// report the same errors.
import { limitsToResources, quotaToCpus } from '../cgroups/units';
import type { LinuxResources } from '../cgroups/types';
import type { LimitArgs, Limits } from '../protocol/types';

/** Parses what the user typed into numbers; only the given fields are present. */
export function limitsFromArgs(argsIn: LimitArgs): Limits {
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
  return out;
}

export function mergeLimits(base: Limits, change: Limits): Limits {
  const out = { ...base, ...change };
  // a new memory limit without a swap total keeps the old total only while it still fits
  if (change.memory !== undefined && change.memorySwap === undefined && out.memorySwap !== undefined && out.memorySwap !== -1 && (change.memory === -1 || out.memorySwap < change.memory)) {
    delete out.memorySwap;
  }
  return out;
}

export function resourcesFromLimits(l: Limits): LinuxResources {
  const res = limitsToResources({
    memory: l.memory, memorySwap: l.memorySwap, memoryReservation: l.memoryReservation, cpus: l.cpus === undefined || l.cpus <= 0 ? undefined : l.cpus,
    cpuShares: l.cpuShares, pidsLimit: l.pidsLimit, cpusetCpus: l.cpusetCpus, cpusetMems: l.cpusetMems,
  });
  if (l.cpus !== undefined && l.cpus <= 0) res.cpu = { ...res.cpu, quota: -1, period: 100000 };
  if (l.oomKillDisable) res.memory = { ...res.memory, disableOOMKiller: true };
  return res;
}
