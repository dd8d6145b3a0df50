// Turns an OCI runtime spec into the shim's plan: the flat, ordered list of
// operations that native/shim runs in the container's first process. All
// interpretation of the spec happens here, in TypeScript, so the C side stays
// a small interpreter of already-validated steps.
import { native } from '../native';
import * as fs from 'fs';
import * as path from 'path';
import { invalid } from '../errors';
import { capMask } from './capabilities';
import { seccompOps } from '../security/seccomp-oci';
import { mapText } from '../lib/idmap';
import { checkIdMappings } from './idmap-check';
import type { Hook, LinuxSeccomp, Mount, NamespaceType, Spec } from './spec';

export const CLONE_FLAGS: Record<NamespaceType, number> = {
  mount: 0x00020000, cgroup: 0x02000000, uts: 0x04000000, ipc: 0x08000000,
  user: 0x10000000, pid: 0x20000000, network: 0x40000000, time: 0x00000080,
};

const MS = {
  RDONLY: 1, NOSUID: 2, NODEV: 4, NOEXEC: 8, SYNCHRONOUS: 16, REMOUNT: 32, MANDLOCK: 64, DIRSYNC: 128,
  NOSYMFOLLOW: 256, NOATIME: 1024, NODIRATIME: 2048, BIND: 4096, REC: 16384, SILENT: 32768,
  UNBINDABLE: 1 << 17, PRIVATE: 1 << 18, SLAVE: 1 << 19, SHARED: 1 << 20, RELATIME: 1 << 21, STRICTATIME: 1 << 24,
};

// option -> [flags to set, flags to clear]; anything else is the file system's own data
export const MOUNT_OPTIONS: Record<string, [number, number]> = {
  ro: [MS.RDONLY, 0], rw: [0, MS.RDONLY], nosuid: [MS.NOSUID, 0], suid: [0, MS.NOSUID],
  nodev: [MS.NODEV, 0], dev: [0, MS.NODEV], noexec: [MS.NOEXEC, 0], exec: [0, MS.NOEXEC],
  sync: [MS.SYNCHRONOUS, 0], async: [0, MS.SYNCHRONOUS], dirsync: [MS.DIRSYNC, 0], remount: [MS.REMOUNT, 0],
  mand: [MS.MANDLOCK, 0], nomand: [0, MS.MANDLOCK], atime: [0, MS.NOATIME], noatime: [MS.NOATIME, 0],
  diratime: [0, MS.NODIRATIME], nodiratime: [MS.NODIRATIME, 0], bind: [MS.BIND, 0], rbind: [MS.BIND | MS.REC, 0],
  relatime: [MS.RELATIME, 0], norelatime: [0, MS.RELATIME], strictatime: [MS.STRICTATIME, 0],
  nostrictatime: [0, MS.STRICTATIME], nosymfollow: [MS.NOSYMFOLLOW, 0],
  private: [MS.PRIVATE, 0], rprivate: [MS.PRIVATE | MS.REC, 0], shared: [MS.SHARED, 0], rshared: [MS.SHARED | MS.REC, 0],
  slave: [MS.SLAVE, 0], rslave: [MS.SLAVE | MS.REC, 0], unbindable: [MS.UNBINDABLE, 0], runbindable: [MS.UNBINDABLE | MS.REC, 0],
};

const RLIMITS: Record<string, number> = {
  RLIMIT_CPU: 0, RLIMIT_FSIZE: 1, RLIMIT_DATA: 2, RLIMIT_STACK: 3, RLIMIT_CORE: 4, RLIMIT_RSS: 5, RLIMIT_NPROC: 6,
  RLIMIT_NOFILE: 7, RLIMIT_MEMLOCK: 8, RLIMIT_AS: 9, RLIMIT_LOCKS: 10, RLIMIT_SIGPENDING: 11, RLIMIT_MSGQUEUE: 12,
  RLIMIT_NICE: 13, RLIMIT_RTPRIO: 14, RLIMIT_RTTIME: 15,
};

const S_IFCHR = 0o020000;
const S_IFBLK = 0o060000;
const S_IFIFO = 0o010000;

