// The host's CPU time, the denominator of Docker's CPU %: the first line of
// /proc/stat ("cpu  user nice system idle iowait irq softirq steal …", in
// USER_HZ ticks) summed, and the number of "cpuN" lines (online CPUs).
import * as fs from 'fs';

/** USER_HZ is 100 on every Linux ABI that nscope runs on: 1 tick = 10 ms. */
const NS_PER_TICK = 10_000_000;

export interface HostCpu { totalNs: number; cpus: number }

export function parseProcStat(text: string): HostCpu {
  let totalNs = 0;
  let cpus = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('cpu ')) {
      // guest time is already counted in user/nice: only the first 8 fields
      totalNs = line.slice(4).trim().split(/\s+/).slice(0, 8).map(Number).filter(Number.isFinite).reduce((a, b) => a + b, 0) * NS_PER_TICK;
    } else if (/^cpu\d+ /.test(line)) cpus++;
  }
  return { totalNs, cpus: Math.max(cpus, 1) };
}

export function readHostCpu(): HostCpu {
  return parseProcStat(fs.readFileSync('/proc/stat', 'utf8'));
}

/**
 * Docker's CPU %: the cgroup's CPU time over the host's total CPU time in
 * the same interval, times the CPU count, so one busy core is 100% and the
 * whole machine is cpus × 100%. null when there is no interval to divide by
 * or the counter went back (a restart).
 */
export function cpuPercent(cgroupDeltaNs: number, hostDeltaNs: number, cpus: number): number | null {
  if (hostDeltaNs <= 0 || cgroupDeltaNs < 0) return null;
  return (cgroupDeltaNs / hostDeltaNs) * cpus * 100;
}
