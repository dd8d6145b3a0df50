// The files worker: a process of its own (dist/files-worker.js) that the
// daemon starts for one copy into or out of a container. It chroots into the
// container's root — /proc/PID/root of a running container (its mount
// namespace's tree: volumes, tmpfs and read-only mounts as the container sees
// them), or a stopped container's overlay assembled for the copy — before it
// opens anything, so every path, every symlink a hostile container planted
// (even one swapped in while the copy runs), resolves inside the container:
// the kernel is the fence, not a check followed by a use (the race behind
// CVE-2018-15664 in `docker cp`). The archive coming in is hostile too: the
// image unpacker's rules apply (no escaping names, links or device nodes).
// The editor's changes (write, mkdir, delete, rename) may be made as a user
// of the container instead of its root (./write-as.ts): the worker becomes
// that user after the chroot, and the kernel checks its permissions.
//
// Job on argv[2] (JSON), status lines on fd 3 (JSON), the tar on stdout
// (out) or stdin (in).
import * as fs from 'fs';
import * as path from 'path';
import { invalid, NscopeError } from '../errors';
import { UMASK } from '../images/unpack';
import { toContainerId, type IdMap } from '../lib/idmap';
import { native } from '../native';
import type { CopyStat } from '../protocol/types/files';
import { MAX_READ, type FileInfo } from '../protocol/types/diff';
import { nativeTreeTar } from '../images/native-tar';
import { unpackCopy, type Placement } from './copy-unpack';
import { becomeWriter, rootIds, type Writer } from './write-as';
import { fileType } from '../images/layers-info-walk';
import { isMountPoint, mountAtOrBelow, mountRefusal } from './mount-points';

export interface FilesJob {
  /** out/in: `nscope cp`; write/mkdir/delete/rename: the editor's file operations */
  op: 'out' | 'in' | 'write' | 'mkdir' | 'delete' | 'rename' | 'list' | 'stat' | 'read';
  /** the directory to chroot into */
  root: string;
  /** the path in the container */
  path: string;
  /** out: follow a symlink at `path` itself (-L) */
  follow?: boolean;
  /** in: the archive's top entry is this local file or directory: docker cp's rules place it; absent: the archive's entries go into `path`, a directory */
  src?: { name: string; type: 'file' | 'dir' | 'other' };
  /** in: keep the archive's owners (-a); else everything is the container's root's */
  archive?: boolean;
  /** in, without src: make `path` and its missing parents first (a build's COPY) */
  parents?: boolean;
  /** the container's user namespace: its ids on the host */
  ids?: IdMap;
  /** a running container's mount points, as paths in it (./mount-points.ts) */
  mounts?: string[];
  /** write/mkdir/delete/rename: done as this user of the container (Docker's -u forms, ./write-as.ts); absent: its root */
  user?: string;
  /** write: make the file if missing / replace it if there */
  create?: boolean;
  overwrite?: boolean;
  /** write: a new file's permission bits */
  mode?: number;
  /** write: the bytes the client announced; fewer or more and the file is left as it was (a cut upload ends the stream too) */
  size?: number;
  /** delete: a directory with what is in it */
  recursive?: boolean;
  /** rename: the new path */
  to?: string;
  /** stat: do not follow a final symlink; read: where and how much (at most MAX_READ) */
  nofollow?: boolean;
  offset?: number;
  length?: number;
}

/** The editor's changes: done as the job's user. */
const EDITS = new Set<FilesJob['op']>(['write', 'mkdir', 'delete', 'rename']);

/** Paths a copy never writes: the kernel's, not files. */
const KERNEL_TREES = ['/proc', '/sys', '/dev'];

/** What a non-file is, for a refusal the user can act on (a save over a device node must say it is one). */
function kindOf(st: fs.Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device node';
  if (st.isFIFO()) return 'a fifo';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

function status(line: object): void {
  fs.writeSync(3, JSON.stringify(line) + '\n');
}

function writeOut(b: Buffer): void {
  let off = 0;
  while (off < b.length) {
    try { off += fs.writeSync(1, b, off); } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2);
    }
  }
}

function statOf(p: string, follow: boolean): CopyStat {
  const st = follow ? fs.statSync(p) : fs.lstatSync(p);
  const type = st.isDirectory() ? 'dir' : st.isFile() ? 'file' : st.isSymbolicLink() ? 'symlink' : 'other';
  return { name: path.basename(p) || '/', type, size: st.size, mode: st.mode & 0o7777, mtime: st.mtime.toISOString(), linkTarget: type === 'symlink' ? fs.readlinkSync(p) : undefined };
}

