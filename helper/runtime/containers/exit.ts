// A container's exit: noticing it (the shim's promise, the exit file
// appearing, a sweep for dead inits), its status and events, waiters, and
// the clean-up after it.
import * as fs from 'fs';
import { readJson } from '../../lib/atomic';
import { isSameProcess } from '../../lib/procinfo';
import type { ExitStatus } from '../../protocol/types';
import type { ContainerRecord } from '../record';
import { cgroup, type ContainerContext, dropCgroup, emitEvent, paths, save } from './context';
import { stopHealth } from './health';
import { netContainer } from './network';
import { removeExited } from './remove';

export function onExit(ctx: ContainerContext, id: string): Promise<void> {
  const pending = ctx.exits.exiting.get(id);
  if (pending) return pending;
  const r = ctx.records.get(id);
  if (!r || r.status === 'exited') return Promise.resolve();
  const done = handleExit(ctx, r).finally(() => ctx.exits.exiting.delete(id));
  ctx.exits.exiting.set(id, done);
  return done;
}

async function handleExit(ctx: ContainerContext, r: ContainerRecord): Promise<void> {
  const id = r.id;
  // no probe from now on (one running is killed; it ends with the container anyway)
  void stopHealth(ctx, id);
  const p = paths(ctx, r);
  const file = readJson<{ exitCode: number; signal: number; finishedAt: string; error?: string }>(p.exit);
  let oomKills = 0;
  const cg = cgroup(ctx, r);
  try { oomKills = cg.oomKills(); } catch { /* gone */ }
  const oomKilled = oomKills > 0;
  const exit: ExitStatus = file
    ? { exitCode: file.exitCode, signal: file.signal || undefined, oomKilled, finishedAt: file.finishedAt, error: file.error }
    : { exitCode: 255, oomKilled, finishedAt: new Date().toISOString(), error: 'the container\'s monitor was lost; exit status unknown' };
  ctx.exits.watchers.get(id)?.close();
  ctx.exits.watchers.delete(id);
  // only a run that started goes again by its policy (not an init that died before `start`)
  // (or one whose start is under way: a program that ends at once can be handled before start() marks it running)
  const startingAt = ctx.exits.starting.get(id);
  if (startingAt && r.status === 'created') { r.startedAt = startingAt; r.restarting = false; }
  const ran = (r.status === 'running' || startingAt) && r.startedAt ? Math.max(0, Date.parse(exit.finishedAt ?? '') - Date.parse(r.startedAt)) || 0 : undefined;
  r.status = 'exited';
  r.exit = exit;
  r.finishedAt = exit.finishedAt;
  // before the waiters: a `run` that returned has left no mount of a volume it alone held (a tmpfs volume's content is gone, as in Docker)
  ctx.volumes.release(id);
  // Waiters first, and their replies written before anything else: the
  // rest is not on the user's critical path. (A crash before the save
  // below is fine: recover() finds the exit file again.)
  for (const w of ctx.exits.waiters.get(id) ?? []) w(exit);
  ctx.exits.waiters.delete(id);
  await new Promise((res) => setImmediate(res));
  try { fs.unlinkSync(p.fifo); } catch { /* started */ }
  // an auto-removed container's state is about to go with its directory
  if (!r.autoRemove) save(ctx, r);
  if (oomKilled) emitEvent(ctx, 'container.oom', r);
  emitEvent(ctx, 'container.exited', r, { exitCode: exit.exitCode });
  await ctx.net.down(netContainer(ctx, r));
  // Whatever the init left behind (processes outside its PID namespace) goes with the cgroup.
  if (r.autoRemove) await removeExited(ctx, r).catch(() => undefined);
  else await dropCgroup(ctx, r);
  if (ran !== undefined && ctx.records.has(id)) ctx.restarts.afterExit(ctx, r, ran);
}

/** A recovered container that has not exited as far as its record says: its exit, if it came meanwhile, or a watch for it. */
export function watchRecovered(ctx: ContainerContext, r: ContainerRecord): void {
  if (fs.existsSync(paths(ctx, r).exit) || !isSameProcess(r.pid, r.pidStart)) void onExit(ctx, r.id);
  else watchExit(ctx, r);
}

/** For containers we did not spawn in this process: their exit file appearing. */
function watchExit(ctx: ContainerContext, r: ContainerRecord) {
  const p = paths(ctx, r);
  try {
    const w = fs.watch(p.dir, (_ev, file) => { if (file === 'exit.json') void onExit(ctx, r.id); });
    w.on('error', () => { /* dir removed */ });
    ctx.exits.watchers.set(r.id, w);
  } catch { /* dir gone */ }
  if (fs.existsSync(p.exit)) void onExit(ctx, r.id);
}

/** A monitor that was killed writes no exit file: notice dead inits too. */
export function sweepDeadInits(ctx: ContainerContext): void {
  ctx.exits.sweeper = setInterval(() => {
    for (const r of ctx.records.values()) {
      if (r.status !== 'exited' && ctx.exits.watchers.has(r.id) && !isSameProcess(r.pid, r.pidStart)) void onExit(ctx, r.id);
    }
  }, 1000);
  ctx.exits.sweeper.unref();
}

export function stopWatching(ctx: ContainerContext): void {
  for (const w of ctx.exits.watchers.values()) w.close();
  ctx.exits.watchers.clear();
  if (ctx.exits.sweeper) clearInterval(ctx.exits.sweeper);
}
