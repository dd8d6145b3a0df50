// What every lifecycle verb (create.ts, start.ts, exit.ts, stop.ts,
// remove.ts, ...) works over: the container records, where they live, the
// cgroup driver and the event stream. ContainerManager (../manager.ts) makes
// one and hands it to each verb.
import type { EventEmitter } from 'events';
import type * as fs from 'fs';
import * as path from 'path';
import type { Cgroup, CgroupDriver } from '../../cgroups/types';
import type { ImageStore } from '../../images/store';
import type { ExitStatus, NscopeEvent } from '../../protocol/types';
import { writeJsonAtomic } from '../../lib/atomic';
import { rootfsLayout } from '../../rootfs/layout';
import type { Networking } from '../../network/networking';
import type { ExecSessions } from '../exec';
import type { ContainerCgroupMount } from '../plan';
import { containerPaths, type ContainerRecord } from '../record';
import type { RunDir } from '../run-dir';
import type { VolumeStore } from '../../volumes/store';
import type { ShimStandby } from '../shim-standby';
import type { Restarts } from './restart';
import type { HealthMonitors } from './health';

export interface ContainerContext {
  /** the daemon's state root */
  readonly root: string;
  /** <root>/containers: a directory per container */
  readonly dir: string;
  readonly run: RunDir;
  readonly records: Map<string, ContainerRecord>;
  readonly images: ImageStore;
  readonly cgroups: CgroupDriver;
  /** parent of every container's cgroup, e.g. "nscope" */
  readonly cgroupParent: string;
  /** the host's cgroup hierarchies as containers mount them (the mount table does not change under us) */
  readonly cgroupMounts: ContainerCgroupMount[];
  readonly execs: ExecSessions;
  /** CNI networks: ADD at start, DEL at exit (../../network/networking.ts) */
  readonly net: Networking;
  /** where container.* and image.* events go (the ContainerManager) */
  readonly events: EventEmitter;
  /** By full id, unique id prefix, or name (ContainerManager.find). */
  find(ref: string): ContainerRecord;
  readonly exits: {
    readonly waiters: Map<string, ((s: ExitStatus) => void)[]>;
    readonly watchers: Map<string, fs.FSWatcher>;
    /** exit handling in progress (events, state, clean-up), by container id */
    readonly exiting: Map<string, Promise<void>>;
    /**
     * containers being started (their exec fifo released, by id, with the
     * time): a program that ends at once is handled before start() has
     * marked it running, and its run still counts (for its restart policy)
     */
    readonly starting: Map<string, string>;
    sweeper?: NodeJS.Timeout;
  };
  /**
   * --userns=auto: idmap the image layers (Linux >= 5.19), or (false) give
   * each range shifted copies. NSCOPE_USERNS_IDMAP=0 asks for copies.
   */
  idmapLayers: boolean;
  readonly volumes: VolumeStore;
  /** where lxcfs is mounted, and whether containers get it without --lxcfs (the helper's --lxcfs) */
  readonly lxcfs: { dir: string; byDefault: boolean };
  /** restart policies' pending restarts and back-off (./restart.ts) */
  readonly restarts: Restarts;
  /** the shim spawned ahead of the next create (../shim-standby.ts) */
  readonly shims: ShimStandby;
  /** running containers' health check monitors (./health.ts) */
  readonly health: HealthMonitors;
}

export function pathsOf(ctx: ContainerContext, id: string, ephemeral = false) {
  return containerPaths(path.join(ctx.dir, id), path.join(ctx.run.path, id), ephemeral);
}
export function paths(ctx: ContainerContext, r: ContainerRecord) { return pathsOf(ctx, r.id, r.autoRemove); }
export function layout(ctx: ContainerContext, r: ContainerRecord) { const p = paths(ctx, r); return rootfsLayout(ctx.root, p.dir, r.layers, p.run); }
export function save(ctx: ContainerContext, r: ContainerRecord) { writeJsonAtomic(paths(ctx, r).state, r); }
export function emitEvent(ctx: ContainerContext, type: NscopeEvent['type'], r: ContainerRecord, extra: Partial<NscopeEvent> = {}) {
  const ev: NscopeEvent = { type, id: r.id, name: r.name, time: new Date().toISOString(), ...extra };
  ctx.events.emit('event', ev);
}
/**
 * The container's cgroup. Its parent ("nscope") stays while the daemon runs
 * (making it again costs a mkdir per hierarchy and the cpuset set-up on
 * every create) and goes in close() if empty.
 */
export function cgroup(ctx: ContainerContext, r: ContainerRecord): Cgroup { return ctx.cgroups.open(r.cgroupRel); }

/** Destroys the container's cgroup (its processes killed), then the parents its --cgroup-parent made, where empty. */
export async function dropCgroup(ctx: ContainerContext, r: ContainerRecord): Promise<void> {
  await cgroup(ctx, r).destroy().catch(() => undefined);
  for (const rel of [...(r.cgroupParentsMade ?? [])].reverse()) {
    try { ctx.cgroups.pruneEmpty(rel); } catch { /* another container's still */ }
  }
}