/** One line for an fs error, naming the path as the container sees it. */
function describe(e: unknown, where: string): string {
  const err = e as NodeJS.ErrnoException;
  switch (err.code) {
    case 'ENOENT': return `no such file or directory: ${where}`;
    case 'EROFS': return `${where} is on a read-only mount`;
    case 'ENOTDIR': return `not a directory: ${where}`;
    case 'EACCES': case 'EPERM': return `permission denied: ${where}`;
    case 'ENOSPC': return `no space left on the container's file system (${where})`;
    default: return `${where}: ${err.message ?? String(e)}`;
  }
}

function copyOut(job: FilesJob): void {
  const p = path.posix.resolve('/', job.path);
  // SRC ending in "/" or "/." names a directory, as a shell path does: a symlink there is
  // followed (to a directory, packed under the link's name), a file is refused (docker cp's rule)
  const dirOnly = p !== '/' && /\/\.?$/.test(job.path);
  const follow = !!job.follow || dirOnly;
  const st = statOf(p, follow);
  if (dirOnly && st.type !== 'dir') throw invalid(`not a directory: ${job.path}`);
  status({ stat: st });
  const name = p === '/' ? '.' : path.basename(p);
  for (const b of nativeTreeTar(p, name, { follow, ids: job.ids, reuse: true, emptyDirs: kernelMounts(p) })) writeOut(b);
}

/**
 * The kernel's trees mounted below the copy's top `p` (a running container's /proc, /sys, /dev),
 * as archive names: packed empty, as docker cp gives them (the rootfs's, not the mounts'). Walked,
 * they hold no files to copy: device nodes, and /proc/kcore's 128 TiB that fail mid-archive.
 */
function kernelMounts(p: string): string[] {
  if (p !== '/') return [];
  const dev = (q: string): number | undefined => { try { return fs.lstatSync(q).dev; } catch { return undefined; } };
  const root = dev('/');
  return KERNEL_TREES.filter((k) => { const d = dev(k); return d !== undefined && d !== root; }).map((k) => `.${k}`);
}

function refuseKernelTree(p: string): void {
  for (const k of KERNEL_TREES) if (p === k || p.startsWith(`${k}/`)) throw invalid(`${p}: ${k} holds the kernel's files, not files to copy into`);
}

async function copyIn(job: FilesJob): Promise<void> {
  const dest = path.posix.resolve('/', job.path);
  const endsWithSlash = job.path.endsWith('/') || job.path.endsWith('/.');
  let st: fs.Stats | undefined;
  try { st = fs.statSync(dest); } catch (e) { if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e; }
  // where the archive goes, and what its top entry becomes there (docker cp's rules)
  let dir: string;
  let placement: Placement | undefined;
  if (!job.src && job.parents && !st) {
    // a build's COPY: the destination folder and its missing parents are made, the container root's
    const [uid, gid] = rootIds(job.ids);
    let at = '/';
    for (const part of dest.split('/').filter(Boolean)) {
      at = path.posix.join(at, part);
      try { fs.mkdirSync(at, 0o755); fs.chownSync(at, uid, gid); } catch (e) { if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e; }
    }
    st = fs.statSync(dest);
  }
  if (!job.src) {
    if (!st?.isDirectory()) throw invalid(`${job.path}: ${st ? 'not a directory' : 'no such directory'} (an archive on stdin goes into a directory)`);
    dir = dest;
  } else if (st?.isDirectory()) {
    dir = dest;
  } else {
    if (!st && endsWithSlash) throw invalid(`${job.path}: no such directory`);
    if (st && job.src.type === 'dir') throw invalid(`cannot copy a directory to a file: ${job.path}`);
    dir = path.posix.dirname(dest);
    placement = { top: job.src.name, to: path.posix.basename(dest) };
  }
  dir = fs.realpathSync(dir);
  refuseKernelTree(dir);
  if (!fs.statSync(dir).isDirectory()) throw invalid(`${dir}: not a directory`);
  // a read-only mount answers EROFS to access(W_OK), even for root: refused before anything is read
  try { fs.accessSync(dir, fs.constants.W_OK); } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EROFS') throw invalid(`${dir} is on a read-only mount in the container: nothing copied`);
  }
  if (st && !st.isDirectory() && !st.isFile()) throw invalid(`${job.path} is ${st.isCharacterDevice() || st.isBlockDevice() ? 'a device node' : 'not a regular file'}: not replaced`);
  status({ ready: true });
  await unpackCopy(readStdin(), dir, `copy into ${job.path}`, { owner: job.archive ? 'archive' : [0, 0], map: job.ids, placement, umask: UMASK });
}

