// `remove`: a container's cgroup, directories and id range go, then its record.
import * as fs from 'fs';
import { conflict } from '../../errors';
import { removeShiftedLayers } from '../../rootfs/idmap-copy';
import type { ContainerRecord } from '../record';
import { releaseIdMap } from '../userns';
import { type ContainerContext, dropCgroup, emitEvent, paths } from './context';
import { netContainer } from './network';
import { isPaused, thawAfterSignal } from './pause';
import { wait } from './wait';
import { copyInProgress } from './copy-root';

export async function remove(ctx: ContainerContext, ref: string, force = false, volumes = false): Promise<{ id: string }> {
  const r = ctx.find(ref);
  if (copyInProgress(r.id)) throw conflict(`cannot remove container ${r.name}: a copy into or out of it is in progress`);
  // Docker's words: waiting to be restarted by its policy, it goes only with force
  if (ctx.restarts.pending(r.id) && !force) throw conflict(`You cannot remove a restarting container ${r.id}. Stop the container before attempting removal or force remove`);
  await ctx.restarts.cancel(ctx, r);
  if (r.status !== 'exited') {
    // a created container's init only waits for start: it goes without force, as in Docker and runc
    // Docker's words, which scripts look for
    if (!force && r.status === 'running') {
      throw conflict(isPaused(ctx, r)
        ? `You cannot remove a paused container ${r.id}. Unpause and then stop the container before attempting removal or force remove`
        : `You cannot remove a running container ${r.id}. Stop the container before attempting removal or force remove`);
    }
    const exited = wait(ctx, r.id);
    // the user's kill: its restart policy must not start it again meanwhile
    r.manuallyStopped = true;
    try { process.kill(r.pid!, 'SIGKILL'); } catch { /* gone */ }
    thawAfterSignal(ctx, r);
    await exited;
  }
  // let the exit handling finish first: its events come before "removed"
  await ctx.exits.exiting.get(r.id);
  if (!ctx.records.has(r.id)) return { id: r.id }; // auto-removed meanwhile
  await removeExited(ctx, r, volumes);
  return { id: r.id };
}

/** `volumes` (rm -v), or a --rm container: its anonymous volumes go too (named ones never), as in Docker. */
export async function removeExited(ctx: ContainerContext, r: ContainerRecord, volumes = false): Promise<void> {
  if (!ctx.records.has(r.id)) return;
  ctx.records.delete(r.id);
  // a wait for a next run that will not come (wait next, then rm): answered with the last one
  for (const w of ctx.exits.waiters.get(r.id) ?? []) w(r.exit ?? { exitCode: -1, oomKilled: false, error: 'removed before it ran' });
  ctx.exits.waiters.delete(r.id);
  // nothing, unless its exit handling could not DEL (a helper restarted meanwhile)
  await ctx.net.down(netContainer(ctx, r));
  await dropCgroup(ctx, r);
  // nothing, unless its exit was never seen (it holds no volume mount once it is gone)
  ctx.volumes.release(r.id);
  const p = paths(ctx, r);
  // in libuv's threads: a big rw layer must not hold up other requests
  await Promise.all([p.dir, p.run].map((d) => fs.promises.rm(d, { recursive: true, force: true })));
  if (r.idMap) await removeShiftedLayers(ctx.root, r.idMap);
  releaseIdMap(r.idMap);
  emitEvent(ctx, 'container.removed', r);
  if (volumes || r.autoRemove) removeAnonymousVolumes(ctx, r);
}

function removeAnonymousVolumes(ctx: ContainerContext, r: ContainerRecord): void {
  for (const v of r.volumes ?? []) {
    // an anonymous volume that another container mounts by its name stays
    if (!v.anonymous || ctx.volumes.users(v.name).length) continue;
    try { ctx.volumes.destroy(v.name); } catch (e) { process.stderr.write(`nscope: warning: ${(e as Error).message}\n`); }
  }
}
