// kernel.read: the helper (root) reads a kernel source for a caller that
// may be anyone in the nscope group, so only an allowlist is readable:
//  - /proc/PID/{status,stat,statm,cgroup,mountinfo,cmdline,uid_map,gid_map}:
//    files every user may read anyway (mode 0444, no ptrace check; status
//    holds the capabilities, seccomp mode and no_new_privs the Security node
//    shows, uid_map and gid_map its user namespace's mapping). environ, mem, maps, fd/,
//    root/, … are refused: they hold secrets or reach into a process;
//  - /proc/PID/net/dev: the interfaces of the process's network namespace and
//    their counters (0444 too), what a container's Network node lists;
//  - /sys/class/net/NAME: a host interface (a veth's host side, a bridge) as
//    text nscope writes from its attribute files, readable by everyone anyway;
//  - /proc/PID/ns and /proc/PID/ns/TYPE: only readlink(2) of the links (the
//    inodes namespace.list reports anyway), never a path through them;
//  - the control files of a live nscope container's cgroup (its limits,
//    usage and member processes), not the rest of /sys/fs/cgroup.
// The path is checked as written (absolute, normalised: no "..", ".", "//"),
// then resolved with realpath and checked again, then opened with O_NOFOLLOW
// and the descriptor itself checked: a regular file on procfs or cgroupfs.
// Anything larger than MAX_KERNEL_READ is refused rather than cut.
import * as fs from 'fs';
import * as path from 'path';
import { invalid, notFound, NscopeError } from '../errors';
import { IFNAME, netdevListing } from '../lib/netdev';
import { NS_LINKS, nsLinkText, nsListing } from '../namespaces/links';
import { MAX_KERNEL_READ, type KernelReadResult } from '../protocol/types/kernel';

const PROC_FILES = ['status', 'stat', 'statm', 'cgroup', 'mountinfo', 'cmdline', 'uid_map', 'gid_map'];
/** /proc/PID/net/FILE: the interface list only (tcp, unix, … would list every socket's peers) */
const PROC_NET_FILES = ['dev'];
/** well-known /proc/PID entries refused with a reason (others get the generic refusal) */
const PROC_SECRETS: Record<string, string> = {
  environ: 'it holds the process\'s environment (passwords, tokens)',
  mem: 'it is the process\'s memory',
  maps: 'it maps the process\'s memory', smaps: 'it maps the process\'s memory', pagemap: 'it maps the process\'s memory',
  auxv: 'it exposes the process\'s address-space layout', syscall: 'it exposes the process\'s registers', stack: 'it exposes the kernel stack',
  fd: 'it reaches into the process\'s open files', fdinfo: 'it reaches into the process\'s open files',
  root: 'it reaches into the process\'s root directory', cwd: 'it reaches into the process\'s working directory', exe: 'it is the process\'s executable',
};
const PID_MAX_LIMIT = 4194304; // the kernel's largest possible pid (2^22)
const PROC_SUPER_MAGIC = 0x9fa0;
const CGROUP_SUPER_MAGIC = 0x27e0eb;
const CGROUP2_SUPER_MAGIC = 0x63677270;
const CGROUP_ROOT = '/sys/fs/cgroup';
const CONTAINER_ID = /^[0-9a-f]{64}$/;
/** a controller file ("memory.limit_in_bytes", "cgroup.procs") or v1's "tasks" */
const CGROUP_FILE = /^([a-z][a-z0-9_]*\.[a-z0-9_.]+|tasks)$/;
const HIERARCHY = /^[a-z0-9_=,.-]+$/;

const ALLOWED = `/proc/PID/{${PROC_FILES.join(',')}}, /proc/PID/net/{${PROC_NET_FILES.join(',')}}, /proc/PID/ns[/TYPE], /sys/class/net/NAME, or a control file of an nscope container's cgroup`;

export interface KernelReadEnv {
  cgroupVersion: 1 | 2;
  /** a live container's cgroup (e.g. "nscope/ID", no leading slash) for its full id, else undefined */
  cgroupOf(id: string): string | undefined;
}

type Source =
  | { kind: 'proc'; pid: number; file: string }
  | { kind: 'ns'; pid: number; type?: string }
  | { kind: 'netdev'; name: string }
  | { kind: 'cgroup'; id: string; hierarchy?: string; rel: string; file: string };