/** The real path of `p`'s parent (symlinks resolved, inside the root), refused where a copy may not write. */
function writableParent(p: string): string {
  const abs = path.posix.resolve('/', p);
  if (abs === '/') throw invalid('/ itself cannot be written, removed or renamed');
  const dir = fs.realpathSync(path.posix.dirname(abs));
  const target = path.posix.join(dir, path.posix.basename(abs));
  refuseKernelTree(target);
  try { fs.accessSync(dir, fs.constants.W_OK); } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EROFS') throw invalid(`${path.posix.dirname(abs)} is on a read-only mount in the container`);
  }
  return target;
}

/** An upload larger than this is not held in memory to be written in place (a file the user may write in a directory it may not). */
const MAX_IN_PLACE = 64 << 20;

/** The upload on stdin, piece by piece; more or fewer bytes than announced throw, and the file is left as it was. */
async function* upload(job: FilesJob): AsyncGenerator<Buffer> {
  let got = 0;
  for await (const b of process.stdin) {
    const buf = b as Buffer;
    got += buf.length;
    if (job.size !== undefined && got > job.size) throw invalid(`${job.path}: more than the ${job.size} bytes announced; the file is left as it was`);
    yield buf;
  }
  if (job.size !== undefined && got !== job.size) throw invalid(`${job.path}: the upload ended after ${got} of ${job.size} bytes; the file is left as it was`);
}

function writeAll(fd: number, buf: Buffer, at: number): void {
  for (let off = 0; off < buf.length;) off += fs.writeSync(fd, buf, off, buf.length - off, at + off);
}

/** `from`'s bytes (the complete temp file) over what `to` holds: the file itself stays, its owner and mode with it. */
function copyOver(from: number, to: number): void {
  fs.ftruncateSync(to, 0);
  const buf = Buffer.allocUnsafe(1 << 20);
  for (let at = 0; ;) {
    const n = fs.readSync(from, buf, 0, buf.length, at);
    if (!n) break;
    writeAll(to, buf.subarray(0, n), at);
    at += n;
  }
}

/**
 * A user's save of an existing file it does not own, or whose directory it may
 * not write: the file opened for writing first (the kernel says whether this
 * user may; nothing is read before), its bytes replaced later in place.
 */
function openExisting(target: string): number {
  const fd = fs.openSync(target, fs.constants.O_WRONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK);
  if (!fs.fstatSync(fd).isFile()) { fs.closeSync(fd); throw invalid(`${target} changed into something else than a file: not written`); }
  return fd;
}

async function writeFile(job: FilesJob, as: Writer): Promise<void> {
  const target = writableParent(job.path);
  let st: fs.Stats | undefined;
  try { st = fs.lstatSync(target); } catch (e) { if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e; }
  if (st && st.isSymbolicLink()) {
    // an editor saves the file a link names: write where it points, resolved inside the container
    job = { ...job, path: fs.realpathSync(target) };
    return writeFile(job, as);
  }
  if (st && !st.isFile()) throw new NscopeError(st.isDirectory() ? 'conflict' : 'invalid', `${job.path} is ${kindOf(st)}: not written`);
  if (st && job.overwrite === false) throw new NscopeError('conflict', `${job.path} exists`);
  if (!st && job.create === false) throw new NscopeError('not_found', `no such file: ${job.path}`);
  // a mount point (a bind-mounted /etc/hosts, a file volume) is written in place: a rename over it would unmount it
  const inPlace = !!st && isMountPoint(job.mounts, target);
  const existing = st && (!as.root || inPlace) ? openExisting(target) : undefined;
  try {
    await replace(job, target, st, as, existing, inPlace);
  } finally {
    if (existing !== undefined) fs.closeSync(existing);
  }
}

