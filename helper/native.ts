// The typed face of native/addon.cc and the path of the nscope-shim
// executable. Only this module loads native code.
import * as fs from 'fs';
import * as path from 'path';

export interface PeerCred { pid: number; uid: number; gid: number; groups: number[] }

export interface NativeAddon {
  peerCred(fd: number): PeerCred;
  mknod(path: string, mode: number, major: number, minor: number): void;
  /** mount -t tmpfs -o nosuid,nodev,noexec,OPTIONS nscope-run TARGET */
  mountTmpfs(target: string, options: string): void;
  /** umount2(TARGET, UMOUNT_NOFOLLOW | (detach ? MNT_DETACH : 0)) */
  umount(target: string, detach: boolean): void;
  /** mount -t overlay with `options` (lowerdir=…,upperdir=…,workdir=…), nosuid,nodev. */
  mountOverlay(target: string, options: string): void;
  /** chroot + chdir("/"): the files worker's alone (it changes the whole process). */
  chroot(dir: string): void;
  lsetxattr(path: string, name: string, value: Buffer): void;
  lgetxattr(path: string, name: string): Buffer | null;
  llistxattr(path: string): string[];
  /** Opens `rel` resolved inside `root` (openat2 RESOLVE_IN_ROOT); caller closes the fd. */
  /** `root`: a directory's path, or an open fd of it; `mode`: a created file's */
  openInRoot(root: string | number, rel: string, flags: number, mode?: number): number;
  /**
   * Starts nscope-shim, or an OCI hook with its own `env` and `argv0` (posix_spawn, new session): our child, to
   * collect with reap(pid) or waitExit(pid). stdio[i] is the child's fd i:
   * 'null', 'inherit' (0-2 only), 'in' (we write), 'out' (we read) or a number K (a copy of our fd K); fds[i] is our end or -1.
   */
  spawnShim(path: string, args: string[], stdio: ('null' | 'inherit' | 'in' | 'out' | number)[], env?: string[], argv0?: string): { pid: number; fds: number[] };
  /** Waits for that child to end, at most timeoutMs (< 0: no limit): its status, or null if it still runs. */
  waitExit(pid: number, timeoutMs: number): { code: number | null; signal: number | null } | null;
  /** sha256 of `data` as hex, by node's own OpenSSL (no `crypto` module to load). */
  sha256Hex(data: Buffer): string;
  /** waitpid(pid, WNOHANG) for that pid only; true when it was collected. */
  reap(pid: number): boolean;
  /** Inode of the user namespace owning the namespace at /proc/PID/ns/X. */
  nsOwner(path: string): number;
  /** The tree below root/rel as packed records (decoded by rootfs/walk.ts); every dir opened beneath `root`, no symlinks followed. */
  walkTree(root: string, rel: string, stat: boolean, maxDepth: number, maxEntries: number, threads: number): Promise<Buffer>;
  /** Opens `rel` strictly beneath `root` following no symlink (openat2 RESOLVE_BENEATH|RESOLVE_NO_SYMLINKS); caller closes the fd. */
  openBeneath(root: string, rel: string, flags: number): number;
  /** lstat of `rel` resolved like openBeneath, plus overlay xattrs and a symlink's target; null when absent. */
  lstatBeneath(root: string, rel: string): BeneathStat | null;
  /**
   * Loads a cgroup device program for `rules` (cgroups/devices.ts packDeviceRules) and attaches it to the
   * cgroup v2 directory `cgroupDir`, replacing the device programs attached there before.
   */
  attachDeviceFilter(cgroupDir: string, rules: Int32Array): void;
  /** A tree as a tar (native/tar/pack.h); read() fills a buffer of at least 64 KiB, 0 at the end. Id maps: flat [inside, outside, count, …]. */
  tarPacker(src: string, name: string, o: { follow: boolean; uidMap?: number[]; gidMap?: number[]; emptyDirs?: string[] }): { read(buf: Buffer): number; close(): void };
  /** A tar unpacked into `root` as `nscope cp` places it (native/tar/unpack.h); errors carry .invalid for a refused archive. */
  tarUnpacker(root: string, o: TarUnpackOptions): { write(b: Buffer): void; end(): { entries: number; bytes: number }; close(): void };
}

export interface TarUnpackOptions {
  label: string;
  /** every entry's owner; absent: the archive's */
  owner?: [number, number];
  /** owners are a container's ids, stored as the host's (flat maps); an unmapped one is refused */
  map?: { uid: number[]; gid: number[] };
  placement?: { prepend: string } | { top: string; to: string } | { top: string; contents: true };
  umask: number;
  /** an image layer's: .wh. names become overlayfs whiteouts (else they are refused) */
  whiteouts?: boolean;
}

export interface BeneathStat {
  mode: number; uid: number; gid: number; size: number; mtimeSec: number; mtimeNsec: number;
  rdevMajor: number; rdevMinor: number; dev: number; ino: number; nlink: number;
  /** a directory with trusted.overlay.opaque=y */
  opaque: boolean;
  /** a regular file whose data is in a lower layer (trusted.overlay.metacopy) */
  metacopy: boolean;
  target?: string;
}

/** The checkout / package root: the nearest directory above this file with a package.json. */
export function packageRoot(): string {
  let dir = __dirname;
  for (;;) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'binding.gyp'))) return dir;
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`nscope: cannot find the package root above ${__dirname}`);
    dir = up;
  }
}

let addon: NativeAddon | undefined;

export function native(): NativeAddon {
  if (!addon) {
    const file = path.join(packageRoot(), 'build', 'Release', 'nscope.node');
    if (!fs.existsSync(file)) throw new Error(`nscope: native addon missing at ${file}; run 'npm install' (it builds it with node-gyp)`);
    // process.dlopen, not require: the same load without the module resolution, which
    // reads package.json on the way (~1 ms of every nscope-runtime create)
    const m = { exports: {} as NativeAddon };
    process.dlopen(m, file);
    addon = m.exports;
  }
  return addon;
}

export function shimPath(): string {
  const file = path.join(packageRoot(), 'build', 'Release', 'nscope-shim');
  if (!fs.existsSync(file)) throw new Error(`nscope: nscope-shim missing at ${file}; run 'npm install'`);
  return file;
}
