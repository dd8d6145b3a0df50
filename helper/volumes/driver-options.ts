// The local driver's options (`volume create -o type=… -o device=… -o o=…`,
// `--mount volume-opt=…`): a volume that is a mount, as moby's volume/local
// takes them. The helper makes that mount as root for whoever reaches its
// socket, so everything is checked here, before a volume is made, and again
// before each mount (volume-mounts.ts):
//
//   type=tmpfs,device=LABEL        memory, as --tmpfs gives it (the same size limits)
//   type=none,o=bind,device=/dir   a host directory: what -v /dir:… already gives every client
//   type=ext4 (xfs, btrfs…)        a file system on an existing block device node, which a
//                                  client could already hand a container with -v or --device
//
// Refused: the kernel's interfaces (proc, sysfs, debugfs, bpf, cgroup…: they
// would give a container the host's), network file systems (mount(8)'s helpers
// are never run, and their options carry addresses and passwords), FUSE (needs
// a daemon's descriptor). `o` is an allowlist per kind; the mount is nosuid and
// nodev unless `o` names suid or dev, so a volume brings in no set-id program
// or device node unasked.
import * as fs from 'fs';
import * as path from 'path';
import { invalid } from '../errors';
import { tmpfsOptions } from './mount-options';

/** Docker's names, as `volume inspect` shows them under Options. */
export interface LocalDriverOptions { type: string; device: string; o?: string }

/** What to mount: mount(8)'s -t, -o (checked, defaults added) and source. */
export interface MountPlan {
  kind: 'tmpfs' | 'bind' | 'block';
  type: string;
  device: string;
  options: string[];
}

const KEYS = ['type', 'device', 'o'] as const;
/** moby's mandatoryOpts: an option that needs another */
const NEEDS: Record<string, string> = { device: 'type', type: 'device', o: 'device' };

/** The flags every kind takes (mount(8) turns them into MS_* flags). */
const VFS_FLAGS = new Set(['ro', 'rw', 'nosuid', 'suid', 'nodev', 'dev', 'noexec', 'exec', 'noatime', 'atime', 'relatime', 'norelatime',
  'strictatime', 'nostrictatime', 'nodiratime', 'diratime', 'sync', 'async', 'dirsync', 'lazytime', 'nolazytime']);
const OPPOSITE: Record<string, string> = {
  ro: 'rw', rw: 'ro', suid: 'nosuid', nosuid: 'suid', dev: 'nodev', nodev: 'dev', exec: 'noexec', noexec: 'exec', atime: 'noatime', noatime: 'atime',
  relatime: 'norelatime', norelatime: 'relatime', strictatime: 'nostrictatime', nostrictatime: 'strictatime', diratime: 'nodiratime', nodiratime: 'diratime',
  sync: 'async', async: 'sync', lazytime: 'nolazytime', nolazytime: 'lazytime',
};

/**
 * A block file system's own options that only change how that file system
 * behaves. Left out on purpose: anything naming another device or file
 * (ext4's journal_path, xfs's logdev/rtdev), errors=panic (the host's), and
 * mount(8)'s own (loop, offset, user, X-mount.*, helper=…).
 */
const BLOCK_FLAGS = new Set(['acl', 'noacl', 'user_xattr', 'nouser_xattr', 'discard', 'nodiscard', 'noload', 'norecovery', 'nouuid']);
const BLOCK_VALUES: Record<string, RegExp> = {
  uid: /^\d{1,10}$/, gid: /^\d{1,10}$/, umask: /^[0-7]{1,4}$/, dmask: /^[0-7]{1,4}$/, fmask: /^[0-7]{1,4}$/,
  errors: /^(continue|remount-ro)$/, data: /^(ordered|writeback|journal)$/, commit: /^\d{1,6}$/,
  subvol: /^\/?[A-Za-z0-9_.@-]+(\/[A-Za-z0-9_.@-]+)*$/, subvolid: /^\d{1,20}$/, compress: /^(zlib|lzo|zstd)(:\d{1,2})?$/,
};

