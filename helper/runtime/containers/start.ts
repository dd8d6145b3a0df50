// `start`: releases a created container's init; an exited one gets a new init first.
import * as fs from 'fs';
import { conflict, notFound } from '../../errors';
import { readJson } from '../../lib/atomic';
import { procStartTime } from '../../lib/procinfo';
import { releaseFifo } from '../fifo';
import { containerResources } from '../limits';
import type { ContainerRecord } from '../record';
import type { Spec } from '../spec';
import { type ContainerContext, emitEvent, layout, paths, save } from './context';
import { copyInProgress } from './copy-root';
import { giveToUserns, spawn } from './create';
import { onExit } from './exit';
import { startHealth } from './health';
import { netContainer } from './network';
import { remove } from './remove';
import { execFailureCode, recordExecFailure } from './exec-failure';

/** The starts under way, by container id: a second start while one is (two clients, a restart policy) joins it. */
const starting = new Map<string, Promise<{ id: string }>>();

/** `auto`: the daemon's restart by policy (restart.ts); else the user's start, which begins the policy afresh. */
export async function start(ctx: ContainerContext, ref: string, opts: { auto?: boolean } = {}): Promise<{ id: string }> {
  const r = ctx.find(ref);
  // two at once would both see "created": the second's network (eth0 exists) and fifo (gone) fail with
  // the plumbing's words, as Docker's would not (its start of a running container does nothing)
  const under = starting.get(r.id);
  if (under) return under;
  const p = startOnce(ctx, r, opts).catch((e) => {
    // removed under it (rm -f): say so, not the ENOENT of the fifo or the netns it was taking (an --rm
    // container whose start failed is removed by the start itself: its own error is the one to tell)
    if (!ctx.records.has(r.id) && !r.autoRemove) throw conflict(`container ${r.name} was removed while it was being started`);
    throw e;
  }).finally(() => starting.delete(r.id));
  starting.set(r.id, p);
  return p;
}

/**
 * Waits for a start under way (at most `ms`: a start stuck in a hook must not hold up rm -f, the way
 * out of it): a kill, stop or rm that comes meanwhile then acts on a container that has started,
 * as Docker's do under its container lock, instead of pulling the init out from under the start.
 */
export async function startSettled(ctx: ContainerContext, ref: string, ms = 10_000): Promise<void> {
  let id: string;
  try { id = ctx.find(ref).id; } catch { return; } // the caller says "No such container"
  const under = starting.get(id);
  if (!under) return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([under.catch(() => undefined), new Promise((r) => { timer = setTimeout(r, ms); })]);
  clearTimeout(timer);
}

async function startOnce(ctx: ContainerContext, r: ContainerRecord, opts: { auto?: boolean }): Promise<{ id: string }> {
  if (r.status === 'running') return { id: r.id };
  if (!opts.auto) {
    await ctx.restarts.cancel(ctx, r);
    // a restart that was already under way has started it
    if ((r.status as ContainerRecord['status']) === 'running') return { id: r.id };
    // as Docker's: a start by the user resets RestartCount and forgets the last stop
    r.restartCount = 0;
    r.manuallyStopped = false;
  }
  if (copyInProgress(r.id)) throw conflict(`container ${r.name}: a copy into or out of it is in progress; start it when it is done`);
  if (r.status === 'exited') {
    try {
      await recreate(ctx, r);
    } catch (e) {
      // as Docker's daemon: an auto-removed container whose start failed goes (a program not found included)
      if (r.autoRemove && ctx.records.has(r.id)) await remove(ctx, r.id, true).catch(() => undefined);
      throw e;
    }
  }
  // its network before its program: the init waits on the fifo until then
  if (r.network && r.status === 'created') {
    try {
      await ctx.net.up(netContainer(ctx, r), r.pid!, r.network);
    } catch (e) {
      // as Docker's daemon: an auto-removed container whose start failed goes; another stays created
      if (r.autoRemove) await remove(ctx, r.id, true).catch(() => undefined);
      throw e;
    }
  }
  const startedAt = new Date().toISOString();
  ctx.exits.starting.set(r.id, startedAt);
  try {
    await releaseFifo(paths(ctx, r).fifo, r.pid!, r.pidStart);
  } finally {
    ctx.exits.starting.delete(r.id);
  }
  if (r.status === 'created') {
    r.status = 'running';
    r.restarting = false;
    r.startedAt = startedAt;
    startHealth(ctx, r);
    save(ctx, r);
    emitEvent(ctx, 'container.started', r);
  }
  return { id: r.id };
}

/**
 * `start` of an exited container, as in Docker: the same rw layer, config
 * and log, a new init. Its cgroup went at the exit; it is made again with
 * the limits the container has now (`update` included).
 */
async function recreate(ctx: ContainerContext, r: ContainerRecord): Promise<void> {
  await ctx.exits.exiting.get(r.id); // the previous exit's clean-up first
  if (!ctx.records.has(r.id)) throw notFound(`No such container: ${r.id}`);
  if (r.status !== 'exited') return;
  const p = paths(ctx, r);
  const spec = readJson<Spec>(p.config);
  if (!spec) throw conflict(`container ${r.name} cannot be started again: its config.json is missing`);
  for (const f of [p.exit, p.pid, p.fifo, p.ctl, p.plan]) fs.rmSync(f, { force: true });
  // an --rm container kept by a create whose program could not be executed: its overlay was volatile, and
  // the kernel refuses that work dir again (work/incompat/volatile) until it is made afresh
  if (r.autoRemove) {
    const work = layout(ctx, r).work;
    fs.rmSync(work, { recursive: true, force: true });
    fs.mkdirSync(work, { mode: 0o755 });
  }
  const cg = ctx.cgroups.create(r.cgroupRel, containerResources(r.limits, spec.linux?.resources));
  try {
    if (r.idMap) giveToUserns(ctx, r, cg);
    // a volume that is a mount (driver options) went down with its last user's exit: up again before the init binds it
    for (const v of r.volumes ?? []) ctx.volumes.acquire(v.name, r.id);
    // made again: the tmpfs it was on may have gone with a reboot
    const shim = await spawn(ctx, r, spec, cg);
    Object.assign(r, { status: 'created', pid: shim.pid, pidStart: procStartTime(shim.pid) ?? undefined, shimPid: shim.shimPid, rootSwitch: shim.method });
    delete r.exit;
    delete r.finishedAt;
    save(ctx, r);
    void shim.exited.then(() => onExit(ctx, r.id));
  } catch (e) {
    ctx.volumes.release(r.id);
    await cg.destroy().catch(() => undefined);
    // its program could not be executed: Docker's ExitCode (127, 126) and State.Error, the container left as it was
    const code = execFailureCode((e as Error).message);
    if (code) recordExecFailure(ctx, r, code, (e as Error).message);
    throw e;
  }
}
