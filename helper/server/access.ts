// The helper runs as root but must not read files for a caller that could
// not read them itself (e.g. `image import /etc/shadow` by a group member).
import * as fs from 'fs';
import * as path from 'path';
import { NscopeError } from '../errors';
import type { PeerCred } from '../native';

/** Opens `file` for the peer: refused unless the peer's uid/groups could read it. Returns an fd. */
export function openForPeer(file: string, peer: PeerCred): number {
  if (typeof file !== 'string') throw new NscopeError('invalid', 'file: no path given');
  if (!file.startsWith('/') || file.includes('\0')) {
    throw new NscopeError('invalid', `file: "${String(file).slice(0, 80)}" must be an absolute path`);
  }
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  } catch (e) {
    throw new NscopeError('not_found', `open ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  const st = fs.fstatSync(fd);
  const ok = st.isFile() && (peer.uid === 0 || (allows(st, peer, 0o4) && searchable(fd, peer)));
  if (!ok) {
    fs.closeSync(fd);
    throw new NscopeError('forbidden', st.isFile() ? `permission denied: uid ${peer.uid} cannot read ${file}` : `${file} is not a regular file`);
  }
  return fd;
}

/** Whether the owner/group/other bits of `st` that apply to the peer include `bit` (4 read, 1 search). */
function allows(st: fs.Stats, peer: PeerCred, bit: number): boolean {
  if (st.uid === peer.uid) return (st.mode & (bit << 6)) !== 0;
  if (st.gid === peer.gid || peer.groups.includes(st.gid)) return (st.mode & (bit << 3)) !== 0;
  return (st.mode & bit) !== 0;
}

/**
 * Whether the peer could have reached the opened file: every directory above
 * the path the kernel resolved (symlinks followed) must be searchable by it,
 * or a 0644 file under a 0700 home would be read for someone who cannot.
 */
function searchable(fd: number, peer: PeerCred): boolean {
  let dir = path.dirname(fs.readlinkSync(`/proc/self/fd/${fd}`));
  for (;;) {
    if (!allows(fs.statSync(dir), peer, 0o1)) return false;
    if (dir === '/') return true;
    dir = path.dirname(dir);
  }
}
