// Mounting a volume that has driver options onto its _data directory, and
// taking it down again. As moby's local driver: the mount is made when the
// first container that uses the volume gets its process (here at create, and
// at each start of an exited one: the init sets up its mounts before it waits
// for `start`), and undone when the last such process is gone, so a tmpfs
// volume's content lasts as long as some container using it runs.
//
// mount(8) makes it (the addon has no general mount; libmount also applies
// ro/nosuid/nodev to a bind in a second step, as moby's mount package does),
// with -i (no /sbin/mount.TYPE helper is run), -n, no canonicalization, a
// fixed PATH and nothing of the helper's environment. It runs synchronously:
// nothing else of the helper's can act on the volume in between.
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import { NscopeError } from '../errors';
import { parseMountinfo, type MountEntry } from '../lib/mountinfo';
import { native } from '../native';
import type { MountPlan } from './driver-options';

const ENV = { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LC_ALL: 'C' };

function mounts(): MountEntry[] {
  return parseMountinfo(fs.readFileSync('/proc/self/mountinfo', 'utf8'));
}

/** The mountinfo path of `p` (symlinks above it resolved, as the kernel shows it). */
function real(p: string): string {
  try { return fs.realpathSync(p); } catch { return p; }
}

/** The mounts at `dir` itself, topmost last. */
export function mountsAt(dir: string): MountEntry[] {
  const r = real(dir);
  return mounts().filter((m) => m.mountPoint === r);
}

/** Every mount at or below `dir`, deepest first (the order to unmount them in). */
export function mountsUnder(dir: string): MountEntry[] {
  const r = real(dir);
  return mounts().filter((m) => m.mountPoint === r || m.mountPoint.startsWith(`${r}/`)).reverse();
}

/**
 * Mounts `plan` on `target`, then checks that what the kernel shows is what
 * was asked (ro, nosuid, nodev, noexec): anything else is taken down again
 * and the error says why. A failed mount leaves nothing mounted.
 */
export function mountVolume(name: string, plan: MountPlan, target: string): void {
  const before = mountsAt(target).length;
  const args = ['-i', '-n', '--no-canonicalize', '-t', plan.type, '-o', plan.options.join(','), '--', plan.device, target];
  try {
    execFileSync('mount', args, { env: ENV, stdio: ['ignore', 'pipe', 'pipe'], timeout: 20_000, encoding: 'utf8' });
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    unmountDown(target, before);
    const why = (err.stderr || err.message).trim().split('\n').filter(Boolean).pop() ?? 'failed';
    throw new NscopeError('failed', `volume ${name}: mounting ${plan.type} ${plan.device} failed: ${why.slice(0, 300)}`);
  }
  const top = mountsAt(target).slice(before).pop();
  const want = plan.options.filter((o) => ['ro', 'nosuid', 'nodev', 'noexec'].includes(o));
  const missing = top ? want.filter((o) => !top.mountOptions.includes(o)) : want;
  if (!top || missing.length) {
    unmountDown(target, before);
    throw new NscopeError('failed', `volume ${name}: the ${plan.type} mount ${top ? `came up without ${missing.join(', ')}` : 'did not appear'}; taken down again`);
  }
}

/** True when `target` has a mount of its own. */
export function isMounted(target: string): boolean {
  return mountsAt(target).length > 0;
}

/**
 * Takes every mount at `target` down (stacked ones too, from a helper that
 * died between a mount and its record); a busy one is detached. Returns what
 * could not be unmounted.
 */
export function unmountAll(target: string): string[] {
  return unmountDown(target, 0);
}

/** Unmounts at `target` until `keep` mounts are left there; what failed, as messages. */
function unmountDown(target: string, keep: number): string[] {
  const failed: string[] = [];
  for (let i = 0; i < 16 && mountsAt(target).length > keep; i++) {
    try { native().umount(target, false); } catch {
      try { native().umount(target, true); } catch (e) { failed.push((e as Error).message); break; }
    }
  }
  return failed;
}
