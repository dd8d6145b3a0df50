// The root a copy into or out of a container works in (`nscope cp`, the
// files worker: ../../files/): a running container's own, /proc/PID/root
// (its mount namespace: volumes, tmpfs and read-only mounts included), or
// for a stopped one its layers assembled as they would be at start, mounted
// for the copy alone in the daemon's run dir. The container cannot start
// while that mount is up (two overlays on one upper dir are undefined
// behaviour for the kernel): start() asks copyInProgress().
import * as fs from 'fs';
import * as path from 'path';
import { randomBytes } from 'crypto';
import { conflict } from '../../errors';
import type { IdMap } from '../../lib/idmap';
import { isSameProcess } from '../../lib/procinfo';
import { native } from '../../native';
import { parseMountinfo } from '../../lib/mountinfo';
import { emitEvent, layout, paths, type ContainerContext } from './context';
import { topmostOnce } from '../../rootfs/layout';

export interface CopyRoot {
  id: string;
  name: string;
  root: string;
  ids?: IdMap;
  /** unmounts a stopped container's root; after a write, says the container changed */
  release(wrote: boolean): void;
}

const copying = new Map<string, number>();

export function copyInProgress(id: string): boolean { return (copying.get(id) ?? 0) > 0; }

export function copyRoot(ctx: ContainerContext, ref: string): CopyRoot {
  const r = ctx.find(ref);
  const base = { id: r.id, name: r.name, ids: r.idMap };
  if (r.status !== 'exited' && r.pid && isSameProcess(r.pid, r.pidStart)) {
    return { ...base, root: `/proc/${r.pid}/root`, release: () => undefined };
  }
  if (r.status !== 'exited') throw conflict(`container ${r.name} is ${r.status} without a process: try again`);
  const l = layout(ctx, r);
  const mountpoint = path.join(paths(ctx, r).run, `copy-${randomBytes(4).toString('hex')}`);
  const lower = topmostOnce([...(fs.existsSync(l.init) ? [l.init] : []), ...[...l.lower].reverse()]);
  if ([...lower, l.upper, l.work].some((d) => /[:,]/.test(d))) throw conflict(`container ${r.name}: a layer path holds ':' or ','`);
  const options = `lowerdir=${lower.join(':')},upperdir=${l.upper},workdir=${l.work}`;
  if (options.length > 4000) throw conflict(`container ${r.name}: too many layers to assemble for a copy while stopped; start it and copy again`);
  fs.mkdirSync(mountpoint, { recursive: true, mode: 0o700 });
  copying.set(r.id, (copying.get(r.id) ?? 0) + 1);
  try {
    native().mountOverlay(mountpoint, options);
  } catch (e) {
    copying.set(r.id, copying.get(r.id)! - 1);
    fs.rmSync(mountpoint, { recursive: true, force: true });
    throw e;
  }
  let released = false;
  return {
    ...base,
    root: mountpoint,
    release: (wrote) => {
      if (released) return;
      released = true;
      try { native().umount(mountpoint, false); } catch { native().umount(mountpoint, true); }
      fs.rmdirSync(mountpoint);
      const left = copying.get(r.id)! - 1;
      if (left) copying.set(r.id, left); else copying.delete(r.id);
      if (wrote) emitEvent(ctx, 'container.changed', r);
    },
  };
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