/** The standard devices every container gets (the OCI spec's list). */
const DEFAULT_DEVICES: [string, number, number][] = [
  ['/dev/null', 1, 3], ['/dev/zero', 1, 5], ['/dev/full', 1, 7], ['/dev/random', 1, 8], ['/dev/urandom', 1, 9], ['/dev/tty', 5, 0],
];
const DEV_SYMLINKS: [string, string][] = [
  ['/proc/self/fd', '/dev/fd'], ['/proc/self/fd/0', '/dev/stdin'], ['/proc/self/fd/1', '/dev/stdout'],
  ['/proc/self/fd/2', '/dev/stderr'], ['pts/ptmx', '/dev/ptmx'], ['/proc/kcore', '/dev/core'],
];

export interface PlanInputs {
  spec: Spec;
  /** Absolute path of the rootfs directory (the mount point). */
  rootfs: string;
  bundle: string;
  /** Overlay layers, when the rootfs is assembled (daemon): paths relative to `base`. */
  overlay?: { base: string; lower: string[]; upper: string; work: string; volatile?: boolean };
  /**
   * With a user namespace of its own: idmap the overlay's lower layers to it
   * (false: the layers are already owned by the mapped ids, a chowned copy).
   */
  idmapLayers?: boolean;
  cgroupProcs: string[];
  logFile?: string;
  /** the log's rotation (--log-opt max-size, max-file) */
  logRotate?: { maxSize: number; maxFiles: number };
  exitFile: string;
  pidFile: string;
  fifo?: string;
  /** Allow the chroot fallback when pivot_root is impossible. */
  allowChroot?: boolean;
  /** The host's cgroup hierarchies, for a spec mount of type cgroup (/sys/fs/cgroup inside). */
  cgroupMounts?: ContainerCgroupMount[];
  /** process.terminal / -i: the attach socket and control fifo of the shim, and the console size */
  attach?: { socket: string; ctl: string; interactive: boolean; rows?: number; cols?: number };
  /** runc's --console-socket: the console's pty master is sent there (instead of an attach socket) */
  consoleSocket?: string;
  /** where compiled seccomp filters are kept (the runtime tmpfs), by digest */
  seccompCacheDir?: string;
  /** no monitor: the shim exits once the container is created (nscope-runtime create, as runc) */
  detach?: boolean;
  /** the command is looked up after the exec fifo is released (`start`), not during set-up */
  lookupAtStart?: boolean;
  /** runc create's --preserve-fds N: the shim's fds 5..5+N-1 become the process's 3..3+N-1 */
  preserveFds?: number;
  /** a "pid PID" status line as soon as the init exists, before "ok" (startShim's initPid()) */
  earlyPid?: boolean;
  /** the OCI state the startContainer and createContainer hooks get on stdin, but its pid (the init adds its own, as runc's) */
  hookState?: Record<string, unknown>;
  /** a fifo the runtime holds open: the init stops before pivot_root until the runtime's byte on it (prestart, createRuntime hooks) */
  hookSync?: string;
}

export interface Plan { buffer: Buffer; cloneFlags: number }

/**
 * One hierarchy as the container mounts it: v1 "cpu,cpuacct" at /sys/fs/cgroup/cpu,cpuacct, or v2 at /sys/fs/cgroup.
 * v1 `mountPoint`: the host's; `ownDir`: the host directory of this process's own cgroup there (what a
 * container inherits in a hierarchy nscope does not join), when reachable.
 */
export interface ContainerCgroupMount { version: 1 | 2; name: string; controllers: string[]; mountPoint?: string; ownDir?: string }

function parseMountOptions(options: string[] = []): { flags: number; data: string } {
  let flags = 0;
  const data: string[] = [];
  for (const opt of options) {
    const known = MOUNT_OPTIONS[opt];
    if (known) flags = (flags | known[0]) & ~known[1];
    else data.push(opt);
  }
  return { flags, data: data.join(',') };
}

function checkPath(what: string, p: string): string {
  if (typeof p !== 'string' || p.includes('\0')) throw invalid(`${what}: not a valid path`);
  if (!p.startsWith('/')) throw invalid(`${what} "${p}" must be an absolute path`);
  return path.posix.normalize(p);
}

