// User-facing limits (`--memory 64m --cpus 0.5 --pids-limit 100`, Docker's
// flags and semantics) to OCI LinuxResources and back, plus formatting for
// display. Every error names the flag and the value, e.g.
// `--memory: "64q" is not a size`.
import * as fs from 'fs';
import * as os from 'os';
import { invalid } from '../errors';
import type { CgroupLimits, LinuxResources } from './types';
import { formatBytes } from '../protocol/format';

export { formatBytes };

const UNITS: Record<string, number> = { b: 1, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40 };

/**
 * "64m", "64M", "64MB", "64MiB", "1.5g", "1048576" -> bytes. Binary units
 * (1k = 1024) as Docker's RAMInBytes; fractions are truncated to whole bytes.
 */
export function parseBytes(s: string | number, flag = 'size'): number {
  if (typeof s === 'number') {
    if (!Number.isSafeInteger(s) || s < 0) throw invalid(`${flag}: ${s} is not a whole number of bytes`);
    return s;
  }
  const m = /^\s*(\d+(?:\.\d+)?)\s*(?:([kmgt])(?:i?b)?|b)?\s*$/i.exec(s);
  if (!m) {
    throw invalid(`${flag}: ${JSON.stringify(s)} is not a size (use a number with an optional unit b, k, m, g or t, e.g. 64m)`);
  }
  const n = Math.floor(Number(m[1]) * UNITS[(m[2] ?? 'b').toLowerCase()]);
  if (!Number.isSafeInteger(n)) throw invalid(`${flag}: ${JSON.stringify(s)} is too large`);
  return n;
}

/** Docker's CFS period: 100 ms. */
export const DEFAULT_CFS_PERIOD = 100000;

/** Online CPUs of the host, from /sys/devices/system/cpu/online (os.cpus() as fallback). */
export function hostCpus(): number[] {
  try {
    return parseCpuList(fs.readFileSync('/sys/devices/system/cpu/online', 'utf8').trim(), 'online CPUs');
  } catch {
    return os.cpus().map((_, i) => i);
  }
}

/** Online NUMA nodes; hosts without /sys/devices/system/node have node 0 only. */
export function hostMems(): number[] {
  try {
    return parseCpuList(fs.readFileSync('/sys/devices/system/node/online', 'utf8').trim(), 'online nodes');
  } catch {
    return [0];
  }
}

/**
 * `--cpus 0.5` -> quota 50000 per 100000 µs period. Range 0.01 .. the number
 * of online CPUs (Docker's rule: more than the host has is a mistake, not a
 * "no limit").
 */
export function cpusToQuota(cpus: number | string, available = hostCpus().length, flag = '--cpus'): { quota: number; period: number } {
  // a sign is read (so -1 gets the range error Docker gives, not "not a number")
  const n = typeof cpus === 'number' ? cpus : /^\s*-?\d*\.?\d+\s*$/.test(cpus) ? Number(cpus) : NaN;
  if (!Number.isFinite(n)) throw invalid(`${flag}: ${JSON.stringify(cpus)} is not a number of CPUs (e.g. 0.5 or 2)`);
  if (n < 0.01 || n > available) {
    // Docker's daemon's words (verifyPlatformContainerResources), after the flag
    throw invalid(`${flag}: ${n}: Range of CPUs is from 0.01 to ${available}.00, as there are only ${available} CPUs available`);
  }
  return { quota: Math.round(n * DEFAULT_CFS_PERIOD), period: DEFAULT_CFS_PERIOD };
}

/** An integer a flag takes, or NaN. */
function integer(v: number | string): number {
  return typeof v === 'number' ? (Number.isInteger(v) ? v : NaN) : /^\s*-?\d+\s*$/.test(v) ? Number(v) : NaN;
}

/** --cpu-period: µs, 1000..1000000; 0 is Docker's "the default" (undefined). */
export function parseCfsPeriod(v: number | string): number | undefined {
  const n = integer(v);
  if (n === 0) return undefined;
  if (!Number.isSafeInteger(n) || n < 1000 || n > 1_000_000) {
    throw invalid(`--cpu-period: ${JSON.stringify(v)}: CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1 second (i.e. 1000000)`);
  }
  return n;
}

/** --cpu-quota: µs per period, at least 1000; 0 and -1 are "no limit" (-1). */
export function parseCfsQuota(v: number | string): number {
  const n = integer(v);
  if (n === 0 || n === -1) return -1;
  if (!Number.isSafeInteger(n) || n < 1000) throw invalid(`--cpu-quota: ${JSON.stringify(v)}: CPU cfs quota can not be less than 1ms (i.e. 1000); -1 for no limit`);
  return n;
}

