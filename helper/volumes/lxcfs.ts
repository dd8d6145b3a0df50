// lxcfs (a FUSE file system on the host) serves /proc files computed from
// the cgroup of the process that reads them: bound over the container's own
// /proc/meminfo, /proc/cpuinfo, …, `free` and `nproc` show the container's
// limits instead of the host's. nscope only binds what lxcfs serves; lxcfs
// itself is the host's (Debian's `lxcfs` package, or one started by hand).
import * as fs from 'fs';
import * as path from 'path';
import { NscopeError } from '../errors';
import { parseMountinfo } from '../lib/mountinfo';
import type { Mount } from '../runtime/spec';

export const DEFAULT_LXCFS_DIR = '/var/lib/lxcfs';

/** What LXD and Kubernetes' lxcfs admission setups bind, relative to the lxcfs mount. */
export const LXCFS_FILES = [
  'proc/cpuinfo', 'proc/meminfo', 'proc/stat', 'proc/uptime', 'proc/loadavg', 'proc/diskstats', 'proc/swaps',
  'sys/devices/system/cpu/online',
];

/** Is a fuse.lxcfs file system mounted at `dir` (in the helper's mount namespace)? */
export function lxcfsMounted(dir: string, mountinfo = '/proc/self/mountinfo'): boolean {
  let real: string;
  try { real = fs.realpathSync(dir); } catch { return false; }
  let text: string;
  try { text = fs.readFileSync(mountinfo, 'utf8'); } catch { return false; }
  return parseMountinfo(text).some((m) => m.mountPoint === real && m.fsType === 'fuse.lxcfs');
}

/** The read-only binds of lxcfs's files (those this lxcfs has) over the container's; a clear error when lxcfs is not there. */
export function lxcfsMounts(dir: string): Mount[] {
  if (!lxcfsMounted(dir)) {
    throw new NscopeError('unsupported', `--lxcfs: lxcfs is not mounted at ${dir} (start lxcfs there, e.g. \`lxcfs ${dir}\`, or give the helper --lxcfs-dir)`);
  }
  const real = fs.realpathSync(dir);
  return LXCFS_FILES.filter((f) => fs.existsSync(path.join(real, f))).map((f) => ({
    destination: `/${f}`, type: 'bind', source: path.join(real, f), options: ['bind', 'ro', 'nosuid', 'nodev', 'noexec', 'rprivate'],
  }));
}