/**
 * The new content goes to a file of its own next to the target, renamed over
 * it when complete: a reader in the container sees the old file or the new
 * one, never half of it. A user that is not root keeps that only where the
 * rename keeps the file as it was (its own file, its group kept); a file of
 * another owner it may write (group-writable, say) gets the complete temp
 * copied into it in place, and where it may not make the temp at all, the
 * upload is held until all of it has come (bounded by the size announced).
 */
async function replace(job: FilesJob, target: string, st: fs.Stats | undefined, as: Writer, existing: number | undefined, inPlace = false): Promise<void> {
  const tmp = path.posix.join(path.posix.dirname(target), `.${path.posix.basename(target)}.nscope-${process.pid}`);
  let fd: number;
  try {
    fd = fs.openSync(tmp, fs.constants.O_RDWR | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW, 0o600);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (existing === undefined || (code !== 'EACCES' && code !== 'EPERM')) throw e;
    return writeHeld(job, existing);
  }
  try {
    let at = 0;
    for await (const buf of upload(job)) { writeAll(fd, buf, at); at += buf.length; }
    if (existing !== undefined && (inPlace || !(st!.uid === as.uid && keepsGroup(fd, as, st!.gid)))) {
      copyOver(fd, existing);
      fs.closeSync(fd);
      fs.rmSync(tmp, { force: true });
      return;
    }
    // root sets the owner (an existing file's, else the writer's); a user's new file is its own already
    if (as.root) fs.fchownSync(fd, st ? st.uid : as.uid, st ? st.gid : as.gid);
    fs.fchmodSync(fd, st ? st.mode & 0o7777 : (job.mode ?? 0o644) & 0o7777);
    fs.closeSync(fd);
    fs.renameSync(tmp, target);
  } catch (e) {
    try { fs.closeSync(fd); } catch { /* closed */ }
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}

/** Whether the temp `fd` (the user's) has, or may be given, the group `gid` the file it replaces has. */
function keepsGroup(fd: number, as: Writer, gid: number): boolean {
  if (fs.fstatSync(fd).gid === gid) return true;
  try { fs.fchownSync(fd, as.uid, gid); return true; } catch { return false; }
}

/** The whole upload held in memory (at most the size announced), then written over the open file `fd`. */
async function writeHeld(job: FilesJob, fd: number): Promise<void> {
  const dir = path.posix.dirname(path.posix.resolve('/', job.path));
  if (job.size === undefined) throw invalid(`${job.path}: no file can be made in ${dir} as user ${job.user}, and writing in place needs the upload's size announced: not written`);
  if (job.size > MAX_IN_PLACE) throw invalid(`${job.path}: no file can be made in ${dir} as user ${job.user}, and more than ${MAX_IN_PLACE >> 20} MiB is not held to be written in place: not written`);
  const pieces: Buffer[] = [];
  for await (const buf of upload(job)) pieces.push(buf);
  const all = Buffer.concat(pieces);
  fs.ftruncateSync(fd, 0);
  writeAll(fd, all, 0);
}

function makeDir(job: FilesJob, as: Writer): void {
  const target = writableParent(job.path);
  try { fs.mkdirSync(target, 0o755); } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw new NscopeError('conflict', `${job.path} exists`);
    throw e;
  }
  // a user's directory is its own already
  if (as.root) fs.chownSync(target, as.uid, as.gid);
}

function remove(job: FilesJob): void {
  const target = writableParent(job.path);
  const st = fs.lstatSync(target);
  if (st.isDirectory() && !job.recursive && fs.readdirSync(target).length) throw new NscopeError('conflict', `${job.path} is a directory that is not empty`);
  // a volume's data is not deleted through a folder that holds it, nor its mount point taken away
  const mounted = mountAtOrBelow(job.mounts, target);
  if (mounted) throw mountRefusal(target, mounted, 'removed');
  // a symlink is removed, not what it names (unlink follows none); a file by unlink itself, whose
  // refusal is the kernel's (rmSync answers a user's EPERM in a sticky directory with a retry's ENOTDIR)
  if (!st.isDirectory()) fs.unlinkSync(target);
  else fs.rmSync(target, { recursive: true, force: false });
}

