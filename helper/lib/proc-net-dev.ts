// A process's network traffic: /proc/PID/net/dev shows the interfaces of the
// network namespace PID is in, so for a container's init it is the
// container's own. Loopback is left out, as in `docker stats`: traffic a
// container sends itself is not network I/O.
import * as fs from 'fs';

export interface NetTotals { rx: number; tx: number }

/**
 * Sums received and transmitted bytes over interfaces other than lo. The
 * file has two header lines, then "  eth0: RXbytes packets errs drop fifo
 * frame compressed multicast TXbytes …": RX bytes is the 1st number, TX the 9th.
 */
export function parseNetDev(text: string): NetTotals {
  const out = { rx: 0, tx: 0 };
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim();
    if (!name || name === 'lo') continue;
    const f = line.slice(colon + 1).trim().split(/\s+/).map(Number);
    if (f.length < 9 || !Number.isFinite(f[0]) || !Number.isFinite(f[8])) continue;
    out.rx += f[0];
    out.tx += f[8];
  }
  return out;
}

/** undefined when the process is gone. */
export function readNetDev(pid: number): NetTotals | undefined {
  try { return parseNetDev(fs.readFileSync(`/proc/${pid}/net/dev`, 'utf8')); } catch { return undefined; }
}