export function buildPlan(inp: PlanInputs): Plan {
  const { spec } = inp;
  const ops: string[][] = [];
  const op = (...t: (string | number)[]) => ops.push(t.map(String));
  const linux = spec.linux ?? {};
  const proc = spec.process;
  if (!proc || !Array.isArray(proc.args) || proc.args.length === 0) throw invalid('process.args: no command given');

  // Namespaces: new ones go into clone(); paths are joined (pid before clone, in the shim).
  let cloneFlags = 0;
  let newCgroupNs = false;
  const joins: [number, string][] = [];
  let joinPid: string | undefined;
  const seen = new Set<string>();
  for (const ns of linux.namespaces ?? []) {
    const flag = CLONE_FLAGS[ns.type];
    if (flag === undefined) throw invalid(`linux.namespaces: unknown type "${ns.type}"`);
    if (seen.has(ns.type)) throw invalid(`linux.namespaces: "${ns.type}" listed twice`);
    seen.add(ns.type);
    if (ns.type === 'time') throw invalid('linux.namespaces: time namespaces are not supported by nscope yet');
    if (ns.type === 'user' && ns.path) throw invalid('linux.namespaces: joining an existing user namespace (a user namespace with a path) is not supported by nscope; give linux.uidMappings and gidMappings for a new one');
    if (ns.path) {
      checkPath(`namespace ${ns.type} path`, ns.path);
      if (ns.type === 'pid') joinPid = ns.path;
      else joins.push([flag, ns.path]);
    } else if (ns.type === 'cgroup') {
      newCgroupNs = true; // unshared after joining the cgroup, so its root is the container's cgroup
    } else {
      cloneFlags |= flag;
    }
  }
  // not the host's (new, or joined by path): sysfs and mqueue are mounted for them, not bound from the host
  const ownNet = seen.has('network');
  const ownIpc = seen.has('ipc');
  if (!seen.has('mount')) throw invalid('linux.namespaces: a mount namespace is required');
  if (linux.intelRdt !== undefined && linux.intelRdt !== null) throw invalid('linux.intelRdt: Intel RDT (resctrl) is not supported by nscope');

  const userns = !!(cloneFlags & CLONE_FLAGS.user);
  if (!userns && (linux.uidMappings?.length || linux.gidMappings?.length)) throw invalid('linux.uidMappings: mappings need a user namespace in linux.namespaces');
  // In a user namespace of its own, the IPC namespace is made once the child
  // is that namespace's root: its mqueue file system is created with the IPC
  // namespace, owned by whoever made it (else /dev/mqueue shows as nobody).
  const lateIpc = userns && !!(cloneFlags & CLONE_FLAGS.ipc);
  op('clone', lateIpc ? cloneFlags & ~CLONE_FLAGS.ipc : cloneFlags);
  if (userns) {
    op('uidmap', mapText(checkIdMappings('uidMappings', linux.uidMappings)));
    op('gidmap', mapText(checkIdMappings('gidMappings', linux.gidMappings)));
  }
  const sc = seccompPlan(linux.seccomp, proc, inp.seccompCacheDir);
  if (sc.cache) op('seccompcache', sc.cache);
  if (joinPid) op('joinpid', joinPid);
  op('rootfs', inp.rootfs);
  if (inp.logFile) op('log', inp.logFile);
  if (inp.logFile && inp.logRotate) op('logrotate', inp.logRotate.maxSize, inp.logRotate.maxFiles);
  if (inp.detach) {
    if (inp.logFile || inp.attach) throw invalid('a container without a monitor cannot have a log file or an attach socket');
    op('detach');
  }
  if (inp.preserveFds) op('preservefds', inp.preserveFds);
  if (inp.earlyPid) op('earlypid');
  op('exitfile', inp.exitFile);
  op('pidfile', inp.pidFile);
  if (inp.fifo) op('fifo', inp.fifo);
  if (inp.hookSync) op('hooksync', inp.hookSync);
  if (inp.attach) {
    op('attach', inp.attach.socket);
    op('ctl', inp.attach.ctl);
    if (inp.attach.interactive) op('interactive');
  }
  if (proc.terminal) {
    if (inp.consoleSocket) op('consolesocket', inp.consoleSocket);
    else if (!inp.attach) throw invalid('process.terminal: a console needs an attach socket or a console socket');
    const size = proc.consoleSize;
    if (size !== undefined && ![size.height, size.width].every((v) => Number.isInteger(v) && v >= 1 && v <= 65535)) {
      throw invalid(`process.consoleSize: height and width must be integers from 1 to 65535`);
    }
    op('tty', inp.attach?.rows ?? size?.height ?? 24, inp.attach?.cols ?? size?.width ?? 80);
  }

  for (const [flag, p] of joins) op('join', flag, p);
  for (const f of inp.cgroupProcs) op('cgroup', f);
  if (newCgroupNs) op('unshare', CLONE_FLAGS.cgroup);

  const asked = linux.rootfsPropagation ? parseMountOptions([linux.rootfsPropagation]).flags : MS.REC | MS.PRIVATE;
  // Nothing mounted for the container may propagate back to the host: / is
  // private or slave while its root is set up. A shared or unbindable root is
  // asked for after pivot_root, where a shared one makes a peer group of the
  // container's own (a shared / would send the rootfs, /proc, /dev mounts to
  // the host, and pivot_root refuses a shared parent; an unbindable / cannot
  // have the rootfs bound below it).
  const lateRoot = !!(asked & (MS.SHARED | MS.UNBINDABLE));
  op('propagation', lateRoot ? MS.REC | MS.SLAVE : (asked & (MS.SLAVE | MS.PRIVATE)) ? asked | MS.REC : MS.REC | MS.PRIVATE);
  if (inp.overlay) {
    const o = inp.overlay;
    // Relative layer paths (from `base`) keep the option string under the page-size limit.
    const data = `lowerdir=${o.lower.join(':')},upperdir=${o.upper},workdir=${o.work}${o.volatile ? ',volatile' : ''}`;
    if (data.length > 4000) throw invalid(`image has too many layers for one overlay mount (${o.lower.length})`);
    if (userns) {
      // built by the shim with the host's privileges, moved in by the child
      op('ovl', o.base, data);
      if (inp.idmapLayers !== false) for (const l of o.lower) op('ovlidmap', l);
      op('mountfd');
    } else {
      op('chdirhost', o.base);
      op('mountroot', 'overlay', 'overlay', 0, data);
    }
  } else {
    op('mountroot', '', '', MS.BIND | MS.REC, '');
  }
  if (userns) op('userroot');
  if (lateIpc) op('unshare', CLONE_FLAGS.ipc);

  const cgroupView = { hierarchies: inp.cgroupMounts ?? [], joined: inp.cgroupProcs.map((f) => path.dirname(f)), ownNs: seen.has('cgroup') };
  for (const m of spec.mounts ?? []) addMount(op, m, inp.bundle, ownNet, ownIpc, cgroupView);

  // /dev: the standard nodes and links, then the spec's own devices.
  const devMounted = (spec.mounts ?? []).some((m) => path.posix.normalize(m.destination) === '/dev');
  const devices: [string, number, number, number][] = devMounted ? DEFAULT_DEVICES.map(([p, maj, min]) => [p, S_IFCHR | 0o666, maj, min]) : [];
  // the owner a spec gives a node (runc chowns it; nothing to do for root's)
  const owners = new Map<string, [number, number]>();
  for (const d of linux.devices ?? []) {
    const type = d.type === 'c' || d.type === 'u' ? S_IFCHR : d.type === 'b' ? S_IFBLK : d.type === 'p' ? S_IFIFO : -1;
    if (type < 0) throw invalid(`linux.devices: ${d.path}: unknown type "${d.type}"`);
    const id = (what: string, v: unknown, max: number) => {
      if (v === undefined) return 0;
      if (!Number.isInteger(v) || (v as number) < 0 || (v as number) > max) throw invalid(`linux.devices: ${d.path}: ${what} ${String(v)} is out of range (0..${max})`);
      return v as number;
    };
    const p = checkPath('linux.devices path', d.path);
    devices.push([p, type | ((d.fileMode ?? 0o666) & 0o7777), id('major', d.major, 0xfff), id('minor', d.minor, 0xfffff)]);
    const uid = id('uid', d.uid, 0xfffffffe);
    const gid = id('gid', d.gid, 0xfffffffe);
    if (uid || gid) owners.set(p, [uid, gid]);
  }
  // A user namespace cannot mknod (and its file systems are nodev): the
  // host's nodes are bind-mounted before pivot_root, as runc does.
  if (userns) for (const [p] of devices) op('mount', p, p, '', MS.BIND, '', 'f');
  // the OCI create hooks, where runc runs them: the mounts made, the old root still there. prestart and
  // createRuntime by the runtime, in its namespaces, while the init waits (runc's procHooks); then
  // createContainer by the init, in the container's namespaces, its path still the runtime's
  if (inp.hookSync) op('hookpoint');
  if (inp.hookState) hookOps(op, 'cchook', spec.hooks?.createContainer, { ...inp.hookState, status: 'creating' });
  op('pivot', inp.allowChroot === false ? 0 : 1);
  if (lateRoot) op('propagation', asked);
  if (!userns) {
    for (const [p, mode, maj, min] of devices) {
      op('mknod', p, mode, maj, min);
      const owner = owners.get(p);
      if (owner) op('chown', p, owner[0], owner[1]);
    }
  }
  if (devMounted) for (const [target, link] of DEV_SYMLINKS) op('symlink', target, link);

  if (proc.terminal) op('console');

  for (const [k, v] of Object.entries(linux.sysctl ?? {})) {
    if (!/^[A-Za-z0-9_.\-/]+$/.test(k) || k.includes('..')) throw invalid(`linux.sysctl: bad key "${k}"`);
    op('sysctl', k, v);
  }
  for (const p of linux.maskedPaths ?? []) op('mask', checkPath('linux.maskedPaths', p));
  for (const p of linux.readonlyPaths ?? []) op('readonly', checkPath('linux.readonlyPaths', p));
  if (spec.root?.readonly) op('rootro');

  // a new network namespace (not one joined) gets lo up, as runc gives it: no process needed for it
  if (cloneFlags & CLONE_FLAGS.network) op('loup');
  if (spec.hostname !== undefined && spec.hostname !== '') {
    // a new UTS namespace, or one joined by path (as runc: it sets that namespace's name); never the host's
    if (!seen.has('uts')) throw invalid('hostname: needs a UTS namespace of the container (linux.namespaces has none: it would rename the host)');
    op('hostname', spec.hostname);
  }
  if (spec.domainname) op('domainname', spec.domainname);
  if (inp.lookupAtStart) op('lazyexec');
  processOps(op, proc, sc.ops);
  // startContainer hooks: run by the init itself once `start` lets it go (native/shim/hooks.c)
  hookOps(op, 'hook', spec.hooks?.startContainer, { ...inp.hookState, status: 'created' });

  return { buffer: encode(ops), cloneFlags };
}

