// `nscope stats`: containers' resource usage, redrawn about every second
// until Ctrl-C, as `docker stats` does, or one sample with --no-stream.
// Without names it follows the running containers (all of them with -a) as
// they come and go; a named container that exits or is removed stays on the
// screen with `--` for its figures, as in Docker.
import type { ContainerStats } from '../protocol';
import { HelperError, type HelperClient } from '../protocol/client';
import { formatBytes } from '../protocol/format';
import { bool, type Parsed } from './args';
import type { Command } from './command';
import { shortId, table } from './format';
import { listFormat, renderTemplate, TEMPLATE_FORMAT, type ListFormat } from './list-format';

const INTERVAL_MS = 1000;
/**
 * CPU % is the CPU time used between two samples over the time between them,
 * so the first frame needs a second sample: taken this long after the first
 * (docker stats waits for the daemon's second reading, about a second).
 */
const FIRST_WINDOW_MS = 200;

interface Target { id: string; name: string }

interface Sample {
  id: string;
  name: string;
  at: bigint;
  stats?: ContainerStats;
  /** why there are no figures: not running, removed */
  error?: string;
  /** null on a container's first sample, or after its counter went back (a restart) */
  cpuPercent: number | null;
}

/** The containers to sample now: the named ones (resolved once), or the helper's list. */
async function targets(c: HelperClient, p: Parsed, named: Target[] | undefined): Promise<Target[]> {
  if (named) return named;
  return (await c.request('container.list', { all: bool(p, 'all') })).map((x) => ({ id: x.id, name: x.name }));
}

async function sample(c: HelperClient, ts: Target[], prev: Map<string, Sample>): Promise<Sample[]> {
  return Promise.all(ts.map(async (t): Promise<Sample> => {
    try {
      const stats = await c.request('container.stats', { id: t.id });
      const at = process.hrtime.bigint();
      const before = prev.get(t.id);
      const used = before?.stats ? stats.cpuUsageNs - before.stats.cpuUsageNs : -1;
      const cpuPercent = before && used >= 0 && at > before.at ? (used / Number(at - before.at)) * 100 : null;
      return { ...t, at, stats, cpuPercent };
    } catch (e) {
      // the helper itself gone ends the stream; a container gone is a row of --
      if (e instanceof HelperError && e.kind === 'unavailable') throw e;
      return { ...t, at: process.hrtime.bigint(), error: (e as Error).message, cpuPercent: null };
    }
  }));
}

/** "in / out" as docker stats shows NET I/O and BLOCK I/O; -- where the helper could not tell */
const pair = (a: number | undefined, b: number | undefined) => `${a === undefined ? '--' : formatBytes(a)} / ${b === undefined ? '--' : formatBytes(b)}`;

const percent = (v: number | null) => (v === null ? '--' : `${v.toFixed(2)}%`);

function render(rows: Sample[], noTrunc: boolean): string {
  return table(['CONTAINER ID', 'NAME', 'CPU %', 'MEM USAGE / LIMIT', 'MEM %', 'NET I/O', 'BLOCK I/O', 'PIDS', 'CPU TIME', 'OOM KILLS'], rows.map((r) => {
    const id = noTrunc ? r.id : shortId(r.id);
    const s = r.stats;
    if (!s) return [id, r.name, '--', '-- / --', '--', '-- / --', '-- / --', '--', '--', '--'];
    return [
      id, r.name, percent(r.cpuPercent),
      `${formatBytes(s.memoryUsage)} / ${s.memoryLimit === null ? 'unlimited' : formatBytes(s.memoryLimit)}`,
      percent(s.memoryLimit ? (s.memoryUsage / s.memoryLimit) * 100 : null),
      pair(s.netRx, s.netTx), pair(s.blockRead, s.blockWrite),
      `${s.pidsCurrent}${s.pidsLimit === null ? '' : ' / ' + s.pidsLimit}`,
      `${(s.cpuUsageNs / 1e9).toFixed(2)}s`, String(s.oomKills),
    ];
  }));
}

/** A row as Docker's `stats --format` templates see it ({{.Name}}, {{.CPUPerc}}, {{.MemUsage}}, …). */
function templateRow(r: Sample, noTrunc: boolean) {
  const s = r.stats;
  return {
    Container: r.name, Name: r.name, ID: noTrunc ? r.id : shortId(r.id),
    CPUPerc: percent(r.cpuPercent),
    MemUsage: s ? `${formatBytes(s.memoryUsage)} / ${s.memoryLimit === null ? 'unlimited' : formatBytes(s.memoryLimit)}` : '-- / --',
    MemPerc: percent(s?.memoryLimit ? (s.memoryUsage / s.memoryLimit) * 100 : null),
    NetIO: s ? pair(s.netRx, s.netTx) : '-- / --',
    BlockIO: s ? pair(s.blockRead, s.blockWrite) : '-- / --',
    PIDs: s ? String(s.pidsCurrent) : '--',
  };
}
const TEMPLATE_HEADERS: Record<string, string> = {
  Container: 'CONTAINER', Name: 'NAME', ID: 'CONTAINER ID', CPUPerc: 'CPU %', MemUsage: 'MEM USAGE / LIMIT', MemPerc: 'MEM %', NetIO: 'NET I/O', BlockIO: 'BLOCK I/O', PIDs: 'PIDS',
};

