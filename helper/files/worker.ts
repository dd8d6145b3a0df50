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
//
// Job on argv[2] (JSON), status lines on fd 3 (JSON), the tar on stdout
// (out) or stdin (in).
import * as fs from 'fs';
import * as path from 'path';
import { Readable } from 'stream';
import { invalid, NscopeError } from '../errors';
import { unpackInto } from '../images/unpack';
import { toContainerId, toHostId, type IdMap } from '../lib/idmap';
import { native } from '../native';
import type { CopyStat } from '../protocol/types/files';
import { treeTar } from './tree-tar';

export interface FilesJob {
  op: 'out' | 'in';
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
  /** the container's user namespace: its ids on the host */
  ids?: IdMap;
}

/** Paths a copy never writes: the kernel's, not files. */
const KERNEL_TREES = ['/proc', '/sys', '/dev'];

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
  const st = statOf(p, !!job.follow);
  status({ stat: st });
  const map = job.ids;
  const name = p === '/' ? '.' : path.basename(p);
  for (const b of treeTar(p, name, { follow: job.follow, owner: (u, g) => [toContainerId(map?.uid, u), toContainerId(map?.gid, g)] })) writeOut(b);
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
  let rename: ((parts: string[]) => string[] | null) | undefined;
  if (!job.src) {
    if (!st?.isDirectory()) throw invalid(`${job.path}: ${st ? 'not a directory' : 'no such directory'} (an archive on stdin goes into a directory)`);
    dir = dest;
  } else if (st?.isDirectory()) {
    dir = dest;
  } else {
    if (!st && endsWithSlash) throw invalid(`${job.path}: no such directory`);
    if (st && job.src.type === 'dir') throw invalid(`cannot copy a directory to a file: ${job.path}`);
    dir = path.posix.dirname(dest);
    const want = path.posix.basename(dest);
    const top = job.src.name;
    rename = (parts) => (parts[0] === top ? [want, ...parts.slice(1)] : null);
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
  const map = job.ids;
  const owner = (u: number, g: number): [number, number] => {
    const [cu, cg] = job.archive ? [u, g] : [0, 0];
    const hu = toHostId(map?.uid, cu);
    const hg = toHostId(map?.gid, cg);
    if (hu === undefined || hg === undefined) throw invalid(`owner ${cu}:${cg} is not mapped in the container's user namespace`);
    return [hu, hg];
  };
  await unpackInto(Readable.from(readStdin()), dir, `copy into ${job.path}`, { owner, rename, noWhiteouts: true });
}

async function* readStdin(): AsyncGenerator<Buffer> {
  for await (const b of process.stdin) yield b as Buffer;
}

export async function runJob(job: FilesJob): Promise<void> {
  // everything the job needs is loaded before the root changes: nothing of the host is reachable after
  native().chroot(job.root);
  try {
    if (job.op === 'out') copyOut(job);
    else if (job.op === 'in') { await copyIn(job); status({ ok: true }); }
    else throw invalid(`unknown files job "${String(job.op)}"`);
  } catch (e) {
    const msg = e instanceof NscopeError ? e.message : describe(e, job.path);
    status({ error: msg, kind: e instanceof NscopeError ? e.code : 'failed' });
    process.exitCode = 1;
  }
}
