// The typed face of native/addon.cc and the path of the nscope-shim
// executable. Only this module loads native code.
import * as fs from 'fs';
import * as path from 'path';

export interface PeerCred { pid: number; uid: number; gid: number; groups: number[] }

export interface NativeAddon {
  peerCred(fd: number): PeerCred;
  mknod(path: string, mode: number, major: number, minor: number): void;
  lsetxattr(path: string, name: string, value: Buffer): void;
  lgetxattr(path: string, name: string): Buffer | null;
  llistxattr(path: string): string[];
  /** Opens `rel` resolved inside `root` (openat2 RESOLVE_IN_ROOT); caller closes the fd. */
  openInRoot(root: string, rel: string, flags: number): number;
  /** Inode of the user namespace owning the namespace at /proc/PID/ns/X. */
  nsOwner(path: string): number;
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
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    addon = require(file) as NativeAddon;
  }
  return addon;
}

export function shimPath(): string {
  const file = path.join(packageRoot(), 'build', 'Release', 'nscope-shim');
  if (!fs.existsSync(file)) throw new Error(`nscope: nscope-shim missing at ${file}; run 'npm install'`);
  return file;
}
