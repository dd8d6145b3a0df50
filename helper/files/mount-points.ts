// The files worker reaches a running container's tree through /proc/PID/root
// from the helper's mount namespace, where the container's mounts are not
// "local": the kernel lets a rename or an unlink there go through a volume's
// or a bind mount's mount point (/etc/hosts, /data) and detaches the mount in
// the container, instead of answering EBUSY as it does inside. So the worker
// checks against the container's mount points, read by the helper from
// /proc/PID/mountinfo (../runtime/containers/copy-root.ts) as paths in the
// container, which are the paths the worker sees after its chroot.
import { NscopeError } from '../errors';

/** Whether `p` (a resolved path in the container) is where something is mounted. */
export function isMountPoint(mounts: string[] | undefined, p: string): boolean {
  return !!mounts?.includes(p);
}

/** A mount point at `p` or below it, if any (a folder removed or moved would take it along). */
export function mountAtOrBelow(mounts: string[] | undefined, p: string): string | undefined {
  if (!mounts) return undefined;
  if (mounts.includes(p)) return p;
  return mounts.filter((m) => m.startsWith(`${p}/`)).sort()[0];
}

/** The refusal for changing `shown` where `at` is mounted. */
export function mountRefusal(shown: string, at: string, what: string): NscopeError {
  const where = at === shown ? `${shown} is` : `${shown} holds ${at}, which is`;
  return new NscopeError('conflict', `${where} a mount point in the container (a volume, a bind mount, a tmpfs or one of /etc/hosts, /etc/hostname, /etc/resolv.conf): not ${what}`);
}