function rename(job: FilesJob): void {
  if (typeof job.to !== 'string' || !job.to) throw invalid('rename: no new path given');
  const from = writableParent(job.path);
  const to = writableParent(job.to);
  fs.lstatSync(from);
  let exists = false;
  try { fs.lstatSync(to); exists = true; } catch { /* free */ }
  if (exists && !job.overwrite) throw new NscopeError('conflict', `${job.to} exists`);
  // moving a mount point (or a folder holding one) would take the mount away from the container
  const mounted = mountAtOrBelow(job.mounts, from);
  if (mounted) throw mountRefusal(from, mounted, 'renamed');
  if (exists && isMountPoint(job.mounts, to)) throw mountRefusal(to, to, 'replaced');
  fs.renameSync(from, to);
}

/** One entry as the file views describe it, owners as the container sees them; `from` a mount. */
function infoOf(job: FilesJob, p: string, st: fs.Stats): FileInfo {
  const type: FileInfo['type'] = fileType(st);
  const info: FileInfo = {
    name: path.posix.basename(p) || '/', path: p, type, size: st.size, mode: st.mode & 0o7777,
    uid: toContainerId(job.ids?.uid, st.uid), gid: toContainerId(job.ids?.gid, st.gid),
    mtime: new Date(Math.floor(st.mtimeMs)).toISOString(), from: { layer: 'mount' },
  };
  if (type === 'symlink') info.target = fs.readlinkSync(p);
  return info;
}

function readOps(job: FilesJob): object {
  const p = path.posix.resolve('/', job.path);
  if (job.op === 'stat') return infoOf(job, job.nofollow ? p : fs.realpathSync(p), job.nofollow ? fs.lstatSync(p) : fs.statSync(p));
  if (job.op === 'list') {
    const dir = fs.realpathSync(p);
    const names = fs.readdirSync(dir).sort();
    if (names.length > 100_000) throw invalid(`${job.path}: more than 100000 entries`);
    return { path: dir, entries: names.map((n) => { const q = path.posix.join(dir, n); try { return infoOf(job, q, fs.lstatSync(q)); } catch { return null; } }).filter(Boolean) };
  }
  // read: a regular file only (a fifo would block, a device is not a file to show)
  const real = fs.realpathSync(p);
  const st = fs.statSync(real);
  if (!st.isFile()) throw invalid(`${job.path} is not a regular file`);
  const offset = Math.max(0, Math.floor(job.offset ?? 0));
  const length = Math.min(MAX_READ, Math.max(0, Math.floor(job.length ?? MAX_READ)));
  const fd = fs.openSync(real, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK);
  try {
    const buf = Buffer.alloc(Math.min(length, Math.max(0, st.size - offset)));
    let n = 0;
    while (n < buf.length) { const r = fs.readSync(fd, buf, n, buf.length - n, offset + n); if (!r) break; n += r; }
    return { info: infoOf(job, real, st), offset, length: n, size: st.size, data: buf.subarray(0, n).toString('base64'), eof: offset + n >= st.size };
  } finally { fs.closeSync(fd); }
}

async function* readStdin(): AsyncGenerator<Buffer> {
  for await (const b of process.stdin) yield b as Buffer;
}

export async function runJob(job: FilesJob): Promise<void> {
  // everything the job needs is loaded before the root changes: nothing of the host is reachable after
  native().chroot(job.root);
  try {
    // the editor's changes: as the user asked for from here on (./write-as.ts)
    const as = EDITS.has(job.op) ? becomeWriter(job.user, job.ids) : undefined;
    if (job.op === 'out') copyOut(job);
    else if (job.op === 'in') { await copyIn(job); status({ ok: true }); }
    else if (job.op === 'write') { await writeFile(job, as!); status({ ok: true }); }
    else if (job.op === 'mkdir') { makeDir(job, as!); status({ ok: true }); }
    else if (job.op === 'delete') { remove(job); status({ ok: true }); }
    else if (job.op === 'rename') { rename(job); status({ ok: true }); }
    else if (job.op === 'list' || job.op === 'stat' || job.op === 'read') status({ ok: true, result: readOps(job) });
    else throw invalid(`unknown files job "${String(job.op)}"`);
  } catch (e) {
    const msg = e instanceof NscopeError ? e.message : describe(e, job.path);
    const code = (e as NodeJS.ErrnoException).code;
    const kind = e instanceof NscopeError ? e.code : code === 'ENOENT' ? 'not_found' : code === 'EEXIST' || code === 'ENOTEMPTY' ? 'conflict' : 'failed';
    status({ error: msg, kind });
    process.exitCode = 1;
  }
}
