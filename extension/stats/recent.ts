// The last minute of a container's stats, for the sparkline in its tooltip.
// A tooltip is resolved when the pointer rests on a row, so the first hover
// opens ONE `stats` stream for that container and later hovers read what it
// gathered; the stream closes itself two minutes after the last hover (or
// when the container stops), so a list of containers nobody looks at costs
// the helper nothing.
import type * as net from 'node:net';
import { openStream } from '../../helper/protocol/client';
import type { StatsLine } from '../../helper/protocol/types';
import type { Connection } from '../connection';
import { formatBytes } from '../format';
import { sparkline } from './chart-path';

/** points kept: one a second */
const KEEP = 60;
/** a stream nobody hovered for this long is closed */
const IDLE_MS = 120_000;
/** how long a first hover waits for samples (CPU % needs two) */
const FIRST_WAIT_MS = 2_500;

interface Feed { sock?: net.Socket; lines: StatsLine[]; lastUse: number; waiters: (() => void)[]; closed: boolean }

export class RecentStats {
  private readonly feeds = new Map<string, Feed>();
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly conn: Connection) {
    this.timer = setInterval(() => this.sweep(), 30_000);
    this.timer.unref();
  }

  /** The container's recent lines; the first call for it waits (bounded) for a couple of samples. */
  async recent(id: string): Promise<StatsLine[]> {
    let f = this.feeds.get(id);
    if (!f || f.closed) {
      f = { lines: [], lastUse: Date.now(), waiters: [], closed: false };
      this.feeds.set(id, f);
      void this.open(id, f);
    }
    f.lastUse = Date.now();
    if (f.lines.length < 2 && !f.closed) {
      const feed = f;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, FIRST_WAIT_MS);
        feed.waiters.push(() => { if (feed.lines.length >= 2 || feed.closed) { clearTimeout(t); resolve(); } });
      });
    }
    return f.lines;
  }

  private async open(id: string, f: Feed): Promise<void> {
    try {
      f.sock = await openStream(this.conn.socketPath, { kind: 'stats', id });
    } catch {
      this.close(id, f);
      return;
    }
    if (f.closed) { f.sock.destroy(); return; }
    let rest = '';
    f.sock.setEncoding('utf8');
    f.sock.on('data', (d: string) => {
      const parts = (rest + d).split('\n');
      rest = parts.pop() ?? '';
      for (const p of parts) { if (p) try { f.lines.push(JSON.parse(p) as StatsLine); } catch { /* a torn line */ } }
      if (f.lines.length > KEEP) f.lines.splice(0, f.lines.length - KEEP);
      for (const w of f.waiters.splice(0)) w();
    });
    f.sock.on('error', () => undefined);
    f.sock.on('close', () => this.close(id, f));
    f.sock.resume();
  }

  private close(id: string, f: Feed): void {
    f.closed = true;
    f.sock?.destroy();
    for (const w of f.waiters.splice(0)) w();
    if (this.feeds.get(id) === f) this.feeds.delete(id);
  }

  private sweep(): void {
    const now = Date.now();
    for (const [id, f] of this.feeds) if (now - f.lastUse > IDLE_MS) this.close(id, f);
  }

  dispose(): void {
    clearInterval(this.timer);
    for (const [id, f] of this.feeds) this.close(id, f);
  }
}

/** Two tooltip lines: CPU % and memory over the last minute, newest on the right, with the latest value. */
export function sparklineMarkdown(lines: StatsLine[]): string {
  if (!lines.length) return '';
  const last = lines[lines.length - 1];
  const cpu = lines.map((l) => l.cpuPercent ?? 0);
  const mem = lines.map((l) => l.memoryUsage);
  const secs = lines.length;
  const limit = last.memoryLimit ? ` / ${formatBytes(last.memoryLimit)}` : '';
  return [
    `CPU \`${sparkline(cpu)}\` ${(last.cpuPercent ?? 0).toFixed(1)} %`,
    `memory \`${sparkline(mem)}\` ${formatBytes(last.memoryUsage)}${limit}`,
    `*the last ${secs} s · Show Stats for the charts*`,
  ].join('  \n');
}
