// A walk of one layer directory as overlayfs sees it: an unpacked image layer
// or a container's rw layer. Entries come parents first, names sorted (so a
// walk is deterministic), with what the layer means by each: a char device
// 0/0 is a whiteout (a deletion), a directory with trusted.overlay.opaque=y
// hides everything below it in lower layers. Used by the layer explorer and
// by commit; it never follows symlinks.
import * as fs from 'fs';
import * as path from 'path';
import { native } from '../native';

export type FileType = 'file' | 'dir' | 'symlink' | 'fifo' | 'socket' | 'char' | 'block';

export interface LayerEntry {
  /** "etc/passwd": relative to the layer root, no leading slash */
  rel: string;
  name: string;
  /** what the entry is on disk; whiteouts are `char` with `whiteout` set */
  type: FileType;
  whiteout: boolean;
  /** directories only: trusted.overlay.opaque=y */
  opaque: boolean;
  /** bytes of content (regular files only; 0 otherwise) */
  size: number;
  /** permission bits incl. setuid/setgid/sticky */
  mode: number;
  uid: number;
  gid: number;
  /** seconds since the epoch (fractional) */
  mtime: number;
  ino: number;
  nlink: number;
  rdev: number;
  linkTarget?: string;
}

export function fileType(st: fs.Stats): FileType {
  if (st.isFile()) return 'file';
  if (st.isDirectory()) return 'dir';
  if (st.isSymbolicLink()) return 'symlink';
  if (st.isFIFO()) return 'fifo';
  if (st.isSocket()) return 'socket';
  if (st.isCharacterDevice()) return 'char';
  return 'block';
}

export const OPAQUE_XATTR = 'trusted.overlay.opaque';

export function isOpaqueDir(dir: string): boolean {
  try { return native().lgetxattr(dir, OPAQUE_XATTR)?.toString() === 'y'; } catch { return false; }
}

/** The entry at `full` (its lstat `st`), named `rel` in its layer. */
export function entryOf(full: string, rel: string, st: fs.Stats): LayerEntry {
  const type = fileType(st);
  return {
    rel, name: path.basename(rel), type,
    whiteout: type === 'char' && st.rdev === 0,
    opaque: type === 'dir' && isOpaqueDir(full),
    size: type === 'file' ? st.size : 0,
    mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, mtime: st.mtimeMs / 1000,
    ino: st.ino, nlink: st.nlink, rdev: st.rdev,
    linkTarget: type === 'symlink' ? readlinkOr(full) : undefined,
  };
}

function readlinkOr(p: string): string {
  try { return fs.readlinkSync(p); } catch { return ''; }
}

/** Compares names by their UTF-8 bytes (as tar tools and Docker sort), not UTF-16 units. */
export function byteOrder(a: string, b: string): number {
  return a === b ? 0 : Buffer.compare(Buffer.from(a), Buffer.from(b));
}

const errCode = (e: unknown) => (e as NodeJS.ErrnoException)?.code;

/**
 * Opens directory `rel` of `root` for reading, resolved inside `root`
 * (openat2 RESOLVE_IN_ROOT, the last component not followed). Returns the fd,
 * null when it is gone or no longer a directory, undefined when the kernel
 * has no openat2 (then paths are used as they are).
 */
function openDir(root: string, rel: string): number | null | undefined {
  try {
    return native().openInRoot(root, rel || '.', fs.constants.O_RDONLY | fs.constants.O_DIRECTORY | fs.constants.O_NOFOLLOW);
  } catch (e) {
    const c = errCode(e);
    if (c === 'ENOSYS') return undefined;
    if (rel && (c === 'ENOENT' || c === 'ENOTDIR' || c === 'ELOOP')) return null;
    throw e;
  }
}

/**
 * Calls `visit` for every entry under `root` (not the root itself), parents
 * before children; `at` is a path to read the entry by (its xattrs) during
 * the call only. Each directory is opened inside `root` and read through its
 * fd, so a directory swapped for a symlink while a running container is
 * walked cannot lead the walk out of `root`; a directory that vanishes
 * meanwhile is skipped. Yields to the event loop every `yieldEvery` entries
 * so a big layer does not stall the helper's other clients.
 */
export async function walkLayer(root: string, visit: (e: LayerEntry, at: string) => void, yieldEvery = 2000): Promise<number> {
  let n = 0;
  const walkDir = async (relDir: string): Promise<void> => {
    const fd = openDir(root, relDir);
    if (fd === null) return;
    const dirPath = fd === undefined ? path.join(root, relDir) : `/proc/self/fd/${fd}`;
    try {
      let names: string[];
      try { names = fs.readdirSync(dirPath); } catch (e) {
        if (relDir && (errCode(e) === 'ENOENT' || errCode(e) === 'ENOTDIR')) return;
        throw e;
      }
      names.sort(byteOrder);
      for (const name of names) {
        const rel = relDir ? `${relDir}/${name}` : name;
        const at = `${dirPath}/${name}`;
        let st: fs.Stats;
        try { st = fs.lstatSync(at); } catch (e) {
          if (errCode(e) === 'ENOENT') continue;
          throw e;
        }
        const e = entryOf(at, rel, st);
        visit(e, at);
        if (++n % yieldEvery === 0) await new Promise((r) => setImmediate(r));
        if (e.type === 'dir') await walkDir(rel);
      }
    } finally {
      if (fd !== undefined) fs.closeSync(fd);
    }
  };
  await walkDir('');
  return n;
}