/** quota/period -> CPUs (0.5), null when unlimited. */
export function quotaToCpus(quota: number | null | undefined, period: number | undefined): number | null {
  if (quota === null || quota === undefined || quota < 0 || !period) return null;
  return Math.round((quota / period) * 100) / 100;
}

/** "0-2,4" -> [0,1,2,4]; errors name the flag. */
export function parseCpuList(s: string, flag = '--cpuset-cpus'): number[] {
  if (!/^\d+(-\d+)?(,\d+(-\d+)?)*$/.test(s.trim())) throw invalid(`${flag}: ${JSON.stringify(s)} is not a list like "0-2,4"`);
  const out = new Set<number>();
  let count = 0;
  for (const part of s.trim().split(',')) {
    const [a, b = a] = part.split('-').map(Number);
    // past 2^53 `i++` no longer moves (1e22 + 1 === 1e22): the loop below would spin forever
    if (!Number.isSafeInteger(b)) throw invalid(`${flag}: ${part.length > 40 ? `${part.slice(0, 40)}…` : part} is too large a number`);
    if (b < a) throw invalid(`${flag}: range "${part}" goes backwards`);
    // each range and all of them together: many ranges just under the bound add up as well
    count += b - a + 1;
    if (b - a > 65536) throw invalid(`${flag}: range "${part}" is too large`);
    if (count > 65536) throw invalid(`${flag}: more than 65536 numbers in the list`);
    for (let i = a; i <= b; i++) out.add(i);
  }
  return [...out].sort((x, y) => x - y);
}

/** Checks a cpuset list against what is online; returns it normalised ("0-1"). */
export function validateCpuset(s: string, online: number[], flag: string, what = 'CPU'): string {
  const want = parseCpuList(s, flag);
  const missing = want.filter((c) => !online.includes(c));
  if (missing.length) {
    throw invalid(`${flag}: ${what} ${missing.join(',')} ${missing.length === 1 ? 'is' : 'are'} not online (online: ${formatCpuList(online)})`);
  }
  return formatCpuList(want);
}