/** Hooks the init runs itself (native/shim/hooks.c): the state without its closing brace, for the pid the init appends. */
function hookOps(op: (...a: (string | number)[]) => void, name: 'hook' | 'cchook', hooks: Hook[] | undefined, state: Record<string, unknown>): void {
  const head = JSON.stringify(state).slice(0, -1);
  for (const h of hooks ?? []) {
    op(name, h.path, h.timeout ?? 0, head);
    for (const a of h.args ?? []) op('hookarg', a);
    for (const e of h.env ?? []) op('hookenv', e);
  }
}

function encode(ops: string[][]): Buffer {
  for (const t of ops) for (const s of t) if (s.includes('\0')) throw invalid(`spec value contains a NUL byte: ${JSON.stringify(s.slice(0, 40))}`);
  return Buffer.from(ops.map((t) => t.join('\0') + '\0').join(''), 'utf8');
}

/** The seccomp operations of a spec, and the cache file of their compiled filter (named by their digest). */
function seccompPlan(s: LinuxSeccomp | undefined, proc: Spec['process'], cacheDir: string | undefined): { ops: string[][]; cache?: string } {
  if (!s) return { ops: [] };
  const { ops, digest } = encodedSeccomp(s, !!proc?.noNewPrivileges);
  return cacheDir ? { ops, cache: path.join(cacheDir, `${digest}.bpf`) } : { ops };
}

