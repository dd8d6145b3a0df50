// The daemon's start and stop: every container on disk found again and
// reconciled (`recover`), and what goes when the daemon closes.
import * as fs from 'fs';
import * as path from 'path';
import { readJson } from '../../lib/atomic';
import { procStartTime } from '../../lib/procinfo';
import { thawCgroup } from '../../rootfs/commit-freeze';
import type { ContainerRecord } from '../record';
import type { Spec } from '../spec';
import { reserveAgain } from '../userns';
import { type ContainerContext, pathsOf } from './context';
import { makeRunDir } from './create';
import { stopWatching, sweepDeadInits, watchRecovered } from './exit';
import { closeHealth, startHealth } from './health';
import { netContainer } from './network';
import { freezeMarker } from './views';
import { unmountStaleCopies } from './copy-root';
import { neverStarted } from './exec-failure';

/** Finds every container on disk again (after a restart or kill -9) and reconciles its state. */
export function recover(ctx: ContainerContext): void {
  // a copy's overlay left mounted by a helper that died mid-copy: down before anything below is removed
  unmountStaleCopies(ctx.run.path);
  const ids = new Set(fs.readdirSync(ctx.dir));
  // runtime dirs of containers that are gone (removed while the helper was down)
  for (const id of fs.readdirSync(ctx.run.path)) if (!ids.has(id) && !id.startsWith('.')) fs.rmSync(path.join(ctx.run.path, id), { recursive: true, force: true });
  const live: ContainerRecord[] = [];
  for (const id of ids) {
    // one container's broken state must not keep the daemon (and every other container) down
    try {
      const r = recoverOne(ctx, id);
      if (r) live.push(r);
    } catch (e) {
      process.stderr.write(`nscope: container ${id}: not recovered: ${(e as Error).message}\n`);
    }
  }
  // every container with a process holds its volumes' mounts again before any exit found now releases
  // one; a mount no such container holds (its user ended while the helper was down) goes
  ctx.volumes.unmountUnheld();
  for (const r of live) {
    watchRecovered(ctx, r);
    // as Docker's daemon at its start: a running container's health check starts over
    if (r.status === 'running') startHealth(ctx, r);
  }
  sweepDeadInits(ctx);
}

/**
 * One container dir found again: dropped if its create never finished, else
 * its state reconciled. Returns it if it has a process as far as its record
 * says (the caller watches for its exit, once every container is known).
 */
function recoverOne(ctx: ContainerContext, id: string): ContainerRecord | undefined {
  // an auto-removed container's state is on the tmpfs
  const ephemeral = fs.existsSync(pathsOf(ctx, id, true).config);
  const p = pathsOf(ctx, id, ephemeral);
  const r = readJson<ContainerRecord>(p.state);
  // (one kept by a create whose program could not be executed has no process, and is no half-made one)
  if (!r?.pid && !(r?.status === 'exited' && r.exit)) {
    // The helper died while creating it (state.json is first written once
    // the shim reports "ok"): kill what may have started, drop the rest.
    // config.json, written before anything else, names its cgroup.
    const cgroupsPath = readJson<Spec>(p.config)?.linux?.cgroupsPath;
    // init.pid, its run dir too, may be missing: a kill -9 mid-create, or mid-removal of an --rm one
    let pid = 0;
    try { pid = Number(fs.readFileSync(p.pid, 'utf8')) || 0; } catch { /* none written */ }
    if (pid && procStartTime(pid) !== null) { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } }
    const gone = cgroupsPath ? ctx.cgroups.open(cgroupsPath).destroy().catch(() => undefined) : Promise.resolve();
    void gone.then(() => { for (const d of [p.dir, p.run]) fs.rmSync(d, { recursive: true, force: true }); });
    return undefined;
  }
  ctx.records.set(r.id, r);
  if (r.idMap) reserveAgain(r.idMap, p.dir);
  // after a reboot the tmpfs is empty: the init layer and mount point come back
  if (!fs.existsSync(p.run)) makeRunDir(ctx, r);
  // a commit that froze it did not live to thaw it
  if (fs.existsSync(freezeMarker(ctx, r.id))) {
    try { thawCgroup(`/${r.cgroupRel}`, ctx.cgroups.version); } catch { /* no cgroup any more */ }
    fs.rmSync(freezeMarker(ctx, r.id), { force: true });
  }
  // networks: DEL for one that exited, CHECK for one that runs (one that died meanwhile gets DEL from its exit handling)
  ctx.net.recover(netContainer(ctx, r), r.status !== 'exited');
  // as Docker's daemon at its start: `always` containers (and the others their policy restarts) come back
  // (not one that never started: Docker's daemon brings back what ran)
  if (r.status === 'exited') { if (!neverStarted(r)) ctx.restarts.afterExit(ctx, r, 0, true); return undefined; }
  for (const v of r.volumes ?? []) ctx.volumes.hold(v.name, r.id);
  return r;
}

export async function close(ctx: ContainerContext): Promise<void> {
  stopWatching(ctx);
  await closeHealth(ctx);
  ctx.restarts.close();
  ctx.shims.close();
  // exits being handled finish first (an --rm container's removal, its network's teardown):
  // stopping half-way would leave its cgroup and veth for the next start to find
  const pending = [...ctx.exits.exiting.values()];
  if (pending.length) await Promise.race([Promise.allSettled(pending), new Promise((r) => setTimeout(r, 10_000).unref())]);
  // running containers keep their cgroups (and so the parent): only an empty parent goes
  try { ctx.cgroups.pruneEmpty(ctx.cgroupParent); } catch { /* still in use */ }
  // Their monitors write exit files on the tmpfs: it stays while any runs.
  // Without one, it goes; the next start rebuilds what stopped ones need.
  if (![...ctx.records.values()].some((r) => r.status !== 'exited')) ctx.run.release();
}