const refuse = (p: string, why: string) => new NscopeError('forbidden', `kernel.read: ${p}: ${why}`);

/** The path as the caller wrote it, checked: absolute and normalised. */
function checkPath(p: unknown): string {
  if (typeof p !== 'string' || !p) throw invalid('kernel.read: path must be a non-empty string');
  const shown = JSON.stringify(p.length > 120 ? `${p.slice(0, 120)}…` : p);
  if (p.length > 4096) throw invalid(`kernel.read: path ${shown} is longer than 4096 bytes`);
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f]/.test(p)) throw invalid(`kernel.read: path ${shown} contains a control character`);
  if (!p.startsWith('/')) throw invalid(`kernel.read: path ${shown} is not absolute`);
  const parts = p.split('/').slice(1);
  if (parts.some((x) => x === '..' || x === '.')) throw invalid(`kernel.read: path ${shown} contains "." or ".."; give the path itself`);
  if (parts.some((x) => x === '')) throw invalid(`kernel.read: path ${shown} has an empty component (// or a trailing /)`);
  return p;
}

function parsePid(s: string, p: string): number {
  if (!/^[1-9]\d{0,6}$/.test(s) || Number(s) > PID_MAX_LIMIT) throw refuse(p, `"${s}" is not a process id (self and thread-self are not allowed)`);
  return Number(s);
}

/** Which allowed kernel source `p` names; throws "forbidden" naming what is allowed. */
function classify(p: string, env: KernelReadEnv): Source {
  const parts = p.split('/').slice(1);
  if (parts[0] === 'proc' && parts.length >= 3) {
    const pid = parsePid(parts[1], p);
    const entry = parts[2];
    if (entry === 'ns' && parts.length === 3) return { kind: 'ns', pid };
    if (entry === 'ns' && parts.length === 4) {
      if (!NS_LINKS.includes(parts[3])) throw refuse(p, `"${parts[3]}" is not a namespace (${NS_LINKS.join(', ')})`);
      return { kind: 'ns', pid, type: parts[3] };
    }
    if (PROC_SECRETS[entry]) throw refuse(p, `not readable through nscope: ${PROC_SECRETS[entry]}`);
    if (parts.length === 3 && PROC_FILES.includes(entry)) return { kind: 'proc', pid, file: entry };
    if (entry === 'net' && parts.length === 4 && PROC_NET_FILES.includes(parts[3])) return { kind: 'proc', pid, file: `net/${parts[3]}` };
    throw refuse(p, `not a kernel source nscope shows (allowed: ${ALLOWED})`);
  }
  if (parts[0] === 'sys' && parts[1] === 'class' && parts[2] === 'net' && parts.length === 4) {
    if (!IFNAME.test(parts[3])) throw refuse(p, `"${parts[3]}" is not a network interface name`);
    return { kind: 'netdev', name: parts[3] };
  }
  if (p.startsWith(`${CGROUP_ROOT}/`)) {
    const rest = parts.slice(3);
    const file = rest[rest.length - 1];
    const id = rest[rest.length - 2];
    const rel = id && CONTAINER_ID.test(id) ? env.cgroupOf(id) : undefined;
    if (!rel) throw refuse(p, 'not in the cgroup of a live nscope container (only its control files are readable)');
    const dir = rest.slice(0, -1).join('/');
    let hierarchy: string | undefined;
    if (env.cgroupVersion === 1) {
      hierarchy = rest[0];
      if (dir !== `${hierarchy}/${rel}` || !HIERARCHY.test(hierarchy)) throw refuse(p, `not the container's cgroup: expected ${CGROUP_ROOT}/HIERARCHY/${rel}/FILE`);
    } else if (dir !== rel) {
      throw refuse(p, `not the container's cgroup: expected ${CGROUP_ROOT}/${rel}/FILE`);
    }
    if (!CGROUP_FILE.test(file)) throw refuse(p, `"${file}" is not a cgroup control file`);
    return { kind: 'cgroup', id, hierarchy, rel, file };
  }
  throw refuse(p, `not a kernel source nscope shows (allowed: ${ALLOWED})`);
}

