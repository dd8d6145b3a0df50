// Health checks of running containers (Docker's HEALTHCHECK / --health-*):
// a monitor per container runs its probe in it as `exec` does, every
// interval after the last one ended, kills it at the timeout, and keeps
// Docker's state (status, failing streak, the last 5 probes) in the record.
// A status change is a `container.health` event. The monitor goes when the
// container exits (exit.ts), and all go when the daemon closes (recover.ts).
import type { HealthProbe } from '../../protocol/types';
import { goDurationString } from '../../lib/go-duration';
import { applyProbe, healthTimings, HEALTH_OUTPUT_MAX, nextProbeMs, probeArgv, probeOutput } from '../healthcheck';
import type { ContainerRecord } from '../record';
import { type ContainerContext, emitEvent, save } from './context';
import { exec } from './exec';
import { isPaused } from './pause';

interface Monitor {
  timer?: NodeJS.Timeout;
  /** the probe running now (its exec id, and its end) */
  probe?: { execId?: string; done: Promise<void> };
  stopped: boolean;
}

/** setTimeout's longest delay (a longer one fires at once) */
const MAX_DELAY = 0x7fffffff;
/** a probe whose exec does not end this long after it was killed is given up on */
const KILL_GRACE_MS = 5000;

export class HealthMonitors {
  readonly monitors = new Map<string, Monitor>();
}

/** At the container's start (and when a restarted daemon finds it running): status "starting", streak 0, the log kept; its first probe one interval on. */
export function startHealth(ctx: ContainerContext, r: ContainerRecord, resetState = true): void {
  stopHealth(ctx, r.id);
  const argv = probeArgv(r.healthcheck, r.shell);
  if (!argv) return;
  if (resetState || !r.health) r.health = { status: 'starting', failingStreak: 0, log: r.health?.log ?? [] };
  const m: Monitor = { stopped: false };
  ctx.health.monitors.set(r.id, m);
  schedule(ctx, r, m, argv);
}

/** Its monitor stops: no next probe, and one running now is killed. */
export function stopHealth(ctx: ContainerContext, id: string): Promise<void> {
  const m = ctx.health.monitors.get(id);
  if (!m) return Promise.resolve();
  ctx.health.monitors.delete(id);
  m.stopped = true;
  if (m.timer) clearTimeout(m.timer);
  m.timer = undefined;
  if (m.probe?.execId) { try { ctx.execs.kill(m.probe.execId, 'SIGKILL'); } catch { /* ended */ } }
  return m.probe?.done ?? Promise.resolve();
}

/** The daemon closes: every monitor stops, their running probes killed and waited for (briefly). */
export async function closeHealth(ctx: ContainerContext): Promise<void> {
  const all = [...ctx.health.monitors.keys()].map((id) => stopHealth(ctx, id));
  await Promise.race([Promise.allSettled(all), new Promise((res) => setTimeout(res, KILL_GRACE_MS).unref())]);
}

function schedule(ctx: ContainerContext, r: ContainerRecord, m: Monitor, argv: string[]): void {
  if (m.stopped) return;
  const wait = nextProbeMs(r.healthcheck!, r.health?.status, r.startedAt);
  m.timer = setTimeout(() => {
    m.timer = undefined;
    const done = probeOnce(ctx, r, m, argv).catch(() => undefined).finally(() => { m.probe = undefined; schedule(ctx, r, m, argv); });
    m.probe = { done };
  }, Math.min(wait, MAX_DELAY));
  // a monitor keeps no process alive on its own (the daemon's close stops it)
  m.timer.unref();
}

async function probeOnce(ctx: ContainerContext, r: ContainerRecord, m: Monitor, argv: string[]): Promise<void> {
  // a frozen container's exec would hang until unpause: no probe while paused
  if (isPaused(ctx, r)) return;
  const t = healthTimings(r.healthcheck!);
  const start = new Date().toISOString();
  const result = await runProbe(ctx, r, m, argv, t.timeoutMs);
  // it stopped meanwhile (the probe failing for that is no result)
  if (m.stopped || ctx.records.get(r.id) !== r || r.status !== 'running' || !r.health) return;
  const probe: HealthProbe = { start, end: new Date().toISOString(), ...result };
  const changed = applyProbe(r.health, probe, { retries: t.retries, startPeriodMs: t.startPeriodMs, startedAt: r.startedAt });
  save(ctx, r);
  if (changed) emitEvent(ctx, 'container.health', r, { health: r.health.status });
}

/** One probe in the container: its exit code and output, or -1 with why where it could not run or ran past its timeout. */
async function runProbe(ctx: ContainerContext, r: ContainerRecord, m: Monitor, argv: string[], timeoutMs: number): Promise<{ exitCode: number; output: string }> {
  let s;
  try {
    s = await exec(ctx, { id: r.id, cmd: argv });
  } catch (e) {
    return { exitCode: -1, output: (e as Error).message };
  }
  if (m.probe) m.probe.execId = s.execId;
  if (m.stopped) { try { ctx.execs.kill(s.execId, 'SIGKILL'); } catch { /* ended */ } }
  const chunks: Buffer[] = [];
  let kept = 0;
  for (const io of [s.stdio[1], s.stdio[2]]) io.on('data', (d: Buffer) => { if (kept < HEALTH_OUTPUT_MAX) { chunks.push(d); kept += d.length; } });
  let timedOut = false;
  let guard: ReturnType<typeof setTimeout> | undefined;
  const killer = setTimeout(() => {
    timedOut = true;
    try { ctx.execs.kill(s.execId, 'SIGKILL'); } catch { /* ended */ }
  }, Math.min(timeoutMs, MAX_DELAY));
  try {
    const status = await Promise.race([s.ended, new Promise<undefined>((res) => { guard = setTimeout(() => res(undefined), Math.min(timeoutMs + KILL_GRACE_MS, MAX_DELAY)); })]);
    if (timedOut || !status) return { exitCode: -1, output: `Health check exceeded timeout (${goDurationString(timeoutMs)})` };
    // what it wrote before it ended may still be on its way
    await Promise.race([Promise.all([s.stdio[1], s.stdio[2]].map((io) => (io.readableEnded || io.destroyed ? undefined : new Promise((res) => { io.once('end', res); io.once('close', res); })))), new Promise((res) => setTimeout(res, 200))]);
    if (status.error) return { exitCode: -1, output: status.error };
    return { exitCode: status.exitCode ?? -1, output: probeOutput(chunks) };
  } finally {
    clearTimeout(killer);
    clearTimeout(guard);
    // a process the probe left behind may hold its output open: not ours to read any more
    for (const io of s.stdio) io.destroy();
    ctx.execs.forget(s.execId);
  }
}
