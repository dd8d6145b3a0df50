// The root a copy into or out of a container works in (`nscope cp`, the
// files worker: ../../files/): a running container's own, /proc/PID/root
// (its mount namespace: volumes, tmpfs and read-only mounts included), or
// for a stopped one its layers assembled as they would be at start, mounted
// for the copy alone in the daemon's run dir. The container cannot start
// while that mount is up (two overlays on one upper dir are undefined
// behaviour for the kernel): start() asks copyInProgress(). `rootfsOnly`
// (export): a running container's overlay without what is mounted over it
// (/proc, /dev, volumes), a read-only clone nscope-shim attaches in the run
// dir (native/shim/roottree.c): what Docker exports of a running container.
import * as fs from 'fs';
import * as path from 'path';
import { spawnSync } from 'child_process';
import { randomBytes } from 'crypto';
import { conflict, NscopeError } from '../../errors';
import type { IdMap } from '../../lib/idmap';
import { isSameProcess } from '../../lib/procinfo';
import { native, shimPath } from '../../native';
import type { ContainerRecord } from '../record';
import { parseMountinfo } from '../../lib/mountinfo';
import { emitEvent, layout, paths, type ContainerContext } from './context';
import { topmostOnce } from '../../rootfs/layout';
import { readJson } from '../../lib/atomic';
import type { Spec } from '../spec';

export interface CopyRoot {
  id: string;
  name: string;
  root: string;
  ids?: IdMap;
  /**
   * A running container's mount points (but its root), as paths in it: the
   * files worker edits through /proc/PID/root from the helper's mount
   * namespace, where the kernel would let a rename or an unlink take a
   * volume's or /etc/hosts' mount away instead of answering EBUSY.
   */
  mounts?: string[];
  /** unmounts a stopped container's root; after a write, says the container changed */
  release(wrote: boolean): void;
}

/** The mount points of process `pid`'s mount namespace, as paths under its root (its own root left out). */
function mountPointsOf(pid: number): string[] {
  let text = '';
  try { text = fs.readFileSync(`/proc/${pid}/mountinfo`, 'utf8'); } catch { return []; }
  return [...new Set(parseMountinfo(text).map((m) => m.mountPoint).filter((m) => m.startsWith('/') && m !== '/'))];
}

const copying = new Map<string, number>();

export function copyInProgress(id: string): boolean { return (copying.get(id) ?? 0) > 0; }

/**
 * `write`: the copy writes (cp into it, the files views' edits). A running container's own root
 * answers EROFS where it is read-only; a stopped --read-only one is refused here, in Docker's
 * words (its copy root is the layers alone, where nothing of the container says read-only).
 */
export function copyRoot(ctx: ContainerContext, ref: string, o: { rootfsOnly?: boolean; write?: boolean } = {}): CopyRoot {
  const r = ctx.find(ref);
  const base = { id: r.id, name: r.name, ids: r.idMap };
  const running = r.status !== 'exited' && r.pid && isSameProcess(r.pid, r.pidStart);
  if (running && !o.rootfsOnly) return { ...base, root: `/proc/${r.pid}/root`, mounts: mountPointsOf(r.pid!), release: () => undefined };
  if (!running && r.status !== 'exited') throw conflict(`container ${r.name} is ${r.status} without a process: try again`);
  if (!running && o.write && readJson<Spec>(paths(ctx, r).config)?.root?.readonly) throw conflict(`container ${r.name}: container rootfs is marked read-only`);
  const mountpoint = path.join(paths(ctx, r).run, `copy-${randomBytes(4).toString('hex')}`);
  if (running) return { ...base, root: mountpoint, release: held(ctx, r, mountpoint, () => cloneRunningRoot(r.pid!, mountpoint, r.name)) };
  const l = layout(ctx, r);
  const lower = topmostOnce([...(fs.existsSync(l.init) ? [l.init] : []), ...[...l.lower].reverse()]);
  if ([...lower, l.upper, l.work].some((d) => /[:,]/.test(d))) throw conflict(`container ${r.name}: a layer path holds ':' or ','`);
  const options = `lowerdir=${lower.join(':')},upperdir=${l.upper},workdir=${l.work}`;
  if (options.length > 4000) throw conflict(`container ${r.name}: too many layers to assemble for a copy while stopped; start it and copy again`);
  return { ...base, root: mountpoint, release: held(ctx, r, mountpoint, () => native().mountOverlay(mountpoint, options)) };
}

/**
 * Makes `mountpoint` and mounts on it with `mount`, counted as a copy in
 * progress (the container does not start meanwhile: a clone keeps its
 * overlay's superblock, a layers mount its upper dir); returns the release.
 */
function held(ctx: ContainerContext, r: ContainerRecord, mountpoint: string, mount: () => void): (wrote: boolean) => void {
  fs.mkdirSync(mountpoint, { recursive: true, mode: 0o700 });
  copying.set(r.id, (copying.get(r.id) ?? 0) + 1);
  try {
    mount();
  } catch (e) {
    copying.set(r.id, copying.get(r.id)! - 1);
    fs.rmSync(mountpoint, { recursive: true, force: true });
    throw e;
  }
  let released = false;
  return (wrote) => {
    if (released) return;
    released = true;
    try { native().umount(mountpoint, false); } catch { native().umount(mountpoint, true); }
    fs.rmdirSync(mountpoint);
    const left = copying.get(r.id)! - 1;
    if (left) copying.set(r.id, left); else copying.delete(r.id);
    if (wrote) emitEvent(ctx, 'container.changed', r);
  };
}

/** A running container's overlay alone, read-only, at `mountpoint` (nscope-shim root-tree). */
function cloneRunningRoot(pid: number, mountpoint: string, name: string): void {
  const r = spawnSync(shimPath(), ['root-tree', String(pid), mountpoint], { encoding: 'utf8', timeout: 10_000 });
  if (r.status !== 0) {
    const why = (r.stderr || r.error?.message || `exit ${r.status ?? r.signal}`).trim().split('\n').pop();
    throw new NscopeError('failed', `container ${name}: its root filesystem could not be cloned for the copy: ${why}`);
  }
}

/** Unmounts the copy mounts (`<run>/<id>/copy-XXXXXXXX`) a helper that died mid-copy left behind. */
export function unmountStaleCopies(runPath: string): void {
  let text = '';
  try { text = fs.readFileSync('/proc/self/mountinfo', 'utf8'); } catch { return; }
  for (const m of parseMountinfo(text).reverse()) {
    if (!m.mountPoint.startsWith(`${runPath}/`) || !/\/copy-[0-9a-f]{8}$/.test(m.mountPoint)) continue;
    try { native().umount(m.mountPoint, true); fs.rmdirSync(m.mountPoint); } catch { /* gone */ }
  }
}
