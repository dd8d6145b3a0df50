// Who the files worker (./worker.ts) makes an editor's change as: the
// container's root (nothing asked: the worker keeps the host's root, as a copy
// does, and gives what it makes to the container's root), or a user of the
// container asked for in Docker's -u forms. That user is looked up in the
// container's own /etc/passwd and /etc/group — read after the chroot, so the
// files are the container's, symlinks and all resolved inside it — its ids
// mapped to the host's through the container's user namespace, and the worker
// becomes it (supplementary groups, then gid, then uid: each step needs the
// privilege the next one drops) before it touches a file. From there the
// kernel checks every open, rename and unlink as it would for that user's
// process in the container, with no capability to override them.
import * as fs from 'fs';
import { invalid } from '../errors';
import { toHostId, type IdMap } from '../lib/idmap';
import { resolveUserFrom } from '../runtime/user';

/** The ids on the host the worker acts with; `root`: the container's root (owners of what it makes are set explicitly). */
export interface Writer { uid: number; gid: number; root: boolean }

/** A passwd or group file larger than this is not one. */
const MAX_ETC = 1 << 20;

/** The container's root's ids on the host: what a new file or directory is owned by when nobody else was asked for. */
export function rootIds(ids: IdMap | undefined): [number, number] {
  const u = toHostId(ids?.uid, 0);
  const g = toHostId(ids?.gid, 0);
  if (u === undefined || g === undefined) throw invalid('the container\'s user namespace maps no root');
  return [u, g];
}

/** One of the container's small files as text (chrooted: its own), null when absent; a fifo or device is never waited on. */
function readEtc(p: string): string | null {
  let fd: number;
  try { fd = fs.openSync(p, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK); } catch { return null; }
  try {
    const st = fs.fstatSync(fd);
    return st.isFile() && st.size <= MAX_ETC ? fs.readFileSync(fd, 'utf8') : null;
  } finally { fs.closeSync(fd); }
}

/**
 * Becomes `user` of the container (absent: stays its root). Called chrooted
 * into the container's root, before anything of the job is opened.
 */
export function becomeWriter(user: string | undefined, ids: IdMap | undefined): Writer {
  if (user === undefined) { const [uid, gid] = rootIds(ids); return { uid, gid, root: true }; }
  const files = { passwd: readEtc('/etc/passwd'), group: readEtc('/etc/group') };
  const u = resolveUserFrom(user, files, (kind, name) => invalid(`${kind} "${name}" not found in the container's /etc/${kind === 'user' ? 'passwd' : 'group'}`), 'user');
  const uid = toHostId(ids?.uid, u.uid);
  const gid = toHostId(ids?.gid, u.gid);
  if (uid === undefined || gid === undefined) throw invalid(`user "${user}" (${u.uid}:${u.gid}) is not mapped in the container's user namespace`);
  // the container's root keeps the worker's powers, as without a user; what it makes gets the group asked for
  if (u.uid === 0) return { uid, gid, root: true };
  // a supplementary group the namespace does not map is one the user has no rights through
  const groups = u.additionalGids.map((g) => toHostId(ids?.gid, g)).filter((g): g is number => g !== undefined);
  // POSIX-only calls, present on Linux (the only system the helper runs on)
  process.setgroups!(groups);
  process.setgid!(gid);
  process.setuid!(uid);
  return { uid, gid, root: false };
}
