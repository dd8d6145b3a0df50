// runc's --preserve-fds N (create, run, exec): the caller's fds 3..3+N-1
// reach the container's process as its own 3..3+N-1 (systemd's socket
// activation through Podman, say). The shim gets them as its 5..5+N-1,
// after its status and control pipes, and moves them down in the process.
import * as fs from 'fs';
import { invalid } from '../errors';

/** The caller's fds to hand over, checked: a count from 0 to 1024, every fd open. */
export function preservedFds(count: number | undefined): number[] {
  const n = count ?? 0;
  if (!Number.isInteger(n) || n < 0 || n > 1024) throw invalid(`--preserve-fds: ${n} is not a count from 0 to 1024`);
  const fds = Array.from({ length: n }, (_, i) => 3 + i);
  for (const fd of fds) {
    try { fs.fstatSync(fd); } catch { throw invalid(`--preserve-fds ${n}: fd ${fd} is not open in the caller`); }
  }
  return fds;
}
