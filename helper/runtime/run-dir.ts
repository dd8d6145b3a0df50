// The daemon's runtime state — what need not outlive a reboot: plans, exec
// fifos, pid and exit files, attach sockets, init layers and rootfs mount
// points — lives on a tmpfs at <root>/run, like runc's /run/runc.
//
// Why not on the state root's disk: every container would create and delete
// some twenty inodes there. ext4 without a journal (this project's CI hosts)
// skips inodes deleted in the last minute when it allocates, scanning the
// inode table for them (ext4 recently_deleted()): with back-to-back
// containers, each mkdir got slower and `run --rm` went from 6 ms to 30 ms.
// A tmpfs allocates in memory. What must survive a reboot (state.json,
// config.json, the log, the rw layer) stays on disk; recover() rebuilds the
// rest.
import * as fs from 'fs';
import * as path from 'path';
import { native } from '../native';

export class RunDir {
  private constructor(readonly path: string) {}

  /**
   * <root>/run as a tmpfs: mounted now, or still mounted from a daemon that
   * was killed. Where mounting is not allowed (a helper in a container
   * without CAP_SYS_ADMIN over its mounts), a plain directory does the same
   * job, only slower: `warn` says so.
   */
  static open(root: string, warn: (msg: string) => void = () => undefined): RunDir {
    const dir = path.join(root, 'run');
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (!isMountPoint(dir)) {
      try { native().mountTmpfs(dir, 'mode=0700'); } catch (e) { warn(`runtime state stays on disk in ${dir}: ${(e as Error).message}`); }
    }
    return new RunDir(dir);
  }

  /** Compiled seccomp filters, by digest (a dot name: never a container's); the shim makes it. */
  seccompCache(): string { return path.join(this.path, '.seccomp'); }

  /** Unmounts the tmpfs; only when no container uses it (their monitors write exit files there). */
  release(): void {
    try { native().umount(this.path, true); } catch { /* not mounted */ }
  }
}

function isMountPoint(dir: string): boolean {
  return fs.statSync(dir).dev !== fs.statSync(path.dirname(dir)).dev;
}