/** Operations and digest of frozen filters (shared and unchanging: the default profile's, security/seccomp-profile.ts), by no_new_privs. */
const encoded = new WeakMap<LinuxSeccomp, { ops: string[][]; digest: string }[]>();

function encodedSeccomp(s: LinuxSeccomp, noNewPrivileges: boolean): { ops: string[][]; digest: string } {
  const hit = encoded.get(s)?.[Number(noNewPrivileges)];
  if (hit) return hit;
  const ops = seccompOps(s, noNewPrivileges);
  // the filter's cache key, by the addon: nscope-runtime's create need not load node's `crypto` (~5 ms)
  const r = { ops, digest: native().sha256Hex(Buffer.from(ops.map((t) => t.join('\0')).join('\n'))).slice(0, 40) };
  if (Object.isFrozen(s)) {
    const kept = encoded.get(s) ?? [];
    kept[Number(noNewPrivileges)] = r;
    encoded.set(s, kept);
  }
  return r;
}

/** What both a container's init and an exec'd process get: rlimits, cwd, user, capabilities, env, command. */
function processOps(op: (...t: (string | number)[]) => void, proc: Spec['process'], seccomp: string[][], exec = false) {
  if (!proc || !Array.isArray(proc.args) || proc.args.length === 0) throw invalid('process.args: no command given');
  for (const r of proc.rlimits ?? []) {
    const n = RLIMITS[r.type];
    if (n === undefined) throw invalid(`process.rlimits: unknown type "${r.type}"`);
    op('rlimit', n, r.soft, r.hard);
  }
  // as runc: an exec'd process gets the container's oom_score_adj too, not the helper's
  if (proc.oomScoreAdj !== undefined) {
    if (!Number.isInteger(proc.oomScoreAdj) || proc.oomScoreAdj < -1000 || proc.oomScoreAdj > 1000) throw invalid(`process.oomScoreAdj: ${proc.oomScoreAdj} is out of range (-1000..1000)`);
    op('oomscore', proc.oomScoreAdj);
  }
  // a container's init makes a missing working directory (runc, `run -w`); an exec'd process does not (runc's exec, `exec -w`)
  op(exec ? 'cwd' : 'chdir', checkPath('process.cwd', proc.cwd || '/'));
  if (proc.user?.umask !== undefined) op('umask', proc.user.umask);
  const uid = proc.user?.uid ?? 0;
  const gid = proc.user?.gid ?? 0;
  for (const [what, v] of [['uid', uid], ['gid', gid]] as const) {
    if (!Number.isInteger(v) || v < 0 || v > 0xfffffffe) throw invalid(`process.user.${what}: ${v} is out of range`);
  }
  // A session keyring of its own (as runc): nothing of the host's is reachable through @s.
  op('keyring');
  // The filter is built here and loaded now, or (no_new_privs) just before execve.
  for (const t of seccomp) op(...t);
  op('setgroups', (proc.user?.additionalGids ?? []).join(','));
  op('setuid', uid, gid);
  const caps = proc.capabilities ?? {};
  op('caps', capMask(caps.bounding), capMask(caps.effective), capMask(caps.permitted), capMask(caps.inheritable), capMask(caps.ambient));
  if (proc.noNewPrivileges) op('nonewprivs');
  for (const e of proc.env ?? []) op('env', e);
  for (const a of proc.args) op('arg', a);

}