function errnoMessage(p: string, e: unknown): Error {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ESRCH') return notFound(`kernel.read: ${p}: no such file (the process or cgroup may be gone)`);
  if (code === 'ELOOP') return refuse(p, 'is a symbolic link');
  return new NscopeError('failed', `kernel.read: ${p}: ${(e as Error).message}`);
}

/** Reads an already opened regular file, refusing one larger than MAX_KERNEL_READ. */
function readCapped(fd: number, p: string): Buffer {
  const buf = Buffer.alloc(MAX_KERNEL_READ + 1);
  let n = 0;
  for (;;) {
    const r = fs.readSync(fd, buf, n, buf.length - n, null);
    if (r === 0) break;
    n += r;
    if (n > MAX_KERNEL_READ) throw new NscopeError('unsupported', `kernel.read: ${p} is larger than ${MAX_KERNEL_READ / 1024 / 1024} MiB, the most nscope shows`);
  }
  return buf.subarray(0, n);
}

/** Opens `resolved` without following a final symlink and reads it if it is a regular file on the file system `magic` names. */
function readRegular(p: string, resolved: string, magic: number[], what: string): Buffer {
  let fd: number;
  try {
    fd = fs.openSync(resolved, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK);
  } catch (e) {
    throw errnoMessage(p, e);
  }
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) throw refuse(p, 'not a regular file');
    // the descriptor, not the path: whatever was opened must be on the expected file system
    const type = Number(fs.statfsSync(`/proc/self/fd/${fd}`).type);
    if (!magic.includes(type)) throw refuse(p, `not on ${what} (file system type 0x${type.toString(16)})`);
    if ((st.mode & 0o444) === 0) throw refuse(p, 'a write-only control file: the kernel gives nothing to read');
    return readCapped(fd, p);
  } catch (e) {
    if (e instanceof NscopeError) throw e;
    throw errnoMessage(p, e);
  } finally {
    fs.closeSync(fd);
  }
}

function realpath(p: string): string {
  try { return fs.realpathSync(p); } catch (e) { throw errnoMessage(p, e); }
}

function result(p: string, resolved: string, kind: KernelReadResult['kind'], data: Buffer): KernelReadResult {
  return { path: p, resolved, kind, data: data.toString('base64'), length: data.length };
}

export function readKernelSource(raw: unknown, env: KernelReadEnv): KernelReadResult {
  const p = checkPath(raw);
  const src = classify(p, env);
  switch (src.kind) {
    case 'ns': {
      // /proc/PID must be the process's own directory, not reached through a link
      const dir = `/proc/${src.pid}`;
      if (realpath(dir) !== dir) throw refuse(p, `${dir} is not a process directory`);
      const text = src.type ? nsLinkText(src.pid, src.type) : nsListing(src.pid);
      return result(p, p, src.type ? 'namespace' : 'namespaces', Buffer.from(text));
    }
    case 'netdev': {
      let text: string;
      try { text = netdevListing(src.name); } catch (e) { throw errnoMessage(p, e); }
      return result(p, realpath(p), 'interface', Buffer.from(text));
    }
    case 'proc': {
      const resolved = realpath(p);
      if (resolved !== p) throw refuse(p, `resolves to ${resolved}`);
      return result(p, p, 'file', readRegular(p, p, [PROC_SUPER_MAGIC], 'procfs'));
    }
    case 'cgroup': {
      // v1 hierarchies may be links (cpu -> cpu,cpuacct): the resolved path must name the same container's same file
      const resolved = realpath(p);
      let again: Source | undefined = src;
      if (resolved !== p) { try { again = classify(resolved, env); } catch { again = undefined; } }
      if (again?.kind !== 'cgroup' || again.id !== src.id || again.file !== src.file || path.posix.dirname(resolved) !== path.posix.join(CGROUP_ROOT, again.hierarchy ?? '', again.rel)) {
        throw refuse(p, `resolves to ${resolved}, outside the container's cgroup`);
      }
      return result(p, resolved, 'file', readRegular(p, resolved, [CGROUP_SUPER_MAGIC, CGROUP2_SUPER_MAGIC], 'a cgroup file system'));
    }
  }
}
