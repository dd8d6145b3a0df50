// Diffs and file views: each method's params and result (the data: ../types/diff.ts).
import type { DiffResult, FileInfo, FileReadResult, FileSource } from '../types/diff';

export interface DiffMethods {
  /**
   * The container's rw layer against its image (created, running or exited
   * containers alike). The init layer's files (/etc/hosts, /etc/hostname,
   * /etc/resolv.conf, /etc/mtab) are never reported. `details`: add size,
   * mode, uid, gid and `image` metadata to the changes (one more stat per added file).
   */
  'container.diff': { params: { id: string; details?: boolean }; result: DiffResult };
  /** A directory's entries, sorted by name. */
  'file.list': { params: FileSource & { path: string }; result: { path: string; entries: FileInfo[] } };
  /** One entry; a final symlink is followed unless `nofollow`. */
  'file.stat': { params: FileSource & { path: string; nofollow?: boolean }; result: FileInfo };
  /** Up to `length` (default and at most MAX_READ) bytes of a regular file from `offset`, symlinks followed inside the view's root. */
  'file.read': { params: FileSource & { path: string; offset?: number; length?: number }; result: FileReadResult };
  /**
   * The editor's changes to a container's files (its root as the container sees it,
   * running or stopped; writes go through stream kind `file-write`): a new directory
   * (owned by the container's root), a removal (`recursive` for a directory that is not
   * empty), a rename (`overwrite` to replace what is at `to`). `user`: done as that user
   * of the container (../types/files.ts: Docker's -u forms), the kernel checking its
   * permissions; a new directory is then that user's.
   */
  'file.mkdir': { params: { container: string; path: string; user?: string }; result: { ok: true } };
  'file.delete': { params: { container: string; path: string; recursive?: boolean; user?: string }; result: { ok: true } };
  'file.rename': { params: { container: string; path: string; to: string; overwrite?: boolean; user?: string }; result: { ok: true } };
}