export interface ExecPlanInputs {
  /** the container init's pid on the host: its namespaces are joined */
  pid: number;
  process: Spec['process'];
  cgroupProcs: string[];
  tty?: { rows: number; cols: number };
  interactive?: boolean;
  /** the container's linux.seccomp: an exec'd process gets the same filter */
  seccomp?: LinuxSeccomp;
  seccompCacheDir?: string;
  /** runc exec's --console-socket: the pty master goes there, the shim keeps no copy */
  consoleSocket?: string;
  /** runc exec --detach: the shim exits once the process runs (the caller's subreaper waits for it) */
  detach?: boolean;
  /** runc's --preserve-fds N: the shim's fds 5..5+N-1 become the process's 3..3+N-1 */
  preserveFds?: number;
}

/** The plan of `nscope-shim exec`: join the container, then the process part of a spec. */
export function buildExecPlan(inp: ExecPlanInputs): Buffer {
  const ops: string[][] = [];
  const op = (...t: (string | number)[]) => ops.push(t.map(String));
  op('target', inp.pid);
  const sc = seccompPlan(inp.seccomp, inp.process, inp.seccompCacheDir);
  if (sc.cache) op('seccompcache', sc.cache);
  if (inp.tty) op('tty', inp.tty.rows, inp.tty.cols);
  if (inp.interactive) op('interactive');
  if (inp.consoleSocket) op('consolesocket', inp.consoleSocket);
  if (inp.detach) op('detach');
  if (inp.preserveFds) op('preservefds', inp.preserveFds);
  for (const f of inp.cgroupProcs) op('cgroup', f);
  processOps(op, inp.process, sc.ops, true);
  return encode(ops);
}

