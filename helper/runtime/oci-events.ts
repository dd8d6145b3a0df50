// runc events: the container's cgroup statistics as runc's JSON event
// ({"type":"stats","id":...,"data":{cpu,memory,pids,...}}), once (--stats) or
// every interval, and an {"type":"oom"} event when the OOM killer struck in
// it. From the cgroup driver's stats(): what it does not read (per-CPU usage,
// memory.stat, block I/O) is absent rather than made up.
import { detectCgroups } from '../cgroups/detect';
import type { Cgroup, CgroupStats } from '../cgroups/types';
import { conflict, invalid } from '../errors';
import type { OciRuntime } from './oci-runtime';
import { goDurationMs } from '../lib/go-duration';

export interface RuncEvent { type: 'stats' | 'oom'; id: string; data?: unknown }

/** runc's types.Stats, the part nscope's stats() fills. */
export function runcStats(st: CgroupStats): unknown {
  const limit = (v: number | null | undefined) => (v === null || v === undefined ? {} : { limit: v });
  return {
    cpu: {
      usage: { total: st.cpuUsageNs },
      throttling: {},
    },
    memory: {
      usage: { ...limit(st.memoryLimit), usage: st.memoryUsage, ...(st.memoryMaxUsage !== undefined ? { max: st.memoryMaxUsage } : {}), failcnt: 0 },
      ...(st.limits.memorySwap !== undefined ? { swap: { ...limit(st.limits.memorySwap) } } : {}),
      raw: st.memoryInactiveFile !== undefined ? { total_inactive_file: st.memoryInactiveFile } : {},
    },
    pids: { current: st.pidsCurrent, ...limit(st.pidsLimit) },
    blkio: {},
    hugetlb: {},
  };
}

/** Go's time.Duration syntax as runc's --interval takes it: "5s", "500ms", "1m30s". */
export function parseDuration(s: string): number {
  const ms = goDurationMs(s, { leadingDigit: true });
  if (ms === undefined) throw invalid(`--interval: "${s}" is not a duration (e.g. 5s, 500ms, 1m)`);
  if (ms <= 0) throw invalid(`--interval: "${s}" must be positive`);
  return ms;
}

function liveCgroup(rt: OciRuntime, id: string): Cgroup {
  const { state, status } = rt.live(id);
  if (status === 'stopped' || status === 'creating') throw conflict(`container "${id}" is not running`);
  return detectCgroups().open(state.cgroupRel);
}

export function statsEvent(rt: OciRuntime, id: string): RuncEvent {
  return { type: 'stats', id, data: runcStats(liveCgroup(rt, id).stats()) };
}

/**
 * Stats every `intervalMs` and an oom event whenever the OOM kill count
 * grows, until the container stops (or `stop` says so).
 */
export async function streamEvents(rt: OciRuntime, id: string, intervalMs: number, emit: (e: RuncEvent) => void, stop: () => boolean = () => false): Promise<void> {
  const cg = liveCgroup(rt, id);
  let ooms = cg.oomKills();
  let next = Date.now();
  const OOM_POLL_MS = 250;
  while (!stop()) {
    let status;
    try { status = rt.live(id).status; } catch { return; }
    if (status === 'stopped') return;
    const kills = cg.oomKills();
    if (kills > ooms) emit({ type: 'oom', id });
    ooms = kills;
    if (Date.now() >= next) {
      try { emit({ type: 'stats', id, data: runcStats(cg.stats()) }); } catch { return; }
      next += intervalMs;
    }
    await new Promise((r) => setTimeout(r, Math.max(0, Math.min(OOM_POLL_MS, next - Date.now()))));
  }
}