/** [0,1,2,4] -> "0-2,4". */
export function formatCpuList(list: number[]): string {
  const sorted = [...new Set(list)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    parts.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

/** PIDs: a positive count up to PID_MAX_LIMIT (2^22); 0 or -1 = unlimited (Docker). */
export function parsePidsLimit(v: number | string, flag = '--pids-limit'): number {
  const n = typeof v === 'number' ? v : /^\s*-?\d+\s*$/.test(v) ? Number(v) : NaN;
  if (!Number.isInteger(n)) throw invalid(`${flag}: ${JSON.stringify(v)} is not a whole number`);
  if (n === 0 || n === -1) return -1;
  if (n < 1 || n > 4194304) throw invalid(`${flag}: ${n} is out of range; use 1..4194304, or 0/-1 for unlimited`);
  return n;
}

/** The `run`/`update` options, as the user typed them (strings) or as numbers. */
export interface UserLimits {
  memory?: string | number;
  /** Memory + swap total, Docker's --memory-swap; "-1" = unlimited swap. */
  memorySwap?: string | number;
  memoryReservation?: string | number;
  cpus?: string | number;
  cpuShares?: string | number;
  pidsLimit?: string | number;
  cpusetCpus?: string;
  cpusetMems?: string;
}

/** Smallest memory limit Docker accepts: below it the container cannot even start its init. */
export const MIN_MEMORY = 6 * 2 ** 20;

export interface HostInfo { cpus: number[]; mems: number[] }

/**
 * Validates and converts user limits to OCI resources. Fields not given are
 * left out (so an `update` changes only what was asked). Unlike Docker,
 * --memory alone does not imply --memory-swap = 2 x memory: swap is left as
 * it is (unlimited for a new cgroup), because that default depends on the
 * host's swap accounting, which the driver knows and this function does not.
 */
export function limitsToResources(u: UserLimits, host: HostInfo = { cpus: hostCpus(), mems: hostMems() }): LinuxResources {
  const res: LinuxResources = {};
  // null is absent too: the protocol's checks (runtime/validate-options.ts) let it through as such
  const isSet = (v: unknown) => v !== undefined && v !== null && v !== '';
  const unlimited = (v: unknown) => v === -1 || (typeof v === 'string' && v.trim() === '-1');

  if (isSet(u.memory)) {
    const limit = unlimited(u.memory) ? -1 : parseBytes(u.memory!, '--memory');
    if (limit !== -1 && limit < MIN_MEMORY) throw invalid(`--memory: ${formatBytes(limit)} is below the minimum of 6 MiB`);
    res.memory = { limit };
  }
  if (isSet(u.memorySwap)) {
    const mem = res.memory?.limit;
    if (mem === undefined || mem === -1) throw invalid('--memory-swap: needs --memory too (it is the memory+swap total)');
    const swap = unlimited(u.memorySwap) ? -1 : parseBytes(u.memorySwap!, '--memory-swap');
    if (swap !== -1 && swap < mem) {
      throw invalid(`--memory-swap: ${formatBytes(swap)} is below --memory ${formatBytes(mem)}; it is the memory+swap total, so it must be at least the memory limit`);
    }
    res.memory!.swap = swap;
  }
  if (isSet(u.memoryReservation)) {
    const r = parseBytes(u.memoryReservation!, '--memory-reservation');
    if (r > 0 && r < MIN_MEMORY) throw invalid(`--memory-reservation: ${formatBytes(r)} is below the minimum of 6 MiB`);
    const mem = res.memory?.limit;
    if (mem !== undefined && mem !== -1 && r > mem) throw invalid(`--memory-reservation: ${formatBytes(r)} is above --memory ${formatBytes(mem)}`);
    (res.memory ??= {}).reservation = r;
  }
  if (isSet(u.cpus)) {
    const { quota, period } = cpusToQuota(u.cpus!, host.cpus.length);
    res.cpu = { quota, period };
  }
  if (isSet(u.cpuShares)) {
    const n = typeof u.cpuShares === 'number' ? u.cpuShares : /^\s*\d+\s*$/.test(u.cpuShares!) ? Number(u.cpuShares) : NaN;
    if (!Number.isInteger(n) || n < 2 || n > 262144) throw invalid(`--cpu-shares: ${JSON.stringify(u.cpuShares)} is out of range; use 2..262144 (1024 is the default weight)`);
    (res.cpu ??= {}).shares = n;
  }
  if (isSet(u.cpusetCpus)) (res.cpu ??= {}).cpus = validateCpuset(u.cpusetCpus!, host.cpus, '--cpuset-cpus', 'CPU');
  if (isSet(u.cpusetMems)) (res.cpu ??= {}).mems = validateCpuset(u.cpusetMems!, host.mems, '--cpuset-mems', 'memory node');
  if (isSet(u.pidsLimit)) res.pids = { limit: parsePidsLimit(u.pidsLimit!) };
  return res;
}

/** For display: what the cgroup enforces, in the user's words. Unlimited fields are omitted. */
export interface DisplayLimits {
  memory?: string;
  memorySwap?: string;
  memoryReservation?: string;
  cpus?: string;
  cpuShares?: string;
  cpusetCpus?: string;
  cpusetMems?: string;
  pidsLimit?: string;
}

/** The inverse of limitsToResources, from OCI resources or a driver's limits() read-back. */
export function resourcesToLimits(r: LinuxResources | CgroupLimits): DisplayLimits {
  const out: DisplayLimits = {};
  const bytes = (n: number | null | undefined) => (n === undefined || n === null || n < 0 ? undefined : formatBytes(n));
  if ('memoryLimit' in r) {
    out.memory = bytes(r.memoryLimit);
    out.memorySwap = bytes(r.memorySwap);
    out.memoryReservation = bytes(r.memoryReservation);
    const cpus = quotaToCpus(r.cpuQuota, r.cpuPeriod);
    if (cpus !== null) out.cpus = String(cpus);
    if (r.cpuShares !== undefined) out.cpuShares = String(r.cpuShares);
    if (r.cpusetCpus) out.cpusetCpus = r.cpusetCpus;
    if (r.cpusetMems) out.cpusetMems = r.cpusetMems;
    if (r.pidsLimit !== null) out.pidsLimit = String(r.pidsLimit);
  } else {
    out.memory = bytes(r.memory?.limit);
    out.memorySwap = r.memory?.swap === -1 ? 'unlimited' : bytes(r.memory?.swap);
    out.memoryReservation = bytes(r.memory?.reservation);
    const cpus = quotaToCpus(r.cpu?.quota, r.cpu?.period ?? DEFAULT_CFS_PERIOD);
    if (cpus !== null) out.cpus = String(cpus);
    if (r.cpu?.shares) out.cpuShares = String(r.cpu.shares);
    if (r.cpu?.cpus) out.cpusetCpus = r.cpu.cpus;
    if (r.cpu?.mems) out.cpusetMems = r.cpu.mems;
    if (r.pids?.limit !== undefined && r.pids.limit > 0) out.pidsLimit = String(r.pids.limit);
  }
  for (const k of Object.keys(out) as (keyof DisplayLimits)[]) if (out[k] === undefined) delete out[k];
  return out;
}