/** Kernel file systems that are storage on a network: named in their refusal, which says what to do instead. */
const NETWORK = new Set(['nfs', 'nfs4', 'cifs', 'smb3', 'smbfs', '9p', 'ceph', 'glusterfs', 'afs', 'ncpfs', 'coda', 'orangefs']);

/** /proc/filesystems: each type the kernel has now, and whether it needs no device ("nodev"). */
export function kernelFilesystems(text = fs.readFileSync('/proc/filesystems', 'utf8')): Map<string, boolean> {
  const out = new Map<string, boolean>();
  for (const line of text.split('\n')) {
    const m = /^(nodev)?\s+(\S+)$/.exec(line);
    if (m) out.set(m[2], !!m[1]);
  }
  return out;
}

/**
 * The options of a volume create, checked: undefined for none (a plain
 * directory), else Docker's three. `what` starts each message ("volume create").
 */
export function checkDriverOptions(raw: unknown, what: string): LocalDriverOptions | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'object' || Array.isArray(raw)) throw invalid(`${what}: driver options must be an object of strings`);
  const entries = Object.entries(raw as Record<string, unknown>);
  if (!entries.length) return undefined;
  if (entries.length > 8) throw invalid(`${what}: too many driver options (${entries.length})`);
  const opts: Record<string, string> = {};
  for (const [k, v] of entries) {
    if (k === 'size') throw invalid(`${what}: option "size": the local driver's quota needs xfs project quotas, which nscope's volumes do not have (a tmpfs volume takes o=size=…)`);
    if (!(KEYS as readonly string[]).includes(k)) throw invalid(`${what}: invalid option: "${k.slice(0, 40)}" (the local driver takes type, device and o)`);
    if (typeof v !== 'string') throw invalid(`${what}: option "${k}" must be a string`);
    if (v.length > 4096 || v.includes('\0')) throw invalid(`${what}: option "${k}" is too long or has a NUL byte`);
    opts[k] = v;
  }
  for (const [k, needs] of Object.entries(NEEDS)) {
    if (opts[k] !== undefined && opts[needs] === undefined) throw invalid(`${what}: missing required option: "${needs}" (with "${k}")`);
  }
  const out: LocalDriverOptions = { type: opts.type, device: opts.device, ...(opts.o !== undefined && opts.o !== '' ? { o: opts.o } : {}) };
  mountPlan(out, what);
  return out;
}

/**
 * What mounting the volume takes, checked now (a device may have gone since
 * the volume was made): mount(8)'s type, options and source.
 */
export function mountPlan(o: LocalDriverOptions, what: string): MountPlan {
  const type = o.type;
  if (!/^[a-z0-9][a-z0-9_.+-]{0,31}$/.test(type)) throw invalid(`${what}: type "${type.slice(0, 40)}" is not a file system type's name`);
  const items = (o.o ?? '').split(',').filter((x) => x !== '');
  if ((o.o ?? '').length > 1024 || items.length > 32) throw invalid(`${what}: o: too many options`);
  for (const it of items) if (!/^[A-Za-z0-9_.:@/+=-]+$/.test(it)) throw invalid(`${what}: o: "${it.slice(0, 40)}" has characters no mount option has`);
  const bind = items.some((x) => x === 'bind' || x === 'rbind');
  if (bind) {
    if (type !== 'none') throw invalid(`${what}: o=bind: a bind volume takes type=none (not "${type}")`);
    return { kind: 'bind', type: 'none', device: bindDevice(o.device, what), options: flags(items, what, (it) => it === 'bind' || it === 'rbind', 'bind') };
  }
  if (type === 'none') throw invalid(`${what}: type=none mounts nothing without o=bind (type=none, o=bind, device=/host/dir binds a host directory)`);
  if (NETWORK.has(type)) throw invalid(`${what}: type "${type}": network file systems are not supported (mount it on the host, then type=none, o=bind, device=/that/dir)`);
  const known = kernelFilesystems();
  if (!known.has(type)) throw invalid(`${what}: type "${type}": not a file system this kernel has (see /proc/filesystems)`);
  if (type === 'tmpfs') {
    if (!/^[A-Za-z0-9][A-Za-z0-9_.:@+-]{0,63}$/.test(o.device)) throw invalid(`${what}: device "${o.device.slice(0, 64)}": a tmpfs has no device, only a name (letters, digits, _ . : @ + -), e.g. device=tmpfs`);
    // --tmpfs's checks (size within this machine's memory, mode, uid, gid, nr_inodes), with exec as Docker's local driver
    // leaves it; then nosuid,nodev unless asked otherwise
    const checked = tmpfsOptions(`${what}: o`, ['exec', ...items]);
    return { kind: 'tmpfs', type, device: o.device, options: checked };
  }
  if (known.get(type)) throw invalid(`${what}: type "${type}": not storage a volume may be (a tmpfs, a bind with type=none and o=bind, or a block device's file system such as ext4)`);
  if (type === 'fuseblk') throw invalid(`${what}: type "fuseblk": a FUSE file system needs its daemon; mount it on the host and bind it (type=none, o=bind)`);
  return { kind: 'block', type, device: blockDevice(o.device, type, what), options: flags(items, what, (it) => blockOption(it), type) };
}