/** What a cgroup mount shows: the host's hierarchies, the container's cgroup directories in them, and whether it has a cgroup namespace. */
interface CgroupView { hierarchies: ContainerCgroupMount[]; joined: string[]; ownNs: boolean }

function addMount(op: (...t: (string | number)[]) => void, m: Mount, bundle: string, ownNet: boolean, ownIpc: boolean, cg: CgroupView) {
  const cgroups = cg.hierarchies;
  const dest = checkPath('mount destination', m.destination);
  const { flags, data } = parseMountOptions(m.options);
  let type = m.type ?? '';
  let source = m.source ?? '';
  let f = flags;
  if (type === 'bind' || (f & MS.BIND)) {
    type = '';
    f |= MS.BIND;
    if (!source) throw invalid(`mount ${dest}: a bind mount needs a source`);
    if (!source.startsWith('/')) source = path.resolve(bundle, source);
  } else if (type === 'cgroup' || type === 'cgroup2') {
    // In the container's cgroup namespace each hierarchy shows the container's own cgroup as its root.
    const ro = f & MS.RDONLY;
    const base = MS.NOSUID | MS.NODEV | MS.NOEXEC;
    const v2 = cgroups.find((c) => c.version === 2);
    if (v2) { op('mount', 'cgroup2', dest, 'cgroup2', base | ro, '', 'd'); return; }
    if (!cgroups.length) return;
    op('mount', 'tmpfs', dest, 'tmpfs', base, 'mode=755,size=64k', 'd');
    for (const c of cgroups) {
      if (!cg.ownNs) {
        // No cgroup namespace (runc spec's and Docker's default on v1): as runc, each hierarchy is the
        // container's own cgroup directory bound there. A new mount would show the host's whole tree
        // (the root's memory.limit_in_bytes, not the container's), and a user namespace may not make one.
        const mp = c.mountPoint;
        const src = (mp && cg.joined.find((d) => d === mp || d.startsWith(`${mp}/`))) ?? c.ownDir;
        if (src) op('mount', src, `${dest}/${c.name}`, '', MS.BIND | MS.REC | base | ro, '', 'd');
        continue;
      }
      const data = c.controllers.some((x) => x.startsWith('name=')) ? ['none', ...c.controllers].join(',') : c.controllers.join(',');
      op('mount', 'cgroup', `${dest}/${c.name}`, 'cgroup', base | ro, data, 'd');
    }
    if (ro) op('mount', 'tmpfs', dest, '', MS.REMOUNT | MS.RDONLY | base, '', 'd');
    return;
  } else if (type === 'sysfs' && !ownNet) {
    // in the host's network namespace: the host's /sys, bound read-only (a sysfs of its own would show the same devices writable)
    type = ''; source = '/sys'; f |= MS.BIND | MS.REC | MS.RDONLY;
  } else if (type === 'mqueue' && !ownIpc && fs.existsSync('/dev/mqueue')) {
    // in the host's IPC namespace: its queues as the host has them mounted; where the host
    // mounts none (no /dev/mqueue), a mqueue file system made there shows the same queues, as runc's
    type = ''; source = '/dev/mqueue'; f |= MS.BIND;
  }
  // runc's and crun's "tmpcopyup" (Podman's --read-only tmpfs on /run, /tmp): the
  // directory's content from the image, copied into the new tmpfs
  const opts = data.split(',').filter(Boolean);
  if (opts.includes('tmpcopyup')) {
    if (type !== 'tmpfs') throw invalid(`mount ${dest}: tmpcopyup is for tmpfs mounts`);
    op('mount', source, dest, type, f, opts.filter((o) => o !== 'tmpcopyup').join(','), 'c');
    return;
  }
  op('mount', source, dest, type, f, data, '-');
}
