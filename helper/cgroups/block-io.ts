// Block I/O bytes a cgroup has read and written, from the two kernel formats:
// v1 blkio.throttle.io_service_bytes ("8:0 Read 4096" lines, then a "Total"),
// v2 io.stat ("8:0 rbytes=4096 wbytes=0 rios=1 …" a line per device). The
// throttle file is used on v1 because it counts at the cgroup whatever the
// I/O scheduler (blkio.io_service_bytes stays 0 without CFQ/BFQ), as Docker does.

export interface BlockIo { read: number; write: number }

/** Sums v1 blkio.throttle.io_service_bytes over devices (its "Total" line is skipped: it would count twice). */
export function parseBlkioServiceBytes(text: string): BlockIo {
  const out = { read: 0, write: 0 };
  for (const line of text.split('\n')) {
    const [dev, op, value] = line.trim().split(/\s+/);
    if (!dev || dev === 'Total' || value === undefined) continue;
    const n = Number(value);
    if (!Number.isFinite(n)) continue;
    if (op === 'Read') out.read += n;
    else if (op === 'Write') out.write += n;
  }
  return out;
}

/** Sums v2 io.stat's rbytes and wbytes over devices. */
export function parseIoStat(text: string): BlockIo {
  const out = { read: 0, write: 0 };
  for (const line of text.split('\n')) {
    for (const field of line.trim().split(/\s+/).slice(1)) {
      const [k, v] = field.split('=');
      const n = Number(v);
      if (!Number.isFinite(n)) continue;
      if (k === 'rbytes') out.read += n;
      else if (k === 'wbytes') out.write += n;
    }
  }
  return out;
}

/** v1 cpuacct.usage_percpu: nanoseconds per CPU, space-separated. */
export function parsePerCpu(text: string): number[] {
  return text.trim().split(/\s+/).filter(Boolean).map(Number).filter(Number.isFinite);
}