/** A frame in the format asked: the default table, or a template per container. */
function frame(fmt: ListFormat, rows: Sample[], noTrunc: boolean): string {
  if (fmt.kind === 'template') return renderTemplate(fmt, rows.map((r) => templateRow(r, noTrunc)), TEMPLATE_HEADERS);
  return render(rows, noTrunc);
}

/** One line per refresh: a JSON array, an entry per container (`error` instead of figures when it has none). */
function renderJson(rows: Sample[]): string {
  return JSON.stringify(rows.map((r) => (r.stats
    ? { id: r.id, name: r.name, cpuPercent: r.cpuPercent === null ? null : Math.round(r.cpuPercent * 100) / 100, ...r.stats }
    : { id: r.id, name: r.name, error: r.error }))) + '\n';
}

// On a terminal each frame is drawn over the last from the top-left corner,
// each line cleared to its end and the rest of the screen below it, so it
// does not flicker; the cursor is hidden meanwhile and shown again at exit.
const HOME = '\x1b[H';
const CLEAR_SCREEN = '\x1b[2J';
const CLEAR_EOL = '\x1b[K';
const CLEAR_BELOW = '\x1b[J';
const HIDE_CURSOR = '\x1b[?25l';
const SHOW_CURSOR = '\x1b[?25h';

export const STATS: Command = {
  summary: "Display a live stream of containers' resource usage (Ctrl-C to stop)", group: 'Containers',
  flags: [
    { name: 'all', short: 'a', help: 'Show all containers (default shows just running)' },
    { name: 'no-stream', help: 'Print one sample and exit, instead of redrawing every second' },
    { name: 'no-trunc', help: 'Do not truncate container IDs' },
    { ...TEMPLATE_FORMAT, help: 'Format output: "table" (the default), "json" (one JSON array per refresh, on one line), "table TEMPLATE" or a Go TEMPLATE, e.g. \'{{.Name}}\\t{{.CPUPerc}}\\t{{.MemUsage}}\'' },
  ],
  usage: 'stats [OPTIONS] [CONTAINER...]',
  async run(p, ctx) {
    const fmt = listFormat(p);
    const asJson = fmt.kind === 'json';
    const stream = !bool(p, 'no-stream');
    const c = await ctx.client();
    // named containers must exist at the start, as with Docker; later they may go
    let named: Target[] | undefined;
    if (p.positionals.length) {
      named = [];
      const missing: string[] = [];
      for (const ref of p.positionals) {
        try { const x = await c.request('container.inspect', { id: ref }); named.push({ id: x.id, name: x.name }); } catch (e) { missing.push((e as Error).message); }
      }
      if (missing.length) throw new Error(missing.join('\nnscope: '));
    }

    const redraw = stream && !asJson && !!process.stdout.isTTY;
    let stopped = false;
    let wake = () => {};
    const stop = () => { stopped = true; wake(); };
    // Ctrl-C ends a stream as its normal end (exit 0); so does a reader that
    // went away (EPIPE from `nscope stats | head`)
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    process.stdout.on('error', stop);
    const sleep = (ms: number) => new Promise<void>((resolve) => {
      if (stopped) return resolve();
      const t = setTimeout(resolve, ms);
      wake = () => { clearTimeout(t); resolve(); };
    });
    try {
      let prev = new Map<string, Sample>();
      // the baseline for the first frame's CPU %
      for (const s of await sample(c, await targets(c, p, named), prev)) prev.set(s.id, s);
      await sleep(FIRST_WINDOW_MS);
      if (redraw) process.stdout.write(HIDE_CURSOR + CLEAR_SCREEN);
      while (!stopped) {
        const started = Date.now();
        const rows = await sample(c, await targets(c, p, named), prev);
        prev = new Map(rows.map((s) => [s.id, s]));
        if (stopped) break;
        if (asJson) process.stdout.write(renderJson(rows));
        else if (redraw) process.stdout.write(HOME + frame(fmt, rows, bool(p, 'no-trunc')).replace(/\n/g, `${CLEAR_EOL}\n`) + CLEAR_BELOW);
        else process.stdout.write(frame(fmt, rows, bool(p, 'no-trunc')));
        if (!stream) break;
        await sleep(Math.max(0, INTERVAL_MS - (Date.now() - started)));
      }
    } finally {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      process.stdout.off('error', stop);
      if (redraw && !process.stdout.destroyed) process.stdout.write(SHOW_CURSOR);
    }
    return 0;
  },
};
