// Unpacks one image layer (a tar, plain or gzip) into a directory that will be
// an overlayfs lower layer. The tar is hostile input: names are cleaned, every
// parent directory is resolved inside the layer root (so a symlink planted by
// an earlier entry cannot redirect a later one), file bodies are written
// through openat2(RESOLVE_IN_ROOT) as a second fence, and entries that could
// reach outside (escaping names, escaping relative symlinks, hardlinks to
// outside files, device nodes) are refused with the entry named.
//
// OCI whiteouts become overlayfs ones: ".wh.NAME" -> char device 0/0 named
// NAME, ".wh..wh..opq" -> trusted.overlay.opaque=y on its directory.
//
// The layer is unpacked into a temp dir next to the target and renamed into
// place only when complete: a layer dir that exists is a whole layer.
import { randomBytes, createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { promisify } from 'util';
import type { Readable } from 'stream';
import { invalid, NscopeError } from '../errors';
import { native } from '../native';
import { uncompressed } from './decompress';
import { cleanEntryPath, InRootError, ResolvedDirs, symlinkStaysInside } from './in-root';
import { readTar, type TarEntry } from './tar-reader';
import { feedUnpacker, nativeUnpacker } from './native-tar';
import { DiskGuard, ENTRY_COST } from './disk-guard';

const S_IFCHR = 0o020000;
const S_IFIFO = 0o010000;
const WH = '.wh.';
const OPAQUE = '.wh..wh..opq';

export interface UnpackResult {
  /** sha256 of the uncompressed tar stream */
  diffId: string;
  /** bytes of regular-file content in the layer */
  size: number;
  /** entries read from the tar */
  entries: number;
}

export interface UnpackOptions {
  /** names the layer in errors, e.g. "layer sha256:ab12…" */
  label?: string;
  /** refuse the layer (and leave nothing) if its diff_id differs */
  expectDiffId?: string;
  /**
   * Runs once the tar is unpacked, before the layer is put in place: a
   * download checks there that the whole blob came and had its digest
   * (throwing leaves nothing behind).
   */
  beforeCommit?: () => Promise<void>;
}

const writeAsync = promisify(fs.write) as (fd: number, b: Buffer, off: number, len: number) => Promise<{ bytesWritten: number }>;

/** bodies up to this size are written without the thread pool */
const SMALL_FILE = 64 * 1024;

const errCode = (e: unknown) => (e as NodeJS.ErrnoException)?.code;

/**
 * The process's umask, read once when this module loads: before the files
 * worker chroots into a container (whose /proc/self/status, if any, is not
 * ours to trust), and read rather than set and set back, as the daemon's
 * thread pool may be making another request's files meanwhile.
 */
export const UMASK = ((): number => {
  try {
    const m = /^Umask:\s*([0-7]+)$/m.exec(fs.readFileSync('/proc/self/status', 'utf8'));
    if (m) return parseInt(m[1], 8);
  } catch { /* no /proc */ }
  return 0o777; // unknown: every file gets its chmod after it is made
})();

function tmpNextTo(target: string): string {
  return path.join(path.dirname(target), `.tmp-${path.basename(target)}-${randomBytes(6).toString('hex')}`);
}

/**
 * Unpacks `input` into `target` (which must not exist yet). If `target`
 * appears meanwhile (another unpack of the same layer won), the result is
 * still returned and the existing directory kept.
 */
export async function unpackLayer(input: Readable, target: string, opts: UnpackOptions = {}): Promise<UnpackResult> {
  const label = opts.label ?? `layer ${path.basename(target)}`;
  const tmp = tmpNextTo(target);
  fs.mkdirSync(tmp, 0o755);
  try {
    // a layer may not fill the store's disk (a decompression bomb): ./disk-guard.ts
    const res = await unpackInto(input, tmp, label, { guard: new DiskGuard(tmp, label) });
    if (opts.expectDiffId && res.diffId !== opts.expectDiffId) {
      throw invalid(`${label}: content does not match its diff_id (expected ${opts.expectDiffId}, got ${res.diffId})`);
    }
    await opts.beforeCommit?.();
    try {
      fs.renameSync(tmp, target);
    } catch (e) {
      if (errCode(e) !== 'EEXIST' && errCode(e) !== 'ENOTEMPTY') throw e;
      fs.rmSync(tmp, { recursive: true, force: true });
    }
    return res;
  } catch (e) {
    input.destroy();
    fs.rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
}

/** sha256 of the uncompressed stream without unpacking it (to check a layer already on disk). */
export async function layerDiffId(input: Readable, label: string): Promise<string> {
  const h = createHash('sha256');
  try {
    const { stream } = await uncompressed(input, label);
    for await (const b of stream) h.update(b);
  } finally {
    input.destroy();
  }
  return `sha256:${h.digest('hex')}`;
}

/**
 * How an archive that is not an image layer is unpacked (`nscope cp` into a
 * container, helper/files/): its owners mapped, its top entry renamed, and
 * `.wh.` names refused rather than taken for whiteouts (outside a layer
 * there is nothing beneath to hide).
 */
export interface ExtractOptions {
  owner?: (uid: number, gid: number) => [number, number];
  /** the entry's path components, renamed (null: the entry is refused) */
  rename?: (parts: string[]) => string[] | null;
  noWhiteouts?: boolean;
  /** not a layer, so no diff_id: no sha256 over every byte (the result's diffId is '') */
  noDigest?: boolean;
  /** 'js': this module's unpacker, not the native one (where openat2 is missing; the tests' reference) */
  engine?: 'js';
  /** told of every byte of the tar stream before it is written; throws to stop the unpack */
  guard?: DiskGuard;
}

/** What one unpack keeps across its entries. */
interface UnpackState {
  root: string;
  /** the root, opened once: every file is opened beneath it (openat2) */
  rootFd: number;
  dirs: ResolvedDirs;
  dirTimes: Array<[string, number]>;
  /** the process's umask: the permission bits it takes from a file made with the entry's mode */
  umask: number;
  opts: ExtractOptions;
}

/** The unpack proper, into an existing empty directory `root`. */
export async function unpackInto(input: Readable, root: string, label: string, opts: ExtractOptions = {}): Promise<UnpackResult> {
  // the native unpacker (./native-tar.ts) where the entries keep their names and owners
  const u = !opts.owner && !opts.rename && opts.engine !== 'js' ? nativeUnpacker(root, { label, umask: UMASK, whiteouts: !opts.noWhiteouts }) : undefined;
  if (u) {
    const hash = opts.noDigest ? undefined : createHash('sha256');
    try {
      const { stream } = await uncompressed(input, label);
      // the digest covers every byte, what follows the end marker too
      const guard = opts.guard;
      const res = await feedUnpacker(u, stream, hash || guard ? (b) => { guard?.add(b.length); hash?.update(b); } : undefined);
      return { diffId: hash ? `sha256:${hash.digest('hex')}` : '', size: res.size, entries: res.entries };
    } finally {
      u.close();
      input.destroy();
    }
  }
  const tar = readTar(input, { label, digest: !opts.noDigest });
  const umask = UMASK;
  const rootFd = fs.openSync(root, fs.constants.O_RDONLY | fs.constants.O_DIRECTORY);
  const st: UnpackState = { root, rootFd, dirs: new ResolvedDirs(root), dirTimes: [], umask, opts };
  const { dirTimes } = st;
  let size = 0;
  let entries = 0;
  try {
    for await (const e of tar) {
      entries++;
      // a file's body is counted as it is written (writeFile)
      opts.guard?.add(ENTRY_COST);
      const where = `${label}: entry "${e.name}"`;
      try {
        size += await unpackEntry(st, e, where);
      } catch (err) {
        if (err instanceof NscopeError) throw err;
        if (err instanceof InRootError) throw invalid(`${where}: ${err.message}`);
        throw new NscopeError('failed', `${where}: ${(err as Error).message}`);
      }
    }
  } finally {
    fs.closeSync(rootFd);
  }
  // directory times last: creating the children changed them; the deepest were recorded last
  for (let i = dirTimes.length - 1; i >= 0; i--) {
    try { fs.lutimesSync(dirTimes[i][0], dirTimes[i][1], dirTimes[i][1]); } catch { /* replaced or removed by a later entry */ }
  }
  return { diffId: opts.noDigest ? '' : tar.digest, size, entries };
}

/** Creates one entry; returns the bytes of file content written. */
async function unpackEntry(st: UnpackState, e: TarEntry, where: string): Promise<number> {
  const { root, dirs, opts } = st;
  let parts = cleanEntryPath(e.name);
  if (parts === null) throw invalid(`${where} escapes the layer`);
  if (opts.rename) {
    parts = opts.rename(parts);
    if (parts === null) throw invalid(`${where} is not beneath the archive's first entry`);
  }
  if (opts.owner) [e.uid, e.gid] = opts.owner(e.uid, e.gid);
  if (parts.length === 0) return 0; // the layer root itself: its mode stays ours (0755)
  const base = parts[parts.length - 1];
  const dirParts = parts.slice(0, -1);

  // OCI whiteouts
  if (base.startsWith(WH) && opts.noWhiteouts) throw invalid(`${where}: a name starting with ${WH} is an image layer's whiteout, not a file to copy`);
  if (base.startsWith(WH)) {
    const dir = dirs.resolve(dirParts, true)!;
    const dirPath = path.join(root, ...dir);
    if (base === OPAQUE) {
      native().lsetxattr(dirPath, 'trusted.overlay.opaque', Buffer.from('y'));
      return 0;
    }
    if (base.startsWith(WH + WH)) return 0; // other AUFS metadata (.wh..wh.plnk, .wh..wh.aufs): not content
    const hidden = base.slice(WH.length);
    if (hidden === '' || hidden === '.' || hidden === '..') throw invalid(`${where}: invalid whiteout`);
    const dst = path.join(dirPath, hidden);
    removeExisting(st, dst);
    native().mknod(dst, S_IFCHR | 0, 0, 0);
    return 0;
  }

  if (e.type === 'char' || e.type === 'block') {
    // the container's /dev is a fresh tmpfs: device nodes shipped there are not needed
    if (parts[0] === 'dev') return 0;
    // a 0/0 char device is an overlay whiteout already (as some exporters write them): it opens nothing
    if (!(e.type === 'char' && e.devmajor === 0 && e.devminor === 0)) {
      throw invalid(`${where}: device nodes (${e.type} ${e.devmajor}:${e.devminor}) are not allowed outside /dev`);
    }
  }

  if (e.type === 'symlink' && !symlinkStaysInside(dirParts, e.linkname)) {
    throw invalid(`${where}: invalid symlink "${e.name}" -> "${e.linkname}" (it points outside the layer)`);
  }

  const dir = dirs.resolve(dirParts, true)!;
  const rel = [...dir, base];
  const dst = path.join(root, ...rel);

  // Made with O_EXCL / EEXIST first, an existing path looked at only then (most
  // entries are new: one syscall, not an lstat that fails first). An existing
  // path is replaced, except a directory by a directory (their contents merge, as tar does).
  const replaceExisting = (): boolean => {
    const existing = fs.lstatSync(dst, { throwIfNoEntry: false });
    if (existing?.isDirectory() && e.type === 'dir') return false;
    removeExisting(st, dst);
    return true;
  };
  const made = (make: () => void): boolean => {
    try { make(); return true; } catch (err) {
      if (errCode(err) !== 'EEXIST') throw err;
      if (!replaceExisting()) return false;
      make();
      return true;
    }
  };

  switch (e.type) {
    case 'file':
      return writeFile(st, rel, dst, e, replaceExisting);
    case 'dir':
      made(() => fs.mkdirSync(dst, 0o700));
      break;
    case 'symlink':
      made(() => fs.symlinkSync(e.linkname, dst));
      break;
    case 'hardlink': {
      let t = cleanEntryPath(e.linkname);
      if (t && opts.rename) t = opts.rename(t);
      if (t === null || t.length === 0) throw invalid(`${where}: hardlink target "${e.linkname}" is outside the layer`);
      const tdir = dirs.resolve(t.slice(0, -1), false);
      const tpath = tdir && path.join(root, ...tdir, t[t.length - 1]);
      const tst = tpath ? fs.lstatSync(tpath, { throwIfNoEntry: false }) : undefined;
      if (!tpath || !tst) throw invalid(`${where}: hardlink target "${e.linkname}" does not exist in the layer`);
      if (tst.isDirectory()) throw invalid(`${where}: hardlink target "${e.linkname}" is a directory`);
      // a link to itself (the same name twice): already there
      if (tpath !== dst) made(() => fs.linkSync(tpath, dst));
      return 0; // same inode: its owner, mode and times are the target's
    }
    case 'fifo':
      made(() => native().mknod(dst, S_IFIFO | 0o600, 0, 0));
      break;
    case 'char':
      made(() => native().mknod(dst, S_IFCHR | 0, 0, 0)); // only 0/0 (a whiteout) gets here
      break;
  }
  applyMeta(dst, e);
  if (e.type === 'dir') st.dirTimes.push([dst, e.mtime]);
  else fs.lutimesSync(dst, e.mtime, e.mtime);
  return 0;
}

/** Removes what is at `p`; the directories resolved so far may have gone with it. */
function removeExisting(st: UnpackState, p: string): void {
  st.dirs.clear();
  fs.rmSync(p, { recursive: true, force: true });
}

/**
 * Body of a regular file, written through an fd opened inside the root by the
 * kernel (openat2 RESOLVE_IN_ROOT). Made with its permission bits at once
 * when the umask leaves them as they are and there are no setuid/setgid/sticky
 * bits (chown would clear those): no chmod afterwards.
 */
async function writeFile(st: UnpackState, rel: string[], dst: string, e: TarEntry, replaceExisting: () => boolean): Promise<number> {
  const { O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW } = fs.constants;
  const flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW;
  const direct = (e.mode & 0o7000) === 0 && (e.mode & st.umask) === 0;
  const createMode = direct ? e.mode : 0o600;
  const open = (): number => {
    try {
      return native().openInRoot(st.rootFd, rel.join('/'), flags, createMode);
    } catch (err) {
      // kernels before 5.6 have no openat2: the lstat-checked parent path is then the only fence
      if (errCode(err) !== 'ENOSYS') throw err;
      return fs.openSync(dst, flags, createMode);
    }
  };
  let fd: number;
  try { fd = open(); } catch (err) {
    if (errCode(err) !== 'EEXIST') throw err;
    replaceExisting();
    fd = open();
  }
  let n = 0;
  try {
    const whole = e.body.buffered();
    if (whole) {
      // a small file whose body has arrived already: written here at once, no trip through the async reader
      st.opts.guard?.add(whole.length);
      let off = 0;
      while (off < whole.length) off += fs.writeSync(fd, whole, off);
      n = whole.length;
    } else {
      // one write in flight on the thread pool while the next chunk is read here
      let pending: Promise<void> = Promise.resolve();
      for await (const chunk of e.body.chunks()) {
        await pending;
        // a small file's body is written here at once: a trip to the thread pool costs more than the write
        st.opts.guard?.add(chunk.length);
        if (e.size <= SMALL_FILE) { let off = 0; while (off < chunk.length) off += fs.writeSync(fd, chunk, off); }
        else pending = writeAll(fd, chunk);
        n += chunk.length;
      }
      await pending;
    }
    // owner first: chown clears setuid/setgid and file capabilities, so mode and xattrs come after it
    fs.fchownSync(fd, e.uid, e.gid);
    if (!direct) fs.fchmodSync(fd, e.mode);
    fs.futimesSync(fd, e.mtime, e.mtime);
  } finally {
    fs.closeSync(fd);
  }
  // xattrs last but the times stay: setting an xattr does not change mtime
  setXattrs(dst, e);
  return n;
}

async function writeAll(fd: number, b: Buffer): Promise<void> {
  let off = 0;
  while (off < b.length) off += (await writeAsync(fd, b, off, b.length - off)).bytesWritten;
}

function applyMeta(dst: string, e: TarEntry): void {
  fs.lchownSync(dst, e.uid, e.gid);
  if (e.type !== 'symlink') fs.chmodSync(dst, e.mode); // dst is not a symlink here: chmod cannot be redirected
  setXattrs(dst, e);
}

function setXattrs(dst: string, e: TarEntry): void {
  for (const [name, value] of Object.entries(e.xattrs)) {
    // overlayfs reads its own trusted.overlay.* attributes (redirect, metacopy, opaque…):
    // a layer must not steer the overlay; opaque comes only from ".wh..wh..opq"
    if (name.startsWith('trusted.overlay.')) continue;
    try {
      native().lsetxattr(dst, name, value);
    } catch (err) {
      const c = errCode(err);
      // the filesystem may not support xattrs, or not this namespace (security.selinux without SELinux)
      if (c === 'ENOTSUP' || c === 'EOPNOTSUPP') continue;
      if ((c === 'EPERM' || c === 'EINVAL' || c === 'EACCES') && (name.startsWith('trusted.') || name.startsWith('security.'))) continue;
      throw err;
    }
  }
}
