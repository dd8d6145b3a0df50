// The helper runs as root but must not read files for a caller that could
// not read them itself (e.g. `image import /etc/shadow` by a group member).
import * as fs from 'fs';
import { NscopeError } from '../errors';
import type { PeerCred } from '../native';

/** Opens `file` for the peer: refused unless the peer's uid/groups could read it. Returns an fd. */
export function openForPeer(file: string, peer: PeerCred): number {
  if (typeof file !== 'string' || !file.startsWith('/') || file.includes('\0')) {
    throw new NscopeError('invalid', `file: "${String(file).slice(0, 80)}" must be an absolute path`);
  }
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  } catch (e) {
    throw new NscopeError('not_found', `open ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  const st = fs.fstatSync(fd);
  const ok = (() => {
    if (!st.isFile()) return false;
    if (peer.uid === 0) return true;
    if (st.uid === peer.uid) return (st.mode & 0o400) !== 0;
    if (st.gid === peer.gid || peer.groups.includes(st.gid)) return (st.mode & 0o040) !== 0;
    return (st.mode & 0o004) !== 0;
  })();
  if (!ok) {
    fs.closeSync(fd);
    throw new NscopeError('forbidden', st.isFile() ? `permission denied: uid ${peer.uid} cannot read ${file}` : `${file} is not a regular file`);
  }
  return fd;
}
