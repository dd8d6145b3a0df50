// The helper itself: who it is, and where it listens and keeps its state by default.
export interface SystemInfo {
  version: string;
  pid: number;
  root: string;
  socket: string;
  cgroupVersion: 1 | 2;
  kernel: string;
  /** `paused`: running with a frozen cgroup (counted in running too) */
  containers: { total: number; running: number; paused?: number };
  images: number;
  /** the helper's machine, for `info` (Docker's Name, OperatingSystem, Architecture, NCPU, MemTotal) */
  host?: { name: string; os: string; arch: string; cpus: number; memTotal: number };
  /** what confines its containers by default (Docker's SecurityOptions words: seccomp, cgroupns, userns) */
  security?: string[];
  /** who the helper sees on this connection */
  peer: { uid: number; gid: number; pid: number };
}

/** the daemon, the CLI and the extension all default to these */
export const DEFAULT_SOCKET = '/run/nscope/nscope.sock';
export const DEFAULT_ROOT = '/var/lib/nscope';