/** The VFS flags of `items` (others only where `extra` takes them), last of a pair winning, nosuid and nodev unless asked otherwise. */
function flags(items: string[], what: string, extra: (it: string) => boolean, kind: string): string[] {
  const out = new Map<string, string>([['nosuid', 'nosuid'], ['nodev', 'nodev']]);
  for (const it of items) {
    if (VFS_FLAGS.has(it)) {
      if (OPPOSITE[it]) out.delete(OPPOSITE[it]);
      out.set(it, it);
    } else if (extra(it)) {
      const eq = it.indexOf('=');
      out.set(eq < 0 ? it : it.slice(0, eq), it);
    } else {
      throw invalid(`${what}: o: "${it.slice(0, 40)}" is not an option nscope passes to a ${kind} mount (${kind === 'bind' ? 'bind or rbind, ro, nosuid, nodev, noexec, …' : `ro, noexec, ${[...BLOCK_FLAGS].slice(0, 4).join(', ')}, ${Object.keys(BLOCK_VALUES).slice(0, 4).join('=, ')}=, …`})`);
    }
  }
  // bind first: mount(8) reads it as the kind of mount, the rest as flags set on it
  return [...out.values()].sort((a, b) => Number(b === 'bind' || b === 'rbind') - Number(a === 'bind' || a === 'rbind'));
}

function blockOption(it: string): boolean {
  const eq = it.indexOf('=');
  if (eq < 0) return BLOCK_FLAGS.has(it);
  const re = BLOCK_VALUES[it.slice(0, eq)];
  return !!re && re.test(it.slice(eq + 1)) && !it.includes('..');
}

function absolute(device: string, what: string): string {
  if (!device.startsWith('/')) throw invalid(`${what}: device "${device.slice(0, 200)}" must be an absolute path`);
  return path.posix.normalize(device);
}

function bindDevice(device: string, what: string): string {
  const d = absolute(device, what);
  let st: fs.Stats;
  try { st = fs.statSync(d); } catch { throw invalid(`${what}: device "${d.slice(0, 200)}": no such directory on the helper's host`); }
  if (!st.isDirectory()) throw invalid(`${what}: device "${d.slice(0, 200)}" is not a directory (a bind volume mounts a host directory)`);
  return d;
}

function blockDevice(device: string, type: string, what: string): string {
  const d = absolute(device, what);
  let st: fs.Stats;
  try { st = fs.statSync(d); } catch { throw invalid(`${what}: device "${d.slice(0, 200)}": no such block device on the helper's host`); }
  if (!st.isBlockDevice()) throw invalid(`${what}: device "${d.slice(0, 200)}" is not a block device (type=${type} mounts one; a host directory is type=none, o=bind)`);
  return d;
}
