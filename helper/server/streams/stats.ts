// stream.open kind "stats": a StatsLine JSON line per interval for one
// running container, until it exits or the client closes. One stream
// serves a whole chart panel, so the client does not poll per figure; CPU %
// is computed here (Docker's way, against /proc/stat) because only the
// helper's host has the counters both sides of the division come from.
import { conflict, invalid } from '../../errors';
import { cpuPercent, readHostCpu, type HostCpu } from '../../lib/host-cpu';
import type { ContainerStats, StatsLine } from '../../protocol';
import { finish } from './finish';
import type { OpenedStream, StreamParams, StreamServices } from './types';

const DEFAULT_INTERVAL_MS = 1000;

interface Sample { stats: ContainerStats; host: HostCpu }

/** The line for `cur`, with CPU figures from its difference to `prev` (none on the first). */
export function statsLine(cur: Sample, prev: Sample | undefined, time: number): StatsLine {
  const s = cur.stats;
  let percent: number | null = null;
  let perCore: number[] | undefined;
  if (prev) {
    const hostDelta = cur.host.totalNs - prev.host.totalNs;
    percent = cpuPercent(s.cpuUsageNs - prev.stats.cpuUsageNs, hostDelta, cur.host.cpus);
    const a = prev.stats.cpuPerCoreNs;
    const b = s.cpuPerCoreNs;
    // each core against the host's time per core: 100 = that core busy all along
    if (a && b && a.length === b.length) perCore = b.map((v, i) => cpuPercent(v - a[i], hostDelta, cur.host.cpus) ?? 0);
  }
  return {
    time, cpuPercent: percent, cpuPerCore: perCore,
    memoryUsage: s.memoryUsage, memoryLimit: s.memoryLimit,
    pids: s.pidsCurrent, pidsLimit: s.pidsLimit,
    netRx: s.netRx ?? 0, netTx: s.netTx ?? 0, blockRead: s.blockRead ?? 0, blockWrite: s.blockWrite ?? 0,
  };
}

export function openStatsStream(p: StreamParams<'stats'>, { containers }: StreamServices): OpenedStream {
  const interval = p.intervalMs ?? DEFAULT_INTERVAL_MS;
  if (!Number.isInteger(interval) || interval < 100 || interval > 60_000) throw invalid(`stats: interval ${p.intervalMs} ms is not between 100 and 60000`);
  // checked now, so an unknown or stopped container is refused in the handshake
  const live = () => { const st = containers.find(p.id).status; return st === 'running'; };
  if (!live()) throw conflict(`container ${containers.find(p.id).name} is not running`);
  let prev: Sample = { stats: containers.stats(p.id), host: readHostCpu() };
  return {
    result: { ok: true },
    pump: async (sock) => {
      let closed = false;
      let wake = () => {};
      sock.on('close', () => { closed = true; wake(); });
      sock.on('error', () => { closed = true; wake(); });
      sock.write(JSON.stringify(statsLine(prev, undefined, Date.now())) + '\n');
      while (!closed) {
        await new Promise<void>((resolve) => { const t = setTimeout(resolve, interval); wake = () => { clearTimeout(t); resolve(); }; });
        if (closed) break;
        let cur: Sample;
        // the container gone (exited, removed: find() throws) is the stream's end
        try {
          if (!live()) break;
          cur = { stats: containers.stats(p.id), host: readHostCpu() };
        } catch { break; }
        sock.write(JSON.stringify(statsLine(cur, prev, Date.now())) + '\n');
        prev = cur;
      }
      finish(sock);
    },
  };
}
